#include "netif/wire/icmp.hpp"

#include <algorithm>

#include "netif/wire/checksum.hpp"

namespace caplnet::wire {

namespace {

void emit_echo(MutableBytes out, std::uint8_t type, std::uint16_t identifier,
               std::uint16_t sequence_number, const std::vector<std::uint8_t>& data) {
    out[0] = type;
    out[1] = 0;
    write_be16(out, 2, 0);
    write_be16(out, 4, identifier);
    write_be16(out, 6, sequence_number);
    std::copy(data.begin(), data.end(), out.begin() + kIcmpEchoHeaderLen);
}

}  // namespace

bool icmpv4_checksum_valid(Bytes message) { return internet_checksum_valid(message); }

bool icmpv6_checksum_valid(const Ipv6Address& src, const Ipv6Address& dst, Bytes message) {
    return ipv6_upper_layer_checksum(src, dst, ip_protocol::kIcmpv6, message) == 0;
}

Expected<Icmpv4EchoView, WireError> Icmpv4EchoView::of(Bytes message) {
    if (message.size() < kIcmpEchoHeaderLen) {
        return unexpected(WireError::Truncated);
    }
    const std::uint8_t type = message[Off::kType];
    if ((type != icmpv4_type::kEchoRequest && type != icmpv4_type::kEchoReply) ||
        message[Off::kCode] != 0) {
        return unexpected(WireError::BadField);
    }
    return Icmpv4EchoView(message);
}

Icmpv4Echo Icmpv4Echo::parse(const Icmpv4EchoView& v) {
    const Bytes d = v.data();
    return Icmpv4Echo{v.is_request(), v.identifier(), v.sequence_number(), {d.begin(), d.end()}};
}

std::size_t Icmpv4Echo::emit(MutableBytes out) const {
    if (out.size() < size()) {
        return 0;
    }
    const MutableBytes msg = out.first(size());
    emit_echo(msg, request ? icmpv4_type::kEchoRequest : icmpv4_type::kEchoReply, identifier,
              sequence_number, data);
    write_be16(msg, 2, internet_checksum(msg));
    return size();
}

Expected<Icmpv6EchoView, WireError> Icmpv6EchoView::of(Bytes message) {
    if (message.size() < kIcmpEchoHeaderLen) {
        return unexpected(WireError::Truncated);
    }
    const std::uint8_t type = message[Off::kType];
    if ((type != icmpv6_type::kEchoRequest && type != icmpv6_type::kEchoReply) ||
        message[Off::kCode] != 0) {
        return unexpected(WireError::BadField);
    }
    return Icmpv6EchoView(message);
}

Icmpv6Echo Icmpv6Echo::parse(const Icmpv6EchoView& v) {
    const Bytes d = v.data();
    return Icmpv6Echo{v.is_request(), v.identifier(), v.sequence_number(), {d.begin(), d.end()}};
}

std::size_t Icmpv6Echo::emit(MutableBytes out, const Ipv6Address& src,
                             const Ipv6Address& dst) const {
    if (out.size() < size()) {
        return 0;
    }
    const MutableBytes msg = out.first(size());
    emit_echo(msg, request ? icmpv6_type::kEchoRequest : icmpv6_type::kEchoReply, identifier,
              sequence_number, data);
    write_be16(msg, 2, ipv6_upper_layer_checksum(src, dst, ip_protocol::kIcmpv6, msg));
    return size();
}

}  // namespace caplnet::wire
