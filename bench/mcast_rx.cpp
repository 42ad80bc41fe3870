// Figure 1 receiver (caplnet node program): joins the group on ifIndex 1 and counts every datagram
// its socket delivers (OnUdpReceiveFrom, re-armed in the callback as in CAPL). At stop it prints
// "BENCH rx received N first_ns T0 last_ns T1 queue_drops Q" — Q is the socket's receive-queue
// overflow counter, read from the runtime (the .so resolves Runtime::get from the caplnet executable).
#include <caplnet/capl.hpp>
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "capl_api/runtime.hpp"

using namespace caplnet::capl;

namespace {
UdpSocket gSocket;
char gBuffer[2048];
long long gReceived = 0, gFirst = 0, gLast = 0;

long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

void on_receive(dword socket, capl_long result, IP_Endpoint, char[], dword) {
    if (!(gSocket == socket)) return;
    if (result == 0) {
        gLast = now_ns();
        if (gReceived++ == 0) gFirst = gLast;
    }
    gSocket.ReceiveFrom(gBuffer, sizeof gBuffer);
}
}  // namespace

CAPLNET_PROGRAM(program) {
    const std::string group = program.parameter("group", "239.1.2.3");
    const std::string port = program.parameter("port", "40001");
    program.on_start([=] {
        gSocket = UdpSocket::Open(IP_Endpoint("0.0.0.0:" + port));
        const capl_long j = gSocket.JoinMulticastGroup(1, IP_Address(group));
        gSocket.ReceiveFrom(gBuffer, sizeof gBuffer);
        write("BENCH rx joined %d", j);
    });
    program.on_stop([] {
        unsigned long long drops = 0;
        if (auto* rt = detail::Runtime::get()) {
            if (auto info = rt->sockets().info(gSocket.handle())) drops = info->queue_drops;
        }
        write("BENCH rx received %lld first_ns %lld last_ns %lld queue_drops %llu", gReceived, gFirst, gLast, drops);
    });
    program.OnUdpReceiveFrom(on_receive);
}
