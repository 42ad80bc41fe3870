#include "netif/wire/ethernet.hpp"

#include <algorithm>

namespace caplnet::wire {

const char* to_string(WireError e) {
    switch (e) {
    case WireError::Truncated: return "truncated";
    case WireError::BadChecksum: return "bad-checksum";
    case WireError::BadField: return "bad-field";
    case WireError::Unsupported: return "unsupported";
    }
    return "unknown";
}

Expected<EthernetView, WireError> EthernetView::of(Bytes frame) {
    if (frame.size() < kEthernetHeaderLen) return unexpected(WireError::Truncated);
    if (read_be16(frame, Off::kType) != ethertype::kVlan) {
        return EthernetView(frame, kEthernetHeaderLen);
    }
    if (frame.size() < kEthernetHeaderLen + kVlanTagLen) return unexpected(WireError::Truncated);
    return EthernetView(frame, kEthernetHeaderLen + kVlanTagLen);
}

static MacAddress mac_at(Bytes b, std::size_t off) {
    MacAddress m;
    std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(off), 6, m.octets.begin());
    return m;
}

MacAddress EthernetView::destination() const { return mac_at(bytes_, Off::kDst); }
MacAddress EthernetView::source() const { return mac_at(bytes_, Off::kSrc); }

std::optional<VlanTci> EthernetView::vlan() const {
    if (header_len_ == kEthernetHeaderLen) return std::nullopt;
    // NOTE(bounds): of() checked size() >= 18 when the tag is present
    return VlanTci::from_u16(read_be16(bytes_, Off::kTci));
}

std::uint16_t EthernetView::ethertype() const {
    return read_be16(bytes_, header_len_ == kEthernetHeaderLen ? Off::kType : Off::kInnerType);
}

std::size_t emit_tagged(Bytes frame, VlanTci tci, MutableBytes out) {
    if (frame.size() < kEthernetHeaderLen || out.size() < frame.size() + kVlanTagLen) return 0;
    std::copy_n(frame.begin(), 12, out.begin());
    write_be16(out, 12, ethertype::kVlan);
    write_be16(out, 14, tci.to_u16());
    std::copy(frame.begin() + 12, frame.end(), out.begin() + 16);
    return frame.size() + kVlanTagLen;
}

std::size_t emit_untagged(Bytes frame, MutableBytes out) {
    if (frame.size() < kEthernetHeaderLen + kVlanTagLen || read_be16(frame, 12) != ethertype::kVlan ||
        out.size() < frame.size() - kVlanTagLen) {
        return 0;
    }
    std::copy_n(frame.begin(), 12, out.begin());
    std::copy(frame.begin() + 16, frame.end(), out.begin() + 12);
    return frame.size() - kVlanTagLen;
}

void emit_ethernet_header(MutableBytes out, const MacAddress& dst, const MacAddress& src,
                          std::uint16_t type) {
    std::copy(dst.octets.begin(), dst.octets.end(), out.begin());
    std::copy(src.octets.begin(), src.octets.end(), out.begin() + 6);
    write_be16(out, 12, type);
}

}  // namespace caplnet::wire
