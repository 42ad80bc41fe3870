// Figures 3 and 4 reference: IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP on one Linux UDP socket, on the
// interface IF (bench/run: a dummy interface in a private namespace with igmp_max_memberships raised).
//   kernel_membership scale IF N   -> "BENCH scale n N join_ns J leave_ns L failed F"
//   kernel_membership pair IF ITERS -> "BENCH pair iters I median_ns M min_ns A max_ns B failed F"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {
long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}
ip_mreqn group_of(long i, int ifindex) {
    ip_mreqn m{};
    m.imr_multiaddr.s_addr = htonl((239u << 24) | (static_cast<unsigned>(1 + i / 65536) << 16) |
                                   (static_cast<unsigned>(i / 256 % 256) << 8) | static_cast<unsigned>(i % 256));
    m.imr_ifindex = ifindex;
    return m;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: kernel_membership scale|pair IF N\n");
        return 2;
    }
    const std::string_view mode = argv[1];
    const int ifindex = static_cast<int>(if_nametoindex(argv[2]));
    const long n = std::min(std::atol(argv[3]), 1000000L);
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = htons(40001);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        std::perror("socket/bind");
        return 1;
    }
    long failed = 0;
    if (mode == "scale") {
        std::vector<ip_mreqn> groups;
        for (long i = 0; i < n; ++i) groups.push_back(group_of(i, ifindex));
        const long long t0 = now_ns();
        for (auto& g : groups) failed += setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &g, sizeof g) != 0;
        const long long t1 = now_ns();
        for (auto& g : groups) failed += setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &g, sizeof g) != 0;
        const long long t2 = now_ns();
        std::printf("BENCH scale n %ld join_ns %lld leave_ns %lld failed %ld\n", n, t1 - t0, t2 - t1, failed);
        return 0;
    }
    ip_mreqn g = group_of(7, ifindex);
    for (long i = 0; i < n / 10; ++i) {
        failed += setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &g, sizeof g) != 0;
        failed += setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &g, sizeof g) != 0;
    }
    std::vector<long long> d;
    for (long i = 0; i < n; ++i) {
        const long long t0 = now_ns();
        failed += setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &g, sizeof g) != 0;
        failed += setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &g, sizeof g) != 0;
        d.push_back(now_ns() - t0);
    }
    std::sort(d.begin(), d.end());
    std::printf("BENCH pair iters %ld median_ns %lld min_ns %lld max_ns %lld failed %ld\n", n, d[d.size() / 2],
                d.front(), d.back(), failed);
    return 0;
}
