#include "netif/wire/frame_edit.hpp"

#include <algorithm>

namespace caplnet::wire {

namespace {

constexpr std::size_t kTypeOffset = 12;  // outer EtherType / TPID
constexpr std::size_t kTciOffset = 14;

bool has_outer_ctag(Bytes frame) {
    return frame.size() >= kEthernetHeaderLen + kVlanTagLen &&
           read_be16(frame, kTypeOffset) == ethertype::kVlan;
}

}  // namespace

std::size_t add_vlan_tag(MutableBytes buf, std::size_t len, VlanTci tci) {
    if (len < kEthernetHeaderLen || len > buf.size() || buf.size() - len < kVlanTagLen) return len;
    const std::uint16_t outer = read_be16(buf, kTypeOffset);
    if (outer == ethertype::kVlan || outer == ethertype::kQinQ) return len;
    // Move EtherType and payload 4 bytes up, then write TPID + TCI in the gap.
    std::copy_backward(buf.begin() + kTypeOffset, buf.begin() + static_cast<std::ptrdiff_t>(len),
                       buf.begin() + static_cast<std::ptrdiff_t>(len + kVlanTagLen));
    write_be16(buf, kTypeOffset, ethertype::kVlan);
    write_be16(buf, kTciOffset, tci.to_u16());
    return len + kVlanTagLen;
}

std::size_t strip_vlan_tag(MutableBytes buf, std::size_t len) {
    if (len > buf.size() || !has_outer_ctag(buf.first(len))) return len;
    std::copy(buf.begin() + kTypeOffset + kVlanTagLen, buf.begin() + static_cast<std::ptrdiff_t>(len),
              buf.begin() + kTypeOffset);
    return len - kVlanTagLen;
}

bool map_vlan_id(MutableBytes buf, std::size_t len, std::uint16_t from, std::uint16_t to) {
    if (len > buf.size() || !has_outer_ctag(buf.first(len))) return false;
    VlanTci tci = VlanTci::from_u16(read_be16(buf, kTciOffset));
    if (tci.vlan_id != from) return false;
    tci.vlan_id = to;
    write_be16(buf, kTciOffset, tci.to_u16());
    return true;
}

bool rewrite_destination(MutableBytes buf, std::size_t len, const MacAddress& mac, bool unicast_only) {
    if (len < 6 || len > buf.size()) return false;
    if (unicast_only && (buf[0] & 0x01) != 0) return false;
    std::copy(mac.octets.begin(), mac.octets.end(), buf.begin());
    return true;
}

std::size_t apply_edits(const FrameEdits& edits, MutableBytes buf, std::size_t len) {
    for (const auto& [from, to] : edits.vlan_map) {
        if (map_vlan_id(buf, len, from, to)) break;
    }
    if (edits.vlan_strip) len = strip_vlan_tag(buf, len);
    if (edits.vlan_add) len = add_vlan_tag(buf, len, *edits.vlan_add);
    if (edits.destination) rewrite_destination(buf, len, *edits.destination, edits.destination_unicast_only);
    return len;
}

}  // namespace caplnet::wire
