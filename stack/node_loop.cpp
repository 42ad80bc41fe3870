#include "stack/node_loop.hpp"

#include <sched.h>

#include <chrono>

#include "netif/driver/lwip.hpp"

namespace caplnet::stack {

NodeLoop::NodeLoop() = default;
NodeLoop::~NodeLoop() = default;

void NodeLoop::watch(int fd, std::function<void(StackThread&)> on_ready) {
    watches_.push_back(Watch{fd, std::move(on_ready)});
}

namespace {

// Long enough to cover the stack thread's answer to a call and a program's next call, short
// enough that an idle node or program costs nothing measurable.
constexpr auto kSpin = std::chrono::microseconds(50);

/// A spin turn that gives the core away when another thread could use it: on an idle machine
/// sched_yield() returns at once, on a busy one the thread we wait for (or the switch, or another
/// node) may be the one that runs. Pure pause-spinning measured better only while the two threads
/// happened to sit on different cores, and starved the rest of a two-core machine.
inline void spin_turn() { ::sched_yield(); }

/// Spins until `ready()` or kSpin has passed; the clock is read only every few turns, since on
/// some VMs reading it costs more than a turn.
template <class Ready>
bool spin_until(Ready ready) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (unsigned i = 1;; ++i) {
        if (ready()) return true;
        if (i % 8 == 0 && std::chrono::steady_clock::now() >= until) return false;
        spin_turn();
    }
}

}  // namespace

void NodeLoop::post(std::function<void(StackThread&)> fn) {
    {
        std::lock_guard lock(mutex_);
        posted_.push_back(std::move(fn));
        pending_.store(true, std::memory_order_release);
    }
    // seq_cst pairs with the stack thread's store of sleeping_ before its last look at pending_:
    // either it sees our call, or we see it asleep and wake it.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (sleeping_.load(std::memory_order_relaxed)) poller_.wake();
}

void NodeLoop::finish(std::atomic<bool>& done) {
    done.store(true, std::memory_order_release);
    done.notify_one();
}

void NodeLoop::await(std::atomic<bool>& done) {
    if (spin_until([&] { return done.load(std::memory_order_acquire); })) return;
    while (!done.load(std::memory_order_acquire)) done.wait(false, std::memory_order_acquire);
}

bool NodeLoop::spin_for_posted() {
    return spin_until([&] { return pending_.load(std::memory_order_acquire) || stop_.load(std::memory_order_relaxed); });
}

void NodeLoop::stop() {
    stop_ = true;
    poller_.wake();
}

bool NodeLoop::run_posted(StackThread& token) {
    std::deque<std::function<void(StackThread&)>> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(posted_);
        pending_.store(false, std::memory_order_relaxed);
    }
    for (auto& fn : batch) fn(token);
    return !batch.empty();
}

void NodeLoop::run(const std::function<bool(StackThread&)>& on_start) {
    thread_id_ = std::this_thread::get_id();
    StackThread token;
    if (!on_start(token)) return;
    std::vector<int> fds;
    std::vector<std::size_t> ready;
    bool had_calls = false;
    while (!stop_) {
        fds.clear();
        for (const auto& w : watches_) fds.push_back(w.fd);
        const u32_t sleep_ms = sys_timeouts_sleeptime();
        int timeout = sleep_ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? -1
                                                                  : static_cast<int>(std::min<u32_t>(sleep_ms, 1000));
        if (had_calls && spin_for_posted()) timeout = 0;  // a call is waiting: only look at the links
        sleeping_.store(true, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (pending_.load(std::memory_order_relaxed)) timeout = 0;
        poller_.wait(fds, timeout, ready);
        sleeping_.store(false, std::memory_order_relaxed);
        // A handler may clear the watches (teardown): re-check the bound every time.
        for (std::size_t i : ready) {
            if (i < watches_.size()) watches_[i].on_ready(token);
        }
        had_calls = run_posted(token);
        sys_check_timeouts();
        if (after_turn_) after_turn_(token);
    }
    run_posted(token);
}

}  // namespace caplnet::stack
