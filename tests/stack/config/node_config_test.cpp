#include <catch2/catch.hpp>

#include "stack/config/node_config.hpp"

using caplnet::stack::ConfigError;
using caplnet::stack::parse_node_config;

namespace {

constexpr const char* kGood = R"(name = "ecu1"
seed = 7
stack = "product"
multicast_delivery = "linux"

[[adapter]]
name = "eth0"
link = "vde://switch"
mac = "02:00:00:00:00:01"
ipv4 = ["10.0.0.1/24"]
ipv6 = ["fd00::1/64", "fd01::1/48"]
mtu = 1400

  [[adapter.vlan]]
  id = 10
  priority = 5
  ipv4 = ["10.0.10.1/24"]

  [[adapter.vlan]]
  id = 4094
  name = "trunk-top"

[[adapter]]
channel = 7
link = "tap://capl0"
mac = "02:00:00:00:00:02"
)";

// Replaces the first occurrence of `from` in the good file, so each case differs in one place.
std::string good_with(const std::string& from, const std::string& to) {
    std::string s = kGood;
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

std::string error_of(const std::string& text) {
    try {
        parse_node_config(text, "node.toml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "accepted";
}

}  // namespace

TEST_CASE("A complete node file is read with every field", "[config]") {
    const auto c = parse_node_config(kGood, "node.toml");
    CHECK(c.name == "ecu1");
    CHECK(c.seed == 7);
    CHECK(c.multicast_delivery == caplnet::stack::MulticastDelivery::Linux);
    REQUIRE(c.adapters.size() == 2);
    const auto& a = c.adapters[0];
    CHECK(a.name == "eth0");
    CHECK(a.channel == 1);
    CHECK(a.link == "vde://switch");
    CHECK(a.mac.to_string() == "02:00:00:00:00:01");
    REQUIRE(a.ipv4.size() == 1);
    CHECK(a.ipv4[0].to_string() == "10.0.0.1/24");
    REQUIRE(a.ipv6.size() == 2);
    CHECK(a.ipv6[1].to_string() == "fd01::1/48");
    CHECK(a.mtu == 1400);
    REQUIRE(a.vlans.size() == 2);
    CHECK(a.vlans[0].name == "eth0.10");
    CHECK(a.vlans[0].priority == 5);
    CHECK(a.vlans[0].mtu == 1400);  // inherited from the adapter
    CHECK(a.vlans[1].name == "trunk-top");
    CHECK(c.adapters[1].name == "eth1");   // default: position
    CHECK(c.adapters[1].channel == 7);
}

TEST_CASE("Bad node files are rejected with file, line and reason", "[config]") {
    struct Case {
        const char* what;
        std::string text;
        const char* expected;
    };
    const Case cases[] = {
        {"duplicate VLAN id", good_with("id = 4094", "id = 10"), "node.toml:20: duplicate VLAN id 10"},
        {"bad IPv4 address", good_with("10.0.0.1/24", "10.0.0.300/24"),
         "node.toml:10: bad IPv4 address '10.0.0.300'"},
        {"missing prefix", good_with("10.0.0.1/24", "10.0.0.1"), "node.toml:10: address '10.0.0.1' needs a prefix"},
        {"bad IPv6 address", good_with("fd00::1/64", "fd00:::1/64"), "node.toml:11: bad IPv6 address"},
        {"multicast MAC", good_with("02:00:00:00:00:01", "03:00:00:00:00:01"),
         "node.toml:9: MAC 03:00:00:00:00:01 is not unicast"},
        {"malformed MAC", good_with("02:00:00:00:00:01", "02:00:00:00:00"), "node.toml:9: bad MAC address"},
        {"VLAN id 0", good_with("id = 10", "id = 0"), "node.toml:15: 'id' = 0 is outside 1..4094"},
        {"VLAN id 4095", good_with("id = 10", "id = 4095"), "node.toml:15: 'id' = 4095 is outside 1..4094"},
        {"priority 8", good_with("priority = 5", "priority = 8"), "node.toml:16: 'priority' = 8 is outside 0..7"},
        {"unknown key", good_with("seed = 7", "sead = 7"), "node.toml:2: unknown key 'sead' in the node file"},
        {"unknown stack", good_with("\"product\"", "\"windows\""), "node.toml:3: stack must be"},
        {"second IPv4 address", good_with("[\"10.0.0.1/24\"]", "[\"10.0.0.1/24\", \"10.0.1.1/24\"]"),
         "node.toml:10: at most one IPv4 address per interface"},
        {"link-local given", good_with("fd00::1/64", "fe80::1/64"), "node.toml:11: 'fe80::1': the link-local address is automatic"},
        {"MTU too big", good_with("mtu = 1400", "mtu = 70000"), "node.toml:12: 'mtu' = 70000 is outside 576..9216"},
        {"duplicate channel", good_with("channel = 7", "channel = 1"), "duplicate channel 1"},
        {"duplicate MAC", good_with("02:00:00:00:00:02", "02:00:00:00:00:01"), "duplicate MAC 02:00:00:00:00:01"},
        {"no link", good_with("link = \"tap://capl0\"", ""), "adapter 'eth1' needs a 'link' URL"},
        {"TOML syntax", good_with("seed = 7", "seed = = 7"), "node.toml:2: "},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        CHECK_THAT(error_of(c.text), Catch::Contains(c.expected));
    }
}

TEST_CASE("A missing node file is reported by name", "[config]") {
    CHECK_THROWS_WITH(caplnet::stack::load_node_config("/nonexistent/node.toml"),
                      Catch::Contains("/nonexistent/node.toml: cannot open"));
}
