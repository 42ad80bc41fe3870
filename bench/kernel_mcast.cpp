// Figure 1 reference: the same 64-byte datagrams through the Linux kernel (run inside a network
// namespace; bench/run puts sender and receiver in two namespaces joined by a veth pair).
//   kernel_mcast send IF GROUP PORT SECONDS MAX SIZE
//       -> "BENCH tx sent S failed F start_ns T0 end_ns T1 if_tx_dropped D"
//   kernel_mcast recv IF GROUPS PORT IDLE_MS LIMIT_S
//       GROUPS: G[@P],... — one socket per entry (IP_MULTICAST_ALL off: each counts its own group)
//       -> "BENCH rx joined" then, after IDLE_MS without a datagram (or LIMIT_S in all),
//          "BENCH rx received N first_ns T0 last_ns T1 rcvbuf_errors R in_errors E if_rx_dropped D"
//   Figure 2 (the tcpreplay reference) uses recv alone, with the capture's three groups.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {
long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}
long long sys_counter(const std::string& ifname, const char* name) {
    std::ifstream f("/sys/class/net/" + ifname + "/statistics/" + name);
    long long v = 0;
    f >> v;
    return v;
}
// Udp: InErrors and RcvbufErrors of this namespace (/proc/net/snmp).
void udp_errors(long long& in_errors, long long& rcvbuf) {
    std::ifstream f("/proc/net/snmp");
    std::string head, values;
    while (std::getline(f, head)) {
        if (head.rfind("Udp:", 0) == 0 && std::getline(f, values)) break;
    }
    std::istringstream h(head), v(values);
    std::string name, value;
    while (h >> name && v >> value) {
        if (name == "InErrors") in_errors = std::atoll(value.c_str());
        if (name == "RcvbufErrors") rcvbuf = std::atoll(value.c_str());
    }
}
int die(const char* what) {
    std::perror(what);
    return 1;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 7) {
        std::fprintf(stderr, "usage: kernel_mcast send IF GROUP PORT SECONDS MAX SIZE | recv IF G[@P],... PORT IDLE_MS LIMIT_S\n");
        return 2;
    }
    const std::string mode = argv[1], ifname = argv[2];
    const int port = std::atoi(argv[4]);
    const unsigned ifindex = if_nametoindex(ifname.c_str());
    if (mode == "send") {
        in_addr group{};
        inet_pton(AF_INET, argv[3], &group);
        const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0) return die("socket");
        const double seconds = std::atof(argv[5]);
        const long max = std::atol(argv[6]);
        const int size = argc > 7 ? std::atoi(argv[7]) : 64;
        ip_mreqn m{};
        m.imr_ifindex = static_cast<int>(ifindex);
        if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) != 0) return die("IP_MULTICAST_IF");
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<uint16_t>(port));
        to.sin_addr = group;
        char payload[1500] = {};
        long sent = 0, failed = 0;
        const long long drop0 = sys_counter(ifname, "tx_dropped");
        const long long t0 = now_ns(), deadline = t0 + static_cast<long long>(seconds * 1e9);
        while (sent + failed < max) {
            if ((sent & 63) == 0 && now_ns() >= deadline) break;
            std::memcpy(payload, &sent, 4);
            if (::sendto(fd, payload, static_cast<size_t>(size), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
                size) ++sent; else ++failed;
        }
        const long long t1 = now_ns();
        std::printf("BENCH tx sent %ld failed %ld start_ns %lld end_ns %lld if_tx_dropped %lld\n", sent, failed, t0, t1,
                    sys_counter(ifname, "tx_dropped") - drop0);
        return 0;
    }
    const int idle_ms = std::atoi(argv[5]);
    const double limit_s = std::atof(argv[6]);
    std::vector<pollfd> fds;
    std::stringstream list(argv[3]);
    for (std::string entry; std::getline(list, entry, ',');) {
        const auto at = entry.find('@');
        const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
        if (s < 0) return die("socket");
        int one = 1, zero = 0;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(s, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_port = htons(static_cast<uint16_t>(at == std::string::npos ? port : std::atoi(entry.c_str() + at + 1)));
        if (::bind(s, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return die("bind");
        ip_mreqn m{};
        inet_pton(AF_INET, entry.substr(0, at).c_str(), &m.imr_multiaddr);
        m.imr_ifindex = static_cast<int>(ifindex);
        if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) != 0) return die("IP_ADD_MEMBERSHIP");
        fds.push_back({s, POLLIN, 0});
    }
    long long in0 = 0, rb0 = 0, in1 = 0, rb1 = 0;
    udp_errors(in0, rb0);
    const long long drop0 = sys_counter(ifname, "rx_dropped");
    std::printf("BENCH rx joined\n");
    std::fflush(stdout);
    long long received = 0, first = 0, last = 0;
    const long long end = now_ns() + static_cast<long long>(limit_s * 1e9);
    char buf[2048];
    while (now_ns() < end) {
        if (::poll(fds.data(), fds.size(), received == 0 ? 100 : idle_ms) <= 0) {
            if (received > 0) break;
            continue;
        }
        for (const auto& p : fds) {
            while (::recv(p.fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
                last = now_ns();
                if (received++ == 0) first = last;
            }
        }
    }
    udp_errors(in1, rb1);
    std::printf("BENCH rx received %lld first_ns %lld last_ns %lld rcvbuf_errors %lld in_errors %lld if_rx_dropped %lld\n",
                received, first, last, rb1 - rb0, in1 - in0, sys_counter(ifname, "rx_dropped") - drop0);
    return 0;
}
