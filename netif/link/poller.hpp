#pragma once
// Waiting for fds and for a wake-up from another thread: the OS side of the node's stack loop,
// kept here so that stack/ holds no OS I/O code.
#include <cstdint>
#include <vector>

namespace caplnet::netif {

class Poller {
public:
    Poller();
    ~Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    /// Any thread: makes the current or next wait() return.
    void wake();
    /// Waits until one of `fds` is readable (or hung up), wake() is called, or `timeout_ms`
    /// passes (-1: no limit). Fills `ready` with the positions in `fds` that are ready.
    void wait(const std::vector<int>& fds, int timeout_ms, std::vector<std::size_t>& ready);

private:
    int wake_fd_;
};

}  // namespace caplnet::netif
