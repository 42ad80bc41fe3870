// Client side of ring:// (docs/decisions.md, Switch: "ring:// next to vde://" and "Trust model of a ring").
#include "netif/link/ring_link.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "netif/link/ring_endpoint.hpp"
#include "netif/link/ring_handshake.hpp"

namespace caplnet::netif {

namespace {

constexpr int kHandshakeTimeoutSec = 10;

LinkError io_error(std::string what, int err) {
    return LinkError{LinkError::Kind::Io, std::move(what) + ": " + std::strerror(err)};
}

/// Closes the fds it holds unless they were taken.
struct FdList {
    std::vector<int> fds;
    ~FdList() {
        for (int fd : fds) {
            ::close(fd);
        }
    }
    int take(std::size_t i) { return std::exchange(fds[i], -1); }
};

LinkError connect_error(const std::string& dir, int err) {
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        return {LinkError::Kind::Unavailable, "no caplnet switch with rings at " + dir + " (" +
                                                  dir + "/ring does not exist; vdeplug4's switch "
                                                  "has no rings: use vde://)"};
    case ECONNREFUSED:
        return {LinkError::Kind::Unavailable, "stale switch directory " + dir + " (its switch is gone)"};
    case EACCES:
    case EPERM:
        return {LinkError::Kind::Unavailable, "permission denied joining the switch at " + dir};
    default: return io_error("connecting to " + dir + "/ring", err);
    }
}

class RingLink final : public Link {
public:
    RingLink(int ctl, std::unique_ptr<RingEndpoint> ep, std::string url)
        : ctl_(ctl), ep_(std::move(ep)), url_(std::move(url)) {}
    ~RingLink() override { ::close(ctl_); }

    // netif::Link
    int data_fd() const override { return ep_->own_fd(); }
    int control_fd() const override { return ctl_; }
    bool check_control() override;
    Expected<std::size_t, LinkError> receive(FrameBatch& batch) override;
    Expected<void, LinkError> send(wire::Bytes frame) override;
    bool wait_writable(int timeout_ms) override { return ep_->wait_writable(kMaxFrameLen, timeout_ms); }
    bool readable() override { return ep_->readable(); }
    const std::string& url() const override { return url_; }

private:
    LinkError gone() const {
        return LinkError{LinkError::Kind::Closed, "switch at " + url_ + " is gone"};
    }
    int ctl_;
    std::unique_ptr<RingEndpoint> ep_;
    std::string url_;
    bool peer_gone_ = false;
};

bool RingLink::check_control() {
    if (peer_gone_) {
        return false;
    }
    std::uint8_t buf[64];
    for (;;) {
        const ssize_t n = ::recv(ctl_, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            continue;  // nothing is expected after the reply
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return true;
        }
        peer_gone_ = true;
        return false;
    }
}

Expected<std::size_t, LinkError> RingLink::receive(FrameBatch& batch) {
    if (peer_gone_) {
        batch.set_size(0);
        return unexpected(gone());
    }
    const std::size_t n = ep_->receive(batch);
    if (n == 0 && ep_->broken()) {
        return unexpected(LinkError{LinkError::Kind::Closed,
                                    "the ring from " + url_ + " is corrupt (impossible position)"});
    }
    return n;
}

Expected<void, LinkError> RingLink::send(wire::Bytes frame) {
    if (peer_gone_) {
        return unexpected(gone());
    }
    switch (ep_->push(frame)) {
    case RingProducer::Push::Ok: ep_->wake_peer(); return {};
    case RingProducer::Push::Full:
        return unexpected(LinkError{LinkError::Kind::WouldBlock, "switch ring full"});
    case RingProducer::Push::TooLong:
        return unexpected(LinkError{LinkError::Kind::Io, "frame of " + std::to_string(frame.size()) +
                                                             " bytes does not fit a ring record"});
    case RingProducer::Push::Broken:
        return unexpected(LinkError{LinkError::Kind::Closed,
                                    "the ring to " + url_ + " is corrupt (impossible position)"});
    }
    return unexpected(LinkError{LinkError::Kind::Io, "unknown ring push result"});
}

/// Reads the reply and the fds that come with it.
Expected<RingReply, LinkError> read_reply(int sock, const std::string& dir, FdList& fds) {
    std::array<std::uint8_t, kRingReplyLen> buf{};
    std::size_t got = 0;
    while (got < buf.size()) {
        iovec iov{buf.data() + got, buf.size() - got};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kRingFdCount)] = {};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        const ssize_t n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return unexpected(LinkError{LinkError::Kind::Unavailable,
                                        "the switch at " + dir + " did not answer within " +
                                            std::to_string(kHandshakeTimeoutSec) + " s"});
        }
        if (n <= 0) {
            return unexpected(LinkError{LinkError::Kind::Unavailable,
                                        "the switch at " + dir + " closed the ring connection"});
        }
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (std::size_t i = 0; i < count; ++i) {
                    int fd = -1;
                    std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                    fds.fds.push_back(fd);
                }
            }
        }
        got += static_cast<std::size_t>(n);
    }
    auto reply = parse_ring_reply(buf);
    if (!reply) {
        return unexpected(
            LinkError{LinkError::Kind::Io, "the switch at " + dir + " sent a malformed ring reply"});
    }
    return *reply;
}

}  // namespace

Expected<std::unique_ptr<Link>, LinkError> open_ring_link(const std::string& switch_dir,
                                                          unsigned port,
                                                          const std::string& description,
                                                          const std::string& url) {
    std::error_code ec;
    const std::string dir = std::filesystem::absolute(switch_dir, ec).lexically_normal().string();
    if (ec) {
        return unexpected(LinkError{LinkError::Kind::BadUrl, "bad switch path '" + switch_dir + "'"});
    }
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    const std::string path = dir + "/ring";
    if (path.size() >= sizeof(sa.sun_path)) {
        return unexpected(
            LinkError{LinkError::Kind::BadUrl, "switch path too long for a unix socket: " + dir});
    }
    std::memcpy(sa.sun_path, path.data(), path.size());

    const int sock = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        return unexpected(io_error("socket(AF_UNIX, SOCK_STREAM)", errno));
    }
    FdList sock_guard{{sock}};
    if (::connect(sock, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) != 0) {
        return unexpected(connect_error(dir, errno));
    }
    timeval tv{};
    tv.tv_sec = kHandshakeTimeoutSec;
    ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

    std::array<std::uint8_t, kRingRequestLen> req{};
    emit_ring_request(RingRequest{port, description}, req);
    if (::send(sock, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
        return unexpected(io_error("sending the ring request to " + dir, errno));
    }
    FdList fds;
    auto reply = read_reply(sock, dir, fds);
    if (!reply) {
        return unexpected(reply.error());
    }
    if (reply->status != RingStatus::Ok) {
        std::string why = "the switch at " + dir + " refused the ring port: " +
                          std::string(ring_status_text(reply->status));
        if (port != 0) {
            why += " (port " + std::to_string(port) + ")";
        }
        return unexpected(LinkError{LinkError::Kind::Unavailable, why});
    }
    if (fds.fds.size() != kRingFdCount) {
        return unexpected(LinkError{LinkError::Kind::Io, "the switch at " + dir + " sent " +
                                                             std::to_string(fds.fds.size()) +
                                                             " fds with its ring reply, not 3"});
    }
    auto mapping = RingMapping::attach(fds.take(0), reply->capacity);
    if (!mapping) {
        return unexpected(mapping.error());
    }
    const int own = fds.take(1);
    const int peer = fds.take(2);
    auto ep = std::make_unique<RingEndpoint>(std::move(*mapping), false, own, peer);
    // From here on the stream only reports the switch's end; it must never block the node.
    tv.tv_sec = 0;
    ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    const int flags = ::fcntl(sock, F_GETFL);
    if (flags < 0 || ::fcntl(sock, F_SETFL, flags | O_NONBLOCK) != 0) {
        return unexpected(io_error("fcntl(O_NONBLOCK)", errno));
    }
    sock_guard.take(0);
    return std::unique_ptr<Link>(std::make_unique<RingLink>(sock, std::move(ep), url));
}

}  // namespace caplnet::netif
