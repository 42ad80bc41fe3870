#include "netif/link/ring_endpoint.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <utility>

namespace caplnet::netif {

RingEndpoint::RingEndpoint(RingMapping mapping, bool switch_side, int own_fd, int peer_fd)
    : mapping_(std::move(mapping)), own_fd_(own_fd), peer_fd_(peer_fd) {
    const RingDirection in = switch_side ? RingDirection::ToSwitch : RingDirection::ToClient;
    const RingDirection out = switch_side ? RingDirection::ToClient : RingDirection::ToSwitch;
    rx_ = RingConsumer(mapping_.header(in), mapping_.data(in), mapping_.capacity());
    tx_ = RingProducer(mapping_.header(out), mapping_.data(out), mapping_.capacity());
    // Asleep from the start: the writer may publish before our first receive(), and it wakes
    // only a reader that said it sleeps. (The client's ring may already hold floods.)
    arm();
}

void RingEndpoint::arm() {
    armed_ = true;
    if (!rx_.prepare_wait()) {
        // A frame came before the flag was up. The writer may not have seen the flag, so make
        // our own eventfd readable: the caller's next poll returns at once.
        signal(own_fd_);
        counter_set_ = true;
    }
}

RingEndpoint::~RingEndpoint() {
    ::close(own_fd_);
    ::close(peer_fd_);
}

void RingEndpoint::signal(int fd) {
    const std::uint64_t one = 1;
    // EAGAIN means the counter is at its maximum: the reader is awake anyway.
    while (::write(fd, &one, sizeof(one)) < 0 && errno == EINTR) {
    }
}

void RingEndpoint::clear_own() {
    std::uint64_t v = 0;
    while (::read(own_fd_, &v, sizeof(v)) < 0 && errno == EINTR) {
    }
    counter_set_ = false;
}

std::size_t RingEndpoint::receive(FrameBatch& batch) {
    if (armed_) {
        armed_ = false;
        if (rx_.finish_wait()) {
            counter_set_ = true;  // the writer took our flag, so it writes (or wrote) our eventfd
        }
    }
    const std::size_t n = rx_.pop(batch);
    if (n > 0 && rx_.take_producer_waiting()) {
        signal(peer_fd_);
    }
    if (n == batch.capacity() || rx_.broken()) {
        // More may be waiting: keep our eventfd as it is, so the next poll returns at once and
        // the pipeline keeps running without syscalls.
        return n;
    }
    // The ring was empty when we stopped: get ready to sleep. The eventfd is cleared before the
    // flag is set; a wake-up written after that is not lost.
    if (counter_set_ || n == 0) {
        clear_own();
    }
    arm();
    return n;
}

void RingEndpoint::wake_peer() {
    if (tx_.take_consumer_waiting()) {
        signal(peer_fd_);
    }
}

bool RingEndpoint::wait_writable(std::size_t len, int timeout_ms) {
    if (!tx_.prepare_wait_for_space(len)) {
        return true;
    }
    // We sleep on our own eventfd, which also carries data wake-ups: withdraw our data flag and
    // clear the counter, so that only room (or the timeout) ends the sleep.
    if (armed_) {
        armed_ = false;
        rx_.finish_wait();
    }
    clear_own();
    bool ok = true;
    if (tx_.prepare_wait_for_space(len)) {  // again: the reader may have freed room meanwhile
        pollfd p{own_fd_, POLLIN, 0};
        ok = ::poll(&p, 1, timeout_ms) > 0;
    }
    // Whoever polls our eventfd for data next must not sleep before receive() has re-armed.
    signal(own_fd_);
    counter_set_ = true;
    return ok;
}

}  // namespace caplnet::netif
