#include "netif/wire/group_packet.hpp"

#include <algorithm>
#include <iterator>
#include <type_traits>
#include <utility>
#include <variant>

namespace caplnet::wire {

namespace {

// RFC 2113 §2.1: type 148 (copied, class 0, number 20), length 4, value 0 ("Router shall examine
// packet").
constexpr std::uint8_t kIpv4RouterAlert = 0x94;
// RFC 2711 §2.1: Hop-by-Hop option type 5, length 2, value 0 = "Datagram contains a Multicast
// Listener Discovery message".
constexpr std::uint8_t kIpv6RouterAlert = 0x05;
constexpr std::uint8_t kPad1 = 0x00;
constexpr std::uint8_t kPadN = 0x01;
constexpr std::size_t kHopByHopLen = 8;

bool has_ipv4_router_alert(Bytes options) {
    // NOTE(bounds): the caller checked Ipv4View::options_well_formed(), so every option with a
    // length stays inside `options`.
    std::size_t i = 0;
    while (i < options.size()) {
        const std::uint8_t type = options[i];
        if (type == 0) {  // End of Option List
            return false;
        }
        if (type == 1) {  // No Operation
            ++i;
            continue;
        }
        const std::size_t len = options[i + 1];
        if (type == kIpv4RouterAlert && len == 4) {
            return true;
        }
        i += len;
    }
    return false;
}

}  // namespace

Ipv4Address igmp_destination(const IgmpMessage& m) {
    return std::visit(
        [](const auto& msg) -> Ipv4Address {
            using M = std::decay_t<decltype(msg)>;
            if constexpr (std::is_same_v<M, IgmpQuery>) {
                return msg.is_general() ? kAllSystemsV4 : msg.group_address;
            } else if constexpr (std::is_same_v<M, IgmpV2Leave>) {
                // RFC 2236 §3: "sends a Leave Group message to the all-routers multicast group".
                return kAllRoutersV4;
            } else if constexpr (std::is_same_v<M, IgmpV3Report>) {
                // RFC 3376 §4.2.14: "sent with an IP destination address of 224.0.0.22".
                return kAllIgmpV3RoutersV4;
            } else {
                return msg.group_address;  // v1/v2 reports go to the group reported
            }
        },
        m.body);
}

Ipv6Address mld_destination(const MldMessage& m) {
    return std::visit(
        [](const auto& msg) -> Ipv6Address {
            using M = std::decay_t<decltype(msg)>;
            if constexpr (std::is_same_v<M, MldQuery>) {
                return msg.is_general() ? kAllNodesV6 : msg.multicast_address;
            } else if constexpr (std::is_same_v<M, MldV1Done>) {
                // RFC 2710 §4: "send a single Done message to the link-scope all-routers
                // multicast address (FF02::2)". lwIP 2.1.3 sends it to the group instead (F5).
                return kAllRoutersV6;
            } else if constexpr (std::is_same_v<M, MldV2Report>) {
                // RFC 3810 §5.2.14: "sent with a valid IPv6 link-local source address, or the
                // unspecified address (::) ... to the link-scope all MLDv2-capable routers
                // multicast address (FF02::16)".
                return kAllMldV2RoutersV6;
            } else {
                return msg.multicast_address;  // v1 reports go to the address reported
            }
        },
        m.body);
}

std::vector<std::uint8_t> igmp_packet(const Ipv4Address& src, const Ipv4Address& dst,
                                      const IgmpMessage& m, std::uint16_t identification) {
    const std::size_t len = m.size();
    if (kIgmpIpHeaderLen + len > 0xffff) {
        return {};
    }
    Ipv4Header h;
    h.tos = kIgmpTos;
    h.identification = identification;
    h.ttl = kGroupPacketTtl;
    h.protocol = ip_protocol::kIgmp;
    h.source = src;
    h.destination = dst;
    // RFC 2236 §2 and RFC 3376 §4: every IGMP message carries the IP Router Alert option.
    h.options = Ipv4Header::router_alert_option();
    h.payload_length = static_cast<std::uint16_t>(len);
    std::vector<std::uint8_t> out(kIgmpIpHeaderLen + len);
    if (h.emit(out) != kIgmpIpHeaderLen ||
        m.emit(MutableBytes(out).subspan(kIgmpIpHeaderLen)) != len) {
        return {};
    }
    return out;
}

std::vector<std::uint8_t> mld_packet(const Ipv6Address& src, const Ipv6Address& dst,
                                     const MldMessage& m) {
    const std::size_t len = m.size();
    if (kHopByHopLen + len > 0xffff) {
        return {};
    }
    Ipv6Header h;
    h.next_header = ip_protocol::kHopByHop;
    // RFC 2710 §3: "sent with a link-local IPv6 Source Address, an IPv6 Hop Limit of 1, and an
    // IPv6 Router Alert option in a Hop-by-Hop Options header".
    h.hop_limit = kGroupPacketTtl;
    h.source = src;
    h.destination = dst;
    h.payload_length = static_cast<std::uint16_t>(kHopByHopLen + len);
    std::vector<std::uint8_t> out(kMldIpHeaderLen + len);
    if (h.emit(out) != kIpv6HeaderLen) {
        return {};
    }
    // clang-format off
    const std::uint8_t hop_by_hop[kHopByHopLen] = {
        ip_protocol::kIcmpv6,  // next header 58
        0x00,                  // Hdr Ext Len: (0 + 1) * 8 octets
        kIpv6RouterAlert,      // option type 5
        0x02,                  // option length 2
        0x00, 0x00,            // value 0: MLD
        kPadN,                 // PadN ...
        0x00,                  // ... of 0 octets, to the 8-octet boundary (RFC 8200 §4.2)
    };
    // clang-format on
    std::copy(std::begin(hop_by_hop), std::end(hop_by_hop), out.begin() + kIpv6HeaderLen);
    if (m.emit(MutableBytes(out).subspan(kMldIpHeaderLen), src, dst) != len) {
        return {};
    }
    return out;
}

Expected<IgmpPacket, WireError> parse_igmp_packet(Bytes ipv4_datagram) {
    const auto ip = Ipv4View::of(ipv4_datagram);
    if (!ip) {
        return unexpected(ip.error());
    }
    if (!ip->header_checksum_valid()) {
        return unexpected(WireError::BadChecksum);
    }
    if (!ip->options_well_formed()) {
        return unexpected(WireError::BadField);
    }
    if (ip->protocol() != ip_protocol::kIgmp || ip->is_fragment()) {
        return unexpected(WireError::Unsupported);
    }
    auto msg = IgmpMessage::parse(ip->payload());
    if (!msg) {
        return unexpected(msg.error());
    }
    return IgmpPacket{ip->source(),
                      ip->destination(),
                      ip->ttl(),
                      ip->tos(),
                      has_ipv4_router_alert(ip->options()),
                      std::move(*msg)};
}

Expected<MldPacket, WireError> parse_mld_packet(Bytes ipv6_packet) {
    const auto ip = Ipv6View::of(ipv6_packet);
    if (!ip) {
        return unexpected(ip.error());
    }
    Bytes upper = ip->payload();
    std::uint8_t next = ip->next_header();
    bool router_alert = false;
    if (next == ip_protocol::kHopByHop) {
        if (upper.size() < 2) {
            return unexpected(WireError::Truncated);
        }
        const std::size_t hlen = (std::size_t{upper[1]} + 1) * 8;
        if (hlen > upper.size()) {
            return unexpected(WireError::Truncated);
        }
        // RFC 8200 §4.2: TLV options after the two header octets; Pad1 is a lone zero octet.
        const Bytes opts = upper.subspan(2, hlen - 2);
        std::size_t i = 0;
        while (i < opts.size()) {
            if (opts[i] == kPad1) {
                ++i;
                continue;
            }
            if (i + 2 > opts.size() || i + 2 + opts[i + 1] > opts.size()) {
                return unexpected(WireError::Truncated);
            }
            if (opts[i] == kIpv6RouterAlert && opts[i + 1] == 2 && opts[i + 2] == 0 &&
                opts[i + 3] == 0) {
                router_alert = true;
            }
            i += 2 + std::size_t{opts[i + 1]};
        }
        next = upper[0];
        upper = upper.subspan(hlen);
    }
    if (next != ip_protocol::kIcmpv6) {
        return unexpected(WireError::Unsupported);
    }
    auto msg = MldMessage::parse(upper, ip->source(), ip->destination());
    if (!msg) {
        return unexpected(msg.error());
    }
    return MldPacket{ip->source(), ip->destination(), ip->hop_limit(), router_alert,
                     std::move(*msg)};
}

}  // namespace caplnet::wire
