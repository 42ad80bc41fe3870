#pragma once
// Builders of whole Ethernet frames for tests, on top of the project's wire emitters.
#include <cstdint>
#include <vector>

#include "netif/wire/ethernet.hpp"
#include "netif/wire/ipv4.hpp"
#include "netif/wire/ipv6.hpp"

namespace caplnet::test {

using Frame = std::vector<std::uint8_t>;

Frame arp_request(const wire::MacAddress& src_mac, const wire::Ipv4Address& sender,
                  const wire::Ipv4Address& target);
Frame icmpv4_echo_request(const wire::MacAddress& dst_mac, const wire::MacAddress& src_mac,
                          const wire::Ipv4Address& src, const wire::Ipv4Address& dst,
                          std::uint8_t ttl = 64);
Frame udp4(const wire::MacAddress& dst_mac, const wire::MacAddress& src_mac,
           const wire::Ipv4Address& src, const wire::Ipv4Address& dst, std::uint16_t port,
           std::uint8_t ttl, std::size_t payload = 16);
Frame udp6(const wire::MacAddress& dst_mac, const wire::MacAddress& src_mac,
           const wire::Ipv6Address& src, const wire::Ipv6Address& dst, std::uint16_t port,
           std::uint8_t hop_limit);
/// One UDP datagram of `payload` octets (octet i of the datagram is i mod 256) cut into IPv4
/// fragments of at most `fragment_payload` octets (a multiple of 8), as a sender's IP layer does.
std::vector<Frame> udp4_fragments(const wire::MacAddress& dst_mac, const wire::MacAddress& src_mac,
                                  const wire::Ipv4Address& src, const wire::Ipv4Address& dst,
                                  std::uint16_t port, std::size_t payload, std::size_t fragment_payload = 1480);
/// A UDP datagram over IPv6 behind a Hop-by-Hop Options header (one PadN option).
Frame udp6_hop_by_hop(const wire::MacAddress& dst_mac, const wire::MacAddress& src_mac,
                      const wire::Ipv6Address& src, const wire::Ipv6Address& dst, std::uint16_t port);
/// The same frame with an 802.1Q tag.
Frame tagged(const Frame& frame, std::uint16_t vlan, std::uint8_t priority = 0);

wire::MacAddress mac(const char* text);
wire::Ipv4Address ip4(const char* text);
wire::Ipv6Address ip6(const char* text);

}  // namespace caplnet::test
