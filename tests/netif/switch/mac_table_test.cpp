#include "netif/switch/mac_table.hpp"

#include <catch2/catch.hpp>

namespace caplnet::netif {
namespace {

using namespace std::chrono_literals;
using Clock = MacTable::Clock;

wire::MacAddress mac(std::uint8_t a, std::uint8_t b = 0) { return {{0x02, 0, 0, 0, b, a}}; }

TEST_CASE("The MAC table returns the port a station was learned on", "[switch][mac]") {
    MacTable t(16, 300s);
    const auto now = Clock::now();
    CHECK_FALSE(t.lookup(mac(1), 10, now));
    REQUIRE(t.learn(mac(1), 10, 3, now));
    CHECK(t.lookup(mac(1), 10, now) == 3U);
    REQUIRE(t.learn(mac(1), 10, 4, now));  // the station moved
    CHECK(t.lookup(mac(1), 10, now) == 4U);
    CHECK(t.size() == 1);
}

TEST_CASE("The MAC table keys on all 12 bits of the VLAN id", "[switch][mac]") {
    MacTable t(16, 300s);
    const auto now = Clock::now();
    REQUIRE(t.learn(mac(1), 10, 1, now));
    CHECK_FALSE(t.lookup(mac(1), 1034, now));  // 1034 & 0x3ff == 10: vdeplug4 confuses them
    CHECK_FALSE(t.lookup(mac(1), kUntaggedLan, now));
    REQUIRE(t.learn(mac(1), 1034, 2, now));
    CHECK(t.lookup(mac(1), 10, now) == 1U);
    CHECK(t.lookup(mac(1), 1034, now) == 2U);
}

TEST_CASE("MAC table entries age out and their slots are reused", "[switch][mac]") {
    MacTable t(4, 300s);
    const auto t0 = Clock::now();
    for (std::uint8_t i = 0; i < 4; ++i) {
        REQUIRE(t.learn(mac(i), 1, i, t0));
    }
    CHECK_FALSE(t.learn(mac(9), 1, 9, t0 + 10s));  // full of live entries
    CHECK(t.lookup(mac(0), 1, t0 + 299s) == 0U);
    CHECK_FALSE(t.lookup(mac(0), 1, t0 + 300s));
    CHECK(t.learn(mac(9), 1, 9, t0 + 301s));  // the old entries expired
    CHECK(t.lookup(mac(9), 1, t0 + 301s) == 9U);
}

TEST_CASE("Forgetting a port removes only its stations", "[switch][mac]") {
    MacTable t(64, 300s);
    const auto now = Clock::now();
    for (std::uint8_t i = 0; i < 40; ++i) {
        REQUIRE(t.learn(mac(i), 7, i % 2 == 0 ? 1 : 2, now));
    }
    t.forget_port(1);
    for (std::uint8_t i = 0; i < 40; ++i) {
        if (i % 2 == 0) {
            CHECK_FALSE(t.lookup(mac(i), 7, now));
        } else {
            CHECK(t.lookup(mac(i), 7, now) == 2U);
        }
    }
    // Deleted slots are reused; churn never fills the table.
    for (int round = 0; round < 50; ++round) {
        for (std::uint8_t i = 0; i < 40; i += 2) {
            REQUIRE(t.learn(mac(i, static_cast<std::uint8_t>(round)), 7, 1, now));
        }
        t.forget_port(1);
    }
    CHECK(t.size() == 20);
}

TEST_CASE("The MAC table holds as many stations as it was sized for", "[switch][mac]") {
    MacTable t(1000, 300s);
    const auto now = Clock::now();
    for (unsigned i = 0; i < 1000; ++i) {
        REQUIRE(t.learn(mac(static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8)), 1, i,
                        now));
    }
    for (unsigned i = 0; i < 1000; ++i) {
        CHECK(t.lookup(mac(static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8)), 1,
                       now) == i);
    }
}

}  // namespace
}  // namespace caplnet::netif
