#include "netif/wire/ipv6.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace caplnet::wire {
namespace {

template <class... T>
std::vector<std::uint8_t> bytes(T... v) {
    return {static_cast<std::uint8_t>(v)...};
}

// Real IPv6 header from linux-udp-multicast-v6.pcap: flow label 0xab664, payload 72, UDP.
// clang-format off
const auto kUdpHeader = bytes(0x60, 0x0a, 0xb6, 0x64,  // version 6, traffic class 0, flow label
                              0x00, 0x48, 0x11, 0x01,  // payload length 72, UDP, hop limit 1
                              0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // fe80::ff:fe00:a01
                              0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x0a, 0x01,
                              0xff, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ff15::123
                              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x23);
// clang-format on

}  // namespace

TEST_CASE("IPv6 addresses print in RFC 5952 form", "[wire][ipv6]") {
    const auto cases = GENERATE(table<std::string, std::string>({
        {"fe80::ff:fe00:a01", "fe80::ff:fe00:a01"},
        {"FF15:0:0:0:0:0:0:0123", "ff15::123"},
        {"::", "::"},
        {"::1", "::1"},
        {"1::", "1::"},
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},     // §4.2.3: first of equal runs
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},           // §4.2.3: the longest run
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // §4.2.2: one zero group stays
        {"::ffff:192.0.2.10", "::ffff:192.0.2.10"},        // §5: IPv4-mapped
        {"::ffff:c000:20a", "::ffff:192.0.2.10"},
        {"ff02::1:ff00:a02", "ff02::1:ff00:a02"},
        {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
        {"64:ff9b::1.2.3.4", "64:ff9b::102:304"},
    }));
    CAPTURE(std::get<0>(cases));
    const auto a = Ipv6Address::parse(std::get<0>(cases));
    REQUIRE(a);
    CHECK(a->to_string() == std::get<1>(cases));
    CHECK(Ipv6Address::parse(a->to_string()) == a);
}

TEST_CASE("IPv6 address text that is not an address is rejected", "[wire][ipv6]") {
    for (const char* bad : {"", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3",
                            "12345::", "g::", ":1::", "1:::2", "fe80::1%eth0", "::1.2.3",
                            "1.2.3.4::", "1:2:3:4:5:6:7::8:9", "1:2:3:4:5:6:7:1.2.3.4"}) {
        CAPTURE(bad);
        CHECK_FALSE(Ipv6Address::parse(bad).has_value());
    }
}

TEST_CASE("IPv6 address classification", "[wire][ipv6]") {
    const auto g = *Ipv6Address::parse("ff15::123");
    CHECK(g.is_multicast());
    CHECK(g.multicast_scope() == ipv6_scope::kSiteLocal);
    CHECK(g.multicast_mac().to_string() == "33:33:00:00:01:23");
    CHECK(Ipv6Address::parse("ff02::16")->multicast_scope() == ipv6_scope::kLinkLocal);
    const auto ll = *Ipv6Address::parse("fe80::ff:fe00:a02");
    CHECK(ll.is_link_local());
    CHECK_FALSE(ll.is_multicast());
    CHECK(ll.solicited_node().to_string() == "ff02::1:ff00:a02");
    CHECK(Ipv6Address::parse("febf::1")->is_link_local());
    CHECK_FALSE(Ipv6Address::parse("fec0::1")->is_link_local());
    CHECK(Ipv6Address::parse("::")->is_unspecified());
    CHECK(Ipv6Address::parse("::1")->is_loopback());
}

TEST_CASE("IPv6 header fields read from wire bytes", "[wire][ipv6]") {
    auto b = kUdpHeader;
    b.resize(40 + 72 + 6, 0x00);  // payload and 6 bytes that are not part of the packet
    const auto v = Ipv6View::of(b);
    REQUIRE(v);
    CHECK(v->version() == 6);
    CHECK(v->traffic_class() == 0);
    CHECK(v->flow_label() == 0xab664);
    CHECK(v->payload_length() == 72);
    CHECK(v->next_header() == 17);
    CHECK(v->hop_limit() == 1);
    CHECK(v->source().to_string() == "fe80::ff:fe00:a01");
    CHECK(v->destination().to_string() == "ff15::123");
    CHECK(v->payload().size() == 72);
    CHECK(v->bytes().size() == 112);

    b[0] = 0x6b;  // traffic class 0xb0: DSCP 44, ECN 0
    b[1] = 0x0a;
    CHECK(Ipv6View::of(b)->traffic_class() == 0xb0);
    CHECK(Ipv6View::of(b)->dscp() == 44);
    CHECK(Ipv6View::of(b)->flow_label() == 0xab664);
}

TEST_CASE("IPv6 view rejects what does not fit or is not IPv6", "[wire][ipv6]") {
    auto b = kUdpHeader;
    CHECK(Ipv6View::of(Bytes(b).first(39)).error() == WireError::Truncated);
    CHECK(Ipv6View::of(b).error() == WireError::Truncated);  // payload length 72, none present
    b[5] = 0;
    CHECK(Ipv6View::of(b).has_value());
    b[0] = 0x40;
    CHECK(Ipv6View::of(b).error() == WireError::BadField);
}

TEST_CASE("IPv6 header emits and reads back", "[wire][ipv6]") {
    Ipv6Header h;
    h.flow_label = 0xab664;
    h.payload_length = 72;
    h.next_header = 17;
    h.hop_limit = 1;
    h.source = *Ipv6Address::parse("fe80::ff:fe00:a01");
    h.destination = *Ipv6Address::parse("ff15::123");
    std::vector<std::uint8_t> out(40 + 72, 0xa5);
    REQUIRE(h.emit(out) == 40);
    CHECK(std::equal(kUdpHeader.begin(), kUdpHeader.end(), out.begin()));
    const auto back = Ipv6View::of(out);
    REQUIRE(back);
    const auto p = Ipv6Header::parse(*back);
    CHECK(p.flow_label == h.flow_label);
    CHECK(p.destination == h.destination);
    CHECK(p.traffic_class == 0);
    std::vector<std::uint8_t> small(39);
    CHECK(h.emit(small) == 0);
}

}  // namespace caplnet::wire
