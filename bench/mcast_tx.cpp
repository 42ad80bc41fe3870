// Figure 1 sender (caplnet node program): 64-byte datagrams to a group as fast as SendTo returns,
// for `seconds` or `max` datagrams, whichever comes first, on the program thread.
// Parameters: group, port, seconds, max, size. Prints one line: "BENCH tx sent S failed F start_ns T0 end_ns T1".
#include <caplnet/capl.hpp>
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <string>

using namespace caplnet::capl;

namespace {
std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}
}  // namespace

CAPLNET_PROGRAM(program) {
    const std::string group = program.parameter("group", "239.1.2.3");
    const int port = std::atoi(program.parameter("port", "40001").c_str());
    const double seconds = std::atof(program.parameter("seconds", "2").c_str());
    const long max = std::atol(program.parameter("max", "2000000").c_str());
    const int size = std::atoi(program.parameter("size", "64").c_str());
    program.on_start([=] {
        UdpSocket s = UdpSocket::Open(IP_Endpoint("0.0.0.0:0"));
        if (s.SetMulticastInterface(1) != 0) write("BENCH tx error SetMulticastInterface %d", s.GetLastSocketError());
        const IP_Endpoint to(IP_Address(group), static_cast<std::uint16_t>(port));
        char payload[1500] = {};
        long sent = 0, failed = 0;
        const std::int64_t t0 = now_ns();
        const std::int64_t deadline = t0 + static_cast<std::int64_t>(seconds * 1e9);
        std::int64_t t1 = t0;
        while (sent + failed < max) {
            if ((sent & 63) == 0 && (t1 = now_ns()) >= deadline) break;
            *reinterpret_cast<std::uint32_t*>(payload) = static_cast<std::uint32_t>(sent);
            if (s.SendTo(to, payload, static_cast<dword>(size)) == 0) ++sent; else ++failed;
        }
        t1 = now_ns();
        write("BENCH tx sent %ld failed %ld start_ns %lld end_ns %lld", sent, failed,
              static_cast<long long>(t0), static_cast<long long>(t1));
    });
}
