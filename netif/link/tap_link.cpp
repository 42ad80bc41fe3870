#include "netif/link/tap_link.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace caplnet::netif {

namespace {

std::string errno_text(int err) {
    return std::strerror(err);
}

/// A Linux TAP device (reference/vde.md §5). The fd is nonblocking, so receive() drains the
/// kernel's queue and send() never waits.
class TapLink final : public Link {
public:
    TapLink(int fd, std::string name, std::string url)
        : fd_(fd), name_(std::move(name)), url_(std::move(url)) {}
    ~TapLink() override { ::close(fd_); }

    // netif::Link
    int data_fd() const override { return fd_; }

    Expected<std::size_t, LinkError> receive(FrameBatch& batch) override {
        std::size_t n = 0;
        while (n < batch.capacity()) {
            // One read() returns one frame. The kernel hands over at most MTU + 4 bytes
            // (reference/vde.md §5); a longer frame would be cut to the slot size.
            const ssize_t got = ::read(fd_, batch.slot(n), kMaxFrameLen);
            if (got < 0) {
                const int err = errno;
                if (err == EINTR) {
                    continue;
                }
                if (err == EAGAIN || err == EWOULDBLOCK) {
                    break;
                }
                batch.set_size(n);
                if (n > 0) {
                    return n;  // report the error on the next call, with nothing lost
                }
                return unexpected(classify(err, "read"));
            }
            batch.set_length(n, static_cast<std::size_t>(got));
            ++n;
        }
        batch.set_size(n);
        return n;
    }

    Expected<void, LinkError> send(wire::Bytes frame) override {
        for (;;) {
            const ssize_t put = ::write(fd_, frame.data(), frame.size());
            if (put >= 0) {
                return {};
            }
            const int err = errno;
            if (err != EINTR) {
                return unexpected(classify(err, "write"));
            }
        }
    }

    const std::string& url() const override { return url_; }

private:
    LinkError classify(int err, const char* op) const {
        std::string msg = url_ + ": " + op + " on TAP '" + name_ + "': " + errno_text(err);
        switch (err) {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
            return {LinkError::Kind::WouldBlock, std::move(msg)};
        case EIO:
            // tun.c refuses writes with EIO while the interface is administratively down. That
            // is a state an operator can undo with `ip link set up`, so the link stays open and
            // this one frame is lost.
            return {LinkError::Kind::Io, msg + " (is the interface down?)"};
        case EBADFD:
            // tun.c: the fd is no longer attached to a device (it was deleted). For good.
            return {LinkError::Kind::Closed, std::move(msg)};
        default:
            return {LinkError::Kind::Io, std::move(msg)};
        }
    }

    int fd_;
    std::string name_;
    std::string url_;
};

}  // namespace

Expected<std::unique_ptr<Link>, LinkError> open_tap_link(const std::string& name,
                                                         const std::string& url) {
    if (name.empty() || name.size() >= IFNAMSIZ) {
        return unexpected(LinkError{
            LinkError::Kind::BadUrl,
            url + ": TAP name must have 1.." + std::to_string(IFNAMSIZ - 1) + " characters"});
    }
    const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        return unexpected(LinkError{LinkError::Kind::Unavailable,
                                    url + ": cannot open /dev/net/tun: " + errno_text(err)});
    }
    ifreq ifr{};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    // NOTE(bounds): name.size() < IFNAMSIZ was checked above; ifr is zeroed, so it ends in NUL
    std::memcpy(ifr.ifr_name, name.data(), name.size());
    if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
        const int err = errno;
        ::close(fd);
        std::string msg =
            url + ": cannot attach to TAP '" + name + "' (TUNSETIFF): " + errno_text(err);
        if (err == EPERM) {
            msg += " (needs CAP_NET_ADMIN, or a TAP pre-created with `ip tuntap add dev " + name +
                   " mode tap user USER`)";
        } else if (err == EBUSY) {
            msg += " (another process holds it, or it exists and is not a TAP)";
        }
        return unexpected(LinkError{LinkError::Kind::Unavailable, std::move(msg)});
    }
    return std::unique_ptr<Link>(new TapLink(fd, ifr.ifr_name, url));
}

}  // namespace caplnet::netif
