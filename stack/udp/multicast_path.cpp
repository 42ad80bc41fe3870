// The multicast datagrams of the sockets' groups, delivered without lwIP. lwIP 2.1.3 keeps its
// IGMP/MLD groups in a linked list per netif, searched on every join, leave and received packet,
// so a socket with 100,000 groups made each join cost a walk over all of them (BENCHMARKS.md,
// figure 3). The sockets' groups therefore stay out of lwIP: the driver's MAC filter admits
// their frames, on_multicast delivers plain UDP, and send loops a copy back. What needs lwIP's IP
// layer (fragments to reassemble, IPv6 extension headers) makes lwIP hold the group from then on.
#include <algorithm>

#include "netif/driver/lwip.hpp"
#include "netif/wire/udp_datagram.hpp"
#include "stack/udp/lwip_address.hpp"
#include "stack/udp/udp_service.hpp"

namespace caplnet::stack {

namespace {

IpAddress from_wire(const std::variant<wire::Ipv4Address, wire::Ipv6Address>& a) {
    if (const auto* v4 = std::get_if<wire::Ipv4Address>(&a)) return IpAddress::v4(v4->octets);
    return IpAddress::v6(std::get<wire::Ipv6Address>(a).octets);
}

}  // namespace

wire::MacAddress UdpService::multicast_mac(const IpAddress& group) {
    if (group.is_v6()) return wire::Ipv6Address{group.octets}.multicast_mac();
    return wire::Ipv4Address{{group.octets[0], group.octets[1], group.octets[2], group.octets[3]}}.multicast_mac();
}

bool UdpService::on_multicast(struct ::netif* n, wire::Bytes ip_packet, StackThread&) {
    const auto dst = wire::ip_destination(ip_packet);
    const std::uint32_t if_index = interfaces_.if_index_of(n);
    if (!dst || if_index == 0) return false;
    const IpAddress group = from_wire(*dst);
    // Groups no socket holds are lwIP's business: all-systems, all-nodes, solicited-node.
    if (!group.is_multicast() || memberships_.members(if_index, group) == 0) return false;
    const auto u = wire::udp_datagram_of(ip_packet);
    if (!u) {
        if (!lwip_address::always_joined(group)) hold_in_lwip(n, if_index, group);
        return false;
    }
    Datagram d;
    d.from = Endpoint{from_wire(u->source), u->source_port};
    d.to = group;
    d.if_index = if_index;
    if (d.from.address.is_v6()) {
        ip6_addr_t src;
        std::memcpy(src.addr, d.from.address.octets.data(), 16);
        if (ip6_addr_islinklocal(&src)) d.from.address.scope_id = if_index;  // a reply needs it
    } else {
        ip4_addr_t src;
        std::memcpy(&src.addr, d.from.address.octets.data(), 4);
        // ip4_input drops a datagram from a broadcast address (check_frame caught 255.255.255.255);
        // lwIP, which does not hold the group, drops it here too.
        if (ip4_addr_isbroadcast(&src, n)) return false;
    }
    d.data.assign(u->payload.begin(), u->payload.end());
    // lwIP drops a multicast datagram for a port nobody has bound, without an ICMP error.
    auto port = ports_.find({group.family, u->destination_port});
    if (port != ports_.end()) deliver(port->second, d, false);
    return true;
}

void UdpService::loop_back(struct ::netif* out, std::uint32_t if_index, std::uint16_t src_port,
                           const Endpoint& to, std::span<const std::uint8_t> data) {
    auto port = ports_.find({to.address.family, to.port});
    if (port == ports_.end()) return;
    Datagram d;
    d.to = to.address;
    d.if_index = if_index;
    // The source lwIP put on the wire: the interface's address (every PCB is bound to the
    // wildcard), for IPv6 the one its source selection picks for the group.
    if (to.address.is_v6()) {
        const ip_addr_t dst = lwip_address::to_lwip(to.address);
        const ip_addr_t* src = ip6_select_source_address(out, ip_2_ip6(&dst));
        if (src == nullptr) return;
        d.from = Endpoint{lwip_address::from_lwip(src), src_port};
        if (ip6_addr_islinklocal(ip_2_ip6(src))) d.from.address.scope_id = if_index;
    } else {
        ip_addr_t src;
        ip_addr_copy_from_ip4(src, *netif_ip4_addr(out));
        d.from = Endpoint{lwip_address::from_lwip(&src), src_port};
    }
    d.data.assign(data.begin(), data.end());
    deliver(port->second, d, false);
}

void UdpService::hold_in_lwip(struct ::netif* n, std::uint32_t if_index, const IpAddress& group) {
    if (!lwip_groups_.emplace(if_index, group).second) return;
    const ip_addr_t g = lwip_address::to_lwip(group);
    // lwIP's own report for the join never reaches the wire (the driver hands it to GroupHost).
    const err_t e = group.is_v6() ? mld6_joingroup_netif(n, ip_2_ip6(&g)) : igmp_joingroup_netif(n, ip_2_ip4(&g));
    if (e != ERR_OK) lwip_groups_.erase({if_index, group});
}

void UdpService::release_from_lwip(struct ::netif* n, std::uint32_t if_index, const IpAddress& group) {
    if (lwip_groups_.erase({if_index, group}) == 0) return;
    const ip_addr_t g = lwip_address::to_lwip(group);
    if (group.is_v6()) {
        mld6_leavegroup_netif(n, ip_2_ip6(&g));
    } else {
        igmp_leavegroup_netif(n, ip_2_ip4(&g));
    }
}

}  // namespace caplnet::stack
