#include "netif/wire/udp_datagram.hpp"

#include <algorithm>

namespace caplnet::wire {

namespace {

constexpr std::size_t kUdpHeaderLen = 8;

template <std::size_t N>
std::array<std::uint8_t, N> octets_at(Bytes b, std::size_t off) {
    std::array<std::uint8_t, N> a{};
    std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(off), N, a.begin());
    return a;
}

/// The UDP header and data in `l4`, if its length field covers exactly `l4`: lwIP checks the
/// checksum over the IP payload, so a datagram with trailing octets is left to lwIP's verdict.
std::optional<UdpDatagram> udp_in(Bytes l4) {
    if (l4.size() < kUdpHeaderLen || read_be16(l4, 4) != l4.size()) return std::nullopt;
    UdpDatagram d;
    d.source_port = read_be16(l4, 0);
    d.destination_port = read_be16(l4, 2);
    d.payload = l4.subspan(kUdpHeaderLen);
    return d;
}

}  // namespace

std::optional<std::variant<Ipv4Address, Ipv6Address>> ip_destination(Bytes ip) {
    if (ip.empty()) return std::nullopt;
    if ((ip[0] >> 4) == 4 && ip.size() >= kIpv4MinHeaderLen) return Ipv4Address{octets_at<4>(ip, 16)};
    if ((ip[0] >> 4) == 6 && ip.size() >= kIpv6HeaderLen) return Ipv6Address{octets_at<16>(ip, 24)};
    return std::nullopt;
}

std::optional<UdpDatagram> udp_datagram_of(Bytes ip) {
    if (ip.empty()) return std::nullopt;
    if ((ip[0] >> 4) == 4) {
        auto v = Ipv4View::of(ip);
        if (!v || v->is_fragment() || v->protocol() != ip_protocol::kUdp) return std::nullopt;
        auto d = udp_in(v->payload());
        if (!d) return std::nullopt;
        d->source = v->source();
        d->destination = v->destination();
        return d;
    }
    if ((ip[0] >> 4) != 6 || ip.size() < kIpv6HeaderLen || ip[6] != ip_protocol::kUdp) return std::nullopt;
    const std::size_t total = kIpv6HeaderLen + read_be16(ip, 4);
    if (total > ip.size()) return std::nullopt;
    auto d = udp_in(ip.subspan(kIpv6HeaderLen, total - kIpv6HeaderLen));
    if (!d) return std::nullopt;
    d->source = Ipv6Address{octets_at<16>(ip, 8)};
    d->destination = Ipv6Address{octets_at<16>(ip, 24)};
    return d;
}

}  // namespace caplnet::wire
