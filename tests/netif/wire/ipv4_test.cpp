#include "netif/wire/ipv4.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace caplnet::wire {
namespace {

template <class... T>
std::vector<std::uint8_t> bytes(T... v) {
    return {static_cast<std::uint8_t>(v)...};
}

// Real IPv4 header from linux-igmpv2-join-leave.pcap, with its 8-byte IGMP payload and the
// 14 zero octets of Ethernet padding that a 60-byte frame would add.
// clang-format off
const auto kIgmpDatagram = bytes(0x46, 0xc0, 0x00, 0x20,  // v4, IHL 6, TOS 0xc0, length 32
                                 0x00, 0x00, 0x40, 0x00,  // id 0, DF, offset 0
                                 0x01, 0x02, 0x32, 0x92,  // TTL 1, IGMP, checksum
                                 0xc0, 0x00, 0x02, 0x0a,  // source 192.0.2.10
                                 0xef, 0x00, 0x00, 0x7b,  // destination 239.0.0.123
                                 0x94, 0x04, 0x00, 0x00,  // Router Alert (RFC 2113)
                                 0x16, 0x00, 0xfa, 0x83,  // IGMPv2 Report, checksum
                                 0xef, 0x00, 0x00, 0x7b,  // group 239.0.0.123
                                 0, 0, 0, 0, 0, 0, 0,     // Ethernet padding
                                 0, 0, 0, 0, 0, 0, 0);
// clang-format on

}  // namespace

TEST_CASE("IPv4 addresses parse and print as dotted quads", "[wire][ipv4]") {
    const auto a = Ipv4Address::parse("239.0.0.123");
    REQUIRE(a);
    CHECK(a->octets == std::array<std::uint8_t, 4>{239, 0, 0, 123});
    CHECK(a->to_string() == "239.0.0.123");
    CHECK(a->is_multicast());
    CHECK(a->multicast_mac().to_string() == "01:00:5e:00:00:7b");
    CHECK(Ipv4Address::parse("239.128.1.2")->multicast_mac().to_string() == "01:00:5e:00:01:02");
    CHECK(a->to_u32() == 0xef00007bU);
    CHECK(Ipv4Address::from_u32(0xc000020aU).to_string() == "192.0.2.10");
    CHECK(Ipv4Address::parse("224.0.0.22")->is_link_local_multicast());
    CHECK_FALSE(Ipv4Address::parse("224.0.1.1")->is_link_local_multicast());
    CHECK(Ipv4Address::parse("255.255.255.255")->is_broadcast());
    CHECK(Ipv4Address::parse("0.0.0.0")->is_unspecified());
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1..2.3", "a.b.c.d",
                            " 1.2.3.4", "1.2.3.4 ", "1.2.3.-4", "1.2.3.4."}) {
        CAPTURE(bad);
        CHECK_FALSE(Ipv4Address::parse(bad).has_value());
    }
}

TEST_CASE("IPv4 header fields read from wire bytes", "[wire][ipv4]") {
    const auto v = Ipv4View::of(kIgmpDatagram);
    REQUIRE(v);
    CHECK(v->version() == 4);
    CHECK(v->ihl() == 6);
    CHECK(v->header_len() == 24);
    CHECK(v->tos() == 0xc0);
    CHECK(v->dscp() == 48);
    CHECK(v->ecn() == 0);
    CHECK(v->total_length() == 32);
    CHECK(v->identification() == 0);
    CHECK(v->dont_fragment());
    CHECK_FALSE(v->more_fragments());
    CHECK(v->fragment_offset() == 0);
    CHECK_FALSE(v->is_fragment());
    CHECK(v->ttl() == 1);
    CHECK(v->protocol() == ip_protocol::kIgmp);
    CHECK(v->header_checksum() == 0x3292);
    CHECK(v->header_checksum_valid());
    CHECK(v->source().to_string() == "192.0.2.10");
    CHECK(v->destination().to_string() == "239.0.0.123");
    CHECK(v->options().size() == 4);
    CHECK(v->options()[0] == 0x94);
    CHECK(v->options_well_formed());
    CHECK(v->payload().size() == 8);  // padding excluded
    CHECK(v->payload()[0] == 0x16);
    CHECK(v->bytes().size() == 32);
}

TEST_CASE("IPv4 view rejects what does not fit or is not IPv4", "[wire][ipv4]") {
    auto b = kIgmpDatagram;
    CHECK(Ipv4View::of(Bytes(b).first(19)).error() == WireError::Truncated);
    CHECK(Ipv4View::of(Bytes(b).first(31)).error() == WireError::Truncated);
    b[0] = 0x66;
    CHECK(Ipv4View::of(b).error() == WireError::BadField);
    b[0] = 0x44;
    CHECK(Ipv4View::of(b).error() == WireError::BadField);
    b[0] = 0x49;  // 36-byte header > total length 32
    CHECK(Ipv4View::of(b).error() == WireError::BadField);
    b = kIgmpDatagram;
    b[3] = 19;
    CHECK(Ipv4View::of(b).error() == WireError::BadField);
    b[3] = 47;
    CHECK(Ipv4View::of(b).error() == WireError::Truncated);
    b = kIgmpDatagram;
    b[10] ^= 1;
    REQUIRE(Ipv4View::of(b));
    CHECK_FALSE(Ipv4View::of(b)->header_checksum_valid());
}

TEST_CASE("IPv4 header emits with checksum and reads back", "[wire][ipv4]") {
    Ipv4Header h;
    h.tos = 0xc0;
    h.dont_fragment = true;
    h.ttl = 1;
    h.protocol = ip_protocol::kIgmp;
    h.source = *Ipv4Address::parse("192.0.2.10");
    h.destination = *Ipv4Address::parse("239.0.0.123");
    h.options = Ipv4Header::router_alert_option();
    h.payload_length = 8;
    std::vector<std::uint8_t> out(32, 0xa5);
    REQUIRE(h.emit(out) == 24);
    CHECK(std::equal(out.begin(), out.begin() + 24, kIgmpDatagram.begin()));
    std::copy(kIgmpDatagram.begin() + 24, kIgmpDatagram.begin() + 32, out.begin() + 24);
    const auto v = Ipv4View::of(out);
    REQUIRE(v);
    const auto back = Ipv4Header::parse(*v);
    CHECK(back.options == h.options);
    CHECK(back.source == h.source);
    CHECK(back.payload_length == 8);
    CHECK(back.tos == 0xc0);

    SECTION("options are padded to 4 octets and fragments encoded") {
        Ipv4Header f;
        f.options = {0x01};  // NOP, padded with EOL
        f.more_fragments = true;
        f.fragment_offset = 185;
        f.identification = 0x3333;
        f.payload_length = 100;
        std::vector<std::uint8_t> o(24, 0xa5);
        REQUIRE(f.emit(o) == 24);
        CHECK(o[0] == 0x46);
        CHECK(o[20] == 0x01);
        CHECK(o[21] == 0x00);
        CHECK(o[23] == 0x00);
        o.resize(124);
        const auto fv = Ipv4View::of(o);
        REQUIRE(fv);
        CHECK(fv->header_checksum_valid());
        CHECK(fv->more_fragments());
        CHECK(fv->fragment_offset() == 185);
        CHECK(fv->identification() == 0x3333);
        CHECK(fv->is_fragment());
    }
    SECTION("emit refuses a short buffer or oversized options") {
        std::vector<std::uint8_t> small(23);
        CHECK(h.emit(small) == 0);
        Ipv4Header big;
        big.options.assign(41, 1);
        std::vector<std::uint8_t> o(64);
        CHECK(big.emit(o) == 0);
        Ipv4Header huge;
        huge.payload_length = 65516;
        CHECK(huge.emit(o) == 0);
    }
}

TEST_CASE("IPv4 option walk rejects zero and overlong lengths", "[wire][ipv4]") {
    auto b = kIgmpDatagram;
    const auto with_options = [&](std::uint8_t o0, std::uint8_t o1) {
        b[20] = o0;
        b[21] = o1;
        return Ipv4View::of(b)->options_well_formed();
    };
    CHECK(with_options(0x94, 0x04));
    CHECK(with_options(0x00, 0xff));  // EOL: the rest is padding
    CHECK_FALSE(with_options(0x94, 0x00));
    CHECK_FALSE(with_options(0x94, 0x01));
    CHECK_FALSE(with_options(0x07, 0x28));
}

}  // namespace caplnet::wire
