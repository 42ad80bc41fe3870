// Test program: joins groups (on ifIndex 1 unless told otherwise) and leaves them all on key '2'
// (joins all again on '1'). Keys 'a', 'b', ... join the first, second, ... group alone; 'A', 'B',
// ... leave it.
// Every socket counts the datagrams it receives (UdpReceiveFrom, re-armed in OnUdpReceiveFrom);
// key 'n' writes "count <group> <port> <n>" per socket, in the order of `groups` (the group as
// "<group>%<ifIndex>" when the entry named its interface). Key 's' writes, per socket,
// "streams <group> <port>" followed by " <stream>:<n>" for every stream number seen in a
// captures-README payload ("CPLN", stream number in byte 4; "other" for any other payload).
// Parameters: groups (comma-separated entries GROUP[@PORT][%IFINDEX]: an IP_Address text (IPv4
// or IPv6), optionally its own port and the ifIndex it is joined on), port (the others' port),
// start (1: join all at start).
#include <caplnet/capl.hpp>
#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace caplnet::capl;

namespace {
struct Member {
    IP_Address group;
    std::string label;  // how 'n' and 's' name the group: "G", or "G%IF" for an explicit ifIndex
    std::string port;
    dword if_index = 1;
    UdpSocket socket;
    unsigned long count = 0;
    std::map<std::string, unsigned long> streams;
    char buffer[2048] = {};
};
std::vector<Member> gGroups;

std::string stream_of(const char* data, dword size) {
    if (size < 5 || data[0] != 'C' || data[1] != 'P' || data[2] != 'L' || data[3] != 'N') return "other";
    return std::to_string(static_cast<unsigned char>(data[4]));
}

void OnReceive(dword socket, capl_long result, IP_Endpoint /*remote*/, char buffer[], dword size) {
    for (auto& m : gGroups) {
        if (m.socket.handle() != socket) continue;
        if (result == 0) {
            ++m.count;
            ++m.streams[stream_of(buffer, size)];
        }
        m.socket.ReceiveFrom(m.buffer, sizeof m.buffer);  // re-arm, as in CAPL
        return;
    }
}

/// "GROUP[@PORT][%IFINDEX]", the two suffixes in either order.
void parse_entry(const std::string& entry, const std::string& default_port, Member& m) {
    const auto at = entry.find('@');
    const auto pct = entry.find('%');
    const auto group_end = std::min(at, pct);
    const std::string group = entry.substr(0, group_end);
    m.group = IP_Address(group);
    m.label = m.group.to_string();
    m.port = default_port;
    if (at != std::string::npos) m.port = entry.substr(at + 1, pct > at ? pct - at - 1 : std::string::npos);
    if (pct != std::string::npos) {
        const std::string index = entry.substr(pct + 1, at > pct ? at - pct - 1 : std::string::npos);
        m.if_index = static_cast<dword>(std::strtoul(index.c_str(), nullptr, 10));
        m.label += "%" + index;
    }
}

void join(Member& m) {
    write("joined %s: %d", m.label.c_str(), m.socket.JoinMulticastGroup(m.if_index, m.group));
}

void leave(Member& m) {
    write("left %s: %d", m.label.c_str(), m.socket.LeaveMulticastGroup(m.if_index, m.group));
}
}  // namespace

CAPLNET_PROGRAM(program) {
    const std::string port = program.parameter("port", "40001");
    std::stringstream list(program.parameter("groups", "239.0.0.123"));
    gGroups.reserve(16);  // members hold their receive buffers: no reallocation after arming
    for (std::string g; std::getline(list, g, ',');) parse_entry(g, port, gGroups.emplace_back());
    const bool join_at_start = program.parameter("start", "1") == "1";
    program.on_start([join_at_start] {
        for (auto& m : gGroups) {
            m.socket = UdpSocket::Open(IP_Endpoint(m.group.IsIPv6Address() != 0 ? "[::]:" + m.port : "0.0.0.0:" + m.port));
            if (join_at_start) join(m);
            m.socket.ReceiveFrom(m.buffer, sizeof m.buffer);
        }
        write("started");
    });
    program.OnUdpReceiveFrom(OnReceive);
    program.on_any_key([](char key) {
        if (key == 'n') {
            for (const auto& m : gGroups) {
                write("count %s %s %lu", m.label.c_str(), m.port.c_str(), m.count);
            }
            return;
        }
        if (key == 's') {
            for (const auto& m : gGroups) {
                std::string line = "streams " + m.label + " " + m.port;
                for (const auto& [stream, n] : m.streams) line += " " + stream + ":" + std::to_string(n);
                write("%s", line.c_str());
            }
            return;
        }
        const bool join_key = key >= 'a' && key <= 'i';
        const bool leave_key = key >= 'A' && key <= 'I';
        const std::size_t i = static_cast<std::size_t>(join_key ? key - 'a' : key - 'A');
        if ((!join_key && !leave_key) || i >= gGroups.size()) return;
        if (join_key) {
            join(gGroups[i]);
        } else {
            leave(gGroups[i]);
        }
    });
    program.on_key('2', [] {
        for (auto& m : gGroups) leave(m);
    });
    program.on_key('1', [] {
        for (auto& m : gGroups) join(m);
    });
}
