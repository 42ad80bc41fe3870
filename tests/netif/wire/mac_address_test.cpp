#include "netif/wire/mac_address.hpp"

#include <catch2/catch.hpp>

namespace caplnet::wire {

TEST_CASE("MAC addresses parse with colons or dashes and print with colons", "[wire][mac]") {
    const auto m = MacAddress::parse("02:00:00:00:0A:01");
    REQUIRE(m);
    CHECK(m->octets == std::array<std::uint8_t, 6>{0x02, 0x00, 0x00, 0x00, 0x0a, 0x01});
    CHECK(m->to_string() == "02:00:00:00:0a:01");
    CHECK(MacAddress::parse("01-00-5e-00-00-7b")->to_string() == "01:00:5e:00:00:7b");
    for (const char* bad : {"", "02:00:00:00:0a", "02:00:00:00:0a:01:", "02:00:00:00:0a:0g",
                            "02.00.00.00.0a.01", "0200:00:00:0a:01x", "2:0:0:0:a:1"}) {
        CAPTURE(bad);
        CHECK_FALSE(MacAddress::parse(bad).has_value());
    }
}

TEST_CASE("MAC address classes follow the I/G bit", "[wire][mac]") {
    CHECK(MacAddress::parse("01:00:5e:00:00:7b")->is_multicast());
    CHECK(MacAddress::parse("33:33:00:00:01:23")->is_multicast());
    CHECK(MacAddress::parse("02:00:00:00:0a:01")->is_unicast());
    CHECK(kBroadcastMac.is_broadcast());
    CHECK(kBroadcastMac.is_multicast());
    CHECK(MacAddress{}.is_zero());
    CHECK(*MacAddress::parse("02:00:00:00:0a:01") < *MacAddress::parse("02:00:00:00:0a:02"));
}

}  // namespace caplnet::wire
