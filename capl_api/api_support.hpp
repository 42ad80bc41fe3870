#pragma once
// What every CAPL function needs: the runtime, address conversion to the stack's types, and the
// one way a stack result becomes a CAPL return value plus last errors.
#include <cstring>
#include <optional>

#include "capl_api/error_map.hpp"
#include "capl_api/runtime.hpp"
#include "caplnet/capl/error_codes.hpp"
#include "caplnet/capl/types.hpp"

namespace caplnet::capl::detail {

inline stack::IpAddress ipv4_from_dword(dword a) {
    std::array<std::uint8_t, 4> b;
    std::memcpy(b.data(), &a, 4);  // CAPL's dword holds the address bytes as they lie (SPEC §1)
    return stack::IpAddress::v4(b);
}

inline dword dword_from_ipv4(const stack::IpAddress& a) {
    dword d = 0;
    std::memcpy(&d, a.octets.data(), 4);
    return d;
}

/// nullopt for an unset address.
inline std::optional<stack::IpAddress> to_stack(const IP_Address& a) {
    if (a.IsIPv4Address() != 0) return ipv4_from_dword(a.IPv4Address());
    if (a.IsIPv6Address() != 0) return stack::IpAddress::v6(a.ipv6().octets, a.ScopeID());
    return std::nullopt;
}

inline IP_Address from_stack(const stack::IpAddress& a) {
    return a.is_v6() ? IP_Address(wire::Ipv6Address{a.octets}, a.scope_id) : IP_Address(dword_from_ipv4(a));
}

/// A CAPL call's outcome: 0, or the code recorded as last error (global and per socket) and
/// returned as 87 where SPEC §2 says so, -1 otherwise.
inline capl_long finish(Runtime& rt, const Expected<void, stack::Error>& r, dword socket) {
    if (r) return wsa::kSuccess;
    const capl_long code = to_capl_code(r.error());
    rt.fail(code, socket);
    return code == wsa::kInvalidParameter ? wsa::kInvalidParameter : wsa::kSocketError;
}

/// Functions called with no node running in the process.
inline capl_long no_runtime() { return wsa::kSocketError; }

}  // namespace caplnet::capl::detail
