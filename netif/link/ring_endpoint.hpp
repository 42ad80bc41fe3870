#pragma once
// One side of a ring:// port: the ring it reads, the ring it writes, and the two eventfds that
// wake a sleeping side. Both the switch (per port) and the client link (ring_link) use it, so the
// wake-up protocol exists once:
//   - the reader sleeps on its own eventfd only after announcing it in the ring (data_waiting)
//     and re-checking that the ring is still empty;
//   - the writer, after publishing, writes the reader's eventfd only if the flag was set.
// A busy pipeline therefore makes no syscalls; an idle one costs one write and one read per
// wake-up. The own eventfd stays readable while frames remain unread, so a caller that polls it
// between receive() calls (as Link users do) never sleeps on a non-empty ring.
#include <cstddef>

#include "netif/link/frame_ring.hpp"
#include "netif/link/link.hpp"
#include "netif/link/ring_mapping.hpp"

namespace caplnet::netif {

class RingEndpoint {
public:
    /// `side`: which end this is (the switch reads ToSwitch, the client ToClient). Takes
    /// ownership of both eventfds (non-blocking).
    RingEndpoint(RingMapping mapping, bool switch_side, int own_fd, int peer_fd);
    ~RingEndpoint();
    RingEndpoint(const RingEndpoint&) = delete;
    RingEndpoint& operator=(const RingEndpoint&) = delete;

    /// Readable when frames (or a space wake-up) may be there: poll it for POLLIN.
    int own_fd() const { return own_fd_; }
    int peer_fd() const { return peer_fd_; }
    const RingMapping& mapping() const { return mapping_; }

    /// Pops up to batch.capacity() frames; never blocks. Returns 0 on a spurious wake-up.
    /// Closed-like failure is reported through broken().
    std::size_t receive(FrameBatch& batch);
    /// True if frames wait in the read ring (no syscall).
    bool readable() { return rx_.readable(); }

    /// Publishes one frame without waking the reader; follow a batch with wake_peer().
    RingProducer::Push push(wire::Bytes frame) { return tx_.push(frame); }
    /// Wakes the reader if it sleeps.
    void wake_peer();
    /// Waits up to `timeout_ms` for room for a `len`-byte frame. False on timeout.
    bool wait_writable(std::size_t len, int timeout_ms);

    /// The peer published an impossible position in one of the rings.
    bool broken() const { return rx_.broken() || tx_.broken(); }
    std::uint64_t bad_records() const { return rx_.bad_records(); }

private:
    /// Sets our "sleeping" flag; if frames came meanwhile, makes our eventfd readable instead.
    void arm();
    void clear_own();
    void signal(int fd);

    RingMapping mapping_;
    RingConsumer rx_;
    RingProducer tx_;
    int own_fd_;
    int peer_fd_;
    bool armed_ = false;        // data_waiting is set by us and not yet withdrawn
    bool counter_set_ = false;  // our eventfd was (or is about to be) written since last cleared
};

}  // namespace caplnet::netif
