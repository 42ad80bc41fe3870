#pragma once
// The process's CAPL runtime: its node, its program, the program thread's event queue and
// timers, and the last-error state. One per process, as the lwIP stack under it.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "capl_api/activity.hpp"
#include "caplnet/capl/program.hpp"
#include "caplnet/capl/types.hpp"
#include "stack/node.hpp"
#include "stack/udp/inbox.hpp"
#include "stack/udp/udp_backend.hpp"

namespace caplnet::capl {

struct Program::Handlers {
    std::vector<std::function<void()>> start;
    std::vector<std::function<void()>> stop;
    std::map<char, std::vector<std::function<void()>>> keys;
    std::vector<std::function<void(char)>> any_key;
    // One normalised receive handler per registered shape.
    std::vector<std::function<void(dword socket, capl_long result, const stack::Endpoint& from,
                                   std::uint8_t* data, dword size)>>
        udp_receive;
    std::vector<::caplnet::capl::OnUdpSendTo> udp_send;
};

namespace detail {

/// Timers live apart from the runtime: CAPL programs declare them as globals, constructed before
/// any node exists. Program thread only, except creation and deletion.
struct TimerRegistry {
    struct Timer {
        std::function<void()> handler;
        bool active = false;
        std::chrono::steady_clock::time_point deadline;
    };
    std::mutex mutex;
    std::map<std::uint64_t, Timer> timers;
    std::uint64_t next = 1;
    static TimerRegistry& get();
    /// The earliest active deadline, if any.
    std::optional<std::chrono::steady_clock::time_point> next_deadline();
    /// Takes the handlers of the timers due at `now`, in deadline order, and deactivates them.
    std::vector<std::function<void()>> take_due(std::chrono::steady_clock::time_point now);
};

class Runtime {
public:
    /// Starts the node of `node_file` and installs the runtime for this process.
    static Expected<Runtime*, std::string> start(stack::NodeConfig config, stack::NodeOptions options);
    /// The process's runtime, or nullptr before start().
    static Runtime* get();
    static void shutdown();

    /// The embedded stack's node; nullptr with stack = "os".
    stack::Node* node() { return node_.get(); }
    /// The node's sockets, whichever stack serves them.
    stack::UdpBackend& sockets() { return *sockets_; }
    Program& program() { return program_; }
    /// What the sockets did so far, for reports; the open sockets' queue drops and failed
    /// sends read from the stack now. Before the node stops.
    ActivitySnapshot activity();
    template <class F>
    auto with_sockets(F&& fn) {
        return fn(*sockets_);
    }
    const stack::NodeConfig& config() const { return config_; }

    // --- last errors (SPEC §2): every failure sets the global one, and the socket's if valid
    capl_long fail(capl_long code, std::optional<dword> socket = {});
    capl_long last_error() const { return last_error_; }
    std::optional<capl_long> socket_error(dword socket) const;
    void forget_socket(dword socket) { socket_errors_.erase(socket); }
    void remember_socket(dword socket) { socket_errors_.emplace(socket, 0); }


    // --- program thread
    struct Event {
        std::function<void()> run;
        dword socket = 0;                                   // a receive completion for this socket
        std::optional<std::pair<std::uint32_t, stack::IpAddress>> group;  // ... of this group
        std::optional<stack::Datagram> datagram;  // a receive completion: run is not used
    };
    /// Any thread.
    void post(Event e);
    void post_key(char key);
    /// Runs on_start once, then events and timers until `deadline` or stop().
    void run_until(std::chrono::steady_clock::time_point deadline);
    void stop();
    bool stopping() const;
    /// `on stopMeasurement`: the program's stop handlers, on the calling (program) thread.
    void run_stop_handlers();

    // --- receives: the buffer UdpReceiveFrom armed, per socket
    void arm(dword socket, std::uint8_t* buffer, dword size) { arms_[socket] = {buffer, size}; }
    void disarm(dword socket) { arms_.erase(socket); }
    /// UdpReceiveFrom's receive, after arm(): true if a datagram was queued (its completion is
    /// queued now), false if the receive waits for one. Program thread.
    Expected<bool, stack::Error> receive(dword socket);
    /// Delivers a datagram the stack handed over (or one that was already queued).
    void post_datagram(dword socket, stack::Datagram d);
    /// After a leave: drops receive completions of (if_index, group) not yet run, and re-arms.
    void purge_group(dword socket, std::uint32_t if_index, const stack::IpAddress& group);
    /// After a close: drops every completion of the socket.
    void purge_socket(dword socket);

    std::chrono::steady_clock::time_point started_at() const { return started_at_; }

private:
    Runtime() = default;
    void dispatch_datagram(dword socket, const stack::Datagram& d);
    void rearm(dword socket);

    stack::NodeConfig config_;
    std::unique_ptr<stack::Node> node_;
    Activity activity_;
    std::unique_ptr<stack::UdpBackend> sockets_;
    Program program_;
    capl_long last_error_ = 0;
    std::map<dword, capl_long> socket_errors_;  // open sockets only
    struct Arm {
        std::uint8_t* buffer = nullptr;
        dword size = 0;
    };
    std::map<dword, Arm> arms_;  // program thread only
    // Each socket's inbox (stack/udp/inbox.hpp), opened at its first receive; without one
    // (stack = "os") every receive asks the backend.
    std::map<dword, std::shared_ptr<stack::Inbox>> inboxes_;  // program thread only
    bool backend_has_inboxes_ = true;                         // until it answers nullptr

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Event> events_;
    bool stop_ = false;
    bool waiting_ = false;  // the program thread waits for events_: post() must wake it
    bool started_ = false;
    std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();

};

}  // namespace detail
}  // namespace caplnet::capl
