#pragma once
// The receive-side gate in front of lwIP: every frame is checked here before the driver hands it
// to the stack, because Debian's lwIP is built without statistics and with live LWIP_ASSERTs.
// A frame that fails gets exactly one DropReason, which the driver counts and then drops it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "netif/wire/bytes.hpp"
#include "netif/wire/ethernet.hpp"
#include "netif/wire/mac_address.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::wire {

/// Why check_frame() rejected a frame. One reason per frame: the first failed check in the order
/// Ethernet, 802.1Q, size, L3 header, L3 addresses, extension headers, transport.
enum class DropReason {
    // Ethernet and 802.1Q
    TruncatedEthernet,  // fewer than 14 bytes
    LlcFrame,           // type field < 0x0600: an IEEE 802.3 length (LLC), not an EtherType
    TruncatedVlanTag,   // 0x8100 without the 2-byte TCI and the inner EtherType
    StackedVlanTag,     // 802.1ad S-tag (0x88a8, legacy 0x9100) or a second tag inside 0x8100
    ReservedVlanId,     // IEEE 802.1Q Table 9-2: VID 0xFFF is reserved and must not be used
    Oversized,          // longer than max_frame_len (+4 when tagged)
    // IPv4 (RFC 791)
    TruncatedIpv4,        // header cut, or total length beyond the frame
    BadIpv4Version,       // version field is not 4 under EtherType 0x0800
    BadIpv4HeaderLength,  // IHL < 5, or IHL*4 > total length
    BadIpv4TotalLength,   // total length < 20
    BadIpv4Checksum,
    BadIpv4Options,   // an option without length, with length < 2, or past the header
    BadIpv4Fragment,  // MF fragment not a multiple of 8 octets, or past 65535 (ping of death)
    BadIpv4Source,    // multicast or limited-broadcast source (RFC 1122 §3.2.1.3)
    // IPv6 (RFC 8200)
    TruncatedIpv6,           // header cut, or payload length beyond the frame
    BadIpv6Version,          // version field is not 6 under EtherType 0x86dd
    BadIpv6ExtensionHeader,  // extension header or option past the payload; Hop-by-Hop not first
    BadIpv6Source,           // multicast source (RFC 4291 §2.7)
    // IPv4 and IPv6
    MulticastMacMismatch,  // IP multicast destination in a frame to another MAC (RFC 1112, 2464)
    // UDP (RFC 768)
    TruncatedUdp,         // fewer than 8 bytes of UDP header in the datagram
    BadUdpLength,         // UDP length < 8 or beyond the IP payload
    BadUdpChecksum,
    ZeroUdpChecksumIpv6,  // RFC 8200 §8.1: a zero UDP checksum over IPv6 must be discarded
    // TCP (RFC 9293)
    TruncatedTcp,         // fewer than 20 bytes
    BadTcpHeaderLength,   // data offset < 5 or past the segment
    BadTcpChecksum,
    // ICMPv4 (RFC 792)
    TruncatedIcmp,  // fewer than 8 bytes
    BadIcmpChecksum,
    // IGMP (RFC 2236, RFC 3376 / RFC 9776)
    TruncatedIgmp,  // < 8 bytes, a 9..11-byte query, or counted sources/records past the end
    BadIgmpChecksum,
    BadIgmpGroup,  // a report, leave or group query for a non-multicast group
    // ICMPv6 and MLD (RFC 4443, RFC 2710, RFC 3810 / RFC 9777)
    TruncatedIcmpv6,  // fewer than 8 bytes
    BadIcmpv6Checksum,
    TruncatedMld,  // MLD message shorter than its type, or counted sources/records past the end
    BadMldGroup,   // a report, done or group query for a non-multicast address
    // ARP (RFC 826)
    TruncatedArp,  // fewer than 28 bytes
    BadArp,        // not Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4) or op not 1/2
};

inline constexpr std::array kAllDropReasons{
    DropReason::TruncatedEthernet,   DropReason::LlcFrame,
    DropReason::TruncatedVlanTag,    DropReason::StackedVlanTag,
    DropReason::ReservedVlanId,      DropReason::Oversized,
    DropReason::TruncatedIpv4,       DropReason::BadIpv4Version,
    DropReason::BadIpv4HeaderLength, DropReason::BadIpv4TotalLength,
    DropReason::BadIpv4Checksum,     DropReason::BadIpv4Options,
    DropReason::BadIpv4Fragment,     DropReason::BadIpv4Source,
    DropReason::TruncatedIpv6,       DropReason::BadIpv6Version,
    DropReason::BadIpv6ExtensionHeader, DropReason::BadIpv6Source,
    DropReason::MulticastMacMismatch, DropReason::TruncatedUdp,
    DropReason::BadUdpLength,        DropReason::BadUdpChecksum,
    DropReason::ZeroUdpChecksumIpv6, DropReason::TruncatedTcp,
    DropReason::BadTcpHeaderLength,  DropReason::BadTcpChecksum,
    DropReason::TruncatedIcmp,       DropReason::BadIcmpChecksum,
    DropReason::TruncatedIgmp,       DropReason::BadIgmpChecksum,
    DropReason::BadIgmpGroup,        DropReason::TruncatedIcmpv6,
    DropReason::BadIcmpv6Checksum,   DropReason::TruncatedMld,
    DropReason::BadMldGroup,         DropReason::TruncatedArp,
    DropReason::BadArp,
};
inline constexpr std::size_t kDropReasonCount = kAllDropReasons.size();

/// Stable kebab-case counter name, e.g. "bad-ipv4-checksum".
const char* to_string(DropReason r);

/// Untagged Ethernet frame without FCS at MTU 1500.
inline constexpr std::size_t kDefaultMaxFrameLen = 1514;

/// What a frame that passed check_frame() holds.
struct FrameInfo {
    MacAddress destination;
    MacAddress source;
    std::optional<VlanTci> vlan;  // the one 802.1Q tag, if any (VID 0 = priority tag)
    std::uint16_t ethertype = 0;  // after the tag
    std::size_t l3_offset = 0;    // 14, or 18 when tagged
    /// The L3 packet without Ethernet padding: IPv4 total length, 40 + IPv6 payload length, 28
    /// for ARP, the rest of the frame for any other EtherType.
    std::size_t l3_length = 0;
    /// IPv4 protocol, or for IPv6 the next header after Hop-by-Hop, Routing, Destination
    /// Options and Fragment headers; unset for non-IP frames.
    std::optional<std::uint8_t> transport_protocol;
    /// An IPv4 or IPv6 fragment: transport checks were skipped (reassembly is the stack's job).
    bool fragment = false;

    Bytes l3(Bytes frame) const { return frame.subspan(l3_offset, l3_length); }
};

/// Checks one received Ethernet frame (no FCS) that may carry one 802.1Q tag. `max_frame_len` is
/// the largest untagged frame accepted (kDefaultMaxFrameLen for MTU 1500); a tagged frame may be
/// 4 bytes longer. EtherTypes other than IPv4, IPv6 and ARP pass unexamined. Frames shorter than
/// 60 bytes pass (a tap on the sender's side sees them unpadded) and so do padded ones (the
/// padding is ignored). Never reads outside `frame`.
Expected<FrameInfo, DropReason> check_frame(Bytes frame,
                                            std::size_t max_frame_len = kDefaultMaxFrameLen);

}  // namespace caplnet::wire
