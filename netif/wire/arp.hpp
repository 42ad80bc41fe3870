#pragma once
// ARP for IPv4 over Ethernet (RFC 826): the only ARP variant caplnet meets.
#include <cstddef>
#include <cstdint>

#include "netif/wire/bytes.hpp"
#include "netif/wire/ipv4.hpp"
#include "netif/wire/mac_address.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::wire {

enum class ArpOperation : std::uint16_t { Request = 1, Reply = 2 };

inline constexpr std::size_t kArpLen = 28;

/// A bounds-checked view of an Ethernet/IPv4 ARP packet. `of()` checks that 28 bytes are present
/// (else Truncated) and that htype 1, ptype 0x0800, hlen 6, plen 4 and an operation of 1 or 2 are
/// given (else BadField). Bytes after the 28 (Ethernet padding) are outside the view.
class ArpView {
public:
    static Expected<ArpView, WireError> of(Bytes b);

    std::uint16_t hardware_type() const { return read_be16(bytes_, Off::kHtype); }
    std::uint16_t protocol_type() const { return read_be16(bytes_, Off::kPtype); }
    std::uint8_t hardware_len() const { return bytes_[Off::kHlen]; }
    std::uint8_t protocol_len() const { return bytes_[Off::kPlen]; }
    ArpOperation operation() const {
        // NOTE(range): of() admitted only 1 and 2
        return static_cast<ArpOperation>(read_be16(bytes_, Off::kOper));
    }
    MacAddress sender_hardware_address() const;
    Ipv4Address sender_protocol_address() const;
    MacAddress target_hardware_address() const;
    Ipv4Address target_protocol_address() const;
    Bytes bytes() const { return bytes_; }

private:
    struct Off {
        static constexpr std::size_t kHtype = 0, kPtype = 2, kHlen = 4, kPlen = 5, kOper = 6,
                                     kSha = 8, kSpa = 14, kTha = 18, kTpa = 24, kEnd = 28;
    };
    explicit ArpView(Bytes b) : bytes_(b) {}
    Bytes bytes_;  // exactly 28 bytes
};

struct ArpMessage {
    ArpOperation operation = ArpOperation::Request;
    MacAddress sender_hardware_address;
    Ipv4Address sender_protocol_address;
    MacAddress target_hardware_address;
    Ipv4Address target_protocol_address;

    static ArpMessage parse(const ArpView& v);
    std::size_t size() const { return kArpLen; }
    /// Writes the 28-byte packet. Returns 28, or 0 if `out` is shorter.
    std::size_t emit(MutableBytes out) const;

    friend bool operator==(const ArpMessage&, const ArpMessage&) = default;
};

}  // namespace caplnet::wire
