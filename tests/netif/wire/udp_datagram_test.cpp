// udp_datagram_of: the datagrams the stack delivers without lwIP, and the ones it leaves to lwIP.
#include <catch2/catch.hpp>

#include <vector>

#include "netif/wire/udp_datagram.hpp"

using namespace caplnet::wire;

namespace {

// clang-format off
const std::vector<std::uint8_t> kIpv4Udp = {
    0x45, 0x00, 0x00, 0x1e,   // version 4, IHL 5, total length 30
    0x12, 0x34, 0x00, 0x00,   // identification, no fragment
    0x01, 0x11, 0x00, 0x00,   // TTL 1, UDP, checksum (not checked here)
    0x0a, 0x00, 0x00, 0x02,   // 10.0.0.2
    0xef, 0x00, 0x00, 0x7b,   // 239.0.0.123
    0xc3, 0x50, 0x9c, 0x41,   // ports 50000 -> 40001
    0x00, 0x0a, 0x00, 0x00,   // UDP length 10, no checksum
    'h', 'i',
    0x00, 0x00};              // Ethernet padding, outside the total length
const std::vector<std::uint8_t> kIpv6Udp = {
    0x60, 0x00, 0x00, 0x00,   // version 6
    0x00, 0x09, 0x11, 0x01,   // payload length 9, next header UDP, hop limit 1
    0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,   // fd00::2
    0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x23,   // ff15::123
    0xc3, 0x50, 0x9c, 0x41,   // ports 50000 -> 40001
    0x00, 0x09, 0xab, 0xcd,   // UDP length 9, checksum
    'x'};
// clang-format on

}  // namespace

TEST_CASE("An unfragmented IPv4 UDP datagram is read with its addresses, ports and data", "[wire][udp]") {
    const auto d = udp_datagram_of(kIpv4Udp);
    REQUIRE(d);
    CHECK(std::get<Ipv4Address>(d->source) == Ipv4Address{{10, 0, 0, 2}});
    CHECK(std::get<Ipv4Address>(d->destination) == Ipv4Address{{239, 0, 0, 123}});
    CHECK(d->source_port == 50000);
    CHECK(d->destination_port == 40001);
    CHECK(std::vector<std::uint8_t>(d->payload.begin(), d->payload.end()) == std::vector<std::uint8_t>{'h', 'i'});
    CHECK(std::get<Ipv4Address>(*ip_destination(kIpv4Udp)) == Ipv4Address{{239, 0, 0, 123}});
}

TEST_CASE("An IPv6 UDP datagram without extension headers is read", "[wire][udp]") {
    const auto d = udp_datagram_of(kIpv6Udp);
    REQUIRE(d);
    CHECK(std::get<Ipv6Address>(d->destination).octets[15] == 0x23);
    CHECK(std::get<Ipv6Address>(d->source).octets[0] == 0xfd);
    CHECK(d->destination_port == 40001);
    REQUIRE(d->payload.size() == 1);
    CHECK(d->payload[0] == 'x');
    CHECK(std::get<Ipv6Address>(*ip_destination(kIpv6Udp)).octets[1] == 0x15);
}

TEST_CASE("Fragments, extension headers, other protocols and odd lengths are left to lwIP", "[wire][udp]") {
    SECTION("an IPv4 first fragment") {
        auto p = kIpv4Udp;
        p[6] = 0x20;  // more fragments
        CHECK_FALSE(udp_datagram_of(p));
    }
    SECTION("an IPv4 later fragment") {
        auto p = kIpv4Udp;
        p[7] = 0x01;  // offset 8
        CHECK_FALSE(udp_datagram_of(p));
    }
    SECTION("IPv4, not UDP") {
        auto p = kIpv4Udp;
        p[9] = 6;
        CHECK_FALSE(udp_datagram_of(p));
    }
    SECTION("a UDP length shorter than the IP payload") {
        auto p = kIpv4Udp;
        p[25] = 0x09;
        CHECK_FALSE(udp_datagram_of(p));
    }
    SECTION("an IPv6 Hop-by-Hop header first") {
        auto p = kIpv6Udp;
        p[6] = 0;
        CHECK_FALSE(udp_datagram_of(p));
    }
    SECTION("an IPv6 payload length beyond the packet") {
        auto p = kIpv6Udp;
        p[5] = 0x20;
        CHECK_FALSE(udp_datagram_of(p));
    }
    SECTION("cut headers") {
        CHECK_FALSE(udp_datagram_of(std::vector<std::uint8_t>(kIpv4Udp.begin(), kIpv4Udp.begin() + 24)));
        CHECK_FALSE(udp_datagram_of(std::vector<std::uint8_t>(kIpv6Udp.begin(), kIpv6Udp.begin() + 44)));
        CHECK_FALSE(ip_destination(std::vector<std::uint8_t>(kIpv6Udp.begin(), kIpv6Udp.begin() + 39)));
        CHECK_FALSE(udp_datagram_of(std::vector<std::uint8_t>{}));
    }
}
