// Test program: joins groups on ifIndex 1 and leaves them all on key '2' (joins all again on '1').
// Keys 'a', 'b', ... join the first, second, ... group alone; 'A', 'B', ... leave it.
// Parameters: groups (comma-separated IP_Address texts), port, start (1: join all at start).
#include <caplnet/capl.hpp>
#include <cstdlib>
#include <sstream>
#include <vector>

using namespace caplnet::capl;

namespace {
std::vector<std::pair<IP_Address, UdpSocket>> gGroups;
}  // namespace

CAPLNET_PROGRAM(program) {
    const std::string port = program.parameter("port", "40001");
    std::stringstream list(program.parameter("groups", "239.0.0.123"));
    for (std::string g; std::getline(list, g, ',');) gGroups.emplace_back(IP_Address(g), UdpSocket{});
    const bool join_at_start = program.parameter("start", "1") == "1";
    program.on_start([port, join_at_start] {
        for (auto& [group, socket] : gGroups) {
            socket = UdpSocket::Open(IP_Endpoint(group.IsIPv6Address() != 0 ? "[::]:" + port : "0.0.0.0:" + port));
            if (join_at_start) write("joined %s: %d", group.to_string().c_str(), socket.JoinMulticastGroup(1, group));
        }
        write("started");
    });
    program.on_any_key([](char key) {
        const bool join = key >= 'a' && key <= 'i';
        const bool leave = key >= 'A' && key <= 'I';
        const std::size_t i = static_cast<std::size_t>(join ? key - 'a' : key - 'A');
        if ((!join && !leave) || i >= gGroups.size()) return;
        auto& [group, socket] = gGroups[i];
        if (join) {
            write("joined %s: %d", group.to_string().c_str(), socket.JoinMulticastGroup(1, group));
        } else {
            write("left %s: %d", group.to_string().c_str(), socket.LeaveMulticastGroup(1, group));
        }
    });
    program.on_key('2', [] {
        for (auto& [group, socket] : gGroups) {
            write("left %s: %d", group.to_string().c_str(), socket.LeaveMulticastGroup(1, group));
        }
    });
    program.on_key('1', [] {
        for (auto& [group, socket] : gGroups) {
            write("joined %s: %d", group.to_string().c_str(), socket.JoinMulticastGroup(1, group));
        }
    });
}
