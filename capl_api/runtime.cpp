#include "capl_api/runtime.hpp"

#include <algorithm>
#include <cstring>

#include "caplnet/capl/error_codes.hpp"
#include "stack/os/os_udp_backend.hpp"
#include "stack/udp/lwip_udp_backend.hpp"

namespace caplnet::capl::detail {

namespace {
std::unique_ptr<Runtime> g_runtime;
}

TimerRegistry& TimerRegistry::get() {
    static TimerRegistry r;
    return r;
}

std::optional<std::chrono::steady_clock::time_point> TimerRegistry::next_deadline() {
    std::lock_guard lock(mutex);
    std::optional<std::chrono::steady_clock::time_point> best;
    for (const auto& [id, t] : timers) {
        if (t.active && (!best || t.deadline < *best)) best = t.deadline;
    }
    return best;
}

std::vector<std::function<void()>> TimerRegistry::take_due(std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex);
    std::vector<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> due;
    for (const auto& [id, t] : timers) {
        if (t.active && t.deadline <= now) due.emplace_back(t.deadline, id);
    }
    std::sort(due.begin(), due.end());
    std::vector<std::function<void()>> out;
    for (const auto& [when, id] : due) {
        auto& t = timers.at(id);
        t.active = false;
        if (t.handler) out.push_back(t.handler);
    }
    return out;
}

Expected<Runtime*, std::string> Runtime::start(stack::NodeConfig config, stack::NodeOptions options) {
    if (g_runtime) return unexpected(std::string("a node is already running in this process"));
    std::unique_ptr<Runtime> rt(new Runtime());
    rt->config_ = config;
    if (config.stack == stack::StackMode::Product) {
        auto node = stack::Node::start(std::move(config), std::move(options));
        if (!node) return unexpected(node.error());
        rt->node_ = std::move(*node);
        rt->sockets_ = std::make_unique<RecordingUdpBackend>(
            std::make_unique<stack::LwipUdpBackend>(*rt->node_), rt->activity_);
    } else {
        // SPEC §5: the host's sockets and interfaces, in the namespace the node runs in.
        rt->sockets_ = std::make_unique<RecordingUdpBackend>(
            std::make_unique<stack::OsUdpBackend>(config.limits), rt->activity_);
    }
    Runtime* raw = rt.get();
    rt->sockets_->set_sink([raw](stack::SocketId s, stack::Datagram d) { raw->post_datagram(s, std::move(d)); });
    g_runtime = std::move(rt);
    return raw;
}

Runtime* Runtime::get() { return g_runtime.get(); }

void Runtime::shutdown() {
    if (!g_runtime) return;
    // The sockets go first: the OS backend's receiver thread must not post into a dying runtime.
    g_runtime->sockets_.reset();
    if (g_runtime->node_) g_runtime->node_->stop();
    g_runtime.reset();
}

capl_long Runtime::fail(capl_long code, std::optional<dword> socket) {
    last_error_ = code;
    if (socket) {
        auto it = socket_errors_.find(*socket);
        if (it != socket_errors_.end()) it->second = code;
    }
    return code;
}

std::optional<capl_long> Runtime::socket_error(dword socket) const {
    auto it = socket_errors_.find(socket);
    if (it == socket_errors_.end()) return std::nullopt;
    return it->second;
}

void Runtime::post(Event e) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(e));
        wake = waiting_;
    }
    // Only a waiting program thread needs the wake-up; a busy one finds the event itself.
    if (wake) changed_.notify_all();
}

ActivitySnapshot Runtime::activity() {
    auto s = activity_.snapshot();
    for (auto& a : s.sockets) {
        if (!a.open) continue;
        if (auto info = sockets_->info(a.socket)) {
            a.queue_drops = info->queue_drops;
            a.send_failures = info->send_failures;
        }
    }
    return s;
}

void Runtime::post_key(char key) {
    post(Event{[this, key] {
        auto& h = program_.handlers();
        if (auto it = h.keys.find(key); it != h.keys.end()) {
            for (auto& f : it->second) f();
        }
        for (auto& f : h.any_key) f(key);
    }, 0, std::nullopt, std::nullopt});
}

void Runtime::post_datagram(dword socket, stack::Datagram d) {
    const auto tag = d.to.is_multicast()
                         ? std::optional(std::make_pair(d.if_index, stack::IpAddress{d.to.family, d.to.octets, 0}))
                         : std::nullopt;
    post(Event{{}, socket, tag, std::move(d)});
}

void Runtime::dispatch_datagram(dword socket, const stack::Datagram& d) {
    auto arm = arms_.find(socket);
    if (arm == arms_.end()) return;
    const Arm a = arm->second;
    arms_.erase(arm);
    const dword copied = static_cast<dword>(std::min<std::size_t>(a.size, d.data.size()));
    if (copied > 0) std::memcpy(a.buffer, d.data.data(), copied);
    // SPEC §6: a datagram longer than the buffer is cut and reported with 10040 (WSAEMSGSIZE).
    const capl_long result = d.data.size() > a.size ? wsa::kMsgSize : wsa::kSuccess;
    activity_.received(socket, d);
    for (auto& h : program_.handlers().udp_receive) h(socket, result, d.from, a.buffer, copied);
}

Expected<bool, stack::Error> Runtime::receive(dword socket) {
    auto it = inboxes_.find(socket);
    if (it == inboxes_.end() && backend_has_inboxes_) {
        // The first receive moves the socket's queue into an inbox: from then on a receive is a
        // look at it, no call into the stack thread (docs/decisions.md).
        auto inbox = sockets_->open_inbox(socket, [this, socket](stack::Datagram d) {
            post_datagram(socket, std::move(d));  // on the stack thread: an armed receive completes
        });
        if (!inbox) return unexpected(inbox.error());
        if (*inbox) {
            it = inboxes_.emplace(socket, std::move(*inbox)).first;
        } else {
            backend_has_inboxes_ = false;
        }
    }
    if (it != inboxes_.end()) {
        auto d = it->second->take_or_arm();
        if (!d) return false;
        post_datagram(socket, std::move(*d));
        return true;
    }
    auto got = sockets_->receive(socket);
    if (!got) return unexpected(got.error());
    if (!*got) return false;
    post_datagram(socket, std::move(**got));
    return true;
}

void Runtime::rearm(dword socket) { (void)receive(socket); }

void Runtime::purge_group(dword socket, std::uint32_t if_index, const stack::IpAddress& group) {
    bool removed = false;
    {
        std::lock_guard lock(mutex_);
        const auto before = events_.size();
        std::erase_if(events_, [&](const Event& e) {
            return e.socket == socket && e.group && e.group->first == if_index &&
                   e.group->second.same_address(group);
        });
        removed = events_.size() != before;
    }
    // The purged completion had consumed the socket's armed receive: arm it again, so the
    // program still gets the next datagram it is entitled to.
    if (removed) rearm(socket);
}

void Runtime::purge_socket(dword socket) {
    std::lock_guard lock(mutex_);
    std::erase_if(events_, [&](const Event& e) { return e.socket == socket; });
    arms_.erase(socket);
    inboxes_.erase(socket);
}

void Runtime::run_stop_handlers() {
    for (auto& f : program_.handlers().stop) f();
}

void Runtime::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
}

bool Runtime::stopping() const {
    std::lock_guard lock(mutex_);
    return stop_;
}

void Runtime::run_until(std::chrono::steady_clock::time_point deadline) {
    if (!started_) {
        started_ = true;
        for (auto& f : program_.handlers().start) f();
    }
    auto& timers = TimerRegistry::get();
    for (;;) {
        if (std::chrono::steady_clock::now() >= deadline) break;
        for (auto& f : timers.take_due(std::chrono::steady_clock::now())) f();
        Event e;
        {
            std::unique_lock lock(mutex_);
            if (stop_) break;
            if (events_.empty()) {
                auto wake = deadline;
                if (auto t = timers.next_deadline(); t && *t < wake) wake = *t;
                waiting_ = true;
                changed_.wait_until(lock, wake, [&] { return stop_ || !events_.empty(); });
                waiting_ = false;
                continue;
            }
            e = std::move(events_.front());
            events_.pop_front();
        }
        if (e.datagram) {
            dispatch_datagram(e.socket, *e.datagram);
        } else {
            e.run();
        }
    }
}

}  // namespace caplnet::capl::detail
