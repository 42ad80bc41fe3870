#pragma once
// IPv6 (RFC 8200): the address type with RFC 5952 text, a fixed-header view and an emitter.
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "netif/wire/bytes.hpp"
#include "netif/wire/mac_address.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::wire {

struct Ipv6Address {
    std::array<std::uint8_t, 16> octets{};

    /// RFC 4291 §2.2 text: hex groups, one "::", an optional trailing dotted quad; any case.
    /// Zone indices ("%eth0") are not addresses and are rejected.
    static std::optional<Ipv6Address> parse(std::string_view text);
    /// RFC 5952 §4: lower case, no leading zeros, the longest run (first on a tie) of two or more
    /// zero groups as "::"; §5: IPv4-mapped addresses end in a dotted quad.
    std::string to_string() const;

    std::uint16_t group(std::size_t i) const {
        return static_cast<std::uint16_t>((octets[2 * i] << 8) | octets[2 * i + 1]);
    }

    // RFC 4291 §2.7: ff00::/8; the scope is the low 4 bits of the second octet.
    bool is_multicast() const { return octets[0] == 0xff; }
    std::uint8_t multicast_scope() const { return octets[1] & 0x0f; }
    /// RFC 4291 §2.5.6: fe80::/10.
    bool is_link_local() const { return octets[0] == 0xfe && (octets[1] & 0xc0) == 0x80; }
    bool is_unspecified() const { return octets == std::array<std::uint8_t, 16>{}; }
    bool is_loopback() const {
        return octets == std::array<std::uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    }
    /// RFC 2464 §7: 33:33 followed by the last four octets of the group address.
    MacAddress multicast_mac() const {
        return MacAddress{{0x33, 0x33, octets[12], octets[13], octets[14], octets[15]}};
    }
    /// RFC 4291 §2.7.1: ff02::1:ffXX:XXXX from the low 24 bits.
    Ipv6Address solicited_node() const {
        return Ipv6Address{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, octets[13],
                            octets[14], octets[15]}};
    }

    friend bool operator==(const Ipv6Address&, const Ipv6Address&) = default;
    friend auto operator<=>(const Ipv6Address&, const Ipv6Address&) = default;
};

namespace ipv6_scope {  // RFC 7346 §2
inline constexpr std::uint8_t kInterfaceLocal = 0x1;
inline constexpr std::uint8_t kLinkLocal = 0x2;
inline constexpr std::uint8_t kRealmLocal = 0x3;
inline constexpr std::uint8_t kAdminLocal = 0x4;
inline constexpr std::uint8_t kSiteLocal = 0x5;
inline constexpr std::uint8_t kOrganizationLocal = 0x8;
inline constexpr std::uint8_t kGlobal = 0xe;
}  // namespace ipv6_scope

inline constexpr std::size_t kIpv6HeaderLen = 40;

/// A bounds-checked view of one IPv6 packet. `of()` checks that the version is 6, the 40-byte
/// header fits and the payload length does not exceed the bytes given; bytes beyond it (Ethernet
/// padding) are outside the view. Extension headers are not walked.
class Ipv6View {
public:
    static Expected<Ipv6View, WireError> of(Bytes b);

    std::uint8_t version() const { return bytes_[0] >> 4; }
    std::uint8_t traffic_class() const {
        return static_cast<std::uint8_t>(((bytes_[0] & 0x0f) << 4) | (bytes_[1] >> 4));
    }
    std::uint8_t dscp() const { return traffic_class() >> 2; }
    std::uint8_t ecn() const { return traffic_class() & 0x03; }
    std::uint32_t flow_label() const { return read_be32(bytes_, 0) & 0x000fffffU; }
    std::uint16_t payload_length() const { return read_be16(bytes_, Off::kPayloadLength); }
    std::uint8_t next_header() const { return bytes_[Off::kNextHeader]; }
    std::uint8_t hop_limit() const { return bytes_[Off::kHopLimit]; }
    Ipv6Address source() const;
    Ipv6Address destination() const;
    Bytes header() const { return bytes_.first(kIpv6HeaderLen); }
    /// payload_length() bytes after the fixed header (extension headers included).
    Bytes payload() const { return bytes_.subspan(kIpv6HeaderLen); }
    Bytes bytes() const { return bytes_; }

private:
    struct Off {
        static constexpr std::size_t kPayloadLength = 4, kNextHeader = 6, kHopLimit = 7,
                                     kSrc = 8, kDst = 24;
    };
    explicit Ipv6View(Bytes packet) : bytes_(packet) {}
    Bytes bytes_;  // exactly 40 + payload_length() bytes
};

/// A plain IPv6 fixed header to emit (and what parse() reads back).
struct Ipv6Header {
    std::uint8_t traffic_class = 0;
    std::uint32_t flow_label = 0;  // 20 bits
    std::uint16_t payload_length = 0;
    std::uint8_t next_header = 0;
    std::uint8_t hop_limit = 64;
    Ipv6Address source;
    Ipv6Address destination;

    static Ipv6Header parse(const Ipv6View& v);
    std::size_t size() const { return kIpv6HeaderLen; }
    /// Writes the 40-byte header. Returns 40, or 0 if `out` is shorter.
    std::size_t emit(MutableBytes out) const;
};

}  // namespace caplnet::wire
