// Client side of the vde:// v3 control protocol (reference/vde.md §8), spoken natively so that
// sanitizer builds, which cannot load libvdeplug, still join VDE switches.
#include "netif/link/vde_link.hpp"
#include "netif/link/vde_request.hpp"

#include <fcntl.h>
#include <poll.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

namespace caplnet::netif {

namespace {

// The handshake is synchronous; a switch that does not answer must not hang the node forever.
constexpr int kHandshakeTimeoutSec = 10;

std::atomic<unsigned> g_socket_counter{0};

std::string errno_text(int err) { return std::strerror(err); }

LinkError io_error(std::string what, int err) {
    return LinkError{LinkError::Kind::Io, std::move(what) + ": " + errno_text(err)};
}

/// Owns a file descriptor; closes it unless released.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

/// Unlinks a bound socket path when the handshake ends, successful or not: once the data socket
/// is connected the switch reaches it through the connection, not the name.
class UnlinkGuard {
public:
    ~UnlinkGuard() {
        if (!path_.empty()) {
            ::unlink(path_.c_str());
        }
    }
    void set(std::string p) { path_ = std::move(p); }

private:
    std::string path_;
};

bool fill_sockaddr(sockaddr_un& sa, const std::string& path) {
    std::memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof(sa.sun_path)) {
        return false;
    }
    std::memcpy(sa.sun_path, path.data(), path.size());
    return true;
}

LinkError connect_error(const std::string& dir, int err) {
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        return {LinkError::Kind::Unavailable,
                "no switch at " + dir + " (" + dir + "/ctl does not exist)"};
    case ECONNREFUSED:
        return {LinkError::Kind::Unavailable, "stale switch directory " + dir +
                                                  " (its switch is gone; a new switch on " + dir +
                                                  " takes it over)"};
    case EACCES:
    case EPERM:
        return {LinkError::Kind::Unavailable, "permission denied joining the switch at " + dir +
                                                  " (it belongs to another user?)"};
    case ENOTSOCK:
    case EPROTOTYPE:
        return {LinkError::Kind::Unavailable, dir + "/ctl is not a VDE switch control socket"};
    default: return io_error("connecting to the switch at " + dir + "/ctl", err);
    }
}

class VdeLink final : public Link {
public:
    VdeLink(int ctl, int data, std::string url) : ctl_(ctl), data_(data), url_(std::move(url)) {}
    ~VdeLink() override {
        wait_sent_taken();
        ::close(data_);
        ::close(ctl_);
    }

    /// Frames we sent may still wait in the switch's port socket. If ours closed first, the
    /// switch's next send to this port would fail (ECONNREFUSED) and the kernel would purge the
    /// switch's queue with it (af_unix's unix_dgram_disconnected): frames lost uncounted, e.g. the
    /// end of a `caplnet replay --timing top`. So wait, bounded, until the switch has taken them:
    /// SIOCOUTQ counts the bytes we sent that no reader has consumed. No event says "queue empty",
    /// hence the short polls.
    void wait_sent_taken() const {
        if (peer_gone_) return;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        for (;;) {
            int queued = 0;
            if (::ioctl(data_, SIOCOUTQ, &queued) != 0 || queued <= 0) return;
            if (std::chrono::steady_clock::now() >= until) return;
            pollfd ctl{ctl_, POLLIN, 0};
            if (::poll(&ctl, 1, 1) > 0) return;  // the switch hung up (or spoke): nobody will read them
        }
    }

    // netif::Link
    int data_fd() const override { return data_; }
    int control_fd() const override { return ctl_; }
    bool check_control() override;
    Expected<std::size_t, LinkError> receive(FrameBatch& batch) override;
    Expected<void, LinkError> send(wire::Bytes frame) override;
    const std::string& url() const override { return url_; }

private:
    int ctl_;
    int data_;
    std::string url_;
    bool peer_gone_ = false;
    // recvmmsg bookkeeping, sized to the largest batch seen (allocated once, not per frame).
    std::vector<mmsghdr> msgs_;
    std::vector<iovec> iovs_;
};

bool VdeLink::check_control() {
    if (peer_gone_) {
        return false;
    }
    // The switch never sends on the control stream after the reply; anything readable is EOF,
    // an error, or chatter to discard.
    std::uint8_t buf[256];
    for (;;) {
        const ssize_t n = ::recv(ctl_, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            continue;
        }
        if (n == 0) {
            peer_gone_ = true;
            return false;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return true;
        }
        peer_gone_ = true;  // ECONNRESET and friends
        return false;
    }
}

Expected<std::size_t, LinkError> VdeLink::receive(FrameBatch& batch) {
    const std::size_t cap = batch.capacity();
    if (msgs_.size() < cap) {
        msgs_.resize(cap);
        iovs_.resize(cap);
    }
    for (std::size_t i = 0; i < cap; ++i) {
        iovs_[i].iov_base = batch.slot(i);
        iovs_[i].iov_len = kMaxFrameLen;
        std::memset(&msgs_[i], 0, sizeof(mmsghdr));
        msgs_[i].msg_hdr.msg_iov = &iovs_[i];
        msgs_[i].msg_hdr.msg_iovlen = 1;
    }
    int n;
    do {
        n = ::recvmmsg(data_, msgs_.data(), static_cast<unsigned>(cap), MSG_DONTWAIT, nullptr);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        batch.set_size(0);
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return std::size_t{0};
        }
        if (errno == ECONNREFUSED || errno == ECONNRESET || errno == ENOTCONN) {
            return unexpected(LinkError{LinkError::Kind::Closed, "switch at " + url_ + " is gone"});
        }
        return unexpected(io_error("receiving from " + url_, errno));
    }
    const auto count = static_cast<std::size_t>(n);
    for (std::size_t i = 0; i < count; ++i) {
        // A datagram larger than VDE_ETHBUFSIZE arrives cut to kMaxFrameLen (MSG_TRUNC), as it
        // does for every VDE peer; msg_len is the cut length.
        batch.set_length(i, msgs_[i].msg_len);
    }
    batch.set_size(count);
    return count;
}

Expected<void, LinkError> VdeLink::send(wire::Bytes frame) {
    for (;;) {
        const ssize_t n = ::send(data_, frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0) {
            return {};
        }
        switch (errno) {
        case EINTR: continue;
        case EAGAIN: return unexpected(LinkError{LinkError::Kind::WouldBlock, "switch queue full"});
        case ECONNREFUSED:
        case ECONNRESET:
        case ENOTCONN:
        case EPIPE:
            peer_gone_ = true;
            return unexpected(LinkError{LinkError::Kind::Closed, "switch at " + url_ + " is gone"});
        default: return unexpected(io_error("sending to " + url_, errno));
        }
    }
}

bool set_timeouts(int fd, int seconds) {
    timeval tv{};
    tv.tv_sec = seconds;
    return ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
           ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0;
}

}  // namespace

Expected<std::unique_ptr<Link>, LinkError> open_vde_link(const std::string& switch_dir,
                                                         unsigned port,
                                                         const std::string& description,
                                                         const std::string& url) {
    // The switch reaches our data socket by the path we send, and it does not share our cwd.
    std::error_code ec;
    const std::string dir = std::filesystem::absolute(switch_dir, ec).lexically_normal().string();
    if (ec) {
        return unexpected(
            LinkError{LinkError::Kind::BadUrl, "bad switch path '" + switch_dir + "'"});
    }
    if (port > 0x7fffff) {
        return unexpected(LinkError{LinkError::Kind::BadUrl, "port number too large"});
    }
    sockaddr_un ctl_addr{};
    if (!fill_sockaddr(ctl_addr, dir + "/ctl") || !fill_sockaddr(ctl_addr, dir + "/.00000-00000")) {
        return unexpected(
            LinkError{LinkError::Kind::BadUrl, "switch path too long for a unix socket: " + dir});
    }
    fill_sockaddr(ctl_addr, dir + "/ctl");

    Fd ctl(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (ctl.get() < 0) {
        return unexpected(io_error("socket(AF_UNIX, SOCK_STREAM)", errno));
    }
    if (::connect(ctl.get(), reinterpret_cast<const sockaddr*>(&ctl_addr), sizeof(ctl_addr)) != 0) {
        return unexpected(connect_error(dir, errno));
    }
    if (!set_timeouts(ctl.get(), kHandshakeTimeoutSec)) {
        return unexpected(io_error("setsockopt(SO_RCVTIMEO)", errno));
    }

    Fd data(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (data.get() < 0) {
        return unexpected(io_error("socket(AF_UNIX, SOCK_DGRAM)", errno));
    }
    // Like libvdeplug: DIR/.<pid>-<counter>, a name nobody else picks; retried while taken.
    sockaddr_un own{};
    UnlinkGuard own_guard;
    for (;;) {
        char name[32];
        std::snprintf(name, sizeof(name), "/.%05d-%05u", static_cast<int>(::getpid()),
                      g_socket_counter.fetch_add(1) % 100000U);
        fill_sockaddr(own, dir + name);
        if (::bind(data.get(), reinterpret_cast<const sockaddr*>(&own), sizeof(own)) == 0) {
            own_guard.set(own.sun_path);
            break;
        }
        if (errno != EADDRINUSE) {
            return unexpected(io_error("binding the data socket in " + dir, errno));
        }
    }
    ::chmod(own.sun_path, 0600);

    std::array<std::uint8_t, kVdeMaxRequestLen> req;
    const std::size_t req_len = emit_vde_request(port, own, description, req);
    if (::send(ctl.get(), req.data(), req_len, MSG_NOSIGNAL) != static_cast<ssize_t>(req_len)) {
        return unexpected(io_error("sending the port request to " + dir, errno));
    }

    sockaddr_un reply{};
    std::size_t got = 0;
    auto* reply_bytes = reinterpret_cast<std::uint8_t*>(&reply);
    while (got < sizeof(reply)) {
        const ssize_t n = ::recv(ctl.get(), reply_bytes + got, sizeof(reply) - got, 0);
        if (n > 0) {
            got += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return unexpected(LinkError{LinkError::Kind::Unavailable,
                                        "the switch at " + dir + " did not answer within " +
                                            std::to_string(kHandshakeTimeoutSec) + " s"});
        }
        if (n == 0 || errno == ECONNRESET) {
            std::string why = "the switch at " + dir + " refused the connection";
            if (port != 0) {
                why += " (port " + std::to_string(port) + " is taken or does not exist)";
            }
            return unexpected(LinkError{LinkError::Kind::Unavailable, why});
        }
        return unexpected(io_error("reading the switch's reply from " + dir, errno));
    }
    if (reply.sun_family != AF_UNIX) {
        return unexpected(
            LinkError{LinkError::Kind::Io, "the switch at " + dir + " sent a malformed reply"});
    }
    reply.sun_path[sizeof(reply.sun_path) - 1] = '\0';
    if (::connect(data.get(), reinterpret_cast<const sockaddr*>(&reply), sizeof(reply)) != 0) {
        return unexpected(
            io_error(std::string("connecting to the port socket ") + reply.sun_path, errno));
    }
    // From here on EOF on the stream is the only liveness signal; it must not block the node.
    set_timeouts(ctl.get(), 0);
    const int flags = ::fcntl(ctl.get(), F_GETFL);
    if (flags < 0 || ::fcntl(ctl.get(), F_SETFL, flags | O_NONBLOCK) != 0) {
        return unexpected(io_error("fcntl(O_NONBLOCK)", errno));
    }
    const int ctl_fd = ctl.release();
    const int data_fd = data.release();
    return std::unique_ptr<Link>(std::make_unique<VdeLink>(ctl_fd, data_fd, url));
}

}  // namespace caplnet::netif
