#pragma once
// CAPL's UDP API: the functions and the UdpSocket class, every documented overload form.
#include <cstring>
#include <span>
#include <type_traits>

#include "caplnet/capl/ip.hpp"
#include "caplnet/capl/types.hpp"

namespace caplnet::capl {

namespace detail {
capl_long udp_send_bytes(dword socket, const IP_Endpoint* to, const void* data, dword size,
                         std::size_t available);
IP_Endpoint ipv4_endpoint(dword address, dword port);
IP_Endpoint ipv6_endpoint(std::span<const byte> address, dword port);
}  // namespace detail

/// CAPL's `struct data[]` forms: any trivially copyable value (or array of them).
template <class T>
concept UdpData = std::is_trivially_copyable_v<T> && !std::is_pointer_v<T>;

dword UdpOpen(dword ipv4Address, dword port);
dword UdpOpen(std::span<const byte> ipv6Address, dword port);
dword UdpOpen(const IP_Endpoint& localEndpoint);
capl_long UdpClose(dword socket);
capl_long UdpConnect(dword socket, const IP_Endpoint& remoteEndpoint);

capl_long UdpSend(dword socket, const char buffer[], dword size);
capl_long UdpSend(dword socket, const byte buffer[], dword size);
template <UdpData T>
capl_long UdpSend(dword socket, const T& data, dword size) {
    return detail::udp_send_bytes(socket, nullptr, &data, size, sizeof(T));
}

capl_long UdpSendTo(dword socket, dword address, dword port, const char buffer[], dword size);  // 1
capl_long UdpSendTo(dword socket, std::span<const byte> ipv6Address, dword port, const char buffer[],
                    dword size);                                                                  // 2
template <UdpData T>
capl_long UdpSendTo(dword socket, dword address, dword port, const T& data, dword size) {        // 3
    const IP_Endpoint to = detail::ipv4_endpoint(address, port);
    return detail::udp_send_bytes(socket, &to, &data, size, sizeof(T));
}
capl_long UdpSendTo(dword socket, dword address, dword port, const byte buffer[], dword size);  // 4
template <UdpData T>
capl_long UdpSendTo(dword socket, std::span<const byte> ipv6Address, dword port, const T& data,
                    dword size) {                                                                 // 5
    const IP_Endpoint to = detail::ipv6_endpoint(ipv6Address, port);
    return detail::udp_send_bytes(socket, &to, &data, size, sizeof(T));
}
capl_long UdpSendTo(dword socket, std::span<const byte> ipv6Address, dword port, const byte buffer[],
                    dword size);                                                                  // 6
capl_long UdpSendTo(dword socket, const IP_Endpoint& remoteEndpoint, const char buffer[], dword size);  // 7
capl_long UdpSendTo(dword socket, const IP_Endpoint& remoteEndpoint, const byte buffer[], dword size);  // 8
template <UdpData T>
capl_long UdpSendTo(dword socket, const IP_Endpoint& remoteEndpoint, const T& data, dword size) {     // 9
    return detail::udp_send_bytes(socket, &remoteEndpoint, &data, size, sizeof(T));
}

/// Arms one receive into `buffer` (SPEC §6): 0 if a datagram was waiting (its OnUdpReceiveFrom
/// is queued), else -1 with last error 997 and the callback comes when one arrives.
capl_long UdpReceiveFrom(dword socket, char buffer[], dword size);

/// CAPL's UdpSocket: the same calls as methods, the socket argument dropped.
class UdpSocket {
public:
    UdpSocket() = default;  // not open: every call answers 87
    explicit UdpSocket(dword handle) : handle_(handle) {}

    static UdpSocket Open(dword ipv4Address, dword port) { return UdpSocket(UdpOpen(ipv4Address, port)); }
    static UdpSocket Open(std::span<const byte> ipv6Address, dword port) {
        return UdpSocket(UdpOpen(ipv6Address, port));
    }
    static UdpSocket Open(const IP_Endpoint& localEndpoint) { return UdpSocket(UdpOpen(localEndpoint)); }

    capl_long Close() { return UdpClose(handle_); }
    capl_long Bind(dword address, dword port) { return IpBind(handle_, address, port); }
    capl_long Bind(std::span<const byte> ipv6Address, dword port) { return IpBind(handle_, ipv6Address, port); }
    capl_long Bind(const IP_Endpoint& localEndpoint) { return IpBind(handle_, localEndpoint); }
    capl_long Connect(const IP_Endpoint& remoteEndpoint) { return UdpConnect(handle_, remoteEndpoint); }

    capl_long Send(const char buffer[], dword size) { return UdpSend(handle_, buffer, size); }
    capl_long Send(const byte buffer[], dword size) { return UdpSend(handle_, buffer, size); }
    template <UdpData T>
    capl_long Send(const T& data, dword size) { return UdpSend(handle_, data, size); }

    capl_long SendTo(dword address, dword port, const char buffer[], dword size) {
        return UdpSendTo(handle_, address, port, buffer, size);
    }
    capl_long SendTo(std::span<const byte> ipv6Address, dword port, const char buffer[], dword size) {
        return UdpSendTo(handle_, ipv6Address, port, buffer, size);
    }
    template <UdpData T>
    capl_long SendTo(dword address, dword port, const T& data, dword size) {
        return UdpSendTo(handle_, address, port, data, size);
    }
    capl_long SendTo(dword address, dword port, const byte buffer[], dword size) {
        return UdpSendTo(handle_, address, port, buffer, size);
    }
    template <UdpData T>
    capl_long SendTo(std::span<const byte> ipv6Address, dword port, const T& data, dword size) {
        return UdpSendTo(handle_, ipv6Address, port, data, size);
    }
    capl_long SendTo(std::span<const byte> ipv6Address, dword port, const byte buffer[], dword size) {
        return UdpSendTo(handle_, ipv6Address, port, buffer, size);
    }
    capl_long SendTo(const IP_Endpoint& remoteEndpoint, const char buffer[], dword size) {
        return UdpSendTo(handle_, remoteEndpoint, buffer, size);
    }
    capl_long SendTo(const IP_Endpoint& remoteEndpoint, const byte buffer[], dword size) {
        return UdpSendTo(handle_, remoteEndpoint, buffer, size);
    }
    template <UdpData T>
    capl_long SendTo(const IP_Endpoint& remoteEndpoint, const T& data, dword size) {
        return UdpSendTo(handle_, remoteEndpoint, data, size);
    }
    capl_long ReceiveFrom(char buffer[], dword size) { return UdpReceiveFrom(handle_, buffer, size); }

    capl_long JoinMulticastGroup(dword ifIndex, dword ipv4address) {
        return IpJoinMulticastGroup(handle_, ifIndex, ipv4address);
    }
    capl_long JoinMulticastGroup(dword ifIndex, std::span<const byte> ipv6Address) {
        return IpJoinMulticastGroup(handle_, ifIndex, ipv6Address);
    }
    capl_long JoinMulticastGroup(dword ifIndex, const IP_Address& multicastAddress) {
        return IpJoinMulticastGroup(handle_, ifIndex, multicastAddress);
    }
    capl_long LeaveMulticastGroup(dword ifIndex, dword ipv4address) {
        return IpLeaveMulticastGroup(handle_, ifIndex, ipv4address);
    }
    capl_long LeaveMulticastGroup(dword ifIndex, std::span<const byte> ipv6Address) {
        return IpLeaveMulticastGroup(handle_, ifIndex, ipv6Address);
    }
    capl_long LeaveMulticastGroup(dword ifIndex, const IP_Address& multicastAddress) {
        return IpLeaveMulticastGroup(handle_, ifIndex, multicastAddress);
    }
    capl_long SetMulticastInterface(dword ifIndex) { return IpSetMulticastInterface(handle_, ifIndex); }
    capl_long GetLastSocketError() { return IpGetLastSocketError(handle_); }
    capl_long GetLastSocketErrorAsString(char text[], dword count) {
        return IpGetLastSocketErrorAsString(handle_, text, count);
    }
    capl_long SetSocketOption(capl_long level, capl_long name, capl_long value) {
        return IpSetSocketOption(handle_, level, name, value);
    }
    capl_long SetSocketOption(const char level[], const char name[], capl_long value) {
        return IpSetSocketOption(handle_, level, name, value);
    }
    capl_long GetSocketOption(const char level[], const char name[], capl_long& value) {
        return IpGetSocketOption(handle_, level, name, value);
    }
    capl_long GetSocketName(dword& ipv4Address, dword& port) { return IpGetSocketName(handle_, ipv4Address, port); }
    capl_long GetSocketName(std::span<byte> ipv6Address, dword& port) {
        return IpGetSocketName(handle_, ipv6Address, port);
    }
    capl_long GetSocketName(IP_Endpoint& localEndpoint) { return IpGetSocketName(handle_, localEndpoint); }

    dword handle() const { return handle_; }
    /// CAPL compares a UdpSocket with the dword handle a callback receives.
    friend bool operator==(const UdpSocket& s, dword handle) { return s.handle_ == handle; }

private:
    dword handle_ = 0xFFFFFFFF;  // INVALID_SOCKET
};

}  // namespace caplnet::capl
