#pragma once
// A socket's received datagrams on their way to the node program: filled by the stack thread,
// read by the program thread. Once a socket has one, UdpReceiveFrom takes a queued datagram or
// arms the receive here, without a call into the stack thread (docs/decisions.md, "Sends that
// do not wait, receives from an inbox").
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "stack/ip_address.hpp"
#include "stack/udp/udp_backend.hpp"

namespace caplnet::stack {

class Inbox {
public:
    /// Runs on the filling thread, outside the inbox's lock, when a datagram meets an armed
    /// receive: the datagram is the receive's, not queued.
    using Ready = std::function<void(Datagram)>;

    Inbox(std::size_t limit, Ready ready) : limit_(limit), ready_(std::move(ready)) {}
    Inbox(const Inbox&) = delete;
    Inbox& operator=(const Inbox&) = delete;

    /// Filler: hands `d` to an armed receive, else queues it. False if the queue is full: the
    /// datagram is dropped and the caller counts it.
    bool put(Datagram d) {
        {
            std::lock_guard lock(mutex_);
            if (!armed_) {
                if (queue_.size() >= limit_) return false;
                queue_.push_back(std::move(d));
                return true;
            }
            armed_ = false;
        }
        ready_(std::move(d));
        return true;
    }

    /// Reader: the oldest queued datagram, or nullopt after arming the receive (the next put
    /// goes to `ready`).
    std::optional<Datagram> take_or_arm() {
        std::lock_guard lock(mutex_);
        if (queue_.empty()) {
            armed_ = true;
            return std::nullopt;
        }
        std::optional<Datagram> d(std::move(queue_.front()));
        queue_.pop_front();
        return d;
    }

    /// Drops the queued datagrams of (if_index, group): SPEC §4, nothing of a group after its leave.
    void purge(std::uint32_t if_index, const IpAddress& group) {
        std::lock_guard lock(mutex_);
        std::erase_if(queue_, [&](const Datagram& d) { return d.if_index == if_index && d.to.same_address(group); });
    }

    /// Takes over datagrams queued before the inbox existed (oldest first; they kept the limit).
    void adopt(std::deque<Datagram>&& earlier) {
        std::lock_guard lock(mutex_);
        for (auto it = earlier.rbegin(); it != earlier.rend(); ++it) queue_.push_front(std::move(*it));
    }

    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return queue_.size();
    }

private:
    mutable std::mutex mutex_;
    std::deque<Datagram> queue_;
    bool armed_ = false;
    std::size_t limit_;
    Ready ready_;
};

}  // namespace caplnet::stack
