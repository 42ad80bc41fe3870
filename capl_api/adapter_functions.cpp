// IpGetAdapter*: the node's interfaces as CAPL reads them (SPEC §3), from whichever stack serves
// the node (product: the node file's table; os: the host's interfaces).
#include <cstring>

#include "capl_api/api_support.hpp"
#include "caplnet/capl/ip.hpp"

namespace caplnet::capl {

namespace {

const std::vector<stack::AdapterInfo>* all_adapters() {
    auto* rt = detail::Runtime::get();
    return rt == nullptr ? nullptr : &rt->sockets().adapters();
}

const stack::AdapterInfo* entry(dword if_index) {
    const auto* all = all_adapters();
    return all == nullptr || if_index == 0 || if_index > all->size() ? nullptr : &(*all)[if_index - 1];
}

capl_long failure(capl_long code) {
    if (auto* rt = detail::Runtime::get()) rt->fail(code);
    return code;
}

capl_long bad_index() { return failure(wsa::kInvalidParameter); }

std::vector<std::pair<stack::IpAddress, std::uint8_t>> addresses_of(const stack::AdapterInfo& e,
                                                                    std::optional<stack::Family> only = {}) {
    std::vector<std::pair<stack::IpAddress, std::uint8_t>> out;
    for (const auto& a : e.addresses) {
        if (!only || a.first.family == *only) out.push_back(a);
    }
    return out;
}

stack::IpAddress mask_of(stack::Family f, std::uint8_t len) {
    stack::IpAddress m = stack::IpAddress::any(f);
    for (std::uint8_t bit = 0; bit < len; ++bit) m.octets[bit / 8] |= static_cast<std::uint8_t>(0x80 >> (bit % 8));
    return m;
}

dword find_adapter(capl_long channel, std::optional<std::uint16_t> vlan) {
    const auto* all = all_adapters();
    if (all == nullptr) return 0;
    for (const auto& a : *all) {
        if (channel > 0 && a.channel == static_cast<std::uint32_t>(channel) && a.vlan == vlan) return a.if_index;
    }
    failure(wsa::kInvalidParameter);  // the page's failure value is 0; the last error says why
    return 0;
}

/// The IP_Address[] + count forms: one entry per address of the interface, made by `make`.
/// 0; 87 bad index; 10049 no address; 8 array too small (count then 0).
template <class Make>
capl_long fill_per_address(dword if_index, IP_Address out[], dword& count, Make make) {
    const auto* e = entry(if_index);
    if (e == nullptr) return bad_index();
    const auto all = addresses_of(*e);
    if (all.empty() || out == nullptr || count < all.size()) {
        count = 0;
        return failure(all.empty() ? wsa::kAddrNotAvail : wsa::kNotEnoughMemory);
    }
    for (std::size_t i = 0; i < all.size(); ++i) out[i] = make(all[i]);
    count = static_cast<dword>(all.size());
    return wsa::kSuccess;
}

}  // namespace

dword IpGetAdapterCount() {
    const auto* all = all_adapters();
    return all == nullptr ? 0 : static_cast<dword>(all->size());
}

dword IpGetAdapter(capl_long channel) { return find_adapter(channel, std::nullopt); }

dword IpGetAdapter(capl_long channel, word vlanId) {
    return find_adapter(channel, vlanId == 0 ? std::nullopt : std::optional<std::uint16_t>(vlanId));
}

capl_long IpGetAdapterChannel(dword ifIndex) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) {
        bad_index();
        return 0;  // this page documents 0 (SPEC §2)
    }
    return static_cast<capl_long>(e->channel);
}

capl_long IpGetAdapterAddress(dword ifIndex, dword ipv4address[], dword ipv4AddressSize) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index();
    const auto v4 = addresses_of(*e, stack::Family::V4);
    if (v4.empty()) return failure(wsa::kAddrNotAvail);
    if (ipv4address == nullptr || ipv4AddressSize < v4.size()) return failure(wsa::kNotEnoughMemory);
    for (std::size_t i = 0; i < v4.size(); ++i) ipv4address[i] = detail::dword_from_ipv4(v4[i].first);
    return wsa::kSuccess;
}

capl_long IpGetAdapterAddress(dword ifIndex, byte ipv6Addresses[][16], dword ipv6AddressesSize) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index();
    const auto v6 = addresses_of(*e, stack::Family::V6);
    if (v6.empty()) return failure(wsa::kAddrNotAvail);
    if (ipv6Addresses == nullptr || ipv6AddressesSize < v6.size()) return failure(wsa::kNotEnoughMemory);
    for (std::size_t i = 0; i < v6.size(); ++i) std::memcpy(ipv6Addresses[i], v6[i].first.octets.data(), 16);
    return wsa::kSuccess;
}

capl_long IpGetAdapterAddress(dword ifIndex, IP_Address addresses[], dword& count) {
    return fill_per_address(ifIndex, addresses, count,
                            [](const auto& a) { return detail::from_stack(a.first); });
}

capl_long IpGetAdapterAddressAsString(dword ifIndex, char address[], dword count) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index();
    if (e->addresses.empty()) return failure(wsa::kAddrNotAvail);
    const std::string text = detail::from_stack(e->addresses.front().first).to_string();
    if (address == nullptr || !copy_c_string(text, std::span<char>(address, count))) {
        return failure(wsa::kNotEnoughMemory);
    }
    return wsa::kSuccess;
}

capl_long IpGetAdapterAddressCount(dword ifIndex, dword addressFamily) {
    // This page documents -1 for every failure (SPEC §2); the last error tells which.
    const auto* e = entry(ifIndex);
    if (e == nullptr) {
        bad_index();
        return -1;
    }
    if (addressFamily != AF_INET_CAPL && addressFamily != AF_INET6_CAPL) {
        failure(wsa::kInvalidArgument);
        return -1;
    }
    return static_cast<capl_long>(
        addresses_of(*e, addressFamily == AF_INET_CAPL ? stack::Family::V4 : stack::Family::V6).size());
}

capl_long IpGetAdapterMask(dword ifIndex, dword mask[], dword maskSize) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index();
    const auto v4 = addresses_of(*e, stack::Family::V4);
    if (v4.empty()) return failure(wsa::kAddrNotAvail);
    if (mask == nullptr || maskSize < v4.size()) return failure(wsa::kNotEnoughMemory);
    for (std::size_t i = 0; i < v4.size(); ++i) {
        mask[i] = detail::dword_from_ipv4(mask_of(stack::Family::V4, v4[i].second));
    }
    return wsa::kSuccess;
}

capl_long IpGetAdapterMask(dword ifIndex, IP_Address addressMasks[], dword& count) {
    // In step with IpGetAdapterAddress form 3: masks[i] belongs to addresses[i].
    return fill_per_address(ifIndex, addressMasks, count, [](const auto& a) {
        return detail::from_stack(mask_of(a.first.family, a.second));
    });
}

capl_long IpGetAdapterMacId(dword ifIndex, byte macId[]) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index();
    if (e->mac.is_zero()) return failure(wsa::kAddrNotAvail);  // loopback in OS mode: no MAC
    std::copy(e->mac.octets.begin(), e->mac.octets.end(), macId);
    return wsa::kSuccess;
}

qword IpGetAdapterMacId(dword ifIndex) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) {
        bad_index();
        return 0;
    }
    qword q = 0;
    for (auto o : e->mac.octets) q = (q << 8) | o;
    return q;
}

capl_long IpGetAdapterVlanId(dword ifIndex, word& retVlanId) {
    const auto* e = entry(ifIndex);
    // SPEC §3: 87 for a bad index and for an interface that is not a VLAN subinterface.
    if (e == nullptr || !e->vlan) return bad_index();
    retVlanId = *e->vlan;
    return wsa::kSuccess;
}

capl_long IpGetAdapterDescription(dword ifIndex, char name[], dword count) {
    const auto* e = entry(ifIndex);
    if (e == nullptr) return bad_index();
    std::string text = e->name + " (channel " + std::to_string(e->channel);
    if (e->vlan) text += ", VLAN " + std::to_string(*e->vlan);
    text += ")";
    if (name == nullptr || !copy_c_string(text, std::span<char>(name, count))) return failure(wsa::kNotEnoughMemory);
    return wsa::kSuccess;
}

}  // namespace caplnet::capl
