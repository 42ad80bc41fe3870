// Figures 1 and 2 receiver (caplnet node program): one socket per group, joined on ifIndex 1, counts
// every datagram its sockets deliver (OnUdpReceiveFrom, re-armed in the callback as in CAPL). At stop
// it prints "BENCH rx received N first_ns T0 last_ns T1 queue_drops Q" summed over the sockets — Q is
// the receive-queue overflow counter, read from the runtime (the .so resolves Runtime::get from the
// caplnet executable). Parameters: group and port (one socket), or groups=G[@PORT],... (a socket
// per entry; PORT defaults to `port`).
#include <caplnet/capl.hpp>
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "capl_api/runtime.hpp"

using namespace caplnet::capl;

namespace {
struct Member {
    UdpSocket socket;
    char buffer[2048] = {};
};
std::vector<Member> gMembers;
long long gReceived = 0, gFirst = 0, gLast = 0;

long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

void on_receive(dword socket, capl_long result, IP_Endpoint, char[], dword) {
    for (auto& m : gMembers) {
        if (!(m.socket == socket)) continue;
        if (result == 0) {
            gLast = now_ns();
            if (gReceived++ == 0) gFirst = gLast;
        }
        m.socket.ReceiveFrom(m.buffer, sizeof m.buffer);
        return;
    }
}
}  // namespace

CAPLNET_PROGRAM(program) {
    const std::string port = program.parameter("port", "40001");
    std::stringstream list(program.parameter("groups", program.parameter("group", "239.1.2.3")));
    std::vector<std::pair<std::string, std::string>> entries;  // (group, port)
    for (std::string g; std::getline(list, g, ',');) {
        const auto at = g.find('@');
        entries.emplace_back(g.substr(0, at), at == std::string::npos ? port : g.substr(at + 1));
    }
    gMembers.resize(entries.size());  // never resized again: the buffers stay where they were armed
    program.on_start([entries] {
        capl_long failed = 0;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            Member& m = gMembers[i];
            m.socket = UdpSocket::Open(IP_Endpoint("0.0.0.0:" + entries[i].second));
            if (m.socket.JoinMulticastGroup(1, IP_Address(entries[i].first)) != 0) ++failed;
            m.socket.ReceiveFrom(m.buffer, sizeof m.buffer);
        }
        write("BENCH rx joined %d", failed);
    });
    program.on_stop([] {
        unsigned long long drops = 0;
        if (auto* rt = detail::Runtime::get()) {
            for (const auto& m : gMembers) {
                if (auto info = rt->sockets().info(m.socket.handle())) drops += info->queue_drops;
            }
        }
        write("BENCH rx received %lld first_ns %lld last_ns %lld queue_drops %llu", gReceived, gFirst, gLast, drops);
    });
    program.OnUdpReceiveFrom(on_receive);
}
