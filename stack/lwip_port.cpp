// lwIP's port hooks, defined in the executable so that liblwip.so binds to them through its PLT
// (it is not linked -Bsymbolic: reference/virtual-time.md Q1). Default visibility is essential.
#include <atomic>

#include "netif/driver/lwip.hpp"
#include "stack/clock/clock.hpp"
#include "stack/node_loop.hpp"

namespace caplnet::stack {
namespace {
std::atomic<Clock*> g_clock{nullptr};
std::atomic<NodeLoop*> g_loop{nullptr};
std::atomic<std::uint64_t> g_sys_now_calls{0};
}  // namespace

std::uint64_t sys_now_calls() { return g_sys_now_calls.load(); }

void install_lwip_port(Clock& clock, NodeLoop& loop, StackThread&) {
    g_clock = &clock;
    g_loop = &loop;
}

void uninstall_lwip_port() {
    g_loop = nullptr;
}

}  // namespace caplnet::stack

extern "C" __attribute__((visibility("default"))) u32_t sys_now(void) {
    using namespace caplnet::stack;
    g_sys_now_calls.fetch_add(1, std::memory_order_relaxed);
    Clock* c = g_clock.load(std::memory_order_relaxed);
    return c != nullptr ? static_cast<u32_t>(c->now_ms()) : 0;
}

// lwIP's loopback (netif_loop_output) and pbuf code post work here; without tcpip_init the
// original asserts "Invalid mbox". Posting onto our loop keeps it on the stack thread.
extern "C" __attribute__((visibility("default"))) err_t tcpip_try_callback(tcpip_callback_fn fn,
                                                                           void* ctx) {
    using namespace caplnet::stack;
    NodeLoop* loop = g_loop.load();
    if (loop == nullptr) return ERR_MEM;
    loop->post([fn, ctx](StackThread&) { fn(ctx); });
    return ERR_OK;
}
