#pragma once
// In-place edits of one Ethernet frame (no FCS) for `caplnet replay`: 802.1Q tag add / strip /
// VID map and destination MAC rewrite. Pure functions over a buffer: `buf` is the whole buffer
// (its size is the capacity), the frame is its first `len` bytes, and each function returns the
// frame's new length. Frames too short for the edit are left as they are (replay injects
// malformed frames unchanged), so every function is safe on any input.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "netif/wire/bytes.hpp"
#include "netif/wire/ethernet.hpp"
#include "netif/wire/mac_address.hpp"

namespace caplnet::wire {

/// Inserts an 802.1Q tag with `tci` after the source MAC if the frame carries no outer tag
/// (outer EtherType neither 0x8100 nor 0x88a8). Unchanged if shorter than 14 bytes, already
/// tagged, or if `buf` cannot hold 4 more bytes.
std::size_t add_vlan_tag(MutableBytes buf, std::size_t len, VlanTci tci);

/// Removes the outer 802.1Q (0x8100) tag. 802.1ad S-tags (0x88a8) are not touched.
std::size_t strip_vlan_tag(MutableBytes buf, std::size_t len);

/// If the outer 802.1Q tag has VID `from`, sets it to `to` (PCP and DEI kept). Returns true if
/// the frame was changed.
bool map_vlan_id(MutableBytes buf, std::size_t len, std::uint16_t from, std::uint16_t to);

/// Sets the destination MAC. With `unicast_only`, frames to a group address (multicast or
/// broadcast: I/G bit set) keep theirs. Returns true if the frame was changed.
bool rewrite_destination(MutableBytes buf, std::size_t len, const MacAddress& mac, bool unicast_only);

/// Every edit `caplnet replay` offers, applied in this order: VID map (first matching pair
/// only), strip, add, destination MAC.
struct FrameEdits {
    std::vector<std::pair<std::uint16_t, std::uint16_t>> vlan_map;  // from -> to
    bool vlan_strip = false;
    std::optional<VlanTci> vlan_add;
    std::optional<MacAddress> destination;
    bool destination_unicast_only = true;

    bool empty() const {
        return vlan_map.empty() && !vlan_strip && !vlan_add && !destination;
    }
};

/// Applies `edits` in the documented order; returns the new length.
std::size_t apply_edits(const FrameEdits& edits, MutableBytes buf, std::size_t len);

}  // namespace caplnet::wire
