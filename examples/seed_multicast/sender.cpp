// The sender for the seed example: after IpSetMulticastInterface (without it a multicast send
// fails with 10051), a numbered datagram to 239.0.0.123:40001 every 10 ms.
#include <caplnet/capl.hpp>
#include <cstdio>

using namespace caplnet::capl;

namespace {

UdpSocket gSocket;
msTimer gTick;
dword gSent = 0;

void tick() {
    char text[32];
    const int n = std::snprintf(text, sizeof text, "datagram %u", gSent + 1);
    if (gSocket.SendTo(IP_Endpoint("239.0.0.123:40001"), text, static_cast<dword>(n)) == 0) {
        ++gSent;
        if (gSent % 50 == 0) write("sent %u", gSent);
    } else {
        write("send failed: %d", gSocket.GetLastSocketError());
    }
    setTimer(gTick, 10);
}

}  // namespace

CAPLNET_PROGRAM(program) {
    program.on_start([] {
        gSocket = UdpSocket::Open(IP_Endpoint("0.0.0.0:0"));
        write("IpSetMulticastInterface: %d", gSocket.SetMulticastInterface(1));
        gTick.on_elapsed(tick);
        setTimer(gTick, 10);
    });
}
