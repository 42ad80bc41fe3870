#include "netif/link/poller.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace caplnet::netif {

Poller::Poller() : wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

Poller::~Poller() { ::close(wake_fd_); }

void Poller::wake() {
    const std::uint64_t one = 1;
    // A full counter (EAGAIN) still means "readable": the wake-up is not lost.
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void Poller::wait(const std::vector<int>& fds, int timeout_ms, std::vector<std::size_t>& ready) {
    thread_local std::vector<pollfd> pfds;
    pfds.clear();
    pfds.push_back(pollfd{wake_fd_, POLLIN, 0});
    for (int fd : fds) pfds.push_back(pollfd{fd, POLLIN, 0});
    ready.clear();
    const int n = ::poll(pfds.data(), pfds.size(), timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return;
        throw std::system_error(errno, std::generic_category(), "poll");
    }
    if (pfds[0].revents != 0) {
        std::uint64_t drained;
        [[maybe_unused]] auto r = ::read(wake_fd_, &drained, sizeof drained);
    }
    for (std::size_t i = 1; i < pfds.size(); ++i) {
        if (pfds[i].revents != 0) ready.push_back(i - 1);
    }
}

}  // namespace caplnet::netif
