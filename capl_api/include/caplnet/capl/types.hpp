#pragma once
// CAPL's scalar types and the value types IP_Address and IP_Endpoint (SPEC §1;
// reference/capl-tcpip-api.md §3.3, §3.4).
//
// Method names are CAPL's, verbatim (PascalCase exists only in capl_api/). CAPL's selectors
// (`addr.IPv4Address`, `addr.ScopeID`, `ep.Address`, `ep.PortNumber`) become a getter of the same
// name and a `Set…` setter; `ep.Address()` also has a non-const overload so that CAPL's
// `ep.Address.ScopeID = ifIndex` reads `ep.Address().SetScopeID(ifIndex)`.
//
// Text literals (CAPL writes them unquoted, C++ takes them as strings):
//   IP_Address   239.0.0.123   ff15::123   fe80::1%2   [ff15::123]   [fe80::1%2]
//   IP_Endpoint  0.0.0.0:40001   [ff15::123]:40001   UDP:192.168.1.2:4001   TCP:[::]:4000
//                192.168.1.2   ff::1   fe80::1%2   (no port: port 0, "undefined")
// The `TCP:`/`UDP:` tag is case-insensitive, as CAPL identifiers are. The scope id after `%` is a
// decimal ifIndex (0..4294967295). No white space anywhere. A `char[]` argument ends at its first
// NUL, as in CAPL.
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "netif/wire/ipv4.hpp"
#include "netif/wire/ipv6.hpp"

namespace caplnet::capl {

// CAPL scalar types (SPEC §1). CAPL's `long` is 32 bits wide whatever the host's `long` is, so it
// gets its own name: `capl_long` (std::int32_t). CAPL's `int` (16 bits) is not used by this API.
using byte = std::uint8_t;
using word = std::uint16_t;
using dword = std::uint32_t;
using qword = std::uint64_t;
using capl_long = std::int32_t;

/// Address families as CAPL numbers them (IpGetSocketAddressFamily, IpGetAdapterAddressCount):
/// AF_INET6 is 28 (the BSD value), not Winsock's 23 nor lwIP's 10.
inline constexpr dword kAfInet = 2;
inline constexpr dword kAfInet6 = 28;

/// CAPL's numeric IPv4 form (SPEC §1): the four network-order bytes read as a little-endian
/// number, so text a.b.c.d is 0x0d0c0b0a whatever the host's byte order.
inline dword ipv4_to_dword(const wire::Ipv4Address& a) {
    return dword{a.octets[0]} | (dword{a.octets[1]} << 8) | (dword{a.octets[2]} << 16) |
           (dword{a.octets[3]} << 24);
}
inline wire::Ipv4Address ipv4_from_dword(dword v) {
    return wire::Ipv4Address{{static_cast<byte>(v), static_cast<byte>(v >> 8),
                              static_cast<byte>(v >> 16), static_cast<byte>(v >> 24)}};
}

/// A CAPL `char[]` argument: the text up to the first NUL (or all of it when there is none).
inline std::string_view c_string_view(std::string_view text) {
    return text.substr(0, text.find('\0'));
}

/// Writes `text` and a terminating NUL into `out` when both fit and returns true. Otherwise writes
/// an empty string (when `out` has room for the NUL) and returns false: a cut-off address such as
/// "192.168.1." must never be mistaken for a whole one.
inline bool copy_c_string(std::string_view text, std::span<char> out) {
    if (text.size() < out.size()) {
        text.copy(out.data(), text.size());
        out[text.size()] = '\0';
        return true;
    }
    if (!out.empty()) {
        out[0] = '\0';
    }
    return false;
}

/// An IPv4 or IPv6 address (an IPv6 one with a scope id), or unset. A value type.
class IP_Address {
public:
    enum class Family : std::uint8_t { Unset, V4, V6 };

    /// Unset (CAPL `IP_Address name;`).
    IP_Address() = default;
    /// From a literal (`239.0.0.123`, `ff15::123`, `fe80::1%2`, `[ff15::123]`). Text that does
    /// not parse gives an unset address; use parse() to tell.
    explicit IP_Address(std::string_view text);
    /// From CAPL's numeric IPv4 form: text a.b.c.d is 0x0d0c0b0a (SPEC §1).
    explicit IP_Address(dword ipv4_address);
    /// From 4 (IPv4) or 16 (IPv6, network order) bytes; any other length gives an unset address.
    explicit IP_Address(std::span<const byte> bytes);
    explicit IP_Address(const wire::Ipv4Address& a);
    explicit IP_Address(const wire::Ipv6Address& a, dword scope_id = 0);

    static std::optional<IP_Address> parse(std::string_view text);

    // --- CAPL selectors ---
    /// The IPv4 address in CAPL's numeric form; 0 unless IsIPv4Address().
    dword IPv4Address() const;
    /// Makes this an IPv4 address (whatever it was before).
    void SetIPv4Address(dword ipv4_address);
    /// The IPv6 scope id (the ifIndex for link-local and multicast addresses); 0 unless IPv6.
    dword ScopeID() const { return scope_id_; }
    /// Only an IPv6 address carries a scope id; on an IPv4 or unset address this does nothing.
    void SetScopeID(dword scope_id);

    // --- CAPL methods (reference §3.3) ---
    capl_long IsIPv4Address() const { return family_ == Family::V4 ? 1 : 0; }
    capl_long IsIPv6Address() const { return family_ == Family::V6 ? 1 : 0; }
    /// 1 for the IPv4 limited broadcast 255.255.255.255 (a subnet's directed broadcast needs its
    /// mask, which an address does not know); IPv6 has no broadcast.
    capl_long IsBroadcast() const;
    /// 1 for 224.0.0.0/4 and ff00::/8.
    capl_long IsMulticast() const;
    /// Copies the address bytes (network order). 0 ok; 1 `out` is not exactly 4 (IPv4) or 16
    /// (IPv6) long; 2 the address is unset.
    capl_long GetAddressAsArray(std::span<byte> out) const;
    capl_long GetAddressAsArray(std::span<char> out) const;
    /// 4 bytes make an IPv4, 16 an IPv6 address (scope id 0). 0 ok; 1 any other length (the
    /// address is left as it was).
    capl_long SetAddressAsArray(std::span<const byte> in);
    capl_long SetAddressAsArray(std::span<const char> in);
    /// 1 if the addresses match, else 0. An unset address, 0.0.0.0 and :: are wildcards that match
    /// anything (on either side). Otherwise the families must agree and, for IPv6, the scope ids
    /// when both are non-zero.
    capl_long MatchesAddress(const IP_Address& other) const;
    /// As above, comparing only the first `prefix` bits (clamped to 0..32 / 0..128).
    capl_long MatchesAddress(const IP_Address& other, capl_long prefix) const;
    /// As above, comparing only the bits set in `net_mask`, which must be of the same family as
    /// both addresses (else 0).
    capl_long MatchesAddress(const IP_Address& other, const IP_Address& net_mask) const;
    /// 0 ok; 1 parse error (the address is left as it was).
    capl_long ParseAddressFromString(std::string_view text);
    /// IPv4 dotted; IPv6 RFC 5952 (lower case, longest zero run as "::") with `%<scope>` when the
    /// scope id is not 0. 0 ok; 1 `out` too small; 2 unset. On 1 and 2 `out` holds "".
    capl_long PrintAddressToString(std::span<char> out) const;

    // --- C++ side ---
    Family family() const { return family_; }
    bool is_unset() const { return family_ == Family::Unset; }
    /// 0.0.0.0 or :: (an unset address is not "unspecified").
    bool is_unspecified() const;
    /// Only meaningful when IsIPv4Address() / IsIPv6Address().
    wire::Ipv4Address ipv4() const;
    wire::Ipv6Address ipv6() const;
    /// What PrintAddressToString writes; "" when unset.
    std::string to_string() const;

    friend bool operator==(const IP_Address&, const IP_Address&) = default;
    friend auto operator<=>(const IP_Address&, const IP_Address&) = default;

private:
    Family family_ = Family::Unset;
    std::array<byte, 16> bytes_{};  // IPv4 in the first 4, the rest 0
    dword scope_id_ = 0;            // 0 unless IPv6
};

/// The `TCP:` / `UDP:` tag of an IP_Endpoint.
enum class TransportProtocol : std::uint8_t { Unknown, Tcp, Udp };

/// An address, a port (host order; 0 = undefined, the stack picks one) and a transport tag.
class IP_Endpoint {
public:
    /// Unset address, port 0, transport unknown (CAPL `IP_Endpoint name;`).
    IP_Endpoint() = default;
    /// From a literal (`0.0.0.0:40001`, `[ff15::123]:40001`, `UDP:192.168.1.2:4001`,
    /// `TCP:[::]:4000`, `ff::1`). Text that does not parse gives the default endpoint; use
    /// parse() to tell.
    explicit IP_Endpoint(std::string_view text);
    IP_Endpoint(const IP_Address& address, std::uint16_t port,
                TransportProtocol transport = TransportProtocol::Unknown);

    static std::optional<IP_Endpoint> parse(std::string_view text);

    // --- CAPL selectors ---
    const IP_Address& Address() const { return address_; }
    IP_Address& Address() { return address_; }
    void SetAddress(const IP_Address& address) { address_ = address; }
    dword PortNumber() const { return port_; }
    void SetPortNumber(std::uint16_t port) { port_ = port; }

    // --- CAPL methods (reference §3.4) ---
    capl_long IsTCP() const { return transport_ == TransportProtocol::Tcp ? 1 : 0; }
    capl_long IsUDP() const { return transport_ == TransportProtocol::Udp ? 1 : 0; }
    capl_long IsUnknown() const { return transport_ == TransportProtocol::Unknown ? 1 : 0; }
    capl_long SetToTCP();
    capl_long SetToUDP();
    capl_long SetTransportProtocolToUnknown();
    /// 1 if the endpoints match, else 0. An unknown transport and port 0 are wildcards (on either
    /// side); the addresses match as IP_Address::MatchesAddress.
    capl_long MatchesEndpoint(const IP_Endpoint& other) const;
    capl_long MatchesEndpoint(const IP_Endpoint& other, capl_long prefix) const;
    /// 0 ok; 1 parse error (the endpoint is left as it was).
    capl_long ParseEndpointFromString(std::string_view text);
    /// `[TCP:|UDP:]<ipv4>:<port>` or `[TCP:|UDP:][<ipv6>[%<scope>]]:<port>`; an unset address
    /// prints as 0.0.0.0. 0 ok; 1 `out` too small (then `out` holds "").
    capl_long PrintEndpointToString(std::span<char> out) const;

    // --- C++ side ---
    TransportProtocol transport() const { return transport_; }
    std::uint16_t port() const { return port_; }
    /// What PrintEndpointToString writes.
    std::string to_string() const;

    friend bool operator==(const IP_Endpoint&, const IP_Endpoint&) = default;
    friend auto operator<=>(const IP_Endpoint&, const IP_Endpoint&) = default;

private:
    IP_Address address_;
    std::uint16_t port_ = 0;
    TransportProtocol transport_ = TransportProtocol::Unknown;
};

}  // namespace caplnet::capl
