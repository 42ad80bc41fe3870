#include "netif/link/vde_request.hpp"

#include <algorithm>
#include <cstring>

namespace caplnet::netif {

namespace {
constexpr std::int32_t kReqNewControl = 0;
constexpr std::int32_t kReqNewPort0 = 1;
}  // namespace

std::size_t emit_vde_request(unsigned port, const sockaddr_un& client, std::string_view description,
                             std::span<std::uint8_t, kVdeMaxRequestLen> out) {
    const std::int32_t type = kReqNewControl + static_cast<std::int32_t>(port << 8);
    std::memcpy(out.data(), &kVdeSwitchMagic, 4);
    std::memcpy(out.data() + 4, &kVdeProtocolVersion, 4);
    std::memcpy(out.data() + 8, &type, 4);
    std::memcpy(out.data() + 12, &client, sizeof(client));
    const std::size_t descr_len = std::min(description.size(), kVdeMaxDescription);
    std::memcpy(out.data() + kVdeRequestHeaderLen, description.data(), descr_len);
    return kVdeRequestHeaderLen + descr_len;
}

std::optional<VdeRequest> parse_vde_request(std::span<const std::uint8_t> in) {
    if (in.size() < kVdeRequestHeaderLen) return std::nullopt;
    std::uint32_t magic = 0;
    std::uint32_t version = 0;
    std::int32_t type = 0;
    VdeRequest r;
    // NOTE(bounds): checked in.size() >= kVdeRequestHeaderLen above
    std::memcpy(&magic, in.data(), 4);
    std::memcpy(&version, in.data() + 4, 4);
    std::memcpy(&type, in.data() + 8, 4);
    std::memcpy(&r.client, in.data() + 12, sizeof(r.client));
    r.client.sun_path[sizeof(r.client.sun_path) - 1] = '\0';
    if (magic != kVdeSwitchMagic || version != kVdeProtocolVersion || r.client.sun_family != AF_UNIX) {
        return std::nullopt;
    }
    if (type == kReqNewPort0) {
        r.port = 0;
    } else if ((type & 0xff) == kReqNewControl && type >= 0) {
        r.port = static_cast<unsigned>(type) >> 8;
    } else {
        return std::nullopt;
    }
    const auto descr = in.subspan(kVdeRequestHeaderLen, std::min(in.size() - kVdeRequestHeaderLen, kVdeMaxDescription));
    r.description.assign(descr.begin(), descr.end());
    return r;
}

}  // namespace caplnet::netif
