#include "stack/node_loop.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "netif/driver/lwip.hpp"

namespace caplnet::stack {

NodeLoop::NodeLoop() : wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

NodeLoop::~NodeLoop() { ::close(wake_fd_); }

void NodeLoop::watch(int fd, std::function<void(StackThread&)> on_ready) {
    watches_.push_back(Watch{fd, std::move(on_ready)});
}

void NodeLoop::post(std::function<void(StackThread&)> fn) {
    {
        std::lock_guard lock(mutex_);
        posted_.push_back(std::move(fn));
    }
    wake();
}

void NodeLoop::wake() {
    const std::uint64_t one = 1;
    // A full counter (EAGAIN) still means "readable": the wake-up is not lost.
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void NodeLoop::stop() {
    stop_ = true;
    wake();
}

void NodeLoop::run_posted(StackThread& token) {
    std::deque<std::function<void(StackThread&)>> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(posted_);
    }
    for (auto& fn : batch) fn(token);
}

void NodeLoop::run(const std::function<bool(StackThread&)>& on_start) {
    thread_id_ = std::this_thread::get_id();
    StackThread token;
    if (!on_start(token)) return;
    std::vector<pollfd> fds;
    while (!stop_) {
        fds.clear();
        fds.push_back(pollfd{wake_fd_, POLLIN, 0});
        for (const auto& w : watches_) fds.push_back(pollfd{w.fd, POLLIN, 0});
        const u32_t sleep_ms = sys_timeouts_sleeptime();
        const int timeout = sleep_ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE
                                ? -1
                                : static_cast<int>(std::min<u32_t>(sleep_ms, 1000));
        const int ready = ::poll(fds.data(), fds.size(), timeout);
        if (ready < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
        if (ready > 0) {
            if (fds[0].revents != 0) {
                std::uint64_t drained;
                [[maybe_unused]] auto n = ::read(wake_fd_, &drained, sizeof drained);
            }
            // Index by position: a handler may add watches, which only take effect next turn.
            const std::size_t count = fds.size() - 1;
            for (std::size_t i = 0; i < count; ++i) {
                if (fds[i + 1].revents != 0 && i < watches_.size()) watches_[i].on_ready(token);
            }
        }
        run_posted(token);
        sys_check_timeouts();
        if (after_turn_) after_turn_(token);
    }
    run_posted(token);
}

}  // namespace caplnet::stack
