#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace caplnet::wire {

struct MacAddress {
    std::array<std::uint8_t, 6> octets{};

    static std::optional<MacAddress> parse(std::string_view text);  // "02:00:00:00:00:01"
    std::string to_string() const;

    // IEEE 802: the I/G bit is the least significant bit of the first octet.
    bool is_multicast() const { return (octets[0] & 0x01) != 0; }
    bool is_broadcast() const { return octets == kBroadcastOctets; }
    bool is_unicast() const { return !is_multicast(); }
    bool is_zero() const { return octets == std::array<std::uint8_t, 6>{}; }

    friend bool operator==(const MacAddress&, const MacAddress&) = default;
    friend auto operator<=>(const MacAddress&, const MacAddress&) = default;

    static constexpr std::array<std::uint8_t, 6> kBroadcastOctets{0xff, 0xff, 0xff,
                                                                  0xff, 0xff, 0xff};
};

inline constexpr MacAddress kBroadcastMac{MacAddress::kBroadcastOctets};

}  // namespace caplnet::wire
