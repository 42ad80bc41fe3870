#include "stack/ip_address.hpp"

#include <algorithm>

#include "netif/wire/ipv4.hpp"
#include "netif/wire/ipv6.hpp"

namespace caplnet::stack {

bool IpAddress::is_any() const {
    const std::size_t n = is_v6() ? 16 : 4;
    return std::all_of(octets.begin(), octets.begin() + static_cast<std::ptrdiff_t>(n),
                       [](std::uint8_t b) { return b == 0; });
}

bool IpAddress::is_multicast() const {
    return is_v6() ? octets[0] == 0xff : (octets[0] & 0xf0) == 0xe0;
}

bool IpAddress::is_limited_broadcast() const {
    return !is_v6() && octets[0] == 255 && octets[1] == 255 && octets[2] == 255 && octets[3] == 255;
}

std::string IpAddress::to_string() const {
    if (!is_v6()) return wire::Ipv4Address{{octets[0], octets[1], octets[2], octets[3]}}.to_string();
    std::string s = wire::Ipv6Address{octets}.to_string();
    if (scope_id != 0) s += "%" + std::to_string(scope_id);
    return s;
}

}  // namespace caplnet::stack
