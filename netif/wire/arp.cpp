#include "netif/wire/arp.hpp"

#include <algorithm>

#include "netif/wire/ethernet.hpp"

namespace caplnet::wire {

namespace {

constexpr std::uint16_t kHtypeEthernet = 1;

MacAddress mac_at(Bytes b, std::size_t off) {
    MacAddress m;
    std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(off), 6, m.octets.begin());
    return m;
}

Ipv4Address ipv4_at(Bytes b, std::size_t off) {
    Ipv4Address a;
    std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(off), 4, a.octets.begin());
    return a;
}

}  // namespace

Expected<ArpView, WireError> ArpView::of(Bytes b) {
    if (b.size() < Off::kEnd) {
        return unexpected(WireError::Truncated);
    }
    const std::uint16_t oper = read_be16(b, Off::kOper);
    if (read_be16(b, Off::kHtype) != kHtypeEthernet || read_be16(b, Off::kPtype) != ethertype::kIpv4 ||
        b[Off::kHlen] != 6 || b[Off::kPlen] != 4 || (oper != 1 && oper != 2)) {
        return unexpected(WireError::BadField);
    }
    return ArpView(b.first(Off::kEnd));
}

// NOTE(bounds): of() checked size() == 28 for all four
MacAddress ArpView::sender_hardware_address() const { return mac_at(bytes_, Off::kSha); }
Ipv4Address ArpView::sender_protocol_address() const { return ipv4_at(bytes_, Off::kSpa); }
MacAddress ArpView::target_hardware_address() const { return mac_at(bytes_, Off::kTha); }
Ipv4Address ArpView::target_protocol_address() const { return ipv4_at(bytes_, Off::kTpa); }

ArpMessage ArpMessage::parse(const ArpView& v) {
    return ArpMessage{v.operation(), v.sender_hardware_address(), v.sender_protocol_address(),
                      v.target_hardware_address(), v.target_protocol_address()};
}

std::size_t ArpMessage::emit(MutableBytes out) const {
    if (out.size() < kArpLen) {
        return 0;
    }
    write_be16(out, 0, kHtypeEthernet);
    write_be16(out, 2, ethertype::kIpv4);
    out[4] = 6;
    out[5] = 4;
    write_be16(out, 6, static_cast<std::uint16_t>(operation));
    std::copy(sender_hardware_address.octets.begin(), sender_hardware_address.octets.end(),
              out.begin() + 8);
    std::copy(sender_protocol_address.octets.begin(), sender_protocol_address.octets.end(),
              out.begin() + 14);
    std::copy(target_hardware_address.octets.begin(), target_hardware_address.octets.end(),
              out.begin() + 18);
    std::copy(target_protocol_address.octets.begin(), target_protocol_address.octets.end(),
              out.begin() + 24);
    return kArpLen;
}

}  // namespace caplnet::wire
