// The state-change reports of many joins in a row (stack/mcast/group_host.cpp): they wait up to
// 1 ms for each other and leave in few IGMPv3 reports, each group in them, as tshark reads the
// node's capture.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <sstream>

#include "stack/node.hpp"
#include "stack/udp/lwip_udp_backend.hpp"
#include "tests/support/process.hpp"

using namespace caplnet;
using namespace std::chrono_literals;

TEST_CASE("500 joins in a row leave in a few IGMPv3 reports that name every group once", "[oracle][mcast]") {
    test::TempDir dir;
    test::ChildProcess sw{{CAPLNET_BINARY, "switch", dir.file("sw")}};
    REQUIRE(sw.wait_for("switch ready", 10s));
    auto config = stack::parse_node_config(R"(name = "n"
[[adapter]]
link = "vde://sw"
mac = "02:00:00:00:0d:01"
ipv4 = ["10.13.0.1/24"]
)",
                                           "n.toml");
    const std::string cap = dir.file("n.pcapng");
    constexpr int kGroups = 500;
    {
        auto started = stack::Node::start(config, {dir.path(), cap, {}});
        REQUIRE(started);
        auto node = std::move(*started);
        REQUIRE(node->wait_ready(20s));
        stack::LwipUdpBackend udp(*node);
        auto s = udp.open(stack::Family::V4);
        REQUIRE(s);
        for (int k = 0; k < kGroups; ++k) {
            const auto g = stack::IpAddress::v4({239, 3, static_cast<std::uint8_t>(k / 256),
                                                 static_cast<std::uint8_t>(k % 256)});
            REQUIRE(udp.join(*s, 1, g));
        }
        node->stop();  // sends what still waits
    }
    std::map<std::string, int> to_ex;  // group -> reports naming it with TO_EX
    const auto reports = test::tshark_fields(cap, "frame.packet_flags_direction == 2 && igmp.type == 0x22",
                                             {"igmp.maddr", "igmp.record_type"});
    for (const auto& row : reports) {
        std::stringstream groups(row[0]);
        std::stringstream types(row[1]);
        std::string group;
        std::string type;
        std::map<std::string, int> in_this;
        while (std::getline(groups, group, ',') && std::getline(types, type, ',')) {
            CHECK(type == "4");
            if (type == "4") ++to_ex[group];
            CHECK(++in_this[group] == 1);  // a group once per report
        }
        CHECK(in_this.size() <= 64);  // our split, far below the MTU
    }
    CHECK(to_ex.size() == kGroups);
    // One report per joined group would be 500; they waited together. The bound holds unless a
    // join took over 2 ms on average.
    CHECK(reports.size() >= (kGroups + 63) / 64);
    CHECK(reports.size() < kGroups / 4);
    CHECK(test::tshark_problem_count(cap) == 0);
}
