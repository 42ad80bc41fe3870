#pragma once
// The CAPL address converters (reference/capl-tcpip-api.md §1.4, §3.1, §3.2): IpGetAddressAsNumber,
// IpGetAddressAsString, IpGetAddressAsArray. Pure text/number work: no stack, no last error.
#include <span>
#include <string_view>

#include "caplnet/capl/types.hpp"

namespace caplnet::capl {

/// What IpGetAddressAsNumber and IpGetAddressAsArray return for text they cannot read. For
/// IpGetAddressAsNumber it is also "255.255.255.255" — CAPL's ambiguity, kept (SPEC §2). The
/// IpGetAddressAsArray page prints 0xFFFFFF, read as a typo for this value (reference §6.17).
inline constexpr dword kInvalidAddressText = 0xFFFFFFFF;

/// `dword IpGetAddressAsNumber(char address[])`: dotted IPv4 text to CAPL's numeric form, where
/// a.b.c.d is 0x0d0c0b0a ("192.168.1.1" -> 0x0101A8C0). Strict dotted quad (four decimal octets,
/// no leading zeros, no white space); anything else gives kInvalidAddressText.
dword IpGetAddressAsNumber(std::string_view address);

/// `long IpGetAddressAsString(dword numericAddress, char address[], dword count)` (form 1):
/// numeric IPv4 to dotted text. The buffer holds min(address.size(), count) chars. Returns 0;
/// wsa::kNotEnoughMemory (8) when the text and its NUL do not fit (the buffer then holds "").
/// Every dword is an address, so form 1 never returns 87.
capl_long IpGetAddressAsString(dword numeric_address, std::span<char> address, dword count);

/// `long IpGetAddressAsString(byte ipv6Address[], char address[], dword count)` (form 2):
/// 16 network-order bytes to RFC 5952 text ("2001:db8::1"). Returns 0; 8 as form 1;
/// wsa::kInvalidParameter (87) when `ipv6_address` is not 16 bytes long.
capl_long IpGetAddressAsString(std::span<const byte> ipv6_address, std::span<char> address,
                               dword count);

/// `dword IpGetAddressAsArray(char address[], byte ipv6Address[])`: IPv6 colon text to 16
/// network-order bytes. Returns 0, or kInvalidAddressText when the text is not an IPv6 address
/// (IPv4 text, brackets and `%scope` included) or `ipv6_address` holds fewer than 16 bytes;
/// `ipv6_address` is then unchanged.
dword IpGetAddressAsArray(std::string_view address, std::span<byte> ipv6_address);

}  // namespace caplnet::capl
