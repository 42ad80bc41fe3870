#pragma once
// Product mode: the node's UdpService on its stack thread, each call marshalled there.
//
// Sends do not always wait (docs/decisions.md, "Sends that do not wait, receives from an inbox"):
// a send that looks exactly like one the stack accepted synchronously — same socket, same
// destination (or the connected peer), a payload no larger — while nothing that could change the
// verdict happened since (the node's send epoch, Node::send_epoch, is unchanged) is queued for
// the stack thread and returns success at once (SPEC §6). Every other send stays synchronous and,
// when it succeeds, is remembered. Queued sends and every later call reach the stack thread in the
// order they were made; a queued send that fails there is counted (SocketInfo::send_failures)
// and bumps the epoch, so the next send waits and returns the error.
#include <atomic>
#include <mutex>

#include "stack/node.hpp"
#include "stack/udp/udp_backend.hpp"

namespace caplnet::stack {

class LwipUdpBackend final : public UdpBackend {
public:
    /// Queued sends not yet run; beyond it a send waits (behind the queue: backpressure, no loss).
    static constexpr std::size_t kMaxSendsInFlight = 1024;
    /// Recently accepted (socket, destination) pairs remembered, over all sockets.
    static constexpr std::size_t kVerdicts = 16;

    explicit LwipUdpBackend(Node& node);
    ~LwipUdpBackend() override;

    // UdpBackend
    void set_sink(Sink sink) override;
    Expected<SocketId, Error> open(Family family) override;
    Expected<void, Error> bind(SocketId s, Endpoint local) override;
    Expected<void, Error> connect(SocketId s, Endpoint remote) override;
    Expected<void, Error> close(SocketId s) override;
    Expected<void, Error> send(SocketId s, std::optional<Endpoint> to,
                               std::span<const std::uint8_t> data) override;
    Expected<void, Error> join(SocketId s, std::uint32_t if_index, const IpAddress& group) override;
    Expected<void, Error> leave(SocketId s, std::uint32_t if_index, const IpAddress& group) override;
    Expected<void, Error> set_multicast_interface(SocketId s, std::uint32_t if_index) override;
    Expected<void, Error> set_option(SocketId s, SocketOption o, int value) override;
    Expected<int, Error> option(SocketId s, SocketOption o) override;
    Expected<std::optional<Datagram>, Error> receive(SocketId s) override;
    Expected<SocketInfo, Error> info(SocketId s) override;
    Expected<std::shared_ptr<Inbox>, Error> open_inbox(SocketId s, std::function<void(Datagram)> ready) override;
    const std::vector<AdapterInfo>& adapters() const override { return adapters_; }
    bool product_stack() const override { return true; }

    /// Sends queued and not yet run by the stack thread.
    std::size_t sends_in_flight() const { return in_flight_.load(std::memory_order_acquire); }
    /// Sends that returned without waiting for the stack thread, so far.
    std::uint64_t sends_posted() const { return posted_.load(std::memory_order_relaxed); }

private:
    template <class F>
    auto on_stack(F&& fn) {
        return node_.loop().call([this, &fn](StackThread& t) { return fn(node_.udp(t), t); });
    }
    /// A call that may change what a send does: the epoch moves before and after it.
    template <class F>
    auto changing(F&& fn) {
        bump_epoch();
        auto r = on_stack(std::forward<F>(fn));
        bump_epoch();
        return r;
    }
    void bump_epoch() { node_.send_epoch().fetch_add(1, std::memory_order_acq_rel); }
    /// True if a send like this one was accepted in the current epoch.
    bool known_good(SocketId s, const std::optional<Endpoint>& to, std::size_t size);
    void remember(SocketId s, const std::optional<Endpoint>& to, std::size_t size, std::uint64_t epoch);
    /// Queues the send for the stack thread; the first one of a batch posts the drain.
    void post_send(SocketId s, const std::optional<Endpoint>& to, std::span<const std::uint8_t> data);
    /// Stack thread: runs every queued send, in order.
    void drain(StackThread& t);

    Node& node_;
    std::vector<AdapterInfo> adapters_;

    struct Verdict {
        SocketId socket = 0;
        std::optional<Endpoint> to;  // nullopt: the connected peer
        std::size_t max_size = 0;    // the largest payload accepted so
        std::uint64_t epoch = 0;
    };
    std::mutex verdicts_mutex_;
    std::vector<Verdict> verdicts_;  // at most kVerdicts
    std::size_t next_verdict_ = 0;   // the slot the next new verdict replaces

    struct Job {
        SocketId socket = 0;
        std::optional<Endpoint> to;
        std::size_t offset = 0;  // into the batch's bytes
        std::size_t size = 0;
    };
    std::mutex send_mutex_;
    std::vector<Job> jobs_;               // queued by callers; posted as one drain
    std::vector<std::uint8_t> bytes_;     // their payloads, back to back
    std::vector<Job> running_jobs_;       // stack thread: the batch being run (capacity reused)
    std::vector<std::uint8_t> running_bytes_;
    std::atomic<std::size_t> in_flight_{0};
    std::atomic<std::uint64_t> posted_{0};
};

}  // namespace caplnet::stack
