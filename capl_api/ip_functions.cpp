// IpJoinMulticastGroup and its family: socket-level IP functions (SPEC §2, §4).
#include <cstring>
#include <string_view>

#include "capl_api/api_support.hpp"
#include "caplnet/capl/ip.hpp"

namespace caplnet::capl {

using detail::finish;
using detail::Runtime;

namespace {

capl_long membership(dword socket, dword if_index, const stack::IpAddress& g, bool join) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return detail::no_runtime();
    auto r = rt->with_sockets([&](stack::UdpBackend& u) {
        return join ? u.join(socket, if_index, g) : u.leave(socket, if_index, g);
    });
    if (r && !join) rt->purge_group(socket, if_index, g);
    return finish(*rt, r, socket);
}

std::optional<stack::IpAddress> ipv6_of(std::span<const byte> a) {
    if (a.size() != 16) return std::nullopt;
    std::array<std::uint8_t, 16> b;
    std::copy(a.begin(), a.end(), b.begin());
    return stack::IpAddress::v6(b);
}

// Group arguments that are not an address at all (unset, wrong length) are an invalid argument,
// reported after the handle and interface checks (SPEC §4 order).
capl_long bad_group(dword socket, dword if_index) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return detail::no_runtime();
    auto r = rt->with_sockets([&](stack::UdpBackend& u) -> Expected<void, stack::Error> {
        auto info = u.info(socket);
        if (!info) return unexpected(info.error());
        if (!u.product_stack()) return unexpected(stack::Error::NotSupported);
        if (if_index == 0 || if_index > u.adapters().size()) {
            return unexpected(stack::Error::NoSuchInterface);
        }
        return unexpected(stack::Error::InvalidArgument);
    });
    return finish(*rt, r, socket);
}

}  // namespace

capl_long IpJoinMulticastGroup(dword socket, dword ifIndex, dword ipv4address) {
    return membership(socket, ifIndex, detail::ipv4_from_dword(ipv4address), true);
}
capl_long IpJoinMulticastGroup(dword socket, dword ifIndex, std::span<const byte> ipv6Address) {
    auto g = ipv6_of(ipv6Address);
    return g ? membership(socket, ifIndex, *g, true) : bad_group(socket, ifIndex);
}
capl_long IpJoinMulticastGroup(dword socket, dword ifIndex, const IP_Address& multicastAddress) {
    auto g = detail::to_stack(multicastAddress);
    return g ? membership(socket, ifIndex, *g, true) : bad_group(socket, ifIndex);
}
capl_long IpLeaveMulticastGroup(dword socket, dword ifIndex, dword ipv4address) {
    return membership(socket, ifIndex, detail::ipv4_from_dword(ipv4address), false);
}
capl_long IpLeaveMulticastGroup(dword socket, dword ifIndex, std::span<const byte> ipv6Address) {
    auto g = ipv6_of(ipv6Address);
    return g ? membership(socket, ifIndex, *g, false) : bad_group(socket, ifIndex);
}
capl_long IpLeaveMulticastGroup(dword socket, dword ifIndex, const IP_Address& multicastAddress) {
    auto g = detail::to_stack(multicastAddress);
    return g ? membership(socket, ifIndex, *g, false) : bad_group(socket, ifIndex);
}

capl_long IpSetMulticastInterface(dword socket, dword ifIndex) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return detail::no_runtime();
    // Both backends check the handle first, then (OS stack) answer NotSupported: SPEC §4's order.
    auto r = rt->with_sockets([&](stack::UdpBackend& u) { return u.set_multicast_interface(socket, ifIndex); });
    return finish(*rt, r, socket);
}

capl_long IpGetLastError() {
    Runtime* rt = Runtime::get();
    return rt == nullptr ? wsa::kNotInitialised : rt->last_error();
}

capl_long IpGetLastSocketError(dword socket) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return wsa::kInvalidParameter;
    const auto code = rt->socket_error(socket);
    // SPEC §2: every failure stores its code globally, an 87 for an unknown handle included.
    if (!code) return rt->fail(wsa::kInvalidParameter);
    return *code;
}

capl_long IpGetLastSocketErrorAsString(dword socket, char text[], dword count) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return wsa::kInvalidParameter;
    const auto code = rt->socket_error(socket);
    if (!code) return rt->fail(wsa::kInvalidParameter);
    if (text != nullptr && count > 0) copy_c_string(error_text(*code), std::span<char>(text, count));
    return wsa::kSuccess;
}

namespace {

capl_long bind_to(dword socket, std::optional<stack::Endpoint> local) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return detail::no_runtime();
    auto r = rt->with_sockets([&](stack::UdpBackend& u) -> Expected<void, stack::Error> {
        auto info = u.info(socket);
        if (!info) return unexpected(info.error());
        if (!local) return unexpected(stack::Error::InvalidArgument);
        return u.bind(socket, *local);
    });
    return finish(*rt, r, socket);
}

}  // namespace

capl_long IpBind(dword socket, dword address, dword port) {
    if (port > 0xffff) return bind_to(socket, std::nullopt);
    return bind_to(socket, stack::Endpoint{detail::ipv4_from_dword(address), static_cast<std::uint16_t>(port)});
}
capl_long IpBind(dword socket, std::span<const byte> ipv6Address, dword port) {
    auto a = ipv6_of(ipv6Address);
    if (!a || port > 0xffff) return bind_to(socket, std::nullopt);
    return bind_to(socket, stack::Endpoint{*a, static_cast<std::uint16_t>(port)});
}
capl_long IpBind(dword socket, const IP_Endpoint& localEndpoint) {
    auto a = detail::to_stack(localEndpoint.Address());
    // An unset address binds the wildcard of the socket's family: found on the stack thread.
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return detail::no_runtime();
    if (!a) {
        auto info = rt->with_sockets([&](stack::UdpBackend& u) { return u.info(socket); });
        if (!info) return finish(*rt, unexpected(info.error()), socket);
        a = stack::IpAddress::any(info->family);
    }
    return bind_to(socket, stack::Endpoint{*a, localEndpoint.port()});
}

namespace {
Expected<stack::SocketInfo, capl_long> socket_info(dword socket) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return unexpected(detail::no_runtime());
    auto info = rt->with_sockets([&](stack::UdpBackend& u) { return u.info(socket); });
    if (!info) return unexpected(finish(*rt, unexpected(info.error()), socket));
    if (!info->local) {
        // Winsock's getsockname on an unbound socket: WSAEINVAL.
        return unexpected(finish(*rt, unexpected(stack::Error::InvalidArgument), socket));
    }
    return *info;
}
}  // namespace

capl_long IpGetSocketName(dword socket, dword& ipv4Address, dword& port) {
    auto info = socket_info(socket);
    if (!info) return info.error();
    if (info->family != stack::Family::V4) {
        return finish(*Runtime::get(), unexpected(stack::Error::AddressFamilyMismatch), socket);
    }
    ipv4Address = detail::dword_from_ipv4(info->local->address);
    port = info->local->port;
    return wsa::kSuccess;
}

capl_long IpGetSocketName(dword socket, std::span<byte> ipv6Address, dword& port) {
    auto info = socket_info(socket);
    if (!info) return info.error();
    if (info->family != stack::Family::V6 || ipv6Address.size() < 16) {
        return finish(*Runtime::get(),
                      unexpected(info->family != stack::Family::V6 ? stack::Error::AddressFamilyMismatch
                                                                   : stack::Error::InvalidArgument),
                      socket);
    }
    std::copy(info->local->address.octets.begin(), info->local->address.octets.end(), ipv6Address.begin());
    port = info->local->port;
    return wsa::kSuccess;
}

capl_long IpGetSocketName(dword socket, IP_Endpoint& localEndpoint) {
    auto info = socket_info(socket);
    if (!info) return info.error();
    localEndpoint = IP_Endpoint(detail::from_stack(info->local->address), info->local->port,
                                TransportProtocol::Udp);
    return wsa::kSuccess;
}

capl_long IpGetSocketAddressFamily(dword socket) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return -1;
    auto info = rt->with_sockets([&](stack::UdpBackend& u) { return u.info(socket); });
    if (!info) {
        rt->fail(wsa::kInvalidParameter);
        return -1;  // this page documents -1 for an invalid handle (SPEC §2)
    }
    return info->family == stack::Family::V6 ? AF_INET6_CAPL : AF_INET_CAPL;
}

namespace {

// Winsock's numbers for the levels and options caplnet supports.
constexpr capl_long kSolSocket = 0xffff, kIpprotoIp = 0, kIpprotoIpv6 = 41;
constexpr capl_long kSoReuseAddr = 0x0004, kSoBroadcast = 0x0020, kSoType = 0x1008;
constexpr capl_long kIpTtl = 4, kIpMulticastIf = 9, kIpMulticastTtl = 10, kIpMulticastLoop = 11;
constexpr capl_long kIpv6UnicastHops = 4, kIpv6MulticastIf = 9, kIpv6MulticastHops = 10,
                    kIpv6MulticastLoop = 11;

struct NamedOption {
    const char* level_name;
    const char* name;
    capl_long level;
    capl_long number;
};
constexpr NamedOption kOptions[] = {
    {"SOL_SOCKET", "SO_REUSEADDR", kSolSocket, kSoReuseAddr},
    {"SOL_SOCKET", "SO_BROADCAST", kSolSocket, kSoBroadcast},
    {"SOL_SOCKET", "SO_TYPE", kSolSocket, kSoType},
    {"IPPROTO_IP", "IP_TTL", kIpprotoIp, kIpTtl},
    {"IPPROTO_IP", "IP_MULTICAST_IF", kIpprotoIp, kIpMulticastIf},
    {"IPPROTO_IP", "IP_MULTICAST_TTL", kIpprotoIp, kIpMulticastTtl},
    {"IPPROTO_IP", "IP_MULTICAST_LOOP", kIpprotoIp, kIpMulticastLoop},
    {"IPPROTO_IPV6", "IPV6_UNICAST_HOPS", kIpprotoIpv6, kIpv6UnicastHops},
    {"IPPROTO_IPV6", "IPV6_MULTICAST_IF", kIpprotoIpv6, kIpv6MulticastIf},
    {"IPPROTO_IPV6", "IPV6_MULTICAST_HOPS", kIpprotoIpv6, kIpv6MulticastHops},
    {"IPPROTO_IPV6", "IPV6_MULTICAST_LOOP", kIpprotoIpv6, kIpv6MulticastLoop},
};

bool equal_nocase(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::toupper(x) == std::toupper(y); });
}

std::optional<std::pair<capl_long, capl_long>> option_by_name(const char* level, const char* name) {
    if (level == nullptr || name == nullptr) return std::nullopt;
    for (const auto& o : kOptions) {
        if (equal_nocase(level, o.level_name) && equal_nocase(name, o.name)) return std::pair(o.level, o.number);
    }
    return std::nullopt;
}

struct Mapped {
    std::optional<stack::SocketOption> option;  // nullopt: the multicast interface or SO_TYPE
    bool multicast_if = false;
    bool type = false;
    std::optional<stack::Family> family;  // IP / IPV6 levels belong to one family
};

std::optional<Mapped> map_option(capl_long level, capl_long name) {
    using O = stack::SocketOption;
    if (level == kSolSocket) {
        if (name == kSoReuseAddr) return Mapped{O::ReuseAddress, false, false, std::nullopt};
        if (name == kSoBroadcast) return Mapped{O::Broadcast, false, false, std::nullopt};
        if (name == kSoType) return Mapped{std::nullopt, false, true, std::nullopt};
    } else if (level == kIpprotoIp || level == kIpprotoIpv6) {
        const auto fam = level == kIpprotoIp ? stack::Family::V4 : stack::Family::V6;
        if (name == kIpTtl) return Mapped{O::Ttl, false, false, fam};
        if (name == kIpMulticastIf) return Mapped{std::nullopt, true, false, fam};
        if (name == kIpMulticastTtl) return Mapped{O::MulticastTtl, false, false, fam};
        if (name == kIpMulticastLoop) return Mapped{O::MulticastLoop, false, false, fam};
    }
    return std::nullopt;
}

capl_long set_option(dword socket, capl_long level, capl_long name, capl_long value) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return detail::no_runtime();
    const auto m = map_option(level, name);
    auto r = rt->with_sockets([&](stack::UdpBackend& u) -> Expected<void, stack::Error> {
        auto info = u.info(socket);
        if (!info) return unexpected(info.error());
        if (!m || m->type) return unexpected(stack::Error::NotSupported);
        if (m->family && *m->family != info->family) return unexpected(stack::Error::AddressFamilyMismatch);
        if (m->multicast_if) return u.set_multicast_interface(socket, static_cast<std::uint32_t>(value));
        return u.set_option(socket, *m->option, value);
    });
    if (!r && r.error() == stack::Error::NotSupported) {
        rt->fail(wsa::kNoProtoOpt, socket);  // WSAENOPROTOOPT: unknown or read-only option
        return wsa::kSocketError;
    }
    return finish(*rt, r, socket);
}

}  // namespace

capl_long IpSetSocketOption(dword socket, capl_long level, capl_long name, capl_long value) {
    return set_option(socket, level, name, value);
}

capl_long IpSetSocketOption(dword socket, const char level[], const char name[], capl_long value) {
    auto o = option_by_name(level, name);
    return set_option(socket, o ? o->first : -1, o ? o->second : -1, value);
}

capl_long IpGetSocketOption(dword socket, const char level[], const char name[], capl_long& value) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return detail::no_runtime();
    const auto o = option_by_name(level, name);
    const auto m = o ? map_option(o->first, o->second) : std::nullopt;
    auto r = rt->with_sockets([&](stack::UdpBackend& u) -> Expected<int, stack::Error> {
        auto info = u.info(socket);
        if (!info) return unexpected(info.error());
        if (!m) return unexpected(stack::Error::NotSupported);
        if (m->type) return 2;  // SO_TYPE: 1 = TCP, 2 = UDP (reference §1.6)
        if (m->family && *m->family != info->family) return unexpected(stack::Error::AddressFamilyMismatch);
        if (m->multicast_if) return static_cast<int>(info->multicast_if);
        return u.option(socket, *m->option);
    });
    if (!r) {
        if (r.error() == stack::Error::NotSupported) {
            rt->fail(wsa::kNoProtoOpt, socket);
            return wsa::kSocketError;
        }
        return finish(*rt, unexpected(r.error()), socket);
    }
    value = *r;
    return wsa::kSuccess;
}

}  // namespace caplnet::capl
