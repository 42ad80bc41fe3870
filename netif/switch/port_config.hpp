#pragma once
// How one switch port treats 802.1Q tags: an access port (one VLAN, untagged on the wire) or a
// trunk (a set of VLANs, tagged on the wire, plus optionally the untagged LAN).
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "netif/wire/ethernet.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::netif {

/// The LAN a frame belongs to inside the switch: 1..4094 for an 802.1Q VLAN, or kUntaggedLan
/// for the LAN of untagged frames on trunks. VID 0 never names a VLAN on the wire (802.1Q: it
/// marks a priority-tagged frame), so it can stand for the untagged LAN without clashing.
using LanId = std::uint16_t;
inline constexpr LanId kUntaggedLan = 0;
inline constexpr std::size_t kLanCount = 4096;

/// Why an ingress frame was refused by a port's VLAN rules.
enum class IngressVerdict {
    Accept,
    TaggedOnAccess,
    VlanNotAllowed,
    UntaggedNotAllowed,
    ReservedVid
};

struct PortConfig {
    enum class Mode { Access, Trunk };

    Mode mode = Mode::Trunk;
    /// LANs this port belongs to (bit kUntaggedLan = the untagged LAN).
    std::bitset<kLanCount> members;
    /// The LAN untagged (and priority-tagged, VID 0) ingress frames join; frames of this LAN
    /// leave the port untagged. nullopt: untagged frames are dropped.
    std::optional<LanId> pvid;

    /// access=V: VLAN V only, untagged on the wire; tagged ingress frames are dropped.
    static PortConfig access(std::uint16_t vlan);
    /// trunk=all: every VLAN 1..4094 tagged, plus the untagged LAN. What unconfigured ports are.
    static PortConfig trunk_all();
    /// trunk=LIST: the listed VLANs tagged, plus the untagged LAN.
    template <class Range>
    static PortConfig trunk(const Range& vlans) {
        PortConfig c;
        c.mode = Mode::Trunk;
        c.members.set(kUntaggedLan);
        c.pvid = kUntaggedLan;
        for (auto v : vlans) {
            c.members.set(static_cast<std::size_t>(v) & 0xfffU);
        }
        return c;
    }

    bool is_member(LanId lan) const { return members.test(lan); }
    /// Whether a frame of `lan` leaves this port with a tag.
    bool egress_tagged(LanId lan) const { return !(pvid && *pvid == lan) && lan != kUntaggedLan; }
    /// Classifies an ingress frame by its tag (nullopt = untagged); sets `lan` when accepted.
    IngressVerdict classify(const std::optional<wire::VlanTci>& tag, LanId& lan) const;

    /// The config in the CLI syntax, e.g. "access=10", "trunk=10,20-22/untagged=drop".
    std::string to_string() const;
};

/// Parses a CLI port spec:
///   N:access=V                       VLAN V untagged (V in 1..4094)
///   N:trunk=all | N:trunk=V,V-V,...  tagged VLANs, plus the untagged LAN
///   ... /untagged=drop               (trunk) drop untagged frames
///   ... /native=V                    (trunk) untagged frames belong to VLAN V, which leaves
///   untagged
/// N is the port number (1..65535). Errors are messages for the user.
Expected<std::pair<unsigned, PortConfig>, std::string> parse_port_config(std::string_view spec);

}  // namespace caplnet::netif
