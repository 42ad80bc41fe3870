#pragma once
// IPv4 (RFC 791): the address type, a bounds-checked header view and a minimal header emitter.
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netif/wire/bytes.hpp"
#include "netif/wire/mac_address.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::wire {

namespace ip_protocol {
inline constexpr std::uint8_t kHopByHop = 0;  // IPv6 only
inline constexpr std::uint8_t kIcmp = 1;
inline constexpr std::uint8_t kIgmp = 2;
inline constexpr std::uint8_t kTcp = 6;
inline constexpr std::uint8_t kUdp = 17;
inline constexpr std::uint8_t kIpv6Routing = 43;
inline constexpr std::uint8_t kIpv6Fragment = 44;
inline constexpr std::uint8_t kIcmpv6 = 58;
inline constexpr std::uint8_t kIpv6NoNextHeader = 59;
inline constexpr std::uint8_t kIpv6DestinationOptions = 60;
}  // namespace ip_protocol

struct Ipv4Address {
    std::array<std::uint8_t, 4> octets{};

    /// Strict dotted quad: four decimal octets 0..255, no leading zeros (which some parsers read
    /// as octal), no surrounding space.
    static std::optional<Ipv4Address> parse(std::string_view text);
    std::string to_string() const;
    static Ipv4Address from_u32(std::uint32_t host_order);
    std::uint32_t to_u32() const;

    // RFC 5771: 224.0.0.0/4; RFC 919 limited broadcast.
    bool is_multicast() const { return (octets[0] & 0xf0) == 0xe0; }
    bool is_broadcast() const { return octets == std::array<std::uint8_t, 4>{255, 255, 255, 255}; }
    bool is_unspecified() const { return octets == std::array<std::uint8_t, 4>{}; }
    /// RFC 5771 §4: Local Network Control Block 224.0.0.0/24, never forwarded.
    bool is_link_local_multicast() const {
        return octets[0] == 224 && octets[1] == 0 && octets[2] == 0;
    }
    /// RFC 1112 §6.4: 01:00:5e followed by the low 23 bits of the group address.
    MacAddress multicast_mac() const {
        return MacAddress{{0x01, 0x00, 0x5e, static_cast<std::uint8_t>(octets[1] & 0x7f),
                           octets[2], octets[3]}};
    }

    friend bool operator==(const Ipv4Address&, const Ipv4Address&) = default;
    friend auto operator<=>(const Ipv4Address&, const Ipv4Address&) = default;
};

inline constexpr std::size_t kIpv4MinHeaderLen = 20;
inline constexpr std::size_t kIpv4MaxHeaderLen = 60;

/// A bounds-checked view of one IPv4 datagram. `of()` checks that the version is 4, IHL >= 5,
/// the header fits, and IHL*4 <= total length <= the bytes given; bytes beyond the total length
/// (Ethernet padding) are outside the view. It does not check the header checksum or options.
class Ipv4View {
public:
    static Expected<Ipv4View, WireError> of(Bytes b);

    std::uint8_t version() const { return bytes_[Off::kVersionIhl] >> 4; }
    std::uint8_t ihl() const { return bytes_[Off::kVersionIhl] & 0x0f; }
    std::size_t header_len() const { return std::size_t{ihl()} * 4; }
    std::uint8_t tos() const { return bytes_[Off::kTos]; }
    std::uint8_t dscp() const { return tos() >> 2; }
    std::uint8_t ecn() const { return tos() & 0x03; }
    std::uint16_t total_length() const { return read_be16(bytes_, Off::kTotalLength); }
    std::uint16_t identification() const { return read_be16(bytes_, Off::kIdentification); }
    bool dont_fragment() const { return (bytes_[Off::kFlagsFragment] & 0x40) != 0; }
    bool more_fragments() const { return (bytes_[Off::kFlagsFragment] & 0x20) != 0; }
    /// In units of 8 octets.
    std::uint16_t fragment_offset() const {
        return read_be16(bytes_, Off::kFlagsFragment) & 0x1fff;
    }
    /// True for every piece of a fragmented datagram: the first has MF set, the rest an offset.
    bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
    std::uint8_t ttl() const { return bytes_[Off::kTtl]; }
    std::uint8_t protocol() const { return bytes_[Off::kProtocol]; }
    std::uint16_t header_checksum() const { return read_be16(bytes_, Off::kChecksum); }
    bool header_checksum_valid() const;
    Ipv4Address source() const;
    Ipv4Address destination() const;
    /// Option bytes (IHL*4 - 20 of them), not walked.
    Bytes options() const { return bytes_.subspan(Off::kOptions, header_len() - Off::kOptions); }
    /// True when every option is well formed (RFC 791: EOL and NOP are one octet, every other
    /// option carries a length >= 2 that stays inside the option area).
    bool options_well_formed() const;
    Bytes header() const { return bytes_.first(header_len()); }
    /// The bytes after the header up to the total length.
    Bytes payload() const { return bytes_.subspan(header_len()); }
    /// The datagram: header and payload, total_length() bytes.
    Bytes bytes() const { return bytes_; }

private:
    struct Off {
        static constexpr std::size_t kVersionIhl = 0, kTos = 1, kTotalLength = 2,
                                     kIdentification = 4, kFlagsFragment = 6, kTtl = 8,
                                     kProtocol = 9, kChecksum = 10, kSrc = 12, kDst = 16,
                                     kOptions = 20;
    };
    explicit Ipv4View(Bytes datagram) : bytes_(datagram) {}
    Bytes bytes_;  // exactly total_length() bytes
};

/// A plain IPv4 header to emit (and what parse() reads back).
struct Ipv4Header {
    std::uint8_t tos = 0;
    std::uint16_t identification = 0;
    bool dont_fragment = false;
    bool more_fragments = false;
    std::uint16_t fragment_offset = 0;  // 8-octet units, 13 bits
    std::uint8_t ttl = 64;
    std::uint8_t protocol = 0;
    Ipv4Address source;
    Ipv4Address destination;
    std::vector<std::uint8_t> options;  // padded with EOL (0) to a multiple of 4 by emit()
    std::uint16_t payload_length = 0;   // total length = size() + payload_length

    static Ipv4Header parse(const Ipv4View& v);
    /// Header length: 20 plus the options rounded up to 4 octets.
    std::size_t size() const { return kIpv4MinHeaderLen + (options.size() + 3) / 4 * 4; }
    /// Writes the header with its checksum. Returns size(), or 0 if `out` is shorter, the options
    /// exceed 40 octets or the total length exceeds 65535.
    std::size_t emit(MutableBytes out) const;

    /// RFC 2113 Router Alert option, as IGMP uses it: 0x94 0x04 0x00 0x00.
    static std::vector<std::uint8_t> router_alert_option() { return {0x94, 0x04, 0x00, 0x00}; }
};

}  // namespace caplnet::wire
