#include "tests/support/frames.hpp"

#include <algorithm>
#include <stdexcept>

#include "netif/wire/checksum.hpp"
#include "netif/wire/icmp.hpp"

namespace caplnet::test {

wire::MacAddress mac(const char* text) {
    auto m = wire::MacAddress::parse(text);
    if (!m) throw std::invalid_argument(text);
    return *m;
}
wire::Ipv4Address ip4(const char* text) {
    auto a = wire::Ipv4Address::parse(text);
    if (!a) throw std::invalid_argument(text);
    return *a;
}
wire::Ipv6Address ip6(const char* text) {
    auto a = wire::Ipv6Address::parse(text);
    if (!a) throw std::invalid_argument(text);
    return *a;
}

namespace {
Frame with_ethernet(const wire::MacAddress& dst, const wire::MacAddress& src, std::uint16_t type,
                    std::size_t payload) {
    Frame f(std::max(wire::kEthernetHeaderLen + payload, wire::kMinFrameLen), 0);
    wire::emit_ethernet_header(f, dst, src, type);
    return f;
}

Frame udp_payload(std::uint16_t port, std::size_t payload = 16) {
    Frame udp(8 + payload, 0);
    wire::write_be16(udp, 0, 50000);
    wire::write_be16(udp, 2, port);
    wire::write_be16(udp, 4, static_cast<std::uint16_t>(udp.size()));
    for (std::size_t i = 8; i < udp.size(); ++i) udp[i] = static_cast<std::uint8_t>(i);
    return udp;
}
}  // namespace

Frame arp_request(const wire::MacAddress& src_mac, const wire::Ipv4Address& sender,
                  const wire::Ipv4Address& target) {
    Frame f = with_ethernet(wire::kBroadcastMac, src_mac, wire::ethertype::kArp, 28);
    std::uint8_t* a = f.data() + 14;
    const std::uint8_t head[] = {0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01};
    std::copy(std::begin(head), std::end(head), a);
    std::copy(src_mac.octets.begin(), src_mac.octets.end(), a + 8);
    std::copy(sender.octets.begin(), sender.octets.end(), a + 14);
    std::copy(target.octets.begin(), target.octets.end(), a + 24);
    return f;
}

Frame icmpv4_echo_request(const wire::MacAddress& dst_mac, const wire::MacAddress& src_mac,
                          const wire::Ipv4Address& src, const wire::Ipv4Address& dst,
                          std::uint8_t ttl) {
    wire::Icmpv4Echo echo{true, 0x1234, 1, Frame(32, 0xab)};
    wire::Ipv4Header ip;
    ip.ttl = ttl;
    ip.protocol = 1;
    ip.source = src;
    ip.destination = dst;
    ip.payload_length = static_cast<std::uint16_t>(echo.size());
    Frame f = with_ethernet(dst_mac, src_mac, wire::ethertype::kIpv4, ip.size() + echo.size());
    ip.emit(wire::MutableBytes(f).subspan(14));
    echo.emit(wire::MutableBytes(f).subspan(14 + ip.size()));
    return f;
}

Frame udp4(const wire::MacAddress& dst_mac, const wire::MacAddress& src_mac,
           const wire::Ipv4Address& src, const wire::Ipv4Address& dst, std::uint16_t port,
           std::uint8_t ttl, std::size_t payload) {
    Frame udp = udp_payload(port, payload);
    wire::write_be16(udp, 6, wire::ipv4_upper_layer_checksum(src, dst, 17, udp));
    wire::Ipv4Header ip;
    ip.ttl = ttl;
    ip.protocol = 17;
    ip.source = src;
    ip.destination = dst;
    ip.payload_length = static_cast<std::uint16_t>(udp.size());
    Frame f = with_ethernet(dst_mac, src_mac, wire::ethertype::kIpv4, ip.size() + udp.size());
    ip.emit(wire::MutableBytes(f).subspan(14));
    std::copy(udp.begin(), udp.end(), f.begin() + 14 + static_cast<std::ptrdiff_t>(ip.size()));
    return f;
}

Frame udp6(const wire::MacAddress& dst_mac, const wire::MacAddress& src_mac,
           const wire::Ipv6Address& src, const wire::Ipv6Address& dst, std::uint16_t port,
           std::uint8_t hop_limit) {
    Frame udp = udp_payload(port);
    wire::write_be16(udp, 6, wire::ipv6_upper_layer_checksum(src, dst, 17, udp));
    wire::Ipv6Header ip;
    ip.hop_limit = hop_limit;
    ip.next_header = 17;
    ip.source = src;
    ip.destination = dst;
    ip.payload_length = static_cast<std::uint16_t>(udp.size());
    Frame f = with_ethernet(dst_mac, src_mac, wire::ethertype::kIpv6, ip.size() + udp.size());
    ip.emit(wire::MutableBytes(f).subspan(14));
    std::copy(udp.begin(), udp.end(), f.begin() + 14 + 40);
    return f;
}

std::vector<Frame> udp4_fragments(const wire::MacAddress& dst_mac, const wire::MacAddress& src_mac,
                                  const wire::Ipv4Address& src, const wire::Ipv4Address& dst,
                                  std::uint16_t port, std::size_t payload, std::size_t fragment_payload) {
    Frame udp = udp_payload(port, payload);
    wire::write_be16(udp, 6, wire::ipv4_upper_layer_checksum(src, dst, 17, udp));
    std::vector<Frame> frames;
    for (std::size_t off = 0; off < udp.size(); off += fragment_payload) {
        const std::size_t len = std::min(fragment_payload, udp.size() - off);
        wire::Ipv4Header ip;
        ip.identification = 0x4242;
        ip.more_fragments = off + len < udp.size();
        ip.fragment_offset = static_cast<std::uint16_t>(off / 8);
        ip.protocol = 17;
        ip.source = src;
        ip.destination = dst;
        ip.payload_length = static_cast<std::uint16_t>(len);
        Frame f = with_ethernet(dst_mac, src_mac, wire::ethertype::kIpv4, ip.size() + len);
        ip.emit(wire::MutableBytes(f).subspan(14));
        std::copy_n(udp.begin() + static_cast<std::ptrdiff_t>(off), len,
                    f.begin() + 14 + static_cast<std::ptrdiff_t>(ip.size()));
        frames.push_back(std::move(f));
    }
    return frames;
}

Frame udp6_hop_by_hop(const wire::MacAddress& dst_mac, const wire::MacAddress& src_mac,
                      const wire::Ipv6Address& src, const wire::Ipv6Address& dst, std::uint16_t port) {
    Frame udp = udp_payload(port);
    wire::write_be16(udp, 6, wire::ipv6_upper_layer_checksum(src, dst, 17, udp));
    // clang-format off
    const std::uint8_t hop_by_hop[8] = {17,                  // next header: UDP
                                        0,                   // length: 8 octets
                                        1, 4, 0, 0, 0, 0};   // PadN, 4 octets
    // clang-format on
    wire::Ipv6Header ip;
    ip.hop_limit = 1;
    ip.next_header = 0;
    ip.source = src;
    ip.destination = dst;
    ip.payload_length = static_cast<std::uint16_t>(sizeof hop_by_hop + udp.size());
    Frame f = with_ethernet(dst_mac, src_mac, wire::ethertype::kIpv6, ip.size() + ip.payload_length);
    ip.emit(wire::MutableBytes(f).subspan(14));
    std::copy(std::begin(hop_by_hop), std::end(hop_by_hop), f.begin() + 14 + 40);
    std::copy(udp.begin(), udp.end(), f.begin() + 14 + 40 + sizeof hop_by_hop);
    return f;
}

Frame tagged(const Frame& frame, std::uint16_t vlan, std::uint8_t priority) {
    Frame out(frame.size() + wire::kVlanTagLen);
    wire::emit_tagged(frame, wire::VlanTci{priority, false, vlan}, out);
    return out;
}

}  // namespace caplnet::test
