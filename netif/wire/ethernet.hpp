#pragma once
// Ethernet II with an optional IEEE 802.1Q tag: the only link framing caplnet speaks.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "netif/wire/bytes.hpp"
#include "netif/wire/mac_address.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::wire {

namespace ethertype {
inline constexpr std::uint16_t kIpv4 = 0x0800;
inline constexpr std::uint16_t kArp = 0x0806;
inline constexpr std::uint16_t kVlan = 0x8100;  // IEEE 802.1Q C-tag TPID
inline constexpr std::uint16_t kQinQ = 0x88a8;  // IEEE 802.1ad S-tag TPID
inline constexpr std::uint16_t kIpv6 = 0x86dd;
}  // namespace ethertype

inline constexpr std::size_t kEthernetHeaderLen = 14;
inline constexpr std::size_t kVlanTagLen = 4;
inline constexpr std::size_t kMinFrameLen = 60;  // without FCS; shorter frames are padded on send
inline constexpr std::uint16_t kMaxVlanId = 4094;

/// 802.1Q Tag Control Information: PCP (3 bits), DEI (1 bit), VID (12 bits).
struct VlanTci {
    std::uint8_t priority = 0;  // PCP 0..7
    bool drop_eligible = false;
    std::uint16_t vlan_id = 0;  // 0..4095; all 12 bits are kept (vdeplug4 masks to 10)

    static VlanTci from_u16(std::uint16_t v) {
        return {static_cast<std::uint8_t>(v >> 13), ((v >> 12) & 1U) != 0,
                static_cast<std::uint16_t>(v & 0x0fffU)};
    }
    std::uint16_t to_u16() const {
        return static_cast<std::uint16_t>(((priority & 7U) << 13) | (drop_eligible ? 1U << 12 : 0U) |
                                          (vlan_id & 0x0fffU));
    }
    friend bool operator==(const VlanTci&, const VlanTci&) = default;
};

/// A bounds-checked view of one Ethernet frame (no FCS). `of()` checks the fixed header and, when
/// the first ethertype is 802.1Q, that the tag and the inner ethertype are present.
class EthernetView {
public:
    static Expected<EthernetView, WireError> of(Bytes frame);

    MacAddress destination() const;
    MacAddress source() const;
    std::optional<VlanTci> vlan() const;
    /// The ethertype after any 802.1Q tag.
    std::uint16_t ethertype() const;
    std::size_t header_len() const { return header_len_; }
    Bytes payload() const { return bytes_.subspan(header_len_); }
    Bytes bytes() const { return bytes_; }

private:
    struct Off {
        static constexpr std::size_t kDst = 0, kSrc = 6, kType = 12, kTci = 14, kInnerType = 16;
    };
    EthernetView(Bytes b, std::size_t header_len) : bytes_(b), header_len_(header_len) {}
    Bytes bytes_;
    std::size_t header_len_;
};

/// Writes `frame` with an 802.1Q tag inserted after the source MAC into `out`, which must hold
/// frame.size() + 4 bytes. Returns the bytes written, or 0 if `frame` has no Ethernet header.
std::size_t emit_tagged(Bytes frame, VlanTci tci, MutableBytes out);

/// Writes `frame` without its outer 802.1Q tag into `out` (frame.size() - 4 bytes). Returns the
/// bytes written, or 0 if the frame carries no tag.
std::size_t emit_untagged(Bytes frame, MutableBytes out);

/// Writes a 14-byte Ethernet II header.
void emit_ethernet_header(MutableBytes out, const MacAddress& dst, const MacAddress& src,
                          std::uint16_t type);

}  // namespace caplnet::wire
