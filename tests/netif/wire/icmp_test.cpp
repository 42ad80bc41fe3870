#include "netif/wire/icmp.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace caplnet::wire {
namespace {

template <class... T>
std::vector<std::uint8_t> bytes(T... v) {
    return {static_cast<std::uint8_t>(v)...};
}

// Checksums computed independently with Python (RFC 1071 sum).
// clang-format off
const auto kEcho4 = bytes(0x08, 0x00,              // Echo, code 0
                          0x21, 0x04,              // checksum
                          0x12, 0x34,              // identifier
                          0x00, 0x01,              // sequence number
                          'a', 'b', 'c', 'd');     // data
const auto kEcho6 = bytes(0x80, 0x00,              // Echo Request, code 0
                          0x99, 0xb8,              // checksum, fe80::ff:fe00:a01 -> ...a02
                          0x12, 0x34,              // identifier
                          0x00, 0x01,              // sequence number
                          'a', 'b', 'c', 'd');     // data
// clang-format on
const Ipv6Address kSrc6 = *Ipv6Address::parse("fe80::ff:fe00:a01");
const Ipv6Address kDst6 = *Ipv6Address::parse("fe80::ff:fe00:a02");

}  // namespace

TEST_CASE("ICMPv4 Echo parses from wire bytes", "[wire][icmp]") {
    const auto v = Icmpv4EchoView::of(kEcho4);
    REQUIRE(v);
    CHECK(v->type() == icmpv4_type::kEchoRequest);
    CHECK(v->is_request());
    CHECK(v->code() == 0);
    CHECK(v->checksum() == 0x2104);
    CHECK(v->checksum_valid());
    CHECK(v->identifier() == 0x1234);
    CHECK(v->sequence_number() == 1);
    CHECK(v->data().size() == 4);
    const auto m = Icmpv4Echo::parse(*v);
    CHECK(m.data == std::vector<std::uint8_t>{'a', 'b', 'c', 'd'});
}

TEST_CASE("ICMPv4 Echo emits from a 0xA5 fill and its reply reads back", "[wire][icmp]") {
    const Icmpv4Echo req{true, 0x1234, 1, {'a', 'b', 'c', 'd'}};
    std::vector<std::uint8_t> out(12, 0xa5);
    REQUIRE(req.emit(out) == 12);
    CHECK(out == kEcho4);
    const auto rep = req.reply();
    REQUIRE(rep.emit(out) == 12);
    const auto v = Icmpv4EchoView::of(out);
    REQUIRE(v);
    CHECK(v->type() == icmpv4_type::kEchoReply);
    CHECK(v->checksum_valid());
    CHECK(Icmpv4Echo::parse(*v) == rep);
    std::vector<std::uint8_t> small(11);
    CHECK(req.emit(small) == 0);
}

TEST_CASE("ICMPv4 Echo view rejects other messages and bad checksums", "[wire][icmp]") {
    CHECK(Icmpv4EchoView::of(Bytes(kEcho4).first(7)).error() == WireError::Truncated);
    auto b = kEcho4;
    b[0] = icmpv4_type::kDestinationUnreachable;
    CHECK(Icmpv4EchoView::of(b).error() == WireError::BadField);
    b = kEcho4;
    b[1] = 1;
    CHECK(Icmpv4EchoView::of(b).error() == WireError::BadField);
    b = kEcho4;
    b.back() ^= 1;
    CHECK_FALSE(Icmpv4EchoView::of(b)->checksum_valid());
}

TEST_CASE("ICMPv6 Echo Request parses and checks its pseudo-header checksum", "[wire][icmp]") {
    const auto v = Icmpv6EchoView::of(kEcho6);
    REQUIRE(v);
    CHECK(v->is_request());
    CHECK(v->checksum() == 0x99b8);
    CHECK(v->checksum_valid(kSrc6, kDst6));
    CHECK_FALSE(v->checksum_valid(kDst6, kDst6));
    CHECK(v->identifier() == 0x1234);
    CHECK(v->sequence_number() == 1);
    CHECK(Icmpv6EchoView::of(Bytes(kEcho6).first(7)).error() == WireError::Truncated);
    auto b = kEcho6;
    b[0] = icmpv6_type::kMldV1Report;
    CHECK(Icmpv6EchoView::of(b).error() == WireError::BadField);
}

TEST_CASE("ICMPv6 Echo emits from a 0xA5 fill and its reply reads back", "[wire][icmp]") {
    const Icmpv6Echo req{true, 0x1234, 1, {'a', 'b', 'c', 'd'}};
    std::vector<std::uint8_t> out(12, 0xa5);
    REQUIRE(req.emit(out, kSrc6, kDst6) == 12);
    CHECK(out == kEcho6);
    const auto rep = req.reply();
    REQUIRE(rep.emit(out, kDst6, kSrc6) == 12);
    const auto v = Icmpv6EchoView::of(out);
    REQUIRE(v);
    CHECK(v->type() == icmpv6_type::kEchoReply);
    CHECK(v->checksum_valid(kDst6, kSrc6));
    CHECK(Icmpv6Echo::parse(*v) == rep);
}

}  // namespace caplnet::wire
