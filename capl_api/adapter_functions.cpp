// IpGetAdapter* : the node's interface table as CAPL reads it (SPEC §3).
#include <cstring>

#include "capl_api/api_support.hpp"
#include "caplnet/capl/ip.hpp"
#include "stack/interface_table.hpp"

namespace caplnet::capl {

namespace {

const stack::InterfaceEntry* entry(dword if_index) {
    auto* rt = detail::Runtime::get();
    return rt == nullptr ? nullptr : rt->node().interfaces().find(if_index);
}

// Addresses of an interface in CAPL's order: IPv4 first, then IPv6 with the link-local first.
std::vector<stack::IpAddress> addresses_of(const stack::InterfaceEntry& e) {
    std::vector<stack::IpAddress> out;
    for (const auto& a : e.ipv4) out.push_back(stack::IpAddress::v4(a.address));
    out.push_back(stack::IpAddress::v6(stack::link_local_of(e.mac), e.if_index));
    for (const auto& a : e.ipv6) out.push_back(stack::IpAddress::v6(a.address));
    return out;
}

capl_long bad_index(dword) {
    if (auto* rt = detail::Runtime::get()) rt->fail(wsa::kInvalidParameter);
    return wsa::kInvalidParameter;
}

capl_long failure(capl_long code) {
    if (auto* rt = detail::Runtime::get()) rt->fail(code);
    return code;
}

}  // namespace

dword IpGetAdapterCount() {
    auto* rt = detail::Runtime::get();
    return rt == nullptr ? 0 : static_cast<dword>(rt->node().interfaces().size());
}

// IpGetAdapter and IpGetAdapterChannel keep their page's failure value 0; the failure still
// stores 87 as the last error (SPEC §2).
dword IpGetAdapter(capl_long channel) {
    auto* rt = detail::Runtime::get();
    if (rt == nullptr) return 0;
    const dword if_index =
        channel <= 0 ? 0 : rt->node().interfaces().if_index_of(static_cast<std::uint32_t>(channel));
    if (if_index == 0) rt->fail(wsa::kInvalidParameter);
    return if_index;
}

dword IpGetAdapter(capl_long channel, word vlanId) {
    auto* rt = detail::Runtime::get();
    if (rt == nullptr) return 0;
    const dword if_index =
        channel <= 0 ? 0
                     : rt->node().interfaces().if_index_of(
                           static_cast<std::uint32_t>(channel),
                           vlanId == 0 ? std::nullopt : std::optional<std::uint16_t>(vlanId));
    if (if_index == 0) rt->fail(wsa::kInvalidParameter);
    return if_index;
}

capl_long IpGetAdapterChannel(dword ifIndex) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) {
        bad_index(ifIndex);
        return 0;
    }
    return static_cast<capl_long>(e->channel);
}

capl_long IpGetAdapterAddress(dword ifIndex, dword ipv4address[], dword ipv4AddressSize) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index(ifIndex);
    if (e->ipv4.empty()) return failure(wsa::kAddrNotAvail);
    if (ipv4address == nullptr || ipv4AddressSize < e->ipv4.size()) return failure(wsa::kNotEnoughMemory);
    for (std::size_t i = 0; i < e->ipv4.size(); ++i) {
        ipv4address[i] = detail::dword_from_ipv4(stack::IpAddress::v4(e->ipv4[i].address));
    }
    return wsa::kSuccess;
}

capl_long IpGetAdapterAddress(dword ifIndex, byte ipv6Addresses[][16], dword ipv6AddressesSize) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index(ifIndex);
    std::vector<stack::IpAddress> v6;
    for (const auto& a : addresses_of(*e)) {
        if (a.is_v6()) v6.push_back(a);
    }
    if (ipv6Addresses == nullptr || ipv6AddressesSize < v6.size()) return failure(wsa::kNotEnoughMemory);
    for (std::size_t i = 0; i < v6.size(); ++i) std::memcpy(ipv6Addresses[i], v6[i].octets.data(), 16);
    return wsa::kSuccess;
}

capl_long IpGetAdapterAddress(dword ifIndex, IP_Address addresses[], dword& count) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index(ifIndex);
    const auto all = addresses_of(*e);
    if (addresses == nullptr || count < all.size()) {
        count = 0;
        return failure(wsa::kNotEnoughMemory);
    }
    for (std::size_t i = 0; i < all.size(); ++i) addresses[i] = detail::from_stack(all[i]);
    count = static_cast<dword>(all.size());
    return wsa::kSuccess;
}

capl_long IpGetAdapterAddressAsString(dword ifIndex, char address[], dword count) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index(ifIndex);
    const auto first = addresses_of(*e).front();
    if (address == nullptr || !copy_c_string(detail::from_stack(first).to_string(), std::span<char>(address, count))) {
        return failure(wsa::kNotEnoughMemory);
    }
    return wsa::kSuccess;
}

capl_long IpGetAdapterAddressCount(dword ifIndex, dword addressFamily) {
    // This page documents -1 for every failure (SPEC §2); the last error tells which.
    const auto* e = entry(ifIndex);
    if (e == nullptr) {
        bad_index(ifIndex);
        return -1;
    }
    if (addressFamily != AF_INET_CAPL && addressFamily != AF_INET6_CAPL) {
        failure(wsa::kInvalidArgument);
        return -1;
    }
    return addressFamily == AF_INET_CAPL ? static_cast<capl_long>(e->ipv4.size())
                                         : static_cast<capl_long>(e->ipv6.size() + 1);
}

capl_long IpGetAdapterMask(dword ifIndex, dword mask[], dword maskSize) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index(ifIndex);
    if (e->ipv4.empty()) return failure(wsa::kAddrNotAvail);
    if (mask == nullptr || maskSize < e->ipv4.size()) return failure(wsa::kNotEnoughMemory);
    for (std::size_t i = 0; i < e->ipv4.size(); ++i) {
        const std::uint32_t host = e->ipv4[i].prefix_len == 0 ? 0 : ~std::uint32_t{0} << (32 - e->ipv4[i].prefix_len);
        const std::array<std::uint8_t, 4> b{static_cast<std::uint8_t>(host >> 24), static_cast<std::uint8_t>(host >> 16),
                                            static_cast<std::uint8_t>(host >> 8), static_cast<std::uint8_t>(host)};
        mask[i] = detail::dword_from_ipv4(stack::IpAddress::v4(b));
    }
    return wsa::kSuccess;
}

capl_long IpGetAdapterMask(dword ifIndex, IP_Address addressMasks[], dword& count) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index(ifIndex);
    std::vector<stack::IpAddress> masks;
    auto mask_of = [](stack::Family f, std::uint8_t len) {
        stack::IpAddress m = stack::IpAddress::any(f);
        for (std::uint8_t bit = 0; bit < len; ++bit) m.octets[bit / 8] |= static_cast<std::uint8_t>(0x80 >> (bit % 8));
        return m;
    };
    for (const auto& a : e->ipv4) masks.push_back(mask_of(stack::Family::V4, a.prefix_len));
    masks.push_back(mask_of(stack::Family::V6, 64));  // the link-local /64
    for (const auto& a : e->ipv6) masks.push_back(mask_of(stack::Family::V6, a.prefix_len));
    if (addressMasks == nullptr || count < masks.size()) {
        count = 0;
        return failure(wsa::kNotEnoughMemory);
    }
    for (std::size_t i = 0; i < masks.size(); ++i) addressMasks[i] = detail::from_stack(masks[i]);
    count = static_cast<dword>(masks.size());
    return wsa::kSuccess;
}

capl_long IpGetAdapterMacId(dword ifIndex, byte macId[]) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index(ifIndex);
    std::copy(e->mac.octets.begin(), e->mac.octets.end(), macId);
    return wsa::kSuccess;
}

qword IpGetAdapterMacId(dword ifIndex) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) {
        bad_index(ifIndex);
        return 0;
    }
    qword q = 0;
    for (auto o : e->mac.octets) q = (q << 8) | o;
    return q;
}

capl_long IpGetAdapterVlanId(dword ifIndex, word& retVlanId) {
    const auto* e = entry(ifIndex);
    // SPEC §3: 87 for a bad index and for an interface that is not a VLAN subinterface.
    if (e == nullptr || !e->vlan) return bad_index(ifIndex);
    retVlanId = *e->vlan;
    return wsa::kSuccess;
}

capl_long IpGetAdapterDescription(dword ifIndex, char name[], dword count) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index(ifIndex);
    std::string text = e->name + " (channel " + std::to_string(e->channel);
    if (e->vlan) text += ", VLAN " + std::to_string(*e->vlan);
    text += ")";
    if (name == nullptr || !copy_c_string(text, std::span<char>(name, count))) return failure(wsa::kNotEnoughMemory);
    return wsa::kSuccess;
}

}  // namespace caplnet::capl
