// Any vdeplug4 URL through libvdeplug (normal builds only: reference/vde.md §1, sanitizers abort
// on its RTLD_DEEPBIND dlopen).
#include "netif/link/vdeplug_link.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

// libvdeplug.h has no extern "C" guard (reference/vde.md §1, pitfall 8).
extern "C" {
#include <libvdeplug.h>
}

namespace caplnet::netif {

namespace {

static_assert(VDE_ETHBUFSIZE == kMaxFrameLen);

LinkError errno_error(LinkError::Kind kind, std::string what, int err) {
    return LinkError{kind, std::move(what) + ": " + std::strerror(err)};
}

/// True if fd has data (or an event) pending right now.
bool readable_now(int fd) {
    pollfd p{fd, POLLIN, 0};
    int r;
    do {
        r = ::poll(&p, 1, 0);
    } while (r < 0 && errno == EINTR);
    return r > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

class VdeplugLink final : public Link {
public:
    VdeplugLink(VDECONN* conn, std::string url) : conn_(conn), url_(std::move(url)) {}
    ~VdeplugLink() override { vde_close(conn_); }

    // netif::Link
    int data_fd() const override { return vde_datafd(conn_); }
    int control_fd() const override { return vde_ctlfd(conn_); }
    bool check_control() override;
    Expected<std::size_t, LinkError> receive(FrameBatch& batch) override;
    Expected<void, LinkError> send(wire::Bytes frame) override;
    const std::string& url() const override { return url_; }

private:
    VDECONN* conn_;
    std::string url_;
    bool gone_ = false;
};

bool VdeplugLink::check_control() {
    const int fd = vde_ctlfd(conn_);
    if (fd < 0 || gone_) {
        return !gone_;
    }
    std::uint8_t buf[256];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return true;
        }
        gone_ = true;
        return false;
    }
}

Expected<std::size_t, LinkError> VdeplugLink::receive(FrameBatch& batch) {
    // For switch://, hub:// and vxvde:// the datafd is an epoll fd and vde_recv blocks in
    // epoll_wait(-1), consuming one inner event per call (reference/vde.md §1). So every call is
    // preceded by a zero-timeout poll: the loop never blocks and drains what is pending.
    const int fd = vde_datafd(conn_);
    std::size_t n = 0;
    while (n < batch.capacity() && readable_now(fd)) {
        const ssize_t r = vde_recv(conn_, batch.slot(n), kMaxFrameLen, 0);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            batch.set_size(n);
            if (n > 0) {
                break;  // report the frames we have; the error comes back on the next call
            }
            if (errno == ECONNREFUSED || errno == ECONNRESET || errno == ENOTCONN) {
                return unexpected(LinkError{LinkError::Kind::Closed, url_ + " is gone"});
            }
            return unexpected(errno_error(LinkError::Kind::Io, "vde_recv on " + url_, errno));
        }
        if (r == 0) {  // seqpacket:// EOF
            batch.set_size(n);
            if (n > 0) {
                break;
            }
            return unexpected(LinkError{LinkError::Kind::Closed, url_ + " reached end of file"});
        }
        // vde_recv returns 1 for "an event was consumed, no frame for you" (a control event, a
        // frame the plugin switched elsewhere or filtered); no Ethernet frame is one byte long.
        if (r == 1) {
            continue;
        }
        batch.set_length(n, static_cast<std::size_t>(r));
        ++n;
    }
    batch.set_size(n);
    return n;
}

Expected<void, LinkError> VdeplugLink::send(wire::Bytes frame) {
    for (;;) {
        const ssize_t r = vde_send(conn_, frame.data(), frame.size(), 0);
        if (r >= 0) {
            return {};
        }
        switch (errno) {
        case EINTR: continue;
        case EAGAIN:
            return unexpected(LinkError{LinkError::Kind::WouldBlock, url_ + ": queue full"});
        case ECONNREFUSED:
        case ECONNRESET:
        case ENOTCONN:
        case EPIPE:
            gone_ = true;
            return unexpected(LinkError{LinkError::Kind::Closed, url_ + " is gone"});
        default: return unexpected(errno_error(LinkError::Kind::Io, "vde_send on " + url_, errno));
        }
    }
}

}  // namespace

Expected<std::unique_ptr<Link>, LinkError> open_vdeplug_link(const std::string& url) {
    // vde_open takes char*, and some modules write into the URL while parsing options.
    std::vector<char> url_buf(url.begin(), url.end());
    url_buf.push_back('\0');
    char descr[] = "caplnet";
    errno = 0;
    VDECONN* conn = vde_open(url_buf.data(), descr, nullptr);
    if (conn == nullptr) {
        const int err = errno;
        if (err == EPROTONOSUPPORT) {
            return unexpected(LinkError{LinkError::Kind::BadUrl,
                                        "no vdeplug4 module for '" + url + "' (unknown scheme)"});
        }
        if (err == 0) {
            return unexpected(
                LinkError{LinkError::Kind::BadUrl, "libvdeplug rejected '" + url + "'"});
        }
        return unexpected(errno_error(LinkError::Kind::Unavailable, "opening " + url, err));
    }
    // Plain sockets and the tun fd honour O_NONBLOCK, so a full queue becomes WouldBlock instead
    // of a stalled node. Epoll-backed modules (switch://, hub://, vxvde://) and null://'s eventfd
    // are left alone.
    const int fd = vde_datafd(conn);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 && (S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode))) {
        const int flags = ::fcntl(fd, F_GETFL);
        if (flags >= 0) {
            ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        }
    }
    return std::unique_ptr<Link>(std::make_unique<VdeplugLink>(conn, url));
}

}  // namespace caplnet::netif
