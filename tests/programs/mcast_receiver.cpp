// Test program: joins groups on ifIndex 1 and leaves them all on key '2' (joins all again on '1').
// Keys 'a', 'b', ... join the first, second, ... group alone; 'A', 'B', ... leave it.
// Every socket counts the datagrams it receives (UdpReceiveFrom, re-armed in OnUdpReceiveFrom);
// key 'n' writes "count <group> <port> <n>" per socket, in the order of `groups`.
// Parameters: groups (comma-separated IP_Address texts, each optionally "@PORT" for its own
// port), port (the others' port), start (1: join all at start).
#include <caplnet/capl.hpp>
#include <cstdlib>
#include <sstream>
#include <vector>

using namespace caplnet::capl;

namespace {
struct Member {
    IP_Address group;
    std::string port;
    UdpSocket socket;
    unsigned long count = 0;
    char buffer[2048] = {};
};
std::vector<Member> gGroups;

void OnReceive(dword socket, capl_long result, IP_Endpoint /*remote*/, char /*buffer*/[], dword /*size*/) {
    for (auto& m : gGroups) {
        if (m.socket.handle() != socket) continue;
        if (result == 0) ++m.count;
        m.socket.ReceiveFrom(m.buffer, sizeof m.buffer);  // re-arm, as in CAPL
        return;
    }
}
}  // namespace

CAPLNET_PROGRAM(program) {
    const std::string port = program.parameter("port", "40001");
    std::stringstream list(program.parameter("groups", "239.0.0.123"));
    gGroups.reserve(16);  // members hold their receive buffers: no reallocation after arming
    for (std::string g; std::getline(list, g, ',');) {
        const auto at = g.find('@');
        Member& m = gGroups.emplace_back();
        m.group = IP_Address(g.substr(0, at));
        m.port = at == std::string::npos ? port : g.substr(at + 1);
    }
    const bool join_at_start = program.parameter("start", "1") == "1";
    program.on_start([join_at_start] {
        for (auto& m : gGroups) {
            m.socket = UdpSocket::Open(IP_Endpoint(m.group.IsIPv6Address() != 0 ? "[::]:" + m.port : "0.0.0.0:" + m.port));
            if (join_at_start) write("joined %s: %d", m.group.to_string().c_str(), m.socket.JoinMulticastGroup(1, m.group));
            m.socket.ReceiveFrom(m.buffer, sizeof m.buffer);
        }
        write("started");
    });
    program.OnUdpReceiveFrom(OnReceive);
    program.on_any_key([](char key) {
        if (key == 'n') {
            for (const auto& m : gGroups) {
                write("count %s %s %lu", m.group.to_string().c_str(), m.port.c_str(), m.count);
            }
            return;
        }
        const bool join = key >= 'a' && key <= 'i';
        const bool leave = key >= 'A' && key <= 'I';
        const std::size_t i = static_cast<std::size_t>(join ? key - 'a' : key - 'A');
        if ((!join && !leave) || i >= gGroups.size()) return;
        auto& m = gGroups[i];
        if (join) {
            write("joined %s: %d", m.group.to_string().c_str(), m.socket.JoinMulticastGroup(1, m.group));
        } else {
            write("left %s: %d", m.group.to_string().c_str(), m.socket.LeaveMulticastGroup(1, m.group));
        }
    });
    program.on_key('2', [] {
        for (auto& m : gGroups) {
            write("left %s: %d", m.group.to_string().c_str(), m.socket.LeaveMulticastGroup(1, m.group));
        }
    });
    program.on_key('1', [] {
        for (auto& m : gGroups) {
            write("joined %s: %d", m.group.to_string().c_str(), m.socket.JoinMulticastGroup(1, m.group));
        }
    });
}
