// UdpOpen, UdpSendTo, UdpReceiveFrom and the rest of CAPL's UDP functions.
#include <cstring>

#include "capl_api/api_support.hpp"
#include "caplnet/capl/udp.hpp"

namespace caplnet::capl {

using detail::finish;
using detail::Runtime;

namespace {

dword open_socket(stack::Family family, std::optional<stack::Endpoint> bind_to, bool valid) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return wsa::kInvalidSocket;
    if (!valid) {
        rt->fail(wsa::kInvalidArgument);
        return wsa::kInvalidSocket;
    }
    auto r = rt->with_sockets([&](stack::UdpBackend& u) -> Expected<stack::SocketId, stack::Error> {
        auto id = u.open(family);
        if (!id) return id;
        if (bind_to) {
            if (auto b = u.bind(*id, *bind_to); !b) {
                u.close(*id);
                return unexpected(b.error());
            }
        }
        return id;
    });
    if (!r) {
        // UdpOpen failures are read with IpGetLastError (reference §1.1).
        rt->fail(to_capl_code(r.error()));
        return wsa::kInvalidSocket;
    }
    rt->remember_socket(*r);
    return *r;
}

// "Non-zero port => implicit bind; address given but port 0 => no implicit bind" (UdpOpen page).
std::optional<stack::Endpoint> implicit_bind(const stack::IpAddress& a, dword port) {
    if (port == 0) return std::nullopt;
    return stack::Endpoint{a, static_cast<std::uint16_t>(port)};
}

}  // namespace

dword UdpOpen(dword ipv4Address, dword port) {
    return open_socket(stack::Family::V4, implicit_bind(detail::ipv4_from_dword(ipv4Address), port),
                       port <= 0xffff);
}

dword UdpOpen(std::span<const byte> ipv6Address, dword port) {
    if (ipv6Address.size() != 16) return open_socket(stack::Family::V6, std::nullopt, false);
    std::array<std::uint8_t, 16> b;
    std::copy(ipv6Address.begin(), ipv6Address.end(), b.begin());
    return open_socket(stack::Family::V6, implicit_bind(stack::IpAddress::v6(b), port), port <= 0xffff);
}

dword UdpOpen(const IP_Endpoint& localEndpoint) {
    // An unset address is IPv4's wildcard: `IP_Endpoint(:4000)` style endpoints open IPv4.
    const auto a = detail::to_stack(localEndpoint.Address()).value_or(stack::IpAddress::any(stack::Family::V4));
    return open_socket(a.family, implicit_bind(a, localEndpoint.port()), true);
}

capl_long UdpClose(dword socket) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return detail::no_runtime();
    auto r = rt->with_sockets([&](stack::UdpBackend& u) { return u.close(socket); });
    const capl_long result = finish(*rt, r, socket);
    if (r) {
        rt->purge_socket(socket);
        rt->forget_socket(socket);  // a closed handle stays invalid (SPEC §2)
    }
    return result;
}

capl_long UdpConnect(dword socket, const IP_Endpoint& remoteEndpoint) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return detail::no_runtime();
    const auto a = detail::to_stack(remoteEndpoint.Address());
    auto r = rt->with_sockets([&](stack::UdpBackend& u) -> Expected<void, stack::Error> {
        if (auto info = u.info(socket); !info) return unexpected(info.error());
        if (!a || remoteEndpoint.port() == 0) return unexpected(stack::Error::InvalidArgument);
        return u.connect(socket, stack::Endpoint{*a, remoteEndpoint.port()});
    });
    return finish(*rt, r, socket);
}

namespace detail {

IP_Endpoint ipv4_endpoint(dword address, dword port) {
    return IP_Endpoint(IP_Address(address), static_cast<std::uint16_t>(port > 0xffff ? 0 : port));
}

IP_Endpoint ipv6_endpoint(std::span<const byte> address, dword port) {
    return IP_Endpoint(address.size() == 16 ? IP_Address(address) : IP_Address(),
                       static_cast<std::uint16_t>(port > 0xffff ? 0 : port));
}

capl_long udp_send_bytes(dword socket, const IP_Endpoint* to, const void* data, dword size,
                         std::size_t available) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return no_runtime();
    std::optional<stack::Endpoint> dest;
    bool bad_dest = false;
    if (to != nullptr) {
        const auto a = to_stack(to->Address());
        if (a && to->port() != 0) {
            dest = stack::Endpoint{*a, to->port()};
        } else {
            bad_dest = true;
        }
    }
    const bool bad_args = bad_dest || (data == nullptr && size > 0) || size > available;
    auto r = rt->with_sockets([&](stack::UdpBackend& u) -> Expected<void, stack::Error> {
        // send() checks the handle first itself; only bad arguments need the handle checked
        // apart (87 comes before 10022), which saves a hand-off to the stack thread per send.
        if (bad_args) {
            if (auto info = u.info(socket); !info) return unexpected(info.error());
            return unexpected(stack::Error::InvalidArgument);
        }
        return u.send(socket, dest, std::span(static_cast<const std::uint8_t*>(data), size));
    });
    // Sends complete at once here, so OnUdpSendTo is never due (SPEC §6).
    return finish(*rt, r, socket);
}

}  // namespace detail

namespace {
// A char[]/byte[] buffer's length is not known here; the caller's size is trusted as CAPL does.
constexpr std::size_t kTrustSize = ~std::size_t{0};
}  // namespace

capl_long UdpSend(dword socket, const char buffer[], dword size) {
    return detail::udp_send_bytes(socket, nullptr, buffer, size, kTrustSize);
}
capl_long UdpSend(dword socket, const byte buffer[], dword size) {
    return detail::udp_send_bytes(socket, nullptr, buffer, size, kTrustSize);
}

capl_long UdpSendTo(dword socket, dword address, dword port, const char buffer[], dword size) {
    const IP_Endpoint to = detail::ipv4_endpoint(address, port);
    return detail::udp_send_bytes(socket, &to, buffer, size, kTrustSize);
}
capl_long UdpSendTo(dword socket, std::span<const byte> ipv6Address, dword port, const char buffer[],
                    dword size) {
    const IP_Endpoint to = detail::ipv6_endpoint(ipv6Address, port);
    return detail::udp_send_bytes(socket, &to, buffer, size, kTrustSize);
}
capl_long UdpSendTo(dword socket, dword address, dword port, const byte buffer[], dword size) {
    const IP_Endpoint to = detail::ipv4_endpoint(address, port);
    return detail::udp_send_bytes(socket, &to, buffer, size, kTrustSize);
}
capl_long UdpSendTo(dword socket, std::span<const byte> ipv6Address, dword port, const byte buffer[],
                    dword size) {
    const IP_Endpoint to = detail::ipv6_endpoint(ipv6Address, port);
    return detail::udp_send_bytes(socket, &to, buffer, size, kTrustSize);
}
capl_long UdpSendTo(dword socket, const IP_Endpoint& remoteEndpoint, const char buffer[], dword size) {
    return detail::udp_send_bytes(socket, &remoteEndpoint, buffer, size, kTrustSize);
}
capl_long UdpSendTo(dword socket, const IP_Endpoint& remoteEndpoint, const byte buffer[], dword size) {
    return detail::udp_send_bytes(socket, &remoteEndpoint, buffer, size, kTrustSize);
}

capl_long UdpReceiveFrom(dword socket, char buffer[], dword size) {
    Runtime* rt = Runtime::get();
    if (rt == nullptr) return detail::no_runtime();
    if (buffer == nullptr && size > 0) {
        auto r = rt->with_sockets([&](stack::UdpBackend& u) -> Expected<void, stack::Error> {
            if (auto info = u.info(socket); !info) return unexpected(info.error());
            return unexpected(stack::Error::InvalidArgument);
        });
        return finish(*rt, r, socket);
    }
    // Armed first: a datagram the stack hands over at once completes into this buffer.
    rt->arm(socket, reinterpret_cast<std::uint8_t*>(buffer), size);
    auto r = rt->receive(socket);  // checks the handle itself
    if (!r) {
        rt->disarm(socket);
        return finish(*rt, unexpected(r.error()), socket);
    }
    if (*r) return wsa::kSuccess;  // queued: the callback is queued at once (SPEC §6)
    rt->fail(wsa::kIoPending, socket);
    return wsa::kSocketError;
}

}  // namespace caplnet::capl
