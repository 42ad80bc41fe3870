#pragma once
// Complete IP packets (no link header) that carry IGMP and MLD, built exactly as
// shared/reference/multicast-rfc.md §12 lists, and their receive-side counterpart. The link
// layer maps the IPv4/IPv6 destination with Ipv4Address::multicast_mac() /
// Ipv6Address::multicast_mac().
#include <cstddef>
#include <cstdint>
#include <vector>

#include "netif/wire/bytes.hpp"
#include "netif/wire/igmp.hpp"
#include "netif/wire/ipv4.hpp"
#include "netif/wire/ipv6.hpp"
#include "netif/wire/mld.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::wire {

// RFC 1112 §4 / RFC 2236 §9 / RFC 3376 §4.2.14 (RFC 9776 §4.2.15).
inline constexpr Ipv4Address kAllSystemsV4{{224, 0, 0, 1}};  // general queries; never reported
inline constexpr Ipv4Address kAllRoutersV4{{224, 0, 0, 2}};  // IGMPv2 Leave Group
inline constexpr Ipv4Address kAllIgmpV3RoutersV4{{224, 0, 0, 22}};  // IGMPv3 reports
// RFC 4291 §2.7.1 / RFC 2710 §8 / RFC 3810 §5.2.14 (RFC 9777 §5.2.15).
inline constexpr Ipv6Address kAllNodesV6{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}};
inline constexpr Ipv6Address kAllRoutersV6{
    {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02}};  // MLDv1 Done
inline constexpr Ipv6Address kAllMldV2RoutersV6{
    {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16}};  // MLDv2 reports

/// RFC 3376 §4: IGMPv3 messages go with "IP Precedence of Internetwork Control (e.g., Type of
/// Service 0xc0)". RFC 2236 sets no TOS; igmp_packet() uses 0xc0 for every version, as Linux does
/// (shared/captures/linux-igmpv2-join-leave.pcap: TOS 0xc0 on v2 reports and leaves).
inline constexpr std::uint8_t kIgmpTos = 0xc0;
/// RFC 2236 §2 / RFC 3376 §4 TTL, RFC 2710 §3 / RFC 3810 §5 hop limit.
inline constexpr std::uint8_t kGroupPacketTtl = 1;
/// IPv4 header with the Router Alert option (IHL 6).
inline constexpr std::size_t kIgmpIpHeaderLen = 24;
/// IPv6 header + 8-octet Hop-by-Hop header.
inline constexpr std::size_t kMldIpHeaderLen = 48;

/// Where a host sends the message (RFC 2236 §9, RFC 3376 §4.2.14): v1/v2 reports to the group,
/// Leave Group to 224.0.0.2, v3 reports to 224.0.0.22, general queries to 224.0.0.1, group
/// queries to the group.
Ipv4Address igmp_destination(const IgmpMessage& m);
/// RFC 2710 §8, RFC 3810 §5.1.15 / §5.2.14: v1 reports to the address reported, Done to
/// ff02::2, v2 reports to ff02::16, general queries to ff02::1, specific queries to the address.
Ipv6Address mld_destination(const MldMessage& m);

/// IPv4 datagram `src` -> `dst` carrying `m`: version 4, IHL 6, TOS 0xc0, identification as
/// given, DF and MF clear, fragment offset 0, TTL 1, protocol 2, header checksum, Router Alert
/// option 94 04 00 00 (RFC 2113), then the IGMP message with its checksum. Empty if the message
/// does not emit (IgmpMessage::emit() returned 0) or exceeds 65511 octets. `src` may be 0.0.0.0
/// (RFC 3376 §4.2.13, a host without an address yet).
std::vector<std::uint8_t> igmp_packet(const Ipv4Address& src, const Ipv4Address& dst,
                                      const IgmpMessage& m, std::uint16_t identification = 0);

/// IPv6 packet `src` -> `dst` carrying `m`: traffic class 0, flow label 0, next header 0, hop
/// limit 1; Hop-by-Hop header 3a 00 05 02 00 00 01 00 (next header 58, length 0, Router Alert
/// value 0 = MLD per RFC 2711 §2.1, PadN of 0 octets); then the ICMPv6 message with the checksum
/// over the pseudo-header of `src` -> `dst` (RFC 8200 §8.1: the final destination). Empty if the
/// message does not emit or exceeds 65527 octets. `src` should be link-local (RFC 3810 §5.2.13:
/// or :: before one exists).
std::vector<std::uint8_t> mld_packet(const Ipv6Address& src, const Ipv6Address& dst,
                                     const MldMessage& m);

/// A received IGMP datagram: the IP fields a host checks, and the message.
struct IgmpPacket {
    Ipv4Address source;
    Ipv4Address destination;
    std::uint8_t ttl = 0;
    std::uint8_t tos = 0;
    /// The Router Alert option (type 148) is present; whether to require it is the caller's call
    /// (RFC 3376 §9 discusses ignoring queries without it).
    bool router_alert = false;
    IgmpMessage message;
};

/// Parses one IPv4 datagram that carries IGMP. Truncated / BadField from Ipv4View::of(),
/// BadChecksum for the header checksum, BadField for malformed options, Unsupported for another
/// protocol or a fragment, then IgmpMessage::parse() of the payload. Does not judge TTL or the
/// Router Alert option; the caller decides.
Expected<IgmpPacket, WireError> parse_igmp_packet(Bytes ipv4_datagram);

/// A received MLD packet: the IP fields a host checks, and the message.
struct MldPacket {
    Ipv6Address source;
    Ipv6Address destination;
    std::uint8_t hop_limit = 0;
    /// A Hop-by-Hop Router Alert option with value 0 (MLD) is present. RFC 3810 §5.1.14 /
    /// §5.2.13 (and RFC 2710 §3) tell hosts to discard MLD without it, with a hop limit other
    /// than 1, or (queries) from a non-link-local source.
    bool router_alert = false;
    MldMessage message;
};

/// Parses one IPv6 packet that carries MLD, directly or after one Hop-by-Hop header. Truncated /
/// BadField from Ipv6View::of(), Truncated for a Hop-by-Hop header or option past the payload,
/// Unsupported for any other next header (or another extension header), then
/// MldMessage::parse() (Unsupported for non-MLD ICMPv6).
Expected<MldPacket, WireError> parse_mld_packet(Bytes ipv6_packet);

}  // namespace caplnet::wire
