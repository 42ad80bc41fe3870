#include "stack/node_loop.hpp"

#include "netif/driver/lwip.hpp"

namespace caplnet::stack {

NodeLoop::NodeLoop() = default;
NodeLoop::~NodeLoop() = default;

void NodeLoop::watch(int fd, std::function<void(StackThread&)> on_ready) {
    watches_.push_back(Watch{fd, std::move(on_ready)});
}

void NodeLoop::post(std::function<void(StackThread&)> fn) {
    {
        std::lock_guard lock(mutex_);
        posted_.push_back(std::move(fn));
    }
    poller_.wake();
}

void NodeLoop::stop() {
    stop_ = true;
    poller_.wake();
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
    std::vector<int> fds;
    std::vector<std::size_t> ready;
    while (!stop_) {
        fds.clear();
        for (const auto& w : watches_) fds.push_back(w.fd);
        const u32_t sleep_ms = sys_timeouts_sleeptime();
        const int timeout = sleep_ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE
                                ? -1
                                : static_cast<int>(std::min<u32_t>(sleep_ms, 1000));
        poller_.wait(fds, timeout, ready);
        // A handler may clear the watches (teardown): re-check the bound every time.
        for (std::size_t i : ready) {
            if (i < watches_.size()) watches_[i].on_ready(token);
        }
        run_posted(token);
        sys_check_timeouts();
        if (after_turn_) after_turn_(token);
    }
    run_posted(token);
}

}  // namespace caplnet::stack
