#include "netif/switch/port_config.hpp"

#include <catch2/catch.hpp>

namespace caplnet::netif {
namespace {

wire::VlanTci vid(std::uint16_t v) { return wire::VlanTci{0, false, v}; }

TEST_CASE("An access port spec parses to one untagged VLAN", "[switch][config]") {
    auto r = parse_port_config("1:access=10");
    REQUIRE(r);
    CHECK(r->first == 1);
    const PortConfig& c = r->second;
    CHECK(c.mode == PortConfig::Mode::Access);
    CHECK(c.is_member(10));
    CHECK_FALSE(c.is_member(kUntaggedLan));
    CHECK_FALSE(c.is_member(11));
    CHECK_FALSE(c.egress_tagged(10));
    CHECK(c.to_string() == "access=10");
}

TEST_CASE("A trunk spec parses lists, ranges and all 12 bits of the VLAN id", "[switch][config]") {
    auto r = parse_port_config("2:trunk=10,20-22,4000");
    REQUIRE(r);
    CHECK(r->first == 2);
    const PortConfig& c = r->second;
    CHECK(c.mode == PortConfig::Mode::Trunk);
    for (unsigned v : {10U, 20U, 21U, 22U, 4000U}) {
        CHECK(c.is_member(static_cast<LanId>(v)));
        CHECK(c.egress_tagged(static_cast<LanId>(v)));
    }
    CHECK_FALSE(c.is_member(4000 & 0x3ff));  // what a 10-bit switch would alias it to
    CHECK(c.is_member(kUntaggedLan));
    CHECK_FALSE(c.egress_tagged(kUntaggedLan));
    CHECK(c.to_string() == "trunk=10,20-22,4000");
}

TEST_CASE("trunk=all carries every VLAN and the untagged LAN", "[switch][config]") {
    auto r = parse_port_config("3:trunk=all");
    REQUIRE(r);
    const PortConfig& c = r->second;
    CHECK(c.is_member(1));
    CHECK(c.is_member(4094));
    CHECK_FALSE(c.is_member(4095));
    CHECK(c.is_member(kUntaggedLan));
    CHECK(c.to_string() == "trunk=all");
}

TEST_CASE("Trunk options set the fate of untagged frames", "[switch][config]") {
    auto drop = parse_port_config("4:trunk=10/untagged=drop");
    REQUIRE(drop);
    LanId lan = 99;
    CHECK(drop->second.classify(std::nullopt, lan) == IngressVerdict::UntaggedNotAllowed);
    CHECK_FALSE(drop->second.is_member(kUntaggedLan));
    CHECK(drop->second.to_string() == "trunk=10/untagged=drop");

    auto native = parse_port_config("5:trunk=10,20/native=30");
    REQUIRE(native);
    const PortConfig& c = native->second;
    REQUIRE(c.classify(std::nullopt, lan) == IngressVerdict::Accept);
    CHECK(lan == 30);
    CHECK(c.is_member(30));
    CHECK_FALSE(c.egress_tagged(30));
    CHECK(c.egress_tagged(10));
    CHECK_FALSE(c.is_member(kUntaggedLan));
    CHECK(c.to_string() == "trunk=10,20,30/native=30");
}

TEST_CASE("Port specs with errors are refused with a reason", "[switch][config]") {
    auto bad =
        GENERATE(as<std::string>{}, "", "1", "x:access=1", "0:access=1", "70000:access=1",
                 "1:access=0", "1:access=4095", "1:access=abc", "1:access=10/native=3",
                 "1:trunk=", "1:trunk=5-3", "1:trunk=10,,20", "1:trunk=10/bogus", "1:hybrid=10");
    CAPTURE(bad);
    auto r = parse_port_config(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().find("port spec") != std::string::npos);
}

TEST_CASE("Ingress classification follows the port's VLAN rules", "[switch][config]") {
    const PortConfig access = PortConfig::access(10);
    const PortConfig trunk = PortConfig::trunk(std::vector<int>{10, 1034});
    LanId lan = 0;
    CHECK(access.classify(std::nullopt, lan) == IngressVerdict::Accept);
    CHECK(lan == 10);
    CHECK(access.classify(vid(10), lan) == IngressVerdict::TaggedOnAccess);
    // 802.1Q: VID 0 is a priority tag, classified like an untagged frame.
    CHECK(access.classify(vid(0), lan) == IngressVerdict::Accept);
    CHECK(lan == 10);
    CHECK(trunk.classify(vid(1034), lan) == IngressVerdict::Accept);
    CHECK(lan == 1034);
    CHECK(trunk.classify(vid(11), lan) == IngressVerdict::VlanNotAllowed);
    CHECK(trunk.classify(vid(4095), lan) == IngressVerdict::ReservedVid);
    CHECK(trunk.classify(std::nullopt, lan) == IngressVerdict::Accept);
    CHECK(lan == kUntaggedLan);
}

}  // namespace
}  // namespace caplnet::netif
