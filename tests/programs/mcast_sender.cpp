// Test program: sends numbered datagrams to a group on one or more interfaces.
// Parameters: group (IP_Address text), port, ifs (comma-separated ifIndexes), interval (ms).
// Payload: "<ifIndex> <sequence>", the sequence counting per interface from 1.
#include <caplnet/capl.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <vector>

using namespace caplnet::capl;

namespace {

struct Stream {
    dword if_index;
    UdpSocket socket;
    dword sent = 0;
};

std::vector<Stream> gStreams;
IP_Endpoint gTarget;
msTimer gTick;
capl_long gInterval = 5;

void tick() {
    for (auto& s : gStreams) {
        char text[32];
        const int n = std::snprintf(text, sizeof text, "%u %u", s.if_index, s.sent + 1);
        if (s.socket.SendTo(gTarget, text, static_cast<dword>(n)) != 0) {
            write("send on %u failed: %d", s.if_index, s.socket.GetLastSocketError());
            continue;
        }
        if (++s.sent % 100 == 0) write("sent %u on %u", s.sent, s.if_index);
    }
    setTimer(gTick, gInterval);
}

}  // namespace

CAPLNET_PROGRAM(program) {
    const IP_Address group(program.parameter("group", "239.0.0.123"));
    gTarget = IP_Endpoint(group, static_cast<std::uint16_t>(std::atoi(program.parameter("port", "40001").c_str())));
    gInterval = std::atoi(program.parameter("interval", "5").c_str());
    std::stringstream ifs(program.parameter("ifs", "1"));
    for (std::string item; std::getline(ifs, item, ',');) {
        gStreams.push_back(Stream{static_cast<dword>(std::atoi(item.c_str())), UdpSocket{}});
    }
    program.on_start([group] {
        for (auto& s : gStreams) {
            s.socket = group.IsIPv6Address() != 0 ? UdpSocket::Open(IP_Endpoint("[::]:0"))
                                                   : UdpSocket::Open(IP_Endpoint("0.0.0.0:0"));
            write("interface %u: %d", s.if_index, s.socket.SetMulticastInterface(s.if_index));
        }
        gTick.on_elapsed(tick);
        setTimer(gTick, gInterval);
    });
}
