#include "stack/udp/udp_service.hpp"

#include <algorithm>
#include <cstring>

#include "netif/driver/adapter_driver.hpp"
#include "netif/driver/lwip.hpp"
#include "stack/udp/lwip_address.hpp"

namespace caplnet::stack {

namespace {

using lwip_address::from_lwip;
using lwip_address::to_lwip;

constexpr std::size_t kMaxUdpPayloadV4 = 65535 - 20 - 8;
constexpr std::size_t kMaxUdpPayloadV6 = 65535 - 8;

Error from_err(err_t e) {
    switch (e) {
    case ERR_RTE: return Error::NetworkUnreachable;
    case ERR_MEM:
    case ERR_BUF: return Error::OutOfMemory;
    case ERR_USE: return Error::AddressInUse;
    default: return Error::InvalidArgument;
    }
}

}  // namespace

// lwIP's raw-API callback, kept apart so the class keeps lwIP's C signatures out of its header.
struct UdpCallbacks {
    static void recv(void* arg, struct udp_pcb*, struct pbuf* p, const ip_addr_t* addr, u16_t port) {
        auto* binding = static_cast<UdpService::Port*>(arg);
        binding->service->on_datagram(*binding, p, addr, port);
        pbuf_free(p);
    }
};

UdpService::UdpService(Interfaces interfaces, Limits limits, MulticastDelivery delivery, StackThread&)
    : interfaces_(std::move(interfaces)),
      limits_(limits),
      delivery_(delivery),
      memberships_([this](std::uint32_t i, const IpAddress& g, bool join) { return apply_group(i, g, join); }) {}

UdpService::~UdpService() {
    for (auto& [key, port] : ports_) udp_remove(port.pcb);
}

Expected<UdpService::Socket*, Error> UdpService::find(SocketId s) {
    auto it = sockets_.find(s);
    if (it == sockets_.end()) return unexpected(Error::InvalidHandle);
    return &it->second;
}

Expected<const UdpService::Socket*, Error> UdpService::find(SocketId s) const {
    auto it = sockets_.find(s);
    if (it == sockets_.end()) return unexpected(Error::InvalidHandle);
    return &it->second;
}

Expected<SocketId, Error> UdpService::open(Family family, StackThread&) {
    if (sockets_.size() >= limits_.sockets) return unexpected(Error::LimitReached);
    const SocketId id = next_id_++;
    Socket& s = sockets_[id];
    s.id = id;
    s.family = family;
    return id;
}

bool UdpService::address_is_local(const IpAddress& a) const {
    for (std::uint32_t i = 1; i <= interfaces_.count; ++i) {
        const struct ::netif* n = interfaces_.netif_of(i);
        if (n == nullptr) continue;
        if (!a.is_v6()) {
            if (std::memcmp(&netif_ip4_addr(n)->addr, a.octets.data(), 4) == 0) return true;
            continue;
        }
        for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES; ++k) {
            if (!ip6_addr_isinvalid(netif_ip6_addr_state(n, k)) &&
                std::memcmp(netif_ip6_addr(n, k)->addr, a.octets.data(), 16) == 0) {
                return true;
            }
        }
    }
    return false;
}

Expected<void, Error> UdpService::attach(Socket& sock, Endpoint local) {
    if (!local.address.is_any() && !local.address.is_multicast() && !address_is_local(local.address)) {
        return unexpected(Error::AddressNotAvailable);
    }
    if (local.port == 0) {
        // An ephemeral port: lwIP knows which ones its PCBs hold.
        struct udp_pcb* pcb = udp_new_ip_type(local.address.is_v6() ? IPADDR_TYPE_V6 : IPADDR_TYPE_V4);
        if (pcb == nullptr) return unexpected(Error::OutOfMemory);
        const ip_addr_t any = to_lwip(IpAddress::any(local.address.family));
        if (err_t e = udp_bind(pcb, &any, 0); e != ERR_OK) {
            udp_remove(pcb);
            return unexpected(from_err(e));
        }
        local.port = pcb->local_port;
        Port& port = ports_[{local.address.family, local.port}];
        port.service = this;
        port.pcb = pcb;
        udp_recv(pcb, UdpCallbacks::recv, &port);
        port.sockets.push_back(sock.id);
        sock.local = local;
        return {};
    }
    auto [it, fresh] = ports_.try_emplace({local.address.family, local.port});
    Port& port = it->second;
    if (fresh) {
        port.service = this;
        port.pcb = udp_new_ip_type(local.address.is_v6() ? IPADDR_TYPE_V6 : IPADDR_TYPE_V4);
        if (port.pcb == nullptr) {
            ports_.erase(it);
            return unexpected(Error::OutOfMemory);
        }
        // Always bound to the wildcard: the socket's own local address filters in on_datagram.
        const ip_addr_t any = to_lwip(IpAddress::any(local.address.family));
        if (err_t e = udp_bind(port.pcb, &any, local.port); e != ERR_OK) {
            udp_remove(port.pcb);
            ports_.erase(it);
            return unexpected(from_err(e));
        }
        udp_recv(port.pcb, UdpCallbacks::recv, &port);
    }
    port.sockets.push_back(sock.id);
    sock.local = local;
    return {};
}

void UdpService::detach(Socket& sock) {
    if (!sock.local) return;
    auto it = ports_.find({sock.family, sock.local->port});
    if (it == ports_.end()) return;
    auto& ids = it->second.sockets;
    ids.erase(std::remove(ids.begin(), ids.end(), sock.id), ids.end());
    if (ids.empty()) {
        udp_remove(it->second.pcb);
        ports_.erase(it);
    }
}

Expected<void, Error> UdpService::bind(SocketId id, Endpoint local, StackThread&) {
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    if (sock.local) return unexpected(Error::AlreadyBound);
    if (local.address.family != sock.family) return unexpected(Error::AddressFamilyMismatch);
    return attach(sock, local);
}

Expected<void, Error> UdpService::connect(SocketId id, Endpoint remote, StackThread& t) {
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    if (remote.address.family != sock.family) return unexpected(Error::AddressFamilyMismatch);
    if (remote.port == 0 || remote.address.is_any()) return unexpected(Error::InvalidArgument);
    if (!sock.local) {
        if (auto b = bind(id, Endpoint{IpAddress::any(sock.family), 0}, t); !b) return b;
    }
    sock.remote = remote;
    return {};
}

Expected<void, Error> UdpService::close(SocketId id, StackThread&) {
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    // In address order: the last member's leave reports go out in an order a test can state.
    std::vector<InterfaceGroup> groups(sock.groups.begin(), sock.groups.end());
    std::sort(groups.begin(), groups.end());
    for (const auto& [if_index, group] : groups) {
        memberships_.remove(if_index, group);
        --total_memberships_;
    }
    sock.groups.clear();
    detach(sock);
    sockets_.erase(id);
    return {};
}

Expected<void, Error> UdpService::send(SocketId id, std::optional<Endpoint> to,
                                       std::span<const std::uint8_t> data, StackThread& t) {
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    if (!to) {
        if (!sock.remote) return unexpected(Error::NotConnected);
        to = sock.remote;
    }
    if (to->address.family != sock.family) return unexpected(Error::AddressFamilyMismatch);
    if (to->port == 0 || to->address.is_any()) return unexpected(Error::InvalidArgument);
    if (data.size() > (sock.family == Family::V6 ? kMaxUdpPayloadV6 : kMaxUdpPayloadV4)) {
        return unexpected(Error::MessageTooLong);
    }
    struct ::netif* out = nullptr;
    std::uint32_t out_index = 0;
    if (to->address.is_multicast()) {
        // SPEC §4: without IpSetMulticastInterface only an IPv6 scope id can name the interface.
        out_index = sock.multicast_if != 0 ? sock.multicast_if
                    : to->address.is_v6()  ? to->address.scope_id
                                           : 0;
        out = out_index != 0 ? interfaces_.netif_of(out_index) : nullptr;
        if (out == nullptr) return unexpected(Error::NoMulticastInterface);
    } else if (to->address.is_limited_broadcast() && !sock.broadcast) {
        return unexpected(Error::InvalidArgument);
    }
    if (!sock.local) {
        if (auto b = bind(id, Endpoint{IpAddress::any(sock.family), 0}, t); !b) return b;
    }
    const Port& port = ports_.at({sock.family, sock.local->port});
    struct pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(data.size()), PBUF_RAM);
    if (p == nullptr) return unexpected(Error::OutOfMemory);
    pbuf_take(p, data.data(), static_cast<u16_t>(data.size()));
    // The PCB is shared by every socket on this port: this socket's settings apply to this send.
    struct udp_pcb* pcb = port.pcb;
    pcb->ttl = sock.ttl;
    udp_set_multicast_ttl(pcb, sock.multicast_ttl);
    // lwIP loops a multicast back only to groups it holds; the sockets' groups it does not hold
    // (multicast_path.cpp) get their copy from loop_back below instead.
    const IpAddress group{to->address.family, to->address.octets, 0};
    const bool loop_here = out != nullptr && sock.multicast_loop && memberships_.members(out_index, group) > 0;
    if (sock.multicast_loop && !loop_here) {
        udp_setflags(pcb, udp_flags(pcb) | UDP_FLAGS_MULTICAST_LOOP);
    } else {
        udp_setflags(pcb, udp_flags(pcb) & ~UDP_FLAGS_MULTICAST_LOOP);
    }
    ip_addr_t dst = to_lwip(to->address);
    if (dst.type == IPADDR_TYPE_V6 && ip6_addr_lacks_zone(ip_2_ip6(&dst), IP6_UNICAST) &&
        ip6_addr_islinklocal(ip_2_ip6(&dst))) {
        pbuf_free(p);
        return unexpected(Error::NetworkUnreachable);  // a link-local peer needs its interface
    }
    err_t e = ERR_OK;
    if (out != nullptr) {
        e = udp_sendto_if(pcb, p, &dst, to->port, out);
    } else {
        e = udp_sendto(pcb, p, &dst, to->port);
    }
    pbuf_free(p);
    if (e != ERR_OK) return unexpected(from_err(e));
    if (loop_here) loop_back(out, out_index, sock.local->port, Endpoint{group, to->port}, data);
    return {};
}

bool UdpService::apply_group(std::uint32_t if_index, const IpAddress& group, bool join) {
    if (lwip_address::always_joined(group)) return true;
    struct ::netif* n = interfaces_.netif_of(if_index);
    if (n == nullptr) return false;
    // Not lwIP's group lists (linear in lwIP 2.1.3: BENCHMARKS.md figure 3): the driver's MAC
    // filter lets the group's frames in and on_multicast delivers them; the group engine
    // (stack/mcast/group_host.cpp) speaks IGMP/MLD on the wire.
    netif::AdapterDriver::hold_multicast_mac(n, multicast_mac(group), join);
    if (!join) release_from_lwip(n, if_index, group);
    if (interfaces_.group_changed) interfaces_.group_changed(if_index, group, join);
    return true;
}

Expected<std::pair<UdpService::Socket*, IpAddress>, Error> UdpService::membership_args(
    SocketId id, std::uint32_t if_index, const IpAddress& group) {
    // SPEC §4's order: handle, interface, protocol, family, multicast (then membership, limits).
    auto s = find(id);
    if (!s) return unexpected(s.error());
    if (if_index == 0 || if_index > interfaces_.count) return unexpected(Error::NoSuchInterface);
    if (group.family != (*s)->family) return unexpected(Error::AddressFamilyMismatch);
    if (!group.is_multicast()) return unexpected(Error::NotMulticast);
    IpAddress g = group;
    g.scope_id = 0;  // a membership is per interface already
    return std::pair(*s, g);
}

Expected<void, Error> UdpService::join(SocketId id, std::uint32_t if_index, const IpAddress& group,
                                       StackThread&) {
    auto args = membership_args(id, if_index, group);
    if (!args) return unexpected(args.error());
    auto& [s, g] = *args;
    Socket& sock = *s;
    // One lookup: insert, and take it back if a check after it fails.
    const auto [entry, inserted] = sock.groups.insert({if_index, g});
    if (!inserted) return unexpected(Error::AlreadyMember);
    if (sock.groups.size() > limits_.memberships_per_socket || total_memberships_ >= limits_.memberships) {
        sock.groups.erase(entry);
        return unexpected(Error::LimitReached);
    }
    if (!memberships_.add(if_index, g)) {
        sock.groups.erase(entry);
        return unexpected(Error::OutOfMemory);
    }
    ++total_memberships_;
    return {};
}

Expected<void, Error> UdpService::leave(SocketId id, std::uint32_t if_index, const IpAddress& group,
                                        StackThread&) {
    auto args = membership_args(id, if_index, group);
    if (!args) return unexpected(args.error());
    auto& [s, g] = *args;
    Socket& sock = *s;
    if (sock.groups.erase({if_index, g}) == 0) return unexpected(Error::NotMember);
    --total_memberships_;
    // SPEC §4: after the leave returns, not even an already queued datagram of the group.
    std::erase_if(sock.queue, [&](const Datagram& d) {
        return d.if_index == if_index && d.to.same_address(g);
    });
    if (sock.inbox) sock.inbox->purge(if_index, g);
    memberships_.remove(if_index, g);
    return {};
}

Expected<void, Error> UdpService::set_multicast_interface(SocketId id, std::uint32_t if_index, StackThread&) {
    auto s = find(id);
    if (!s) return unexpected(s.error());
    if (if_index == 0 || if_index > interfaces_.count) return unexpected(Error::NoSuchInterface);
    (*s)->multicast_if = if_index;
    return {};
}

Expected<void, Error> UdpService::set_option(SocketId id, SocketOption o, int value, StackThread&) {
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    switch (o) {
    case SocketOption::MulticastTtl:
    case SocketOption::Ttl:
        if (value < 0 || value > 255) return unexpected(Error::InvalidArgument);
        (o == SocketOption::Ttl ? sock.ttl : sock.multicast_ttl) = static_cast<std::uint8_t>(value);
        return {};
    case SocketOption::MulticastLoop: sock.multicast_loop = value != 0; return {};
    case SocketOption::Broadcast: sock.broadcast = value != 0; return {};
    case SocketOption::ReuseAddress: sock.reuse_address = value != 0; return {};
    }
    return unexpected(Error::InvalidArgument);
}

Expected<int, Error> UdpService::option(SocketId id, SocketOption o, StackThread&) const {
    auto s = find(id);
    if (!s) return unexpected(s.error());
    const Socket& sock = **s;
    switch (o) {
    case SocketOption::MulticastTtl: return int{sock.multicast_ttl};
    case SocketOption::Ttl: return int{sock.ttl};
    case SocketOption::MulticastLoop: return sock.multicast_loop ? 1 : 0;
    case SocketOption::Broadcast: return sock.broadcast ? 1 : 0;
    case SocketOption::ReuseAddress: return sock.reuse_address ? 1 : 0;
    }
    return unexpected(Error::InvalidArgument);
}

Expected<std::optional<Datagram>, Error> UdpService::receive(SocketId id, StackThread&) {
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    if (sock.inbox) return sock.inbox->take_or_arm();
    if (!sock.queue.empty()) {
        Datagram d = std::move(sock.queue.front());
        sock.queue.pop_front();
        sock.armed = false;
        return std::optional<Datagram>(std::move(d));
    }
    sock.armed = true;
    return std::optional<Datagram>();
}

Expected<SocketInfo, Error> UdpService::info(SocketId id, StackThread&) const {
    auto s = find(id);
    if (!s) return unexpected(s.error());
    const Socket& sock = **s;
    return SocketInfo{sock.family,
                      sock.local,
                      sock.remote,
                      sock.multicast_if,
                      sock.groups.size(),
                      sock.queue.size() + (sock.inbox ? sock.inbox->size() : 0),
                      sock.queue_drops,
                      sock.send_failures};
}

Expected<std::shared_ptr<Inbox>, Error> UdpService::open_inbox(SocketId id, Inbox::Ready ready, StackThread&) {
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    if (!sock.inbox) {
        sock.inbox = std::make_shared<Inbox>(limits_.receive_queue, std::move(ready));
        sock.inbox->adopt(std::move(sock.queue));
        sock.queue.clear();
        sock.armed = false;
    }
    return sock.inbox;
}

void UdpService::count_send_failure(SocketId id, StackThread&) {
    if (auto s = find(id)) ++(*s)->send_failures;
}

void UdpService::enqueue(Socket& sock, const Datagram& d) {
    if (sock.inbox) {
        if (!sock.inbox->put(d)) ++sock.queue_drops;  // counted, never silent
        return;
    }
    if (sock.armed && sink_) {
        sock.armed = false;
        sink_(sock.id, d);
        return;
    }
    if (sock.queue.size() >= limits_.receive_queue) {
        ++sock.queue_drops;  // counted, never silent: SocketInfo::queue_drops
        return;
    }
    sock.queue.push_back(d);
}

void UdpService::on_datagram(Port& port, struct pbuf* p, const void* src_addr, std::uint16_t src_port) {
    const struct ::netif* in = ip_current_netif();
    Datagram d;
    d.from = Endpoint{from_lwip(static_cast<const ip_addr_t*>(src_addr)), src_port};
    d.to = from_lwip(ip_current_dest_addr());
    d.if_index = interfaces_.if_index_of(in);
    if (d.from.address.is_v6() && ip6_addr_islinklocal(ip_2_ip6(static_cast<const ip_addr_t*>(src_addr)))) {
        d.from.address.scope_id = d.if_index;  // a reply needs to know the interface
    }
    d.data.resize(p->tot_len);
    pbuf_copy_partial(p, d.data.data(), p->tot_len, 0);

    ip4_addr_t dst4;
    std::memcpy(&dst4.addr, d.to.octets.data(), 4);
    const bool broadcast = !d.to.is_v6() && (d.to.is_limited_broadcast() || ip4_addr_isbroadcast(&dst4, in));
    deliver(port, d, broadcast);
}

void UdpService::deliver(const Port& port, const Datagram& d, bool broadcast) {
    const bool multicast = d.to.is_multicast();
    if (!multicast && !broadcast) {
        // One socket per unicast datagram: one bound to the exact address first, else the first
        // bound to the wildcard (docs/decisions.md).
        Socket* target = nullptr;
        for (SocketId id : port.sockets) {
            Socket& sock = sockets_.at(id);
            if (sock.local->address.same_address(d.to)) {
                target = &sock;
                break;
            }
            if (target == nullptr && sock.local->address.is_any()) target = &sock;
        }
        if (target != nullptr) enqueue(*target, d);
        return;
    }
    const IpAddress group{d.to.family, d.to.octets, 0};
    // Copy the ids: a sink may close sockets and so change the list.
    const std::vector<SocketId> ids = port.sockets;
    for (SocketId id : ids) {
        auto it = sockets_.find(id);
        if (it == sockets_.end()) continue;
        Socket& sock = it->second;
        const IpAddress& bound = sock.local->address;
        if (multicast) {
            // SPEC §4: bound to the port with the wildcard or the group address, and (per-socket
            // rule) joined to the group on the interface it arrived on.
            if (!bound.is_any() && !bound.same_address(d.to)) continue;
            if (delivery_ == MulticastDelivery::PerSocket && !sock.groups.contains({d.if_index, group})) {
                continue;
            }
        } else if (!bound.is_any() || !sock.broadcast) {
            continue;
        }
        enqueue(sock, d);
    }
}

}  // namespace caplnet::stack
