#pragma once
// The Internet checksum (RFC 1071) and the pseudo-headers that UDP, TCP and ICMPv6 add to it.
#include <cstddef>
#include <cstdint>

#include "netif/wire/bytes.hpp"
#include "netif/wire/ipv4.hpp"
#include "netif/wire/ipv6.hpp"

namespace caplnet::wire {

/// Accumulates the 16-bit one's complement sum over any number of spans. RFC 1071 §2(B): the sum
/// is independent of byte order and may be computed in pieces, so a span that ends on an odd byte
/// makes the next span start in the low half of the pending 16-bit word.
class InternetChecksum {
public:
    InternetChecksum& add(Bytes b);
    InternetChecksum& add_u16(std::uint16_t v);
    InternetChecksum& add_u32(std::uint32_t v);

    /// The folded one's complement sum (0xffff over data that carries a correct checksum).
    std::uint16_t folded_sum() const;
    /// The value for the checksum field: the complement of the folded sum. Computed over data
    /// that already holds a correct checksum it is 0.
    std::uint16_t checksum() const { return static_cast<std::uint16_t>(~folded_sum()); }

private:
    std::uint64_t sum_ = 0;
    bool odd_ = false;  // the previous span ended in the middle of a 16-bit word
};

/// RFC 1071 checksum of one span: the value for the checksum field (computed with that field 0).
std::uint16_t internet_checksum(Bytes b);
/// True when `b` (which contains its own checksum field) sums to 0xffff.
bool internet_checksum_valid(Bytes b);

/// RFC 768 / RFC 793 IPv4 pseudo-header: source, destination, zero, protocol, length.
void add_ipv4_pseudo_header(InternetChecksum& c, const Ipv4Address& src, const Ipv4Address& dst,
                            std::uint8_t protocol, std::uint16_t length);
/// RFC 8200 §8.1 IPv6 pseudo-header: source, destination, 32-bit upper-layer packet length,
/// three zero octets, next header (of the upper layer, not of an extension header).
void add_ipv6_pseudo_header(InternetChecksum& c, const Ipv6Address& src, const Ipv6Address& dst,
                            std::uint8_t next_header, std::uint32_t length);

/// Checksum over pseudo-header + upper-layer message, for UDP/TCP over IPv4. Over a message that
/// holds a correct checksum the result is 0.
std::uint16_t ipv4_upper_layer_checksum(const Ipv4Address& src, const Ipv4Address& dst,
                                        std::uint8_t protocol, Bytes message);
/// Checksum over pseudo-header + upper-layer message, for UDP/TCP/ICMPv6 over IPv6.
std::uint16_t ipv6_upper_layer_checksum(const Ipv6Address& src, const Ipv6Address& dst,
                                        std::uint8_t next_header, Bytes message);

}  // namespace caplnet::wire
