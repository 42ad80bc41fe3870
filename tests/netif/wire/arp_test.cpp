#include "netif/wire/arp.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace caplnet::wire {
namespace {

template <class... T>
std::vector<std::uint8_t> bytes(T... v) {
    return {static_cast<std::uint8_t>(v)...};
}

// Real ARP reply from linux-udp-multicast-v4.pcap's test bed (is-at 02:00:00:00:0a:02).
// clang-format off
const auto kReply = bytes(0x00, 0x01,                          // htype Ethernet
                          0x08, 0x00,                          // ptype IPv4
                          0x06, 0x04,                          // hlen 6, plen 4
                          0x00, 0x02,                          // op reply
                          0x02, 0x00, 0x00, 0x00, 0x0a, 0x02,  // sender MAC
                          0xc0, 0x00, 0x02, 0x14,              // sender 192.0.2.20
                          0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,  // target MAC
                          0xc0, 0x00, 0x02, 0x0a);             // target 192.0.2.10
// clang-format on

}  // namespace

TEST_CASE("ARP reply parses from wire bytes", "[wire][arp]") {
    const auto v = ArpView::of(kReply);
    REQUIRE(v);
    CHECK(v->hardware_type() == 1);
    CHECK(v->protocol_type() == 0x0800);
    CHECK(v->hardware_len() == 6);
    CHECK(v->protocol_len() == 4);
    CHECK(v->operation() == ArpOperation::Reply);
    CHECK(v->sender_hardware_address().to_string() == "02:00:00:00:0a:02");
    CHECK(v->sender_protocol_address().to_string() == "192.0.2.20");
    CHECK(v->target_hardware_address().to_string() == "02:00:00:00:0a:01");
    CHECK(v->target_protocol_address().to_string() == "192.0.2.10");
    const auto m = ArpMessage::parse(*v);
    CHECK(m.operation == ArpOperation::Reply);
    CHECK(m.sender_protocol_address == *Ipv4Address::parse("192.0.2.20"));
}

TEST_CASE("ARP padding is outside the view", "[wire][arp]") {
    auto b = kReply;
    b.resize(46, 0);  // 60-byte frame minus the Ethernet header
    REQUIRE(ArpView::of(b));
    CHECK(ArpView::of(b)->bytes().size() == 28);
}

TEST_CASE("ARP that is not Ethernet/IPv4 request or reply is rejected", "[wire][arp]") {
    CHECK(ArpView::of(Bytes(kReply).first(27)).error() == WireError::Truncated);
    const auto field = GENERATE(0, 1, 2, 3, 4, 5, 7);
    auto b = kReply;
    b[static_cast<std::size_t>(field)] ^= 0x10;
    CAPTURE(field);
    CHECK(ArpView::of(b).error() == WireError::BadField);
}

TEST_CASE("ARP message emits from a 0xA5 fill and reads back", "[wire][arp]") {
    ArpMessage m;
    m.operation = ArpOperation::Reply;
    m.sender_hardware_address = *MacAddress::parse("02:00:00:00:0a:02");
    m.sender_protocol_address = *Ipv4Address::parse("192.0.2.20");
    m.target_hardware_address = *MacAddress::parse("02:00:00:00:0a:01");
    m.target_protocol_address = *Ipv4Address::parse("192.0.2.10");
    std::vector<std::uint8_t> out(28, 0xa5);
    REQUIRE(m.emit(out) == 28);
    CHECK(out == kReply);
    CHECK(ArpMessage::parse(*ArpView::of(out)) == m);
    std::vector<std::uint8_t> small(27);
    CHECK(m.emit(small) == 0);
}

}  // namespace caplnet::wire
