// Test program: joins groups on ifIndex 1 and leaves them all on key '2'.
// Parameters: groups (comma-separated IP_Address texts), port.
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
    program.on_start([port] {
        for (auto& [group, socket] : gGroups) {
            socket = UdpSocket::Open(IP_Endpoint(group.IsIPv6Address() != 0 ? "[::]:" + port : "0.0.0.0:" + port));
            write("joined %s: %d", group.to_string().c_str(), socket.JoinMulticastGroup(1, group));
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
