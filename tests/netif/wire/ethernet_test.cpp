#include "netif/wire/ethernet.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace caplnet::wire {
namespace {

template <class... T>
std::vector<std::uint8_t> bytes(T... v) {
    return {static_cast<std::uint8_t>(v)...};
}

// First frame of vlan-mixed.pcap, header part: IGMPv2 Report, VLAN 10 PCP 6.
// clang-format off
const auto kTagged = bytes(0x01, 0x00, 0x5e, 0x00, 0x00, 0x7b,  // dst 01:00:5e:00:00:7b
                           0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,  // src 02:00:00:00:0a:01
                           0x81, 0x00,                          // TPID 802.1Q
                           0xc0, 0x0a,                          // PCP 6, DEI 0, VID 10
                           0x08, 0x00,                          // inner EtherType IPv4
                           0x46, 0xc0);                         // first IPv4 octets
// clang-format on

}  // namespace

TEST_CASE("Tagged Ethernet header reads from wire bytes", "[wire][ethernet]") {
    const auto v = EthernetView::of(kTagged);
    REQUIRE(v);
    CHECK(v->destination().to_string() == "01:00:5e:00:00:7b");
    CHECK(v->source().to_string() == "02:00:00:00:0a:01");
    REQUIRE(v->vlan().has_value());
    CHECK(v->vlan()->priority == 6);
    CHECK_FALSE(v->vlan()->drop_eligible);
    CHECK(v->vlan()->vlan_id == 10);
    CHECK(v->ethertype() == ethertype::kIpv4);
    CHECK(v->header_len() == 18);
    CHECK(v->payload().size() == 2);
}

TEST_CASE("Untagged Ethernet header reads from wire bytes", "[wire][ethernet]") {
    std::vector<std::uint8_t> f(kTagged.size() - 4);
    REQUIRE(emit_untagged(kTagged, f) == f.size());
    const auto v = EthernetView::of(f);
    REQUIRE(v);
    CHECK_FALSE(v->vlan().has_value());
    CHECK(v->ethertype() == ethertype::kIpv4);
    CHECK(v->header_len() == 14);
    CHECK(v->payload()[0] == 0x46);
}

TEST_CASE("Ethernet view rejects a cut header or tag", "[wire][ethernet]") {
    CHECK(EthernetView::of(Bytes(kTagged).first(13)).error() == WireError::Truncated);
    CHECK(EthernetView::of(Bytes(kTagged).first(17)).error() == WireError::Truncated);
    CHECK(EthernetView::of(Bytes(kTagged).first(18)).has_value());
}

TEST_CASE("VLAN TCI keeps all 12 VID bits and round-trips", "[wire][ethernet]") {
    for (std::uint32_t v = 0; v <= 0xffff; ++v) {
        const auto tci = VlanTci::from_u16(static_cast<std::uint16_t>(v));
        REQUIRE(tci.to_u16() == v);
    }
    CHECK(VlanTci::from_u16(0xffff).vlan_id == 0xfff);
    CHECK(VlanTci::from_u16(0x1000).drop_eligible);
}

TEST_CASE("Tag insert and removal are inverse", "[wire][ethernet]") {
    std::vector<std::uint8_t> untagged(kTagged.size() - 4, 0xa5);
    REQUIRE(emit_untagged(kTagged, untagged) == untagged.size());
    std::vector<std::uint8_t> retagged(kTagged.size(), 0xa5);
    REQUIRE(emit_tagged(untagged, VlanTci{6, false, 10}, retagged) == kTagged.size());
    CHECK(retagged == kTagged);
    CHECK(emit_untagged(untagged, retagged) == 0);  // not tagged
    std::vector<std::uint8_t> small(kTagged.size() - 1);
    CHECK(emit_tagged(untagged, VlanTci{}, small) == 0);
    CHECK(emit_tagged(Bytes(untagged).first(13), VlanTci{}, retagged) == 0);
}

TEST_CASE("Ethernet header emits from a 0xA5 fill", "[wire][ethernet]") {
    std::vector<std::uint8_t> out(14, 0xa5);
    emit_ethernet_header(out, *MacAddress::parse("01:00:5e:00:00:7b"),
                         *MacAddress::parse("02:00:00:00:0a:01"), ethertype::kIpv6);
    CHECK(out == bytes(0x01, 0x00, 0x5e, 0x00, 0x00, 0x7b, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,
                       0x86, 0xdd));
}

TEST_CASE("WireError names are stable", "[wire][ethernet]") {
    CHECK(std::string(to_string(WireError::Truncated)) == "truncated");
    CHECK(std::string(to_string(WireError::BadChecksum)) == "bad-checksum");
    CHECK(std::string(to_string(WireError::BadField)) == "bad-field");
    CHECK(std::string(to_string(WireError::Unsupported)) == "unsupported");
}

}  // namespace caplnet::wire
