#pragma once
// IpAddress <-> lwIP's ip_addr_t, and the groups every host receives without joining: shared by
// the UDP service's lwIP path (udp_service.cpp) and the multicast path it keeps out of lwIP
// (multicast_path.cpp).
#include <array>
#include <cstring>

#include "netif/driver/lwip.hpp"
#include "stack/ip_address.hpp"

namespace caplnet::stack::lwip_address {

inline ip_addr_t to_lwip(const IpAddress& a) {
    ip_addr_t r;
    if (a.is_v6()) {
        IP_SET_TYPE_VAL(r, IPADDR_TYPE_V6);
        std::memcpy(ip_2_ip6(&r)->addr, a.octets.data(), 16);
        ip6_addr_set_zone(ip_2_ip6(&r), static_cast<u8_t>(a.scope_id));
    } else {
        IP_SET_TYPE_VAL(r, IPADDR_TYPE_V4);
        std::memcpy(&ip_2_ip4(&r)->addr, a.octets.data(), 4);
    }
    return r;
}

inline IpAddress from_lwip(const ip_addr_t* a) {
    IpAddress r;
    if (IP_IS_V6(a)) {
        r.family = Family::V6;
        std::memcpy(r.octets.data(), ip_2_ip6(a)->addr, 16);
    } else {
        std::memcpy(r.octets.data(), &ip_2_ip4(a)->addr, 4);
    }
    return r;
}

// RFC 2710 §5 / RFC 3810 §6: the all-nodes group is always received and never reported; the
// same holds for IPv4 all-systems (RFC 2236 §6). lwIP needs no table entry to accept them.
inline bool always_joined(const IpAddress& g) {
    static constexpr std::array<std::uint8_t, 16> kAllNodes{0xff, 0x02, 0, 0, 0, 0, 0, 0,
                                                            0,    0,    0, 0, 0, 0, 0, 1};
    return g.is_v6() ? g.octets == kAllNodes
                     : (g.octets[0] == 224 && g.octets[1] == 0 && g.octets[2] == 0 && g.octets[3] == 1);
}

}  // namespace caplnet::stack::lwip_address
