#include "netif/wire/frame_check.hpp"

#include "netif/wire/arp.hpp"
#include "netif/wire/checksum.hpp"
#include "netif/wire/icmp.hpp"
#include "netif/wire/ipv4.hpp"
#include "netif/wire/ipv6.hpp"

namespace caplnet::wire {

const char* to_string(DropReason r) {
    switch (r) {
    case DropReason::TruncatedEthernet: return "truncated-ethernet";
    case DropReason::LlcFrame: return "llc-frame";
    case DropReason::TruncatedVlanTag: return "truncated-vlan-tag";
    case DropReason::StackedVlanTag: return "stacked-vlan-tag";
    case DropReason::ReservedVlanId: return "reserved-vlan-id";
    case DropReason::Oversized: return "oversized";
    case DropReason::TruncatedIpv4: return "truncated-ipv4";
    case DropReason::BadIpv4Version: return "bad-ipv4-version";
    case DropReason::BadIpv4HeaderLength: return "bad-ipv4-header-length";
    case DropReason::BadIpv4TotalLength: return "bad-ipv4-total-length";
    case DropReason::BadIpv4Checksum: return "bad-ipv4-checksum";
    case DropReason::BadIpv4Options: return "bad-ipv4-options";
    case DropReason::BadIpv4Fragment: return "bad-ipv4-fragment";
    case DropReason::BadIpv4Source: return "bad-ipv4-source";
    case DropReason::TruncatedIpv6: return "truncated-ipv6";
    case DropReason::BadIpv6Version: return "bad-ipv6-version";
    case DropReason::BadIpv6ExtensionHeader: return "bad-ipv6-extension-header";
    case DropReason::BadIpv6Source: return "bad-ipv6-source";
    case DropReason::MulticastMacMismatch: return "multicast-mac-mismatch";
    case DropReason::TruncatedUdp: return "truncated-udp";
    case DropReason::BadUdpLength: return "bad-udp-length";
    case DropReason::BadUdpChecksum: return "bad-udp-checksum";
    case DropReason::ZeroUdpChecksumIpv6: return "zero-udp-checksum-ipv6";
    case DropReason::TruncatedTcp: return "truncated-tcp";
    case DropReason::BadTcpHeaderLength: return "bad-tcp-header-length";
    case DropReason::BadTcpChecksum: return "bad-tcp-checksum";
    case DropReason::TruncatedIcmp: return "truncated-icmp";
    case DropReason::BadIcmpChecksum: return "bad-icmp-checksum";
    case DropReason::TruncatedIgmp: return "truncated-igmp";
    case DropReason::BadIgmpChecksum: return "bad-igmp-checksum";
    case DropReason::BadIgmpGroup: return "bad-igmp-group";
    case DropReason::TruncatedIcmpv6: return "truncated-icmpv6";
    case DropReason::BadIcmpv6Checksum: return "bad-icmpv6-checksum";
    case DropReason::TruncatedMld: return "truncated-mld";
    case DropReason::BadMldGroup: return "bad-mld-group";
    case DropReason::TruncatedArp: return "truncated-arp";
    case DropReason::BadArp: return "bad-arp";
    }
    return "unknown";  // r held a value outside the enum
}

namespace {

constexpr std::uint16_t kLegacyQinQ = 0x9100;  // pre-802.1ad S-tag TPID, still seen in the field
constexpr std::uint16_t kMinEthertype = 0x0600;  // IEEE 802.3 §3.2.6: below this it is a length
constexpr std::uint16_t kReservedVid = 0x0fff;
constexpr std::size_t kUdpHeaderLen = 8;
constexpr std::size_t kTcpMinHeaderLen = 20;
constexpr std::size_t kIcmpMinLen = 8;  // every ICMP/ICMPv6 message type has 8 header octets
constexpr std::size_t kIgmpMinLen = 8;
constexpr std::size_t kMldV1Len = 24;
constexpr std::size_t kMldV2QueryMinLen = 28;
constexpr std::size_t kMaxIpv6ExtensionHeaders = 8;

bool is_tag_tpid(std::uint16_t t) {
    return t == ethertype::kVlan || t == ethertype::kQinQ || t == kLegacyQinQ;
}

Ipv4Address ipv4_at(Bytes b, std::size_t off) {
    return Ipv4Address{{b[off], b[off + 1], b[off + 2], b[off + 3]}};
}

bool ipv6_multicast_at(Bytes b, std::size_t off) { return b[off] == 0xff; }
bool ipv6_unspecified_at(Bytes b, std::size_t off) {
    for (std::size_t i = 0; i < 16; ++i) {
        if (b[off + i] != 0) {
            return false;
        }
    }
    return true;
}

using Verdict = std::optional<DropReason>;  // nullopt: passed

// ---- transport checks shared by IPv4 and IPv6 ---------------------------------------------------

// RFC 768: "Length is the length in octets of this user datagram including this header and the
// data. (This means the minimum value of the length is eight.)" The checksum covers the UDP
// length; octets after it in the IP payload are not part of the datagram.
template <class PseudoSum>
Verdict check_udp(Bytes payload, bool ipv6, PseudoSum&& upper_checksum) {
    if (payload.size() < kUdpHeaderLen) {
        return DropReason::TruncatedUdp;
    }
    const std::size_t ulen = read_be16(payload, 4);
    if (ulen < kUdpHeaderLen || ulen > payload.size()) {
        return DropReason::BadUdpLength;
    }
    if (read_be16(payload, 6) == 0) {
        // RFC 768: an all-zero checksum means none was computed (IPv4). RFC 8200 §8.1: "IPv6
        // receivers must discard UDP packets containing a zero checksum".
        return ipv6 ? Verdict{DropReason::ZeroUdpChecksumIpv6} : Verdict{};
    }
    if (upper_checksum(payload.first(ulen)) != 0) {
        return DropReason::BadUdpChecksum;
    }
    return std::nullopt;
}

template <class PseudoSum>
Verdict check_tcp(Bytes payload, PseudoSum&& upper_checksum) {
    if (payload.size() < kTcpMinHeaderLen) {
        return DropReason::TruncatedTcp;
    }
    const std::size_t data_offset = (std::size_t{payload[12]} >> 4) * 4;
    if (data_offset < kTcpMinHeaderLen || data_offset > payload.size()) {
        return DropReason::BadTcpHeaderLength;
    }
    if (upper_checksum(payload) != 0) {
        return DropReason::BadTcpChecksum;
    }
    return std::nullopt;
}

// ---- IGMP -------------------------------------------------------------------------------------

namespace igmp_type {
constexpr std::uint8_t kQuery = 0x11;
constexpr std::uint8_t kV1Report = 0x12;
constexpr std::uint8_t kV2Report = 0x16;
constexpr std::uint8_t kV2Leave = 0x17;
constexpr std::uint8_t kV3Report = 0x22;
}  // namespace igmp_type

Verdict check_igmp(Bytes m) {
    if (m.size() < kIgmpMinLen) {
        return DropReason::TruncatedIgmp;
    }
    // RFC 2236 §2.3: the checksum covers the whole IGMP message (the IP payload).
    if (!internet_checksum_valid(m)) {
        return DropReason::BadIgmpChecksum;
    }
    const auto group_ok = [&](std::size_t off) {
        const Ipv4Address g = ipv4_at(m, off);
        return g.is_multicast();
    };
    switch (m[0]) {
    case igmp_type::kQuery: {
        // RFC 3376 §7.1 (RFC 9776 §7.1): 8 octets is a v1/v2 query, >= 12 a v3 query, and
        // "Query messages that do not match any of the above conditions (e.g., a Query of length
        // 10 octets) MUST be silently ignored."
        if (m.size() > kIgmpMinLen && m.size() < 12) {
            return DropReason::TruncatedIgmp;
        }
        if (!ipv4_at(m, 4).is_unspecified() && !group_ok(4)) {
            return DropReason::BadIgmpGroup;
        }
        if (m.size() >= 12 && 12 + std::size_t{read_be16(m, 10)} * 4 > m.size()) {
            return DropReason::TruncatedIgmp;
        }
        return std::nullopt;
    }
    case igmp_type::kV1Report:
    case igmp_type::kV2Report:
    case igmp_type::kV2Leave:
        return group_ok(4) ? Verdict{} : Verdict{DropReason::BadIgmpGroup};
    case igmp_type::kV3Report: {
        // RFC 3376 §4.2 (RFC 9776 §4.2): Number of Group Records, then each record: type, aux
        // data len (32-bit words), number of sources, multicast address, sources, aux data.
        const std::size_t records = read_be16(m, 6);
        std::size_t off = 8;
        for (std::size_t r = 0; r < records; ++r) {
            if (off + 8 > m.size()) {
                return DropReason::TruncatedIgmp;
            }
            const std::size_t len =
                8 + std::size_t{read_be16(m, off + 2)} * 4 + std::size_t{m[off + 1]} * 4;
            if (off + len > m.size()) {
                return DropReason::TruncatedIgmp;
            }
            if (!group_ok(off + 4)) {
                return DropReason::BadIgmpGroup;
            }
            off += len;
        }
        return std::nullopt;
    }
    default:
        return std::nullopt;  // other types (e.g. DVMRP, mtrace) are not ours to judge
    }
}

// ---- MLD (inside ICMPv6) ----------------------------------------------------------------------

Verdict check_mld(Bytes m) {
    switch (m[0]) {
    case icmpv6_type::kMldQuery: {
        // RFC 3810 §8.1 (RFC 9777 §8.1): 24 octets is an MLDv1 query, >= 28 an MLDv2 query;
        // other lengths are invalid.
        if (m.size() < kMldV1Len || (m.size() > kMldV1Len && m.size() < kMldV2QueryMinLen)) {
            return DropReason::TruncatedMld;
        }
        if (!ipv6_unspecified_at(m, 8) && !ipv6_multicast_at(m, 8)) {
            return DropReason::BadMldGroup;
        }
        if (m.size() >= kMldV2QueryMinLen &&
            kMldV2QueryMinLen + std::size_t{read_be16(m, 26)} * 16 > m.size()) {
            return DropReason::TruncatedMld;
        }
        return std::nullopt;
    }
    case icmpv6_type::kMldV1Report:
    case icmpv6_type::kMldV1Done:
        if (m.size() < kMldV1Len) {
            return DropReason::TruncatedMld;
        }
        return ipv6_multicast_at(m, 8) ? Verdict{} : Verdict{DropReason::BadMldGroup};
    case icmpv6_type::kMldV2Report: {
        // RFC 3810 §5.2 (RFC 9777 §5.2): Nr of Mcast Address Records at offset 6, then records of
        // type, aux data len, number of sources, address (16), sources (16 each), aux data.
        const std::size_t records = read_be16(m, 6);
        std::size_t off = 8;
        for (std::size_t r = 0; r < records; ++r) {
            if (off + 20 > m.size()) {
                return DropReason::TruncatedMld;
            }
            const std::size_t len =
                20 + std::size_t{read_be16(m, off + 2)} * 16 + std::size_t{m[off + 1]} * 4;
            if (off + len > m.size()) {
                return DropReason::TruncatedMld;
            }
            if (!ipv6_multicast_at(m, off + 4)) {
                return DropReason::BadMldGroup;
            }
            off += len;
        }
        return std::nullopt;
    }
    default:
        return std::nullopt;
    }
}

// ---- IPv4 -------------------------------------------------------------------------------------

Verdict check_ipv4(Bytes l3, const MacAddress& eth_dst, FrameInfo& info) {
    if (l3.size() < kIpv4MinHeaderLen) {
        return DropReason::TruncatedIpv4;
    }
    if ((l3[0] >> 4) != 4) {
        return DropReason::BadIpv4Version;
    }
    const std::size_t hlen = std::size_t{l3[0] & 0x0fU} * 4;
    const std::size_t total = read_be16(l3, 2);
    if (hlen < kIpv4MinHeaderLen) {
        return DropReason::BadIpv4HeaderLength;
    }
    if (total < kIpv4MinHeaderLen) {
        return DropReason::BadIpv4TotalLength;
    }
    if (hlen > total) {
        return DropReason::BadIpv4HeaderLength;
    }
    // Linux counts this as InTruncatedPkts, whether the frame or the length field is at fault.
    if (total > l3.size()) {
        return DropReason::TruncatedIpv4;
    }
    const auto view = Ipv4View::of(l3);
    if (!view) {
        return DropReason::TruncatedIpv4;  // unreachable: the checks above are of()'s
    }
    info.l3_length = total;
    info.transport_protocol = view->protocol();
    if (!view->header_checksum_valid()) {
        return DropReason::BadIpv4Checksum;
    }
    if (!view->options_well_formed()) {
        return DropReason::BadIpv4Options;
    }
    const Ipv4Address src = view->source();
    const Ipv4Address dst = view->destination();
    if (src.is_multicast() || src.is_broadcast()) {
        return DropReason::BadIpv4Source;
    }
    if (dst.is_multicast() && eth_dst != dst.multicast_mac()) {
        return DropReason::MulticastMacMismatch;
    }
    const Bytes payload = view->payload();
    if (view->is_fragment()) {
        info.fragment = true;
        // RFC 791: every fragment but the last carries a multiple of 8 octets; the reassembled
        // datagram cannot exceed 65535 octets.
        if ((view->more_fragments() && (payload.empty() || payload.size() % 8 != 0)) ||
            std::size_t{view->fragment_offset()} * 8 + payload.size() + hlen > 0xffff) {
            return DropReason::BadIpv4Fragment;
        }
        return std::nullopt;
    }
    const auto upper = [&](Bytes m) {
        return ipv4_upper_layer_checksum(src, dst, view->protocol(), m);
    };
    switch (view->protocol()) {
    case ip_protocol::kUdp: return check_udp(payload, false, upper);
    case ip_protocol::kTcp: return check_tcp(payload, upper);
    case ip_protocol::kIcmp:
        if (payload.size() < kIcmpMinLen) {
            return DropReason::TruncatedIcmp;
        }
        return icmpv4_checksum_valid(payload) ? Verdict{} : Verdict{DropReason::BadIcmpChecksum};
    case ip_protocol::kIgmp: return check_igmp(payload);
    default: return std::nullopt;
    }
}

// ---- IPv6 -------------------------------------------------------------------------------------

// RFC 8200 §4.2: TLV-encoded options; Pad1 is the only option without a length octet.
bool ipv6_options_well_formed(Bytes opts) {
    std::size_t i = 0;
    while (i < opts.size()) {
        if (opts[i] == 0) {
            ++i;
            continue;
        }
        if (i + 2 > opts.size() || i + 2 + opts[i + 1] > opts.size()) {
            return false;
        }
        i += 2 + std::size_t{opts[i + 1]};
    }
    return true;
}

Verdict check_ipv6(Bytes l3, const MacAddress& eth_dst, FrameInfo& info) {
    if (l3.size() < kIpv6HeaderLen) {
        return DropReason::TruncatedIpv6;
    }
    if ((l3[0] >> 4) != 6) {
        return DropReason::BadIpv6Version;
    }
    const auto view = Ipv6View::of(l3);
    if (!view) {
        return DropReason::TruncatedIpv6;  // payload length beyond the frame
    }
    info.l3_length = view->bytes().size();
    const Ipv6Address src = view->source();
    const Ipv6Address dst = view->destination();
    if (src.is_multicast()) {
        return DropReason::BadIpv6Source;
    }
    if (dst.is_multicast() && eth_dst != dst.multicast_mac()) {
        return DropReason::MulticastMacMismatch;
    }
    const Bytes payload = view->payload();
    std::uint8_t next = view->next_header();
    std::size_t off = 0;
    for (std::size_t n = 0;; ++n) {
        if (n > kMaxIpv6ExtensionHeaders) {
            return DropReason::BadIpv6ExtensionHeader;
        }
        if (next == ip_protocol::kHopByHop || next == ip_protocol::kIpv6Routing ||
            next == ip_protocol::kIpv6DestinationOptions) {
            // RFC 8200 §4.3: "The Hop-by-Hop Options header ... is restricted to appear
            // immediately after an IPv6 header."
            if (next == ip_protocol::kHopByHop && n != 0) {
                return DropReason::BadIpv6ExtensionHeader;
            }
            if (off + 2 > payload.size()) {
                return DropReason::BadIpv6ExtensionHeader;
            }
            const std::size_t len = (std::size_t{payload[off + 1]} + 1) * 8;
            if (off + len > payload.size()) {
                return DropReason::BadIpv6ExtensionHeader;
            }
            if (next != ip_protocol::kIpv6Routing &&
                !ipv6_options_well_formed(payload.subspan(off + 2, len - 2))) {
                return DropReason::BadIpv6ExtensionHeader;
            }
            next = payload[off];
            off += len;
            continue;
        }
        if (next == ip_protocol::kIpv6Fragment) {
            if (off + 8 > payload.size()) {
                return DropReason::BadIpv6ExtensionHeader;
            }
            const std::uint16_t offset_flags = read_be16(payload, off + 2);
            next = payload[off];
            off += 8;
            // RFC 8200 §4.5: offset 0 with M clear is an atomic fragment, a whole packet.
            if ((offset_flags & 0xfff9U) != 0) {
                info.transport_protocol = next;
                info.fragment = true;
                return std::nullopt;
            }
            continue;
        }
        break;
    }
    info.transport_protocol = next;
    const Bytes upper_bytes = payload.subspan(off);
    const auto upper = [&](Bytes m) { return ipv6_upper_layer_checksum(src, dst, next, m); };
    switch (next) {
    case ip_protocol::kUdp: return check_udp(upper_bytes, true, upper);
    case ip_protocol::kTcp: return check_tcp(upper_bytes, upper);
    case ip_protocol::kIcmpv6:
        if (upper_bytes.size() < kIcmpMinLen) {
            return DropReason::TruncatedIcmpv6;
        }
        if (!icmpv6_checksum_valid(src, dst, upper_bytes)) {
            return DropReason::BadIcmpv6Checksum;
        }
        return check_mld(upper_bytes);
    default: return std::nullopt;
    }
}

Verdict check_arp(Bytes l3, FrameInfo& info) {
    const auto view = ArpView::of(l3);
    if (!view) {
        return view.error() == WireError::Truncated ? DropReason::TruncatedArp : DropReason::BadArp;
    }
    info.l3_length = kArpLen;
    return std::nullopt;
}

}  // namespace

Expected<FrameInfo, DropReason> check_frame(Bytes frame, std::size_t max_frame_len) {
    if (frame.size() < kEthernetHeaderLen) {
        return unexpected(DropReason::TruncatedEthernet);
    }
    const std::uint16_t outer = read_be16(frame, 12);
    if (outer == ethertype::kQinQ || outer == kLegacyQinQ) {
        return unexpected(DropReason::StackedVlanTag);
    }
    bool tagged = false;
    if (outer == ethertype::kVlan) {
        if (frame.size() < kEthernetHeaderLen + kVlanTagLen) {
            return unexpected(DropReason::TruncatedVlanTag);
        }
        if (is_tag_tpid(read_be16(frame, 16))) {
            return unexpected(DropReason::StackedVlanTag);
        }
        if ((read_be16(frame, 14) & 0x0fffU) == kReservedVid) {
            return unexpected(DropReason::ReservedVlanId);
        }
        tagged = true;
    }
    if (frame.size() > max_frame_len + (tagged ? kVlanTagLen : 0)) {
        return unexpected(DropReason::Oversized);
    }
    const auto eth = EthernetView::of(frame);
    if (!eth) {
        return unexpected(DropReason::TruncatedEthernet);  // unreachable: checked above
    }
    FrameInfo info;
    info.destination = eth->destination();
    info.source = eth->source();
    info.vlan = eth->vlan();
    info.ethertype = eth->ethertype();
    info.l3_offset = eth->header_len();
    const Bytes l3 = eth->payload();
    info.l3_length = l3.size();
    if (info.ethertype < kMinEthertype) {
        return unexpected(DropReason::LlcFrame);
    }
    Verdict v;
    switch (info.ethertype) {
    case ethertype::kIpv4: v = check_ipv4(l3, info.destination, info); break;
    case ethertype::kIpv6: v = check_ipv6(l3, info.destination, info); break;
    case ethertype::kArp: v = check_arp(l3, info); break;
    default: break;  // lwIP ignores EtherTypes it does not know; so does this check
    }
    if (v) {
        return unexpected(*v);
    }
    return info;
}

}  // namespace caplnet::wire
