#include "netif/wire/ipv4.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "netif/wire/checksum.hpp"

namespace caplnet::wire {

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
    Ipv4Address a;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        const std::size_t end = i < 3 ? text.find('.', pos) : text.size();
        if (end == std::string_view::npos) {
            return std::nullopt;
        }
        const std::string_view part = text.substr(pos, end - pos);
        if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) {
            return std::nullopt;
        }
        unsigned v = 0;
        const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (ec != std::errc{} || p != part.data() + part.size() || v > 255) {
            return std::nullopt;
        }
        a.octets[i] = static_cast<std::uint8_t>(v);
        pos = end + 1;
    }
    return a;
}

std::string Ipv4Address::to_string() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", unsigned{octets[0]}, unsigned{octets[1]},
                  unsigned{octets[2]}, unsigned{octets[3]});
    return buf;
}

Ipv4Address Ipv4Address::from_u32(std::uint32_t v) {
    return Ipv4Address{{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                        static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}};
}

std::uint32_t Ipv4Address::to_u32() const { return read_be32(octets, 0); }

Expected<Ipv4View, WireError> Ipv4View::of(Bytes b) {
    if (b.size() < kIpv4MinHeaderLen) {
        return unexpected(WireError::Truncated);
    }
    if ((b[Off::kVersionIhl] >> 4) != 4) {
        return unexpected(WireError::BadField);
    }
    const std::size_t hlen = std::size_t{b[Off::kVersionIhl] & 0x0fU} * 4;
    if (hlen < kIpv4MinHeaderLen) {
        return unexpected(WireError::BadField);
    }
    const std::size_t total = read_be16(b, Off::kTotalLength);
    if (total < hlen) {
        return unexpected(WireError::BadField);
    }
    if (total > b.size()) {
        return unexpected(WireError::Truncated);
    }
    return Ipv4View(b.first(total));
}

bool Ipv4View::header_checksum_valid() const { return internet_checksum_valid(header()); }

Ipv4Address Ipv4View::source() const {
    Ipv4Address a;
    std::copy_n(bytes_.begin() + Off::kSrc, 4, a.octets.begin());
    return a;
}

Ipv4Address Ipv4View::destination() const {
    Ipv4Address a;
    std::copy_n(bytes_.begin() + Off::kDst, 4, a.octets.begin());
    return a;
}

bool Ipv4View::options_well_formed() const {
    const Bytes opt = options();
    std::size_t i = 0;
    // Every step advances by at least one octet, so the walk ends.
    while (i < opt.size()) {
        const std::uint8_t type = opt[i];
        if (type == 0) {  // RFC 791: End of Option List; the rest is padding
            return true;
        }
        if (type == 1) {  // No Operation
            ++i;
            continue;
        }
        if (i + 1 >= opt.size()) {
            return false;  // the length octet is missing
        }
        const std::size_t len = opt[i + 1];
        // The length counts the type and length octets, so < 2 would loop or underflow.
        if (len < 2 || i + len > opt.size()) {
            return false;
        }
        i += len;
    }
    return true;
}

Ipv4Header Ipv4Header::parse(const Ipv4View& v) {
    Ipv4Header h;
    h.tos = v.tos();
    h.identification = v.identification();
    h.dont_fragment = v.dont_fragment();
    h.more_fragments = v.more_fragments();
    h.fragment_offset = v.fragment_offset();
    h.ttl = v.ttl();
    h.protocol = v.protocol();
    h.source = v.source();
    h.destination = v.destination();
    const Bytes opt = v.options();
    h.options.assign(opt.begin(), opt.end());
    h.payload_length = static_cast<std::uint16_t>(v.payload().size());
    return h;
}

std::size_t Ipv4Header::emit(MutableBytes out) const {
    const std::size_t hlen = size();
    if (hlen > kIpv4MaxHeaderLen || out.size() < hlen || hlen + payload_length > 0xffff) {
        return 0;
    }
    out[0] = static_cast<std::uint8_t>(0x40 | (hlen / 4));
    out[1] = tos;
    write_be16(out, 2, static_cast<std::uint16_t>(hlen + payload_length));
    write_be16(out, 4, identification);
    write_be16(out, 6,
               static_cast<std::uint16_t>((dont_fragment ? 0x4000U : 0U) |
                                          (more_fragments ? 0x2000U : 0U) |
                                          (fragment_offset & 0x1fffU)));
    out[8] = ttl;
    out[9] = protocol;
    write_be16(out, 10, 0);
    std::copy(source.octets.begin(), source.octets.end(), out.begin() + 12);
    std::copy(destination.octets.begin(), destination.octets.end(), out.begin() + 16);
    std::copy(options.begin(), options.end(), out.begin() + 20);
    std::fill(out.begin() + 20 + static_cast<std::ptrdiff_t>(options.size()),
              out.begin() + static_cast<std::ptrdiff_t>(hlen), std::uint8_t{0});
    write_be16(out, 10, internet_checksum(out.first(hlen)));
    return hlen;
}

}  // namespace caplnet::wire
