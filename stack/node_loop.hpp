#pragma once
// The node's stack thread: an event loop of our own around lwIP (never lwIP's tcpip thread).
// It polls the link fds and a wake-up eventfd, runs calls marshalled from other threads and
// fires lwIP's timers, all on one thread, so every lwIP call happens here by construction
// (reference/virtual-time.md: deterministic, and direct input loses no frame).
#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "netif/link/poller.hpp"

namespace caplnet::stack {

class Clock;

/// Proof of being on the stack thread: only NodeLoop constructs it, so a function that takes a
/// `StackThread&` cannot be called from anywhere else.
class StackThread {
    friend class NodeLoop;
    StackThread() = default;
};

class NodeLoop {
public:
    NodeLoop();
    ~NodeLoop();
    NodeLoop(const NodeLoop&) = delete;
    NodeLoop& operator=(const NodeLoop&) = delete;

    /// Watches `fd` for input; `on_ready` runs on the stack thread. Call before run() or on it.
    void watch(int fd, std::function<void(StackThread&)> on_ready);
    /// Forgets every watched fd (before their owners go away). Stack thread only.
    void clear_watches(StackThread&) { watches_.clear(); }
    /// Runs `fn` on the stack thread soon. Any thread.
    void post(std::function<void(StackThread&)> fn);
    /// Runs `fn` on the stack thread and waits for its result. Not from the stack thread.
    template <class F>
    auto call(F&& fn) -> std::invoke_result_t<F, StackThread&> {
        using R = std::invoke_result_t<F, StackThread&>;
        std::atomic<bool> done{false};
        if constexpr (std::is_void_v<R>) {
            post([&](StackThread& t) {
                fn(t);
                finish(done);
            });
            await(done);
        } else {
            std::optional<R> result;
            post([&](StackThread& t) {
                result.emplace(fn(t));
                finish(done);
            });
            await(done);
            return std::move(*result);
        }
    }
    /// Called once per loop turn on the stack thread, after input and timers.
    void set_after_turn(std::function<void(StackThread&)> fn) { after_turn_ = std::move(fn); }

    /// The loop itself; returns after stop(). Runs on the thread that calls it, which becomes
    /// the stack thread; `on_start` runs first (lwip_init and the netifs go there). If it
    /// returns false the loop ends at once.
    void run(const std::function<bool(StackThread&)>& on_start);
    void stop();
    /// True once stop() was called: posted calls may no longer run.
    bool stopping() const { return stop_.load(std::memory_order_acquire); }
    bool on_stack_thread() const { return std::this_thread::get_id() == thread_id_.load(); }

private:
    /// Runs the posted calls; true if there were any.
    bool run_posted(StackThread& token);
    static void finish(std::atomic<bool>& done);
    /// Waits for `done`: a short spin first, since the stack thread usually answers within
    /// microseconds and a sleep/wake pair costs tens of them; then a futex wait.
    static void await(std::atomic<bool>& done);
    /// After a turn with posted calls, the stack thread watches for the next one for a while
    /// instead of sleeping in poll(): a program making calls back to back (join, leave, send)
    /// then needs no wake-up at all.
    bool spin_for_posted();

    netif::Poller poller_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> pending_{false};   // posted_ is not empty
    std::atomic<bool> sleeping_{false};  // the stack thread is (about to be) in poll(): wake it
    std::atomic<std::thread::id> thread_id_{};
    std::mutex mutex_;
    std::deque<std::function<void(StackThread&)>> posted_;
    struct Watch {
        int fd;
        std::function<void(StackThread&)> on_ready;
    };
    std::vector<Watch> watches_;
    std::function<void(StackThread&)> after_turn_;
};

/// Installs the clock behind lwIP's sys_now() and the loop behind tcpip_try_callback(). Call on
/// the stack thread before lwip_init(); afterwards sys_now_calls() > 0 proves lwIP binds to our
/// sys_now (a hidden or late-loaded definition fails silently: virtual-time.md pitfall 1).
void install_lwip_port(Clock& clock, NodeLoop& loop, StackThread& token);
void uninstall_lwip_port();
/// How many times lwIP called our sys_now(), for the start-up check.
std::uint64_t sys_now_calls();

}  // namespace caplnet::stack
