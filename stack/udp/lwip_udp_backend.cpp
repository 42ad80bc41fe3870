#include "stack/udp/lwip_udp_backend.hpp"

namespace caplnet::stack {

LwipUdpBackend::LwipUdpBackend(Node& node) : node_(node) {
    for (const auto& e : node.interfaces().entries()) {
        AdapterInfo a{e.if_index, e.name, e.channel, e.vlan, e.priority, e.mac, {}};
        for (const auto& p : e.ipv4) a.addresses.emplace_back(IpAddress::v4(p.address), p.prefix_len);
        a.addresses.emplace_back(IpAddress::v6(link_local_of(e.mac), e.if_index), 64);
        for (const auto& p : e.ipv6) a.addresses.emplace_back(IpAddress::v6(p.address), p.prefix_len);
        adapters_.push_back(std::move(a));
    }
}

void LwipUdpBackend::set_sink(Sink sink) {
    on_stack([&](UdpService& u, StackThread&) {
        u.set_sink(std::move(sink));
        return 0;
    });
}

Expected<SocketId, Error> LwipUdpBackend::open(Family family) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.open(family, t); });
}
Expected<void, Error> LwipUdpBackend::bind(SocketId s, Endpoint local) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.bind(s, local, t); });
}
Expected<void, Error> LwipUdpBackend::connect(SocketId s, Endpoint remote) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.connect(s, remote, t); });
}
Expected<void, Error> LwipUdpBackend::close(SocketId s) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.close(s, t); });
}
Expected<void, Error> LwipUdpBackend::send(SocketId s, std::optional<Endpoint> to,
                                           std::span<const std::uint8_t> data) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.send(s, to, data, t); });
}
Expected<void, Error> LwipUdpBackend::join(SocketId s, std::uint32_t if_index, const IpAddress& group) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.join(s, if_index, group, t); });
}
Expected<void, Error> LwipUdpBackend::leave(SocketId s, std::uint32_t if_index, const IpAddress& group) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.leave(s, if_index, group, t); });
}
Expected<void, Error> LwipUdpBackend::set_multicast_interface(SocketId s, std::uint32_t if_index) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.set_multicast_interface(s, if_index, t); });
}
Expected<void, Error> LwipUdpBackend::set_option(SocketId s, SocketOption o, int value) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.set_option(s, o, value, t); });
}
Expected<int, Error> LwipUdpBackend::option(SocketId s, SocketOption o) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.option(s, o, t); });
}
Expected<std::optional<Datagram>, Error> LwipUdpBackend::receive(SocketId s) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.receive(s, t); });
}
Expected<SocketInfo, Error> LwipUdpBackend::info(SocketId s) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.info(s, t); });
}

}  // namespace caplnet::stack
