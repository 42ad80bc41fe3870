#pragma once
// The ring:// join handshake on the switch's DIR/ring stream socket. The client sends a fixed-size
// request (the same facts as a vde:// request: the port wanted, a description); the switch answers
// with a fixed-size reply and, on success, passes three fds with it (SCM_RIGHTS): the memfd with
// both rings, the eventfd that wakes the client, the eventfd that wakes the switch. The stream
// then stays open as the control channel: its hang-up means the other side is gone.
// Host byte order throughout: both ends are on one machine.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace caplnet::netif {

inline constexpr std::uint32_t kRingMagic = 0x52494e47;  // "RING"
inline constexpr std::uint32_t kRingVersion = 1;
inline constexpr std::size_t kRingMaxDescription = 128;
/// magic, version, port, description length, description (zero-padded).
inline constexpr std::size_t kRingRequestLen = 16 + kRingMaxDescription;
/// magic, version, status, port, ring capacity (u64).
inline constexpr std::size_t kRingReplyLen = 24;
inline constexpr std::size_t kRingFdCount = 3;  // memfd, client's eventfd, switch's eventfd

enum class RingStatus : std::uint32_t {
    Ok = 0,
    BadRequest = 1,
    NoSuchPort = 2,
    PortTaken = 3,
    NoFreePort = 4,
    SwitchError = 5,
};

struct RingRequest {
    unsigned port = 0;  // 0 = any free port
    std::string description;
};

struct RingReply {
    RingStatus status = RingStatus::SwitchError;
    unsigned port = 0;
    std::uint64_t capacity = 0;  // data bytes per direction
};

void emit_ring_request(const RingRequest& r, std::span<std::uint8_t, kRingRequestLen> out);
/// nullopt if the magic or version is wrong or the description length is out of range.
std::optional<RingRequest> parse_ring_request(std::span<const std::uint8_t, kRingRequestLen> in);
void emit_ring_reply(const RingReply& r, std::span<std::uint8_t, kRingReplyLen> out);
std::optional<RingReply> parse_ring_reply(std::span<const std::uint8_t, kRingReplyLen> in);
/// What a refusal means, for the client's error message.
std::string_view ring_status_text(RingStatus s);

/// Sends the reply with `fds` attached (none on a refusal); non-blocking. False on failure.
bool send_ring_reply(int sock, const RingReply& r, std::span<const int> fds);

}  // namespace caplnet::netif
