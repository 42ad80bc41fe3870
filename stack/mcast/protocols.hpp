#pragma once
// The two protocols GroupEngine speaks, as traits: what differs between IGMP and MLD at the level
// of the state machine. Message formats live in netif/wire/igmp.hpp and mld.hpp.
#include "stack/ip_address.hpp"

namespace caplnet::stack {

struct Igmp {
    using Address = IpAddress;
    static constexpr int kNewest = 3;  // IGMPv3; 2 and 1 for the compatibility modes
    // RFC 3376 §6 (RFC 9776 §6): "The all-systems multicast address, 224.0.0.1, is handled as a
    // special case. On all systems ... it is never reported".
    static bool should_report(const Address& g) {
        return !(g.octets[0] == 224 && g.octets[1] == 0 && g.octets[2] == 0 && g.octets[3] == 1);
    }
    static bool is_unspecified(const Address& g) { return g.is_any(); }
};

struct Mld {
    using Address = IpAddress;
    static constexpr int kNewest = 2;  // MLDv2; 1 for MLDv1 compatibility
    // RFC 3810 §6 (RFC 9777 §6): no messages for the link-scope all-nodes address ff02::1, nor for
    // addresses of scope 0 (reserved) or 1 (interface-local).
    static bool should_report(const Address& g) {
        const std::uint8_t scope = g.octets[1] & 0x0f;
        if (scope <= 1) return false;
        static constexpr std::array<std::uint8_t, 16> kAllNodes{0xff, 0x02, 0, 0, 0, 0, 0, 0,
                                                                0,    0,    0, 0, 0, 0, 0, 1};
        return g.octets != kAllNodes;
    }
    static bool is_unspecified(const Address& g) { return g.is_any(); }
};

}  // namespace caplnet::stack
