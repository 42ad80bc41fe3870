#pragma once
// Addresses as the stack's API speaks them: plain values, no lwIP types, so capl_api can use them.
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <utility>

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

/// (ifIndex, group): the key of the per-interface membership tables.
using InterfaceGroup = std::pair<std::uint32_t, IpAddress>;

/// Hashing for the membership tables (open addressing, absl::flat_hash_map). They are looked up
/// on every join, leave and received datagram; at 100,000 groups an ordered tree's walk missed the
/// cache at most of its ~17 levels, and a node-based hash table still at the bucket, the node
/// before and the node (BENCHMARKS.md, figure 3). Where an order is seen, the caller sorts.
inline std::size_t hash_value(const IpAddress& a, std::uint64_t salt = 0) {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    std::memcpy(&lo, a.octets.data(), 8);
    std::memcpy(&hi, a.octets.data() + 8, 8);
    // splitmix64's finaliser over the words: every octet moves every bit of the result.
    auto mix = [](std::uint64_t x) {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9ULL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebULL;
        return x ^ (x >> 31);
    };
    const std::uint64_t tag = (static_cast<std::uint64_t>(a.scope_id) << 8) ^ static_cast<std::uint64_t>(a.family) ^
                              (salt << 40);
    return static_cast<std::size_t>(mix(lo ^ mix(hi ^ mix(tag))));
}

struct InterfaceGroupHash {
    std::size_t operator()(const InterfaceGroup& k) const noexcept { return hash_value(k.second, k.first); }
};

struct Endpoint {
    IpAddress address;
    std::uint16_t port = 0;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

}  // namespace caplnet::stack

template <>
struct std::hash<caplnet::stack::IpAddress> {
    std::size_t operator()(const caplnet::stack::IpAddress& a) const noexcept { return caplnet::stack::hash_value(a); }
};
