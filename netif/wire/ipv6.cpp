#include "netif/wire/ipv6.hpp"

#include <algorithm>
#include <cstdio>

#include "netif/wire/ipv4.hpp"

namespace caplnet::wire {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Parses colon-separated hex groups (no "::") into `out`; a dotted quad is allowed as the last
// piece when `allow_v4` is set and counts as two groups. Returns the number of groups or -1.
int parse_groups(std::string_view s, std::array<std::uint16_t, 8>& out, bool allow_v4) {
    if (s.empty()) {
        return 0;
    }
    int n = 0;
    std::size_t pos = 0;
    while (true) {
        const std::size_t end = std::min(s.find(':', pos), s.size());
        const std::string_view part = s.substr(pos, end - pos);
        if (end == s.size() && allow_v4 && part.find('.') != std::string_view::npos) {
            const auto v4 = Ipv4Address::parse(part);
            if (!v4 || n > 6) {
                return -1;
            }
            out[static_cast<std::size_t>(n++)] = read_be16(v4->octets, 0);
            out[static_cast<std::size_t>(n++)] = read_be16(v4->octets, 2);
            return n;
        }
        if (part.empty() || part.size() > 4 || n >= 8) {
            return -1;
        }
        unsigned v = 0;
        for (const char c : part) {
            const int d = hex_digit(c);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + static_cast<unsigned>(d);
        }
        out[static_cast<std::size_t>(n++)] = static_cast<std::uint16_t>(v);
        if (end == s.size()) {
            return n;
        }
        pos = end + 1;
    }
}

}  // namespace

std::optional<Ipv6Address> Ipv6Address::parse(std::string_view text) {
    std::array<std::uint16_t, 8> head{};
    std::array<std::uint16_t, 8> tail{};
    int nh = 0;
    int nt = 0;
    const std::size_t dc = text.find("::");
    if (dc == std::string_view::npos) {
        nh = parse_groups(text, head, true);
        if (nh != 8) {
            return std::nullopt;
        }
    } else {
        const std::string_view left = text.substr(0, dc);
        const std::string_view right = text.substr(dc + 2);
        if (right.find("::") != std::string_view::npos) {
            return std::nullopt;
        }
        nh = parse_groups(left, head, false);
        nt = parse_groups(right, tail, true);
        // "::" stands for at least one zero group (RFC 4291 §2.2 item 2).
        if (nh < 0 || nt < 0 || nh + nt > 7) {
            return std::nullopt;
        }
    }
    std::array<std::uint16_t, 8> groups{};
    std::copy_n(head.begin(), nh, groups.begin());
    std::copy_n(tail.begin(), nt, groups.begin() + (8 - nt));
    Ipv6Address a;
    for (std::size_t i = 0; i < 8; ++i) {
        a.octets[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
        a.octets[2 * i + 1] = static_cast<std::uint8_t>(groups[i]);
    }
    return a;
}

std::string Ipv6Address::to_string() const {
    // RFC 5952 §5 / RFC 4291 §2.5.5.2: ::ffff:0:0/96 is written with a dotted quad.
    const bool v4_mapped = std::all_of(octets.begin(), octets.begin() + 10,
                                       [](std::uint8_t o) { return o == 0; }) &&
                           octets[10] == 0xff && octets[11] == 0xff;
    const std::size_t ngroups = v4_mapped ? 6 : 8;
    // §4.2.2/§4.2.3: compress the longest run of >= 2 zero groups, the first one on a tie.
    std::size_t best_at = ngroups;
    std::size_t best_len = 1;
    for (std::size_t i = 0; i < ngroups;) {
        if (group(i) != 0) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < ngroups && group(j) == 0) {
            ++j;
        }
        if (j - i > best_len) {
            best_at = i;
            best_len = j - i;
        }
        i = j;
    }
    std::string s;
    char buf[8];
    for (std::size_t i = 0; i < ngroups;) {
        if (i == best_at) {
            s += "::";
            i += best_len;
            continue;
        }
        if (!s.empty() && s.back() != ':') {
            s += ':';
        }
        std::snprintf(buf, sizeof buf, "%x", unsigned{group(i)});
        s += buf;
        ++i;
    }
    if (v4_mapped) {
        if (s.back() != ':') {
            s += ':';
        }
        s += Ipv4Address{{octets[12], octets[13], octets[14], octets[15]}}.to_string();
    }
    return s;
}

Expected<Ipv6View, WireError> Ipv6View::of(Bytes b) {
    if (b.size() < kIpv6HeaderLen) {
        return unexpected(WireError::Truncated);
    }
    if ((b[0] >> 4) != 6) {
        return unexpected(WireError::BadField);
    }
    const std::size_t total = kIpv6HeaderLen + read_be16(b, Off::kPayloadLength);
    if (total > b.size()) {
        return unexpected(WireError::Truncated);
    }
    return Ipv6View(b.first(total));
}

Ipv6Address Ipv6View::source() const {
    Ipv6Address a;
    std::copy_n(bytes_.begin() + Off::kSrc, 16, a.octets.begin());
    return a;
}

Ipv6Address Ipv6View::destination() const {
    Ipv6Address a;
    std::copy_n(bytes_.begin() + Off::kDst, 16, a.octets.begin());
    return a;
}

Ipv6Header Ipv6Header::parse(const Ipv6View& v) {
    return Ipv6Header{v.traffic_class(), v.flow_label(), v.payload_length(), v.next_header(),
                      v.hop_limit(),     v.source(),     v.destination()};
}

std::size_t Ipv6Header::emit(MutableBytes out) const {
    if (out.size() < kIpv6HeaderLen) {
        return 0;
    }
    write_be32(out, 0, (6U << 28) | (std::uint32_t{traffic_class} << 20) | (flow_label & 0xfffffU));
    write_be16(out, 4, payload_length);
    out[6] = next_header;
    out[7] = hop_limit;
    std::copy(source.octets.begin(), source.octets.end(), out.begin() + 8);
    std::copy(destination.octets.begin(), destination.octets.end(), out.begin() + 24);
    return kIpv6HeaderLen;
}

}  // namespace caplnet::wire
