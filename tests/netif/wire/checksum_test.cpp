#include "netif/wire/checksum.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>

namespace caplnet::wire {
namespace {

// RFC 1071 §3 numerical example: the sum of these eight octets is 0xddf2.
// clang-format off
constexpr std::array<std::uint8_t, 8> kRfc1071 = {0x00, 0x01,
                                                   0xf2, 0x03,
                                                   0xf4, 0xf5,
                                                   0xf6, 0xf7};
// clang-format on

}  // namespace

TEST_CASE("The RFC 1071 example sums to 0xddf2", "[wire][checksum]") {
    InternetChecksum c;
    c.add(kRfc1071);
    CHECK(c.folded_sum() == 0xddf2);
    CHECK(c.checksum() == 0x220d);
    CHECK(internet_checksum(kRfc1071) == 0x220d);
}

TEST_CASE("The checksum is the same however the data is split", "[wire][checksum]") {
    // Odd split points make the next span start in the low half of a word (RFC 1071 §2(B)).
    for (std::size_t a = 0; a <= kRfc1071.size(); ++a) {
        for (std::size_t b = a; b <= kRfc1071.size(); ++b) {
            InternetChecksum c;
            c.add(Bytes(kRfc1071).subspan(0, a))
                .add(Bytes(kRfc1071).subspan(a, b - a))
                .add(Bytes(kRfc1071).subspan(b));
            CAPTURE(a, b);
            CHECK(c.folded_sum() == 0xddf2);
        }
    }
}

TEST_CASE("An odd-length message is padded with a zero octet", "[wire][checksum]") {
    constexpr std::array<std::uint8_t, 3> odd = {0x12, 0x34, 0x56};
    InternetChecksum c;
    c.add_u16(0x1234).add_u16(0x5600);
    CHECK(internet_checksum(odd) == c.checksum());
}

TEST_CASE("Data that carries its checksum validates", "[wire][checksum]") {
    // Real IPv4 header from linux-igmpv2-join-leave.pcap (checksum 0x3292).
    // clang-format off
    std::array<std::uint8_t, 24> hdr = {0x46, 0xc0, 0x00, 0x20,   // v4 IHL 6, TOS, length 32
                                        0x00, 0x00, 0x40, 0x00,   // id 0, DF
                                        0x01, 0x02, 0x32, 0x92,   // TTL 1, IGMP, checksum
                                        0xc0, 0x00, 0x02, 0x0a,   // 192.0.2.10
                                        0xef, 0x00, 0x00, 0x7b,   // 239.0.0.123
                                        0x94, 0x04, 0x00, 0x00};  // Router Alert
    // clang-format on
    CHECK(internet_checksum_valid(hdr));
    CHECK(internet_checksum(hdr) == 0);
    hdr[8] = 2;
    CHECK_FALSE(internet_checksum_valid(hdr));
    hdr[10] = hdr[11] = 0;
    write_be16(hdr, 10, internet_checksum(hdr));
    CHECK(internet_checksum_valid(hdr));
}

TEST_CASE("The IPv4 pseudo-header makes a real UDP checksum validate", "[wire][checksum]") {
    // UDP datagram from linux-udp-multicast-v4.pcap: quoted 192.0.2.10:50000 -> 192.0.2.20:40009
    // checksum 0xd2d0; the ICMP error carries it whole (40 bytes).
    // clang-format off
    const std::array<std::uint8_t, 40> udp = {
        0xc3, 0x50, 0x9c, 0x49,  // ports 50000 -> 40009
        0x00, 0x28, 0xd2, 0xd0,  // length 40, checksum
        0x43, 0x50, 0x4c, 0x4e, 0x00, 0x01, 0x00, 0x00,  // "CPLN", stream 0, noise flag
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb4,  // sequence 0, global index 180
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,  // filler
        0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
    // clang-format on
    const auto src = *Ipv4Address::parse("192.0.2.10");
    const auto dst = *Ipv4Address::parse("192.0.2.20");
    CHECK(ipv4_upper_layer_checksum(src, dst, 17, udp) == 0);
    CHECK(ipv4_upper_layer_checksum(dst, dst, 17, udp) != 0);
    InternetChecksum c;
    add_ipv4_pseudo_header(c, src, dst, 17, 40);
    CHECK(c.add(udp).folded_sum() == 0xffff);
}

TEST_CASE("The IPv6 pseudo-header makes a real ICMPv6 checksum validate", "[wire][checksum]") {
    // Neighbor Solicitation from linux-udp-multicast-v6.pcap (checksum 0x5497).
    // clang-format off
    const std::array<std::uint8_t, 32> ns = {
        0x87, 0x00, 0x54, 0x97,  // type 135, code 0, checksum
        0x00, 0x00, 0x00, 0x00,  // reserved
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0x00, 0x0a, 0x02,  // target
        0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01};  // source link-layer address option
    // clang-format on
    const auto src = *Ipv6Address::parse("fe80::ff:fe00:a01");
    const auto dst = *Ipv6Address::parse("ff02::1:ff00:a02");
    CHECK(ipv6_upper_layer_checksum(src, dst, 58, ns) == 0);
    CHECK(ipv6_upper_layer_checksum(src, dst, 17, ns) != 0);
}

}  // namespace caplnet::wire
