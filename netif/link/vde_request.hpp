#pragma once
// The vde:// v3 port request (reference/vde.md §8), shared by the client (vde_link) and the
// switch: packed, host byte order — magic, version, type, the client's sockaddr_un, description.
#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace caplnet::netif {

inline constexpr std::uint32_t kVdeSwitchMagic = 0xfeedface;
inline constexpr std::uint32_t kVdeProtocolVersion = 3;
inline constexpr std::size_t kVdeRequestHeaderLen = 4 + 4 + 4 + sizeof(sockaddr_un);  // 122 on Linux
inline constexpr std::size_t kVdeMaxDescription = 128;
inline constexpr std::size_t kVdeMaxRequestLen = kVdeRequestHeaderLen + kVdeMaxDescription;

struct VdeRequest {
    unsigned port = 0;  // the port asked for; 0 = any free one
    sockaddr_un client{};
    std::string description;  // as sent (not NUL-terminated on the wire)
};

/// Writes the request for `port` (0 = any) into `out` (kVdeMaxRequestLen bytes); returns its
/// length. The description is cut at kVdeMaxDescription bytes.
std::size_t emit_vde_request(unsigned port, const sockaddr_un& client, std::string_view description,
                             std::span<std::uint8_t, kVdeMaxRequestLen> out);

/// Reads a request; nullopt if it is too short, not v3, not AF_UNIX, or of an unknown type.
/// Both vde2 forms are understood: REQ_NEW_CONTROL (0) with the port in bits 8 and up, and
/// REQ_NEW_PORT0 (1).
std::optional<VdeRequest> parse_vde_request(std::span<const std::uint8_t> in);

}  // namespace caplnet::netif
