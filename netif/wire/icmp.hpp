#pragma once
// ICMP Echo for IPv4 (RFC 792) and IPv6 (RFC 4443 §4): the ping that tests and tools send.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "netif/wire/bytes.hpp"
#include "netif/wire/ipv4.hpp"
#include "netif/wire/ipv6.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::wire {

namespace icmpv4_type {
inline constexpr std::uint8_t kEchoReply = 0;
inline constexpr std::uint8_t kDestinationUnreachable = 3;
inline constexpr std::uint8_t kEchoRequest = 8;
inline constexpr std::uint8_t kTimeExceeded = 11;
}  // namespace icmpv4_type

namespace icmpv6_type {
inline constexpr std::uint8_t kDestinationUnreachable = 1;
inline constexpr std::uint8_t kEchoRequest = 128;
inline constexpr std::uint8_t kEchoReply = 129;
inline constexpr std::uint8_t kMldQuery = 130;
inline constexpr std::uint8_t kMldV1Report = 131;
inline constexpr std::uint8_t kMldV1Done = 132;
inline constexpr std::uint8_t kRouterSolicitation = 133;
inline constexpr std::uint8_t kNeighborSolicitation = 135;
inline constexpr std::uint8_t kNeighborAdvertisement = 136;
inline constexpr std::uint8_t kMldV2Report = 143;
}  // namespace icmpv6_type

inline constexpr std::size_t kIcmpEchoHeaderLen = 8;

/// RFC 792: the ICMP checksum is the 16-bit one's complement of the one's complement sum of the
/// ICMP message starting with the ICMP type, so no pseudo-header.
bool icmpv4_checksum_valid(Bytes message);
/// RFC 4443 §2.3: the ICMPv6 checksum covers the IPv6 pseudo-header (next header 58) too.
bool icmpv6_checksum_valid(const Ipv6Address& src, const Ipv6Address& dst, Bytes message);

/// ICMPv4 Echo or Echo Reply (RFC 792): type 8/0, code 0, checksum, identifier, sequence number,
/// data. `of()` takes the whole ICMP message (the IPv4 payload) and checks size >= 8 (Truncated),
/// type 0 or 8 and code 0 (BadField); it does not check the checksum.
class Icmpv4EchoView {
public:
    static Expected<Icmpv4EchoView, WireError> of(Bytes message);

    std::uint8_t type() const { return bytes_[Off::kType]; }
    bool is_request() const { return type() == icmpv4_type::kEchoRequest; }
    std::uint8_t code() const { return bytes_[Off::kCode]; }
    std::uint16_t checksum() const { return read_be16(bytes_, Off::kChecksum); }
    bool checksum_valid() const { return icmpv4_checksum_valid(bytes_); }
    std::uint16_t identifier() const { return read_be16(bytes_, Off::kIdentifier); }
    std::uint16_t sequence_number() const { return read_be16(bytes_, Off::kSequence); }
    Bytes data() const { return bytes_.subspan(Off::kData); }
    Bytes bytes() const { return bytes_; }

private:
    struct Off {
        static constexpr std::size_t kType = 0, kCode = 1, kChecksum = 2, kIdentifier = 4,
                                     kSequence = 6, kData = 8;
    };
    explicit Icmpv4EchoView(Bytes b) : bytes_(b) {}
    Bytes bytes_;
};

struct Icmpv4Echo {
    bool request = true;  // Echo (8) or Echo Reply (0)
    std::uint16_t identifier = 0;
    std::uint16_t sequence_number = 0;
    std::vector<std::uint8_t> data;

    static Icmpv4Echo parse(const Icmpv4EchoView& v);
    std::size_t size() const { return kIcmpEchoHeaderLen + data.size(); }
    /// Writes the message with its checksum. Returns size(), or 0 if `out` is shorter.
    std::size_t emit(MutableBytes out) const;
    /// The Echo Reply that answers this Echo (RFC 792: same identifier, sequence and data).
    Icmpv4Echo reply() const { return Icmpv4Echo{false, identifier, sequence_number, data}; }

    friend bool operator==(const Icmpv4Echo&, const Icmpv4Echo&) = default;
};

/// ICMPv6 Echo Request/Reply (RFC 4443 §4.1/§4.2): type 128/129, code 0, checksum, identifier,
/// sequence number, data. `of()` takes the whole ICMPv6 message and checks size >= 8 (Truncated),
/// type 128 or 129 and code 0 (BadField); the checksum needs the addresses, so it is a separate
/// call.
class Icmpv6EchoView {
public:
    static Expected<Icmpv6EchoView, WireError> of(Bytes message);

    std::uint8_t type() const { return bytes_[Off::kType]; }
    bool is_request() const { return type() == icmpv6_type::kEchoRequest; }
    std::uint8_t code() const { return bytes_[Off::kCode]; }
    std::uint16_t checksum() const { return read_be16(bytes_, Off::kChecksum); }
    bool checksum_valid(const Ipv6Address& src, const Ipv6Address& dst) const {
        return icmpv6_checksum_valid(src, dst, bytes_);
    }
    std::uint16_t identifier() const { return read_be16(bytes_, Off::kIdentifier); }
    std::uint16_t sequence_number() const { return read_be16(bytes_, Off::kSequence); }
    Bytes data() const { return bytes_.subspan(Off::kData); }
    Bytes bytes() const { return bytes_; }

private:
    struct Off {
        static constexpr std::size_t kType = 0, kCode = 1, kChecksum = 2, kIdentifier = 4,
                                     kSequence = 6, kData = 8;
    };
    explicit Icmpv6EchoView(Bytes b) : bytes_(b) {}
    Bytes bytes_;
};

struct Icmpv6Echo {
    bool request = true;  // Echo Request (128) or Echo Reply (129)
    std::uint16_t identifier = 0;
    std::uint16_t sequence_number = 0;
    std::vector<std::uint8_t> data;

    static Icmpv6Echo parse(const Icmpv6EchoView& v);
    std::size_t size() const { return kIcmpEchoHeaderLen + data.size(); }
    /// Writes the message with its pseudo-header checksum for `src` -> `dst`. Returns size(), or
    /// 0 if `out` is shorter.
    std::size_t emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const;
    /// RFC 4443 §4.2: the reply carries the identifier, sequence number and data of the request.
    Icmpv6Echo reply() const { return Icmpv6Echo{false, identifier, sequence_number, data}; }

    friend bool operator==(const Icmpv6Echo&, const Icmpv6Echo&) = default;
};

}  // namespace caplnet::wire
