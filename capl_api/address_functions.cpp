#include "caplnet/capl/address_functions.hpp"

#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>

#include "caplnet/capl/error_codes.hpp"
#include "netif/wire/ipv4.hpp"
#include "netif/wire/ipv6.hpp"

namespace caplnet::capl {

namespace {

capl_long write_text(std::string_view text, std::span<char> address, dword count) {
    const auto room = std::min<std::size_t>(address.size(), count);
    return copy_c_string(text, address.first(room)) ? wsa::kSuccess : wsa::kNotEnoughMemory;
}

}  // namespace

dword IpGetAddressAsNumber(std::string_view address) {
    const auto a = wire::Ipv4Address::parse(c_string_view(address));
    return a ? ipv4_to_dword(*a) : kInvalidAddressText;
}

capl_long IpGetAddressAsString(dword numeric_address, std::span<char> address, dword count) {
    return write_text(ipv4_from_dword(numeric_address).to_string(), address, count);
}

capl_long IpGetAddressAsString(std::span<const byte> ipv6_address, std::span<char> address,
                               dword count) {
    if (ipv6_address.size() != 16) {
        // Leave no stale text behind for a caller that ignores the return value.
        write_text({}, address, count);
        return wsa::kInvalidParameter;
    }
    wire::Ipv6Address a;
    std::copy(ipv6_address.begin(), ipv6_address.end(), a.octets.begin());
    return write_text(a.to_string(), address, count);
}

dword IpGetAddressAsArray(std::string_view address, std::span<byte> ipv6_address) {
    const auto a = wire::Ipv6Address::parse(c_string_view(address));
    if (!a || ipv6_address.size() < a->octets.size()) {
        return kInvalidAddressText;
    }
    std::copy(a->octets.begin(), a->octets.end(), ipv6_address.begin());
    return 0;
}

}  // namespace caplnet::capl
