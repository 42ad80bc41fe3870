// The group engine behind a Linux bridge with snooping and a querier (reference/multicast-rfc.md
// F15): for IGMPv2/v3 and MLDv1/v2 queriers, with queries from 0.0.0.0/:: or from the bridge's
// address, the node's groups enter the bridge's mdb, stay there while the querier keeps asking
// (the membership interval is 3 s, so unanswered queries would let them expire), and go after
// the leave. Plus the fallback of an `auto` node to IGMPv2 and back.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>

#include "tests/support/process.hpp"

using namespace caplnet::test;
using namespace std::chrono_literals;

namespace {

struct BridgeNet {
    NetNamespace ns;
    TempDir dir;
    std::unique_ptr<ChildProcess> monitor;
    std::unique_ptr<ChildProcess> node;

    BridgeNet(const std::string& bridge_options, const std::string& node_extra)
        : ns("caplnet-snoop-" + std::to_string(::getpid())) {
        REQUIRE(ns.run("ip link add cbr0 type bridge mcast_snooping 1 mcast_querier 1 " + bridge_options +
                       " && ip tuntap add dev ctap0 mode tap && ip link set ctap0 master cbr0 && "
                       "ip addr add 192.168.1.254/24 dev cbr0 && ip link set cbr0 up && ip link set ctap0 up")
                    .status == 0);
        write_file(dir.file("rx.toml"), "name = \"rx\"\n[[adapter]]\nlink = \"tap://ctap0\"\n"
                                        "mac = \"02:00:00:00:01:01\"\nipv4 = [\"192.168.1.1/24\"]\n" + node_extra);
        auto m = ns.exec_prefix();
        m.insert(m.end(), {"stdbuf", "-oL", "bridge", "monitor", "mdb"});
        monitor = std::make_unique<ChildProcess>(m);
    }

    void start_node(const std::string& groups) {
        auto argv = ns.exec_prefix();
        argv.insert(argv.end(), {CAPLNET_BINARY, "node", dir.file("rx.toml"), "--capture", dir.file("rx.pcapng"),
                                 "--program", CAPLNET_TEST_RECEIVER, "--param", "groups=" + groups, "--stdin-keys"});
        node = std::make_unique<ChildProcess>(argv);
        REQUIRE(node->wait_for("ready", 30s));
    }

    /// Reads bridge events until every group in `groups` appeared in a line containing `what`.
    bool wait_events(const std::string& what, std::set<std::string> groups, std::chrono::seconds limit) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (!groups.empty() && std::chrono::steady_clock::now() < end) {
            auto line = monitor->read_line(std::chrono::duration_cast<std::chrono::milliseconds>(
                end - std::chrono::steady_clock::now()));
            if (!line) return false;
            const bool deleted = line->find("Deleted") != std::string::npos;
            if ((what == "Deleted") != deleted) continue;
            for (auto it = groups.begin(); it != groups.end(); ++it) {
                if (line->find("grp " + *it + " ") != std::string::npos && line->find("port ctap0") != std::string::npos) {
                    groups.erase(it);
                    break;
                }
            }
        }
        return groups.empty();
    }
};

void snooping(int igmp_version, int mld_version, int use_ifaddr) {
    BridgeNet net("mcast_igmp_version " + std::to_string(igmp_version) + " mcast_mld_version " +
                      std::to_string(mld_version) + " mcast_query_use_ifaddr " + std::to_string(use_ifaddr) +
                      " mcast_query_interval 100 mcast_query_response_interval 50 mcast_membership_interval 300"
                      " mcast_startup_query_interval 100 mcast_last_member_interval 50",
                  "");
    net.start_node("239.0.0.123,ff15::123");
    REQUIRE(net.node->wait_for("joined ff15::123: 0", 10s));
    INFO(net.monitor->transcript());
    REQUIRE(net.wait_events("add", {"239.0.0.123", "ff15::123"}, 20s));
    // Three membership intervals: entries not refreshed by answers to the 1 s queries would go.
    CHECK_FALSE(net.wait_events("Deleted", {"239.0.0.123"}, 9s));
    CHECK_THAT(net.ns.run("bridge mdb show").output, Catch::Contains("239.0.0.123") && Catch::Contains("ff15::123"));
    net.node->send("2\n");
    REQUIRE(net.node->wait_for("left ff15::123: 0", 10s));
    CHECK(net.wait_events("Deleted", {"239.0.0.123", "ff15::123"}, 20s));
    CHECK(net.node->stop(SIGTERM) == 0);

    const auto cap = net.dir.file("rx.pcapng");
    const std::string sent = "frame.packet_flags_direction == 2 && ";
    // The node answered the querier in the querier's version (RFC 3376 §7.2.1: an auto host
    // falls back to the older version it hears).
    const std::string v4_answer = igmp_version == 2 ? "igmp.type == 0x16 && igmp.maddr == 239.0.0.123"
                                                    : "igmp.type == 0x22 && igmp.record_type == 2 && igmp.maddr == 239.0.0.123";
    const std::string v6_answer = mld_version == 1 ? "icmpv6.type == 131 && icmpv6.mld.multicast_address == ff15::123"
                                                   : "icmpv6.type == 143 && icmpv6.mldr.mar.record_type == 2 && "
                                                     "icmpv6.mldr.mar.multicast_address == ff15::123";
    CHECK(tshark_fields(cap, sent + v4_answer, {"frame.number"}).size() >= 3);
    CHECK(tshark_fields(cap, sent + v6_answer, {"frame.number"}).size() >= 3);
    CHECK(tshark_problem_count(cap) == 0);
}

}  // namespace

TEST_CASE("A snooping bridge with an IGMPv3/MLDv2 querier from 0.0.0.0 keeps the node's groups until the leave",
          "[oracle][mcast][bridge]") {
    snooping(3, 2, 0);
}
TEST_CASE("A snooping bridge with an IGMPv3/MLDv2 querier from its address keeps the node's groups until the leave",
          "[oracle][mcast][bridge]") {
    snooping(3, 2, 1);
}
TEST_CASE("A snooping bridge with an IGMPv2/MLDv1 querier from 0.0.0.0 keeps the node's groups until the leave",
          "[oracle][mcast][bridge]") {
    snooping(2, 1, 0);
}
TEST_CASE("A snooping bridge with an IGMPv2/MLDv1 querier from its address keeps the node's groups until the leave",
          "[oracle][mcast][bridge]") {
    snooping(2, 1, 1);
}

TEST_CASE("An auto node falls back to IGMPv2 on a v2 query and returns to IGMPv3 when the timer runs out",
          "[oracle][mcast][bridge]") {
    // Older-version querier present timeout = 2 * 1 s + 0.5 s (RFC 3376 §8.12), shortened here.
    BridgeNet net("mcast_igmp_version 2 mcast_query_interval 100 mcast_query_response_interval 50 "
                  "mcast_startup_query_interval 100",
                  "query_interval = 1000\nquery_response_interval = 500\n");
    net.start_node("239.0.0.123");
    // The line may have come before "ready" already: look at what was read, then wait.
    auto seen = [&](const std::string& text) {
        return net.node->transcript().find(text) != std::string::npos || net.node->wait_for(text, 20s).has_value();
    };
    REQUIRE(net.node->wait_for("joined 239.0.0.123: 0", 10s));
    const bool fell_back = seen("IGMPv2 (was IGMPv3)");
    INFO(net.node->transcript());
    REQUIRE(fell_back);  // the bridge's v2 queries
    net.node->send("2\n");                                      // leave in v2 mode: a Leave
    REQUIRE(net.node->wait_for("left 239.0.0.123: 0", 10s));
    REQUIRE(net.ns.run("ip link set cbr0 type bridge mcast_querier 0").status == 0);
    REQUIRE(net.node->wait_for("IGMPv3 (was IGMPv2)", 20s));  // no more v2 queries: back to v3
    net.node->send("1\n");                                      // join again: a v3 report
    REQUIRE(net.node->wait_for("joined 239.0.0.123: 0", 10s));
    CHECK(net.node->stop(SIGTERM) == 0);
    const auto cap = net.dir.file("rx.pcapng");
    const std::string sent = "frame.packet_flags_direction == 2 && ";
    const auto first_v3 = tshark_fields(cap, sent + "igmp.type == 0x22 && igmp.record_type == 4", {"frame.number"});
    const auto v2_reports = tshark_fields(cap, sent + "igmp.type == 0x16", {"frame.number"});
    const auto v2_leaves = tshark_fields(cap, sent + "igmp.type == 0x17 && ip.dst == 224.0.0.2", {"frame.number"});
    REQUIRE_FALSE(v2_reports.empty());  // in v2 mode: v2 reports (to the group) ...
    REQUIRE(v2_leaves.size() == 1);     // ... and a v2 Leave to 224.0.0.2
    REQUIRE_FALSE(first_v3.empty());    // after the timer ran out: a v3 TO_EX for the new join
    CHECK(std::stoul(v2_reports.back()[0]) < std::stoul(v2_leaves[0][0]));
    CHECK(std::stoul(v2_leaves[0][0]) < std::stoul(first_v3.back()[0]));
    // No v2 message once back in v3 mode.
    CHECK(tshark_fields(cap, sent + "(igmp.type == 0x16 || igmp.type == 0x17) && frame.number > " + first_v3.back()[0],
                        {"frame.number"}).empty());
    CHECK(tshark_problem_count(cap) == 0);
}
