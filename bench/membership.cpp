// Figures 3 and 4 (caplnet node program), everything on the program thread.
//   mode=scale n=N : IpJoinMulticastGroup of N distinct groups on one socket, then IpLeaveMulticastGroup
//                    of all of them; prints "BENCH scale n N join_ns J leave_ns L failed F".
//   mode=pair iters=I : I round trips of one IpJoinMulticastGroup+IpLeaveMulticastGroup pair;
//                    prints "BENCH pair iters I median_ns M min_ns A max_ns B failed F".
#include <caplnet/capl.hpp>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using namespace caplnet::capl;

namespace {
long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}
IP_Address group_of(long i) {  // 239.(1+i/65536).(i/256%256).(i%256)
    const std::string text = "239." + std::to_string(1 + i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
                             std::to_string(i % 256);
    return IP_Address(text);
}
}  // namespace

CAPLNET_PROGRAM(program) {
    const std::string mode = program.parameter("mode", "scale");
    const long n = std::min(std::atol(program.parameter("n", "10000").c_str()), 200000L);
    const long iters = std::min(std::atol(program.parameter("iters", "20000").c_str()), 1000000L);
    program.on_start([=] {
        UdpSocket s = UdpSocket::Open(IP_Endpoint("0.0.0.0:40001"));
        long failed = 0;
        if (mode == "scale") {
            std::vector<IP_Address> groups;
            groups.reserve(static_cast<std::size_t>(n));
            for (long i = 0; i < n; ++i) groups.push_back(group_of(i));
            const long long t0 = now_ns();
            for (const auto& g : groups) failed += s.JoinMulticastGroup(1, g) != 0;
            const long long t1 = now_ns();
            for (const auto& g : groups) failed += s.LeaveMulticastGroup(1, g) != 0;
            const long long t2 = now_ns();
            write("BENCH scale n %ld join_ns %lld leave_ns %lld failed %ld", n, t1 - t0, t2 - t1, failed);
        } else {
            const IP_Address g = group_of(7);
            std::vector<long long> d;
            d.reserve(static_cast<std::size_t>(iters));
            for (long i = 0; i < iters / 10; ++i) {  // warm-up
                failed += s.JoinMulticastGroup(1, g) != 0;
                failed += s.LeaveMulticastGroup(1, g) != 0;
            }
            for (long i = 0; i < iters; ++i) {
                const long long t0 = now_ns();
                failed += s.JoinMulticastGroup(1, g) != 0;
                failed += s.LeaveMulticastGroup(1, g) != 0;
                d.push_back(now_ns() - t0);
            }
            std::sort(d.begin(), d.end());
            write("BENCH pair iters %ld median_ns %lld min_ns %lld max_ns %lld failed %ld", iters, d[d.size() / 2],
                  d.front(), d.back(), failed);
        }
        write("BENCH done");
    });
}
