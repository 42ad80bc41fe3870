#pragma once
// A link backend moves whole Ethernet frames (no FCS, 802.1Q tags as is) between a node or the
// switch and the outside. This is the only layer that touches the OS networking API.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "netif/wire/bytes.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::netif {

/// VDE_ETHBUFSIZE: the largest frame any VDE peer hands over (reference/vde.md §1).
inline constexpr std::size_t kMaxFrameLen = 9234;

struct LinkError {
    enum class Kind { Unavailable, BadUrl, Io, Closed, WouldBlock };
    Kind kind;
    std::string message;  // what failed, with errno text where there is one
};

/// Preallocated receive buffers: filled by Link::receive, no allocation per frame.
class FrameBatch {
public:
    explicit FrameBatch(std::size_t capacity = 32)
        : storage_(capacity * kMaxFrameLen), lengths_(capacity, 0) {}
    std::size_t capacity() const { return lengths_.size(); }
    std::size_t size() const { return count_; }
    wire::Bytes frame(std::size_t i) const { return {slot(i), lengths_[i]}; }
    // For backends: buffer i and the length it received; set_size publishes the count.
    std::uint8_t* slot(std::size_t i) { return storage_.data() + i * kMaxFrameLen; }
    const std::uint8_t* slot(std::size_t i) const { return storage_.data() + i * kMaxFrameLen; }
    void set_length(std::size_t i, std::size_t len) { lengths_[i] = len; }
    void set_size(std::size_t n) { count_ = n; }

private:
    std::vector<std::uint8_t> storage_;
    std::vector<std::size_t> lengths_;
    std::size_t count_ = 0;
};

class Link {
public:
    virtual ~Link() = default;
    Link() = default;
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;

    /// Poll this for POLLIN; receive() then returns at least one frame or an error.
    virtual int data_fd() const = 0;
    /// An fd whose POLLIN/POLLHUP means "the peer may be gone" (vde:// control stream), or -1.
    virtual int control_fd() const { return -1; }
    /// Call when control_fd() is readable; returns false once the peer is gone (link down).
    virtual bool check_control() { return true; }

    /// Reads every frame available now, up to batch.capacity(), without blocking. 0 frames is not
    /// an error (a spurious wake-up); Kind::Closed means the link has ended for good.
    virtual Expected<std::size_t, LinkError> receive(FrameBatch& batch) = 0;
    /// Sends one frame. Kind::WouldBlock means the peer's queue is full and the frame was not sent.
    virtual Expected<void, LinkError> send(wire::Bytes frame) = 0;

    /// Waits up to `timeout_ms` until a send may succeed; false on timeout or EINTR. The default
    /// polls data_fd() for POLLOUT (link_wait.cpp); a ring has no fd that says so.
    virtual bool wait_writable(int timeout_ms);
    /// True if receive() has frames now, without waiting. The default polls data_fd() for POLLIN.
    virtual bool readable();

    /// The URL this link was opened with, for logs and capture interface names.
    virtual const std::string& url() const = 0;
};

struct LinkOptions {
    std::string description = "caplnet";  // sent to a VDE switch as the port description
    std::string run_dir;                  // relative vde:// and ring:// paths are resolved against it
    /// Directories of caplnet switches (relative ones against run_dir) that a vde:// URL naming
    /// them reaches through ring:// instead: `caplnet run` passes its own switches, so node files
    /// written for vde:// get the fast path without being edited (docs/decisions.md).
    std::vector<std::string> ring_switches;
};

/// Opens a link from its URL:
///   vde://PATH[N]   a VDE switch (ours or vdeplug4's), port N if given; spoken natively
///   ring://PATH[N]  caplnet's own switch at PATH through shared-memory rings (PATH/ring): no
///                   syscall per frame; same PATH and port syntax as vde://
///   tap://NAME      a Linux TAP device through /dev/net/tun
///   pcap://FILE     frames read from a pcap/pcapng file (receive only; for replay)
///   other://...     any other vdeplug4 URL through libvdeplug (normal builds only)
Expected<std::unique_ptr<Link>, LinkError> open_link(std::string_view url, const LinkOptions& opts);

}  // namespace caplnet::netif
