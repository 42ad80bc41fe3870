#include "netif/wire/frame_edit.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace caplnet::wire {
namespace {

template <class... T>
std::vector<std::uint8_t> bytes(T... v) {
    return {static_cast<std::uint8_t>(v)...};
}

// clang-format off
const auto kUntagged = bytes(0x02, 0x00, 0x00, 0x00, 0x0a, 0x02,  // dst (unicast)
                             0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,  // src
                             0x08, 0x00,                          // IPv4
                             0x45, 0x00, 0x00, 0x14);             // first IPv4 octets
const auto kTagged10 = bytes(0x01, 0x00, 0x5e, 0x00, 0x00, 0x7b,  // dst (multicast)
                             0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,
                             0x81, 0x00, 0xc0, 0x0a,              // PCP 6, VID 10
                             0x08, 0x00,
                             0x46, 0xc0);
const auto kQinQ = bytes(0x01, 0x00, 0x5e, 0x00, 0x00, 0x7b,
                         0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,
                         0x88, 0xa8, 0x00, 0x64,                  // S-tag VID 100
                         0x81, 0x00, 0x60, 0x0a,                  // C-tag PCP 3, VID 10
                         0x08, 0x00);
// clang-format on

// A frame in a buffer with room to grow, as the replayer holds it.
struct Buf {
    std::vector<std::uint8_t> data;
    std::size_t len;
    explicit Buf(const std::vector<std::uint8_t>& f, std::size_t room = 8) : data(f), len(f.size()) {
        data.resize(f.size() + room);
    }
    std::vector<std::uint8_t> frame() const { return {data.begin(), data.begin() + static_cast<std::ptrdiff_t>(len)}; }
};

}  // namespace

TEST_CASE("VLAN add tags untagged frames only", "[wire][frame_edit]") {
    Buf b(kUntagged);
    b.len = add_vlan_tag(b.data, b.len, VlanTci{5, false, 20});
    REQUIRE(b.len == kUntagged.size() + 4);
    const auto f = b.frame();
    const auto v = EthernetView::of(f);
    REQUIRE(v);
    REQUIRE(v->vlan());
    CHECK(v->vlan()->vlan_id == 20);
    CHECK(v->vlan()->priority == 5);
    CHECK(v->ethertype() == ethertype::kIpv4);
    CHECK(v->payload()[0] == 0x45);
    CHECK(v->destination().to_string() == "02:00:00:00:0a:02");

    Buf t(kTagged10);
    CHECK(add_vlan_tag(t.data, t.len, VlanTci{0, false, 20}) == kTagged10.size());
    CHECK(t.frame() == kTagged10);
    Buf q(kQinQ);
    CHECK(add_vlan_tag(q.data, q.len, VlanTci{0, false, 20}) == kQinQ.size());
    CHECK(q.frame() == kQinQ);
}

TEST_CASE("VLAN add leaves short frames and full buffers alone", "[wire][frame_edit]") {
    Buf shorty(std::vector<std::uint8_t>(kUntagged.begin(), kUntagged.begin() + 13));
    CHECK(add_vlan_tag(shorty.data, shorty.len, VlanTci{0, false, 20}) == 13);
    Buf full(kUntagged, 3);  // one byte short of a tag
    CHECK(add_vlan_tag(full.data, full.len, VlanTci{0, false, 20}) == kUntagged.size());
    CHECK(full.frame() == kUntagged);
    std::vector<std::uint8_t> empty;
    CHECK(add_vlan_tag(empty, 0, VlanTci{0, false, 20}) == 0);
}

TEST_CASE("VLAN strip removes the outer 802.1Q tag and nothing else", "[wire][frame_edit]") {
    Buf t(kTagged10);
    t.len = strip_vlan_tag(t.data, t.len);
    REQUIRE(t.len == kTagged10.size() - 4);
    const auto f = t.frame();
    const auto v = EthernetView::of(f);
    REQUIRE(v);
    CHECK_FALSE(v->vlan());
    CHECK(v->ethertype() == ethertype::kIpv4);
    CHECK(v->payload()[0] == 0x46);

    Buf u(kUntagged);
    CHECK(strip_vlan_tag(u.data, u.len) == kUntagged.size());
    CHECK(u.frame() == kUntagged);
    Buf q(kQinQ);
    CHECK(strip_vlan_tag(q.data, q.len) == kQinQ.size());
    Buf cut(std::vector<std::uint8_t>(kTagged10.begin(), kTagged10.begin() + 16));
    CHECK(strip_vlan_tag(cut.data, cut.len) == 16);
}

TEST_CASE("Add after strip round-trips a tagged frame", "[wire][frame_edit]") {
    Buf t(kTagged10);
    t.len = strip_vlan_tag(t.data, t.len);
    t.len = add_vlan_tag(t.data, t.len, VlanTci{6, false, 10});
    CHECK(t.frame() == kTagged10);
}

TEST_CASE("VLAN map rewrites the VID and keeps PCP and DEI", "[wire][frame_edit]") {
    Buf t(kTagged10);
    CHECK_FALSE(map_vlan_id(t.data, t.len, 20, 30));
    CHECK(t.frame() == kTagged10);
    CHECK(map_vlan_id(t.data, t.len, 10, 4094));
    const auto f = t.frame();
    const auto v = EthernetView::of(f);
    REQUIRE(v);
    CHECK(v->vlan()->vlan_id == 4094);
    CHECK(v->vlan()->priority == 6);
    Buf u(kUntagged);
    CHECK_FALSE(map_vlan_id(u.data, u.len, 0, 10));
    Buf q(kQinQ);  // the outer tag is an S-tag: not mapped
    CHECK_FALSE(map_vlan_id(q.data, q.len, 100, 200));
}

TEST_CASE("Destination rewrite: unicast only unless asked for all", "[wire][frame_edit]") {
    const auto mac = *MacAddress::parse("02:00:00:00:00:0b");
    Buf u(kUntagged);
    CHECK(rewrite_destination(u.data, u.len, mac, true));
    const auto uf = u.frame();
    CHECK(EthernetView::of(uf)->destination() == mac);
    Buf m(kTagged10);
    CHECK_FALSE(rewrite_destination(m.data, m.len, mac, true));
    CHECK(m.frame() == kTagged10);
    CHECK(rewrite_destination(m.data, m.len, mac, false));
    const auto mf = m.frame();
    CHECK(EthernetView::of(mf)->destination() == mac);
    Buf shorty(bytes(1, 2, 3));
    CHECK_FALSE(rewrite_destination(shorty.data, shorty.len, mac, false));
}

TEST_CASE("apply_edits: map first, then strip, add, destination", "[wire][frame_edit]") {
    FrameEdits e;
    CHECK(e.empty());
    e.vlan_map = {{10, 11}, {11, 12}};  // first match only: 10 -> 11, not on to 12
    Buf t(kTagged10);
    t.len = apply_edits(e, t.data, t.len);
    const auto mapped = t.frame();
    CHECK(EthernetView::of(mapped)->vlan()->vlan_id == 11);

    FrameEdits retag;  // strip + add: everything onto VLAN 7
    retag.vlan_strip = true;
    retag.vlan_add = VlanTci{1, false, 7};
    retag.destination = *MacAddress::parse("02:00:00:00:00:0b");
    for (const auto& f : {kTagged10, kUntagged}) {
        Buf b(f);
        b.len = apply_edits(retag, b.data, b.len);
        const auto edited = b.frame();
        const auto v = EthernetView::of(edited);
        REQUIRE(v);
        CHECK(v->vlan()->vlan_id == 7);
        CHECK(v->vlan()->priority == 1);
        CHECK(v->ethertype() == ethertype::kIpv4);
        CHECK(b.len == (f == kTagged10 ? f.size() : f.size() + 4));
        CHECK(v->destination().is_unicast() == (f == kUntagged));
    }
}

}  // namespace caplnet::wire
