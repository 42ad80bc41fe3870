#include "netif/wire/checksum.hpp"

namespace caplnet::wire {

InternetChecksum& InternetChecksum::add(Bytes b) {
    std::size_t i = 0;
    if (odd_ && !b.empty()) {
        sum_ += b[0];  // low half of the word whose high half ended the previous span
        odd_ = false;
        i = 1;
    }
    // A 64-bit accumulator cannot overflow for any frame: 2^48 words of 0xffff would be needed.
    for (; i + 1 < b.size(); i += 2) {
        sum_ += (std::uint32_t{b[i]} << 8) | b[i + 1];
    }
    if (i < b.size()) {
        sum_ += std::uint32_t{b[i]} << 8;
        odd_ = true;
    }
    return *this;
}

InternetChecksum& InternetChecksum::add_u16(std::uint16_t v) {
    const std::uint8_t be[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    return add(Bytes(be, 2));
}

InternetChecksum& InternetChecksum::add_u32(std::uint32_t v) {
    add_u16(static_cast<std::uint16_t>(v >> 16));
    return add_u16(static_cast<std::uint16_t>(v));
}

std::uint16_t InternetChecksum::folded_sum() const {
    std::uint64_t s = sum_;
    while ((s >> 16) != 0) {
        s = (s & 0xffffU) + (s >> 16);
    }
    return static_cast<std::uint16_t>(s);
}

std::uint16_t internet_checksum(Bytes b) { return InternetChecksum{}.add(b).checksum(); }

bool internet_checksum_valid(Bytes b) { return InternetChecksum{}.add(b).folded_sum() == 0xffff; }

void add_ipv4_pseudo_header(InternetChecksum& c, const Ipv4Address& src, const Ipv4Address& dst,
                            std::uint8_t protocol, std::uint16_t length) {
    c.add(src.octets).add(dst.octets).add_u16(protocol).add_u16(length);
}

void add_ipv6_pseudo_header(InternetChecksum& c, const Ipv6Address& src, const Ipv6Address& dst,
                            std::uint8_t next_header, std::uint32_t length) {
    c.add(src.octets).add(dst.octets).add_u32(length).add_u32(next_header);
}

std::uint16_t ipv4_upper_layer_checksum(const Ipv4Address& src, const Ipv4Address& dst,
                                        std::uint8_t protocol, Bytes message) {
    InternetChecksum c;
    add_ipv4_pseudo_header(c, src, dst, protocol, static_cast<std::uint16_t>(message.size()));
    return c.add(message).checksum();
}

std::uint16_t ipv6_upper_layer_checksum(const Ipv6Address& src, const Ipv6Address& dst,
                                        std::uint8_t next_header, Bytes message) {
    InternetChecksum c;
    add_ipv6_pseudo_header(c, src, dst, next_header, static_cast<std::uint32_t>(message.size()));
    return c.add(message).checksum();
}

}  // namespace caplnet::wire
