#include "netif/link/ring_handshake.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace caplnet::netif {

namespace {

void put32(std::uint8_t* p, std::uint32_t v) { std::memcpy(p, &v, 4); }
std::uint32_t get32(const std::uint8_t* p) {
    std::uint32_t v = 0;
    std::memcpy(&v, p, 4);
    return v;
}

}  // namespace

void emit_ring_request(const RingRequest& r, std::span<std::uint8_t, kRingRequestLen> out) {
    std::fill(out.begin(), out.end(), 0);
    const std::size_t len = std::min(r.description.size(), kRingMaxDescription);
    put32(out.data(), kRingMagic);
    put32(out.data() + 4, kRingVersion);
    put32(out.data() + 8, r.port);
    put32(out.data() + 12, static_cast<std::uint32_t>(len));
    std::memcpy(out.data() + 16, r.description.data(), len);
}

std::optional<RingRequest> parse_ring_request(std::span<const std::uint8_t, kRingRequestLen> in) {
    // NOTE(bounds): the span is exactly kRingRequestLen bytes
    if (get32(in.data()) != kRingMagic || get32(in.data() + 4) != kRingVersion) {
        return std::nullopt;
    }
    const std::uint32_t len = get32(in.data() + 12);
    if (len > kRingMaxDescription) {
        return std::nullopt;
    }
    RingRequest r;
    r.port = get32(in.data() + 8);
    r.description.assign(reinterpret_cast<const char*>(in.data() + 16), len);
    return r;
}

void emit_ring_reply(const RingReply& r, std::span<std::uint8_t, kRingReplyLen> out) {
    put32(out.data(), kRingMagic);
    put32(out.data() + 4, kRingVersion);
    put32(out.data() + 8, static_cast<std::uint32_t>(r.status));
    put32(out.data() + 12, r.port);
    std::memcpy(out.data() + 16, &r.capacity, 8);
}

std::optional<RingReply> parse_ring_reply(std::span<const std::uint8_t, kRingReplyLen> in) {
    if (get32(in.data()) != kRingMagic || get32(in.data() + 4) != kRingVersion) {
        return std::nullopt;
    }
    RingReply r;
    const std::uint32_t status = get32(in.data() + 8);
    if (status > static_cast<std::uint32_t>(RingStatus::SwitchError)) {
        return std::nullopt;
    }
    r.status = static_cast<RingStatus>(status);
    r.port = get32(in.data() + 12);
    std::memcpy(&r.capacity, in.data() + 16, 8);
    return r;
}

std::string_view ring_status_text(RingStatus s) {
    switch (s) {
    case RingStatus::Ok: return "ok";
    case RingStatus::BadRequest: return "the switch did not understand the request";
    case RingStatus::NoSuchPort: return "no such port";
    case RingStatus::PortTaken: return "the port is taken";
    case RingStatus::NoFreePort: return "no free port";
    case RingStatus::SwitchError: return "the switch could not set up the port";
    }
    return "unknown status";
}

bool send_ring_reply(int sock, const RingReply& r, std::span<const int> fds) {
    std::uint8_t buf[kRingReplyLen];
    emit_ring_reply(r, buf);
    iovec iov{buf, sizeof(buf)};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kRingFdCount)] = {};
    if (!fds.empty()) {
        const std::size_t n = std::min(fds.size(), kRingFdCount);
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * n);
    }
    ssize_t sent;
    do {
        sent = ::sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (sent < 0 && errno == EINTR);
    return sent == static_cast<ssize_t>(sizeof(buf));
}

}  // namespace caplnet::netif
