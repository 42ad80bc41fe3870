#include <algorithm>
#include <cstddef>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "caplnet/capl/types.hpp"

namespace caplnet::capl {

namespace {

// A scope id: 1..10 decimal digits, at most 4294967295. No sign, no white space.
std::optional<dword> parse_scope_id(std::string_view s) {
    if (s.empty() || s.size() > 10) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > 0xFFFFFFFFU) {
        return std::nullopt;
    }
    return static_cast<dword>(v);
}

// `<ipv6>` or `<ipv6>%<scope>`.
std::optional<IP_Address> parse_ipv6_with_scope(std::string_view s) {
    const std::size_t pct = s.find('%');
    const auto a = wire::Ipv6Address::parse(s.substr(0, pct));
    if (!a) {
        return std::nullopt;
    }
    dword scope = 0;
    if (pct != std::string_view::npos) {
        const auto sc = parse_scope_id(s.substr(pct + 1));
        if (!sc) {
            return std::nullopt;
        }
        scope = *sc;
    }
    return IP_Address(*a, scope);
}

bool is_wildcard(const IP_Address& a) { return a.is_unset() || a.is_unspecified(); }

// Both addresses are set, not wildcards and of one family; compares the bits set in `mask`.
capl_long match_masked(const IP_Address& a, const IP_Address& b, std::span<const byte> mask) {
    if (a.family() != b.family()) {
        return 0;
    }
    if (a.family() == IP_Address::Family::V6 && a.ScopeID() != 0 && b.ScopeID() != 0 &&
        a.ScopeID() != b.ScopeID()) {
        return 0;
    }
    std::array<byte, 16> ab{};
    std::array<byte, 16> bb{};
    const std::size_t n = a.family() == IP_Address::Family::V4 ? 4 : 16;
    // NOTE(bounds): n is 4 or 16, both arrays hold 16, and callers pass a mask of n bytes.
    a.GetAddressAsArray(std::span<byte>(ab).first(n));
    b.GetAddressAsArray(std::span<byte>(bb).first(n));
    for (std::size_t i = 0; i < n; ++i) {
        if ((ab[i] & mask[i]) != (bb[i] & mask[i])) {
            return 0;
        }
    }
    return 1;
}

std::array<byte, 16> prefix_mask(capl_long prefix) {
    std::array<byte, 16> m{};
    const int bits = std::clamp(prefix, 0, 128);
    for (int i = 0; i < bits; ++i) {
        m[static_cast<std::size_t>(i / 8)] |= static_cast<byte>(0x80 >> (i % 8));
    }
    return m;
}

}  // namespace

IP_Address::IP_Address(std::string_view text) {
    if (auto a = parse(text)) {
        *this = *a;
    }
}

IP_Address::IP_Address(dword ipv4_address) { SetIPv4Address(ipv4_address); }

IP_Address::IP_Address(std::span<const byte> bytes) { SetAddressAsArray(bytes); }

IP_Address::IP_Address(const wire::Ipv4Address& a) : family_(Family::V4) {
    std::copy(a.octets.begin(), a.octets.end(), bytes_.begin());
}

IP_Address::IP_Address(const wire::Ipv6Address& a, dword scope_id)
    : family_(Family::V6), bytes_(a.octets), scope_id_(scope_id) {}

std::optional<IP_Address> IP_Address::parse(std::string_view text) {
    const std::string_view t = c_string_view(text);
    // `[ff::2]` is an IP_Address literal too (reference §3.3); brackets hold IPv6 only.
    if (!t.empty() && t.front() == '[') {
        if (t.size() < 2 || t.back() != ']') {
            return std::nullopt;
        }
        return parse_ipv6_with_scope(t.substr(1, t.size() - 2));
    }
    if (t.find(':') != std::string_view::npos) {
        return parse_ipv6_with_scope(t);
    }
    if (const auto a = wire::Ipv4Address::parse(t)) {
        return IP_Address(*a);
    }
    return std::nullopt;
}

dword IP_Address::IPv4Address() const { return family_ == Family::V4 ? ipv4_to_dword(ipv4()) : 0; }

void IP_Address::SetIPv4Address(dword ipv4_address) {
    *this = IP_Address(ipv4_from_dword(ipv4_address));
}

void IP_Address::SetScopeID(dword scope_id) {
    if (family_ == Family::V6) {
        scope_id_ = scope_id;
    }
}

capl_long IP_Address::IsBroadcast() const {
    return family_ == Family::V4 && ipv4().is_broadcast() ? 1 : 0;
}

capl_long IP_Address::IsMulticast() const {
    switch (family_) {
        case Family::Unset:
            return 0;
        case Family::V4:
            return ipv4().is_multicast() ? 1 : 0;
        case Family::V6:
            return ipv6().is_multicast() ? 1 : 0;
    }
    return 0;  // family_ is always one of the enumerators; GCC's -Wreturn-type wants this line
}

capl_long IP_Address::GetAddressAsArray(std::span<byte> out) const {
    if (family_ == Family::Unset) {
        return 2;
    }
    const std::size_t n = family_ == Family::V4 ? 4 : 16;
    if (out.size() != n) {
        return 1;
    }
    std::copy_n(bytes_.begin(), n, out.begin());
    return 0;
}

capl_long IP_Address::GetAddressAsArray(std::span<char> out) const {
    if (family_ == Family::Unset) {
        return 2;
    }
    const std::size_t n = family_ == Family::V4 ? 4 : 16;
    if (out.size() != n) {
        return 1;
    }
    std::memcpy(out.data(), bytes_.data(), n);
    return 0;
}

capl_long IP_Address::SetAddressAsArray(std::span<const byte> in) {
    if (in.size() == 4) {
        *this = IP_Address(wire::Ipv4Address{{in[0], in[1], in[2], in[3]}});
        return 0;
    }
    if (in.size() == 16) {
        wire::Ipv6Address a;
        std::copy(in.begin(), in.end(), a.octets.begin());
        *this = IP_Address(a);
        return 0;
    }
    return 1;
}

capl_long IP_Address::SetAddressAsArray(std::span<const char> in) {
    std::array<byte, 16> b{};
    if (in.size() > b.size()) {
        return 1;
    }
    std::memcpy(b.data(), in.data(), in.size());
    return SetAddressAsArray(std::span<const byte>(b).first(in.size()));
}

capl_long IP_Address::MatchesAddress(const IP_Address& other) const {
    return MatchesAddress(other, 128);
}

capl_long IP_Address::MatchesAddress(const IP_Address& other, capl_long prefix) const {
    if (is_wildcard(*this) || is_wildcard(other)) {
        return 1;
    }
    const capl_long bits = family_ == Family::V4 ? 32 : 128;
    return match_masked(*this, other, prefix_mask(std::min(prefix, bits)));
}

capl_long IP_Address::MatchesAddress(const IP_Address& other, const IP_Address& net_mask) const {
    if (is_wildcard(*this) || is_wildcard(other)) {
        return 1;
    }
    if (net_mask.family() != family_) {
        return 0;
    }
    return match_masked(*this, other, std::span<const byte>(net_mask.bytes_));
}

capl_long IP_Address::ParseAddressFromString(std::string_view text) {
    const auto a = parse(text);
    if (!a) {
        return 1;
    }
    *this = *a;
    return 0;
}

capl_long IP_Address::PrintAddressToString(std::span<char> out) const {
    if (family_ == Family::Unset) {
        copy_c_string({}, out);
        return 2;
    }
    return copy_c_string(to_string(), out) ? 0 : 1;
}

bool IP_Address::is_unspecified() const {
    switch (family_) {
        case Family::Unset:
            return false;
        case Family::V4:
            return ipv4().is_unspecified();
        case Family::V6:
            return ipv6().is_unspecified();
    }
    return false;  // see IsMulticast
}

wire::Ipv4Address IP_Address::ipv4() const {
    return wire::Ipv4Address{{bytes_[0], bytes_[1], bytes_[2], bytes_[3]}};
}

wire::Ipv6Address IP_Address::ipv6() const { return wire::Ipv6Address{bytes_}; }

std::string IP_Address::to_string() const {
    switch (family_) {
        case Family::Unset:
            return {};
        case Family::V4:
            return ipv4().to_string();
        case Family::V6: {
            std::string s = ipv6().to_string();
            if (scope_id_ != 0) {
                s += '%';
                s += std::to_string(scope_id_);
            }
            return s;
        }
    }
    return {};  // see IsMulticast
}

}  // namespace caplnet::capl
