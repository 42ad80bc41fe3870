#pragma once
// Addresses as the stack's API speaks them: plain values, no lwIP types, so capl_api can use them.
#include <array>
#include <cstdint>
#include <string>

namespace caplnet::stack {

enum class Family { V4, V6 };

struct IpAddress {
    Family family = Family::V4;
    std::array<std::uint8_t, 16> octets{};  // IPv4 in the first 4, network order
    std::uint32_t scope_id = 0;             // IPv6 zone: an ifIndex; 0 = none

    static IpAddress v4(std::array<std::uint8_t, 4> a) {
        IpAddress r;
        std::copy(a.begin(), a.end(), r.octets.begin());
        return r;
    }
    static IpAddress v6(const std::array<std::uint8_t, 16>& a, std::uint32_t scope = 0) {
        return IpAddress{Family::V6, a, scope};
    }
    static IpAddress any(Family f) { return IpAddress{f, {}, 0}; }

    bool is_v6() const { return family == Family::V6; }
    bool is_any() const;
    bool is_multicast() const;
    bool is_limited_broadcast() const;
    std::string to_string() const;
    /// Equal addresses, ignoring the scope id.
    bool same_address(const IpAddress& o) const { return family == o.family && octets == o.octets; }
    friend bool operator==(const IpAddress&, const IpAddress&) = default;
    friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

struct Endpoint {
    IpAddress address;
    std::uint16_t port = 0;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

}  // namespace caplnet::stack
