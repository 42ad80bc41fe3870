#pragma once
// CAPL's IP API: socket-level functions (multicast membership, binding, options, last errors)
// and the adapter functions, with CAPL's names, overload forms and return values (SPEC §2–§4).
#include <span>

#include "caplnet/capl/types.hpp"

namespace caplnet::capl {

// Address families as IpGetSocketAddressFamily and IpGetAdapterAddressCount speak them.
inline constexpr capl_long AF_INET_CAPL = 2;
inline constexpr capl_long AF_INET6_CAPL = 28;

capl_long IpJoinMulticastGroup(dword socket, dword ifIndex, dword ipv4address);
capl_long IpJoinMulticastGroup(dword socket, dword ifIndex, std::span<const byte> ipv6Address);
capl_long IpJoinMulticastGroup(dword socket, dword ifIndex, const IP_Address& multicastAddress);
capl_long IpLeaveMulticastGroup(dword socket, dword ifIndex, dword ipv4address);
capl_long IpLeaveMulticastGroup(dword socket, dword ifIndex, std::span<const byte> ipv6Address);
capl_long IpLeaveMulticastGroup(dword socket, dword ifIndex, const IP_Address& multicastAddress);
capl_long IpSetMulticastInterface(dword socket, dword ifIndex);

capl_long IpGetLastError();
capl_long IpGetLastSocketError(dword socket);
capl_long IpGetLastSocketErrorAsString(dword socket, char text[], dword count);

capl_long IpBind(dword socket, dword address, dword port);
capl_long IpBind(dword socket, std::span<const byte> ipv6Address, dword port);
capl_long IpBind(dword socket, const IP_Endpoint& localEndpoint);
capl_long IpGetSocketName(dword socket, dword& ipv4Address, dword& port);
capl_long IpGetSocketName(dword socket, std::span<byte> ipv6Address, dword& port);
capl_long IpGetSocketName(dword socket, IP_Endpoint& localEndpoint);
capl_long IpGetSocketAddressFamily(dword socket);
/// Levels and names as numbers (Winsock's: SOL_SOCKET 0xFFFF, IPPROTO_IP 0, IPPROTO_IPV6 41) ...
capl_long IpSetSocketOption(dword socket, capl_long level, capl_long name, capl_long value);
/// ... or as text ("SOL_SOCKET", "SO_BROADCAST", "IPPROTO_IP", "IP_MULTICAST_TTL", ...).
capl_long IpSetSocketOption(dword socket, const char level[], const char name[], capl_long value);
capl_long IpGetSocketOption(dword socket, const char level[], const char name[], capl_long& value);

dword IpGetAdapterCount();
dword IpGetAdapter(capl_long channel);
dword IpGetAdapter(capl_long channel, word vlanId);
capl_long IpGetAdapterChannel(dword ifIndex);
capl_long IpGetAdapterAddress(dword ifIndex, dword ipv4address[], dword ipv4AddressSize);
capl_long IpGetAdapterAddress(dword ifIndex, byte ipv6Addresses[][16], dword ipv6AddressesSize);
capl_long IpGetAdapterAddress(dword ifIndex, IP_Address addresses[], dword& count);
capl_long IpGetAdapterAddressAsString(dword ifIndex, char address[], dword count);
capl_long IpGetAdapterAddressCount(dword ifIndex, dword addressFamily);
capl_long IpGetAdapterMask(dword ifIndex, dword mask[], dword maskSize);
capl_long IpGetAdapterMask(dword ifIndex, IP_Address addressMasks[], dword& count);
capl_long IpGetAdapterMacId(dword ifIndex, byte macId[]);
qword IpGetAdapterMacId(dword ifIndex);
capl_long IpGetAdapterVlanId(dword ifIndex, word& retVlanId);
capl_long IpGetAdapterDescription(dword ifIndex, char name[], dword count);

}  // namespace caplnet::capl
