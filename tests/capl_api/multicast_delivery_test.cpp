// Per-socket multicast delivery (SPEC §4) between real nodes: a sender node process on a
// caplnet switch, and the receiver node in this test process, driven through the CAPL API.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <set>

#include "caplnet/capl.hpp"
#include "caplnet/node.hpp"
#include "tests/support/process.hpp"

using namespace caplnet::capl;
using namespace caplnet::test;
using namespace std::chrono_literals;

namespace {

// What each receiving socket got: (interface the sender used, sequence number) per datagram.
std::map<dword, std::vector<std::pair<dword, dword>>> g_received;
std::map<dword, std::array<char, 1500>> g_buffers;

void on_receive(dword socket, capl_long result, IP_Endpoint, char buffer[], dword size) {
    unsigned ifx = 0, seq = 0;
    const std::string text(buffer, size);
    if (result == 0 && std::sscanf(text.c_str(), "%u %u", &ifx, &seq) == 2) {
        g_received[socket].emplace_back(ifx, seq);
    }
    UdpReceiveFrom(socket, g_buffers[socket].data(), 1500);
}

dword open_armed(const char* endpoint) {
    const dword s = UdpOpen(IP_Endpoint(endpoint));
    REQUIRE(s != wsa::kInvalidSocket);
    CHECK(UdpReceiveFrom(s, g_buffers[s].data(), 1500) == wsa::kSocketError);
    CHECK(IpGetLastSocketError(s) == wsa::kIoPending);
    return s;
}

constexpr const char* kNodeFile = R"(
name = "%s"
[[adapter]]
link = "vde://sw"
mac = "02:00:00:00:05:%02x"
ipv4 = ["10.0.0.%d/24"]
ipv6 = ["fd00::%d/64"]
  [[adapter.vlan]]
  id = 10
  priority = 4
  ipv4 = ["10.0.10.%d/24"]
  ipv6 = ["fd00:10::%d/64"]
)";

std::string node_file(const char* name, int host) {
    char text[512];
    std::snprintf(text, sizeof text, kNodeFile, name, host, host, host, host, host);
    return text;
}

/// The switch, the sender node process, and the files of the receiver node.
struct Network {
    TempDir dir;
    ChildProcess sw{{CAPLNET_BINARY, "switch", dir.file("sw")}};
    std::unique_ptr<ChildProcess> sender;

    Network() {
        REQUIRE(sw.wait_for("switch ready", 10s));
        write_file(dir.file("rx.toml"), node_file("rx", 1));
        write_file(dir.file("tx.toml"), node_file("tx", 2));
    }
    void start_sender(const std::string& group, const std::string& ifs) {
        sender = std::make_unique<ChildProcess>(std::vector<std::string>{
            CAPLNET_BINARY, "node", dir.file("tx.toml"), "--run-dir", dir.path(), "--program",
            CAPLNET_TEST_SENDER, "--param", "group=" + group, "--param", "ifs=" + ifs, "--param",
            "interval=5"});
        REQUIRE(sender->wait_for("ready", 30s));
        REQUIRE(sender->wait_for("sent 100", 30s));  // it is sending
    }
    /// Waits until the sender reports `n` more progress lines: proof that datagrams kept flowing.
    void sender_progress(int n) {
        for (int i = 0; i < n; ++i) REQUIRE(sender->wait_for("sent ", 30s));
    }
};

caplnet::NodeStartOptions options(const std::string& run_dir, const std::string& capture = {}) {
    caplnet::NodeStartOptions o;
    o.run_dir = run_dir;
    o.capture = capture;
    return o;
}

/// Runs the node's program thread until `done` holds (bounded).
template <class Pred>
bool run_until(caplnet::Node& node, Pred done, std::chrono::seconds limit = 30s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return false;
        node.run_for(20ms);
    }
    return true;
}

std::vector<dword> sequence_of(dword socket, dword ifx) {
    std::vector<dword> out;
    for (auto [i, seq] : g_received[socket]) {
        if (i == ifx) out.push_back(seq);
    }
    return out;
}

bool gap_free(const std::vector<dword>& seqs) {
    for (std::size_t i = 1; i < seqs.size(); ++i) {
        if (seqs[i] != seqs[i - 1] + 1) return false;
    }
    return true;
}

void join_receive_leave(bool v6, bool vlan) {
    Network net;
    const std::string group = v6 ? "ff15::123" : "239.0.0.123";
    const dword ifx = vlan ? 2 : 1;
    net.start_sender(group, std::to_string(ifx));
    auto node = caplnet::Node::start(net.dir.file("rx.toml"), options(net.dir.path(), net.dir.file("rx.pcapng")));
    node.program().OnUdpReceiveFrom(on_receive);
    const dword s = open_armed(v6 ? "[::]:40001" : "0.0.0.0:40001");

    // Before the join: the datagrams are on the wire, the socket gets none of them.
    net.sender_progress(1);
    node.run_for(100ms);
    CHECK(g_received[s].empty());

    REQUIRE(IpJoinMulticastGroup(s, ifx, IP_Address(group)) == 0);
    REQUIRE(run_until(node, [&] { return g_received[s].size() >= 100; }));
    REQUIRE(IpLeaveMulticastGroup(s, ifx, IP_Address(group)) == 0);
    const auto at_leave = g_received[s].size();

    // The sender goes on; nothing more reaches the socket, not even what was queued.
    net.sender_progress(2);
    node.run_for(200ms);
    CHECK(g_received[s].size() == at_leave);
    const auto seqs = sequence_of(s, ifx);
    CHECK(seqs.size() == at_leave);
    CHECK(gap_free(seqs));  // every datagram between join and leave

    CHECK(UdpClose(s) == 0);
    net.sender->stop(SIGTERM);
    // On the wire, from the group engine: IGMPv3 / MLDv2 state-change reports, TO_EX{} on the
    // join and TO_IN{} on the leave (their retransmissions are the engine tests' business).
    const std::string cap = net.dir.file("rx.pcapng");
    {
        auto done = std::move(node);  // stops the node and flushes the capture
    }
    const std::string tag = vlan ? " && vlan.id == 10" : " && !vlan";
    const std::string out = "frame.packet_flags_direction == 2" + tag;
    const auto joins = report_frames(cap, out, 4, group);
    const auto leaves = report_frames(cap, out, 3, group);
    REQUIRE_FALSE(joins.empty());
    REQUIRE_FALSE(leaves.empty());
    CHECK(joins.back() < leaves.front());
    CHECK(tshark_problem_count(cap) == 0);
}

}  // namespace

TEST_CASE("IPv4 on the untagged LAN: nothing before join, all between, nothing after leave", "[oracle][capl][mcast]") {
    join_receive_leave(false, false);
}
TEST_CASE("IPv4 on a VLAN subinterface: nothing before join, all between, nothing after leave", "[oracle][capl][mcast]") {
    join_receive_leave(false, true);
}
TEST_CASE("IPv6 on the untagged LAN: nothing before join, all between, nothing after leave", "[oracle][capl][mcast]") {
    join_receive_leave(true, false);
}
TEST_CASE("IPv6 on a VLAN subinterface: nothing before join, all between, nothing after leave", "[oracle][capl][mcast]") {
    join_receive_leave(true, true);
}

TEST_CASE("Two sockets on one port each get every datagram and the group stays until the last leaves",
          "[oracle][capl][mcast]") {
    Network net;
    net.start_sender("239.0.0.123", "1");
    auto node = caplnet::Node::start(net.dir.file("rx.toml"), options(net.dir.path(), net.dir.file("rx.pcapng")));
    node.program().OnUdpReceiveFrom(on_receive);
    const dword a = open_armed("0.0.0.0:40001");
    const dword b = open_armed("0.0.0.0:40001");
    REQUIRE(IpJoinMulticastGroup(a, 1, IP_Address("239.0.0.123")) == 0);
    REQUIRE(IpJoinMulticastGroup(b, 1, IP_Address("239.0.0.123")) == 0);
    REQUIRE(run_until(node, [&] { return g_received[a].size() >= 100 && g_received[b].size() >= 100; }));

    REQUIRE(IpLeaveMulticastGroup(a, 1, IP_Address("239.0.0.123")) == 0);
    const auto a_at_leave = g_received[a].size();
    const auto b_at_leave = g_received[b].size();
    REQUIRE(run_until(node, [&] { return g_received[b].size() >= b_at_leave + 100; }));
    CHECK(g_received[a].size() == a_at_leave);
    CHECK(gap_free(sequence_of(b, 1)));
    // While both were joined, both got the same datagrams.
    const auto sa = sequence_of(a, 1);
    const auto sb = sequence_of(b, 1);
    const std::set<dword> in_b(sb.begin(), sb.end());
    for (std::size_t i = 1; i + 1 < sa.size(); ++i) CHECK(in_b.contains(sa[i]));
    const dword last_seen_by_b = sb.back();

    // Closing leaves the groups exactly as a leave would: now the group goes off the wire.
    CHECK(UdpClose(b) == 0);
    CHECK(UdpClose(a) == 0);
    net.sender->stop(SIGTERM);
    const std::string cap = net.dir.file("rx.pcapng");
    {
        auto done = std::move(node);
    }
    // The group left the wire (TO_IN{}) ...
    const auto leaves = tshark_fields(cap, "frame.packet_flags_direction == 2 && igmp.type == 0x22 && igmp.record_type == 3",
                                      {"frame.number"});
    REQUIRE_FALSE(leaves.empty());
    // ... and only after the datagrams b received while a had already left.
    const auto last = tshark_fields(cap, "udp.dstport == 40001 && data.data contains \"1 " +
                                             std::to_string(last_seen_by_b) + "\"", {"frame.number"});
    REQUIRE_FALSE(last.empty());
    CHECK(std::stoul(leaves[0][0]) > std::stoul(last.back()[0]));
}

TEST_CASE("A socket joined on two interfaces keeps the other after leaving one", "[oracle][capl][mcast]") {
    Network net;
    net.start_sender("239.0.0.123", "1,2");
    auto node = caplnet::Node::start(net.dir.file("rx.toml"), options(net.dir.path()));
    node.program().OnUdpReceiveFrom(on_receive);
    const dword s = open_armed("0.0.0.0:40001");
    REQUIRE(IpJoinMulticastGroup(s, 1, IP_Address("239.0.0.123")) == 0);
    REQUIRE(IpJoinMulticastGroup(s, 2, IP_Address("239.0.0.123")) == 0);
    REQUIRE(run_until(node, [&] { return sequence_of(s, 1).size() >= 50 && sequence_of(s, 2).size() >= 50; }));
    REQUIRE(IpLeaveMulticastGroup(s, 1, IP_Address("239.0.0.123")) == 0);
    const auto on1 = sequence_of(s, 1).size();
    const auto on2 = sequence_of(s, 2).size();
    REQUIRE(run_until(node, [&] { return sequence_of(s, 2).size() >= on2 + 100; }));
    CHECK(sequence_of(s, 1).size() == on1);
    CHECK(gap_free(sequence_of(s, 2)));
    // Leaving again on 1 is a leave of a group not joined there (SPEC §4).
    CHECK(IpLeaveMulticastGroup(s, 1, IP_Address("239.0.0.123")) == wsa::kSocketError);
    CHECK(IpGetLastSocketError(s) == wsa::kAddrNotAvail);
    CHECK(UdpClose(s) == 0);
    net.sender->stop(SIGTERM);
}
