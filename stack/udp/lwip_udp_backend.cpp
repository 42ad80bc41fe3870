#include "stack/udp/lwip_udp_backend.hpp"

namespace caplnet::stack {

LwipUdpBackend::LwipUdpBackend(Node& node) : node_(node) {
    for (const auto& e : node.interfaces().entries()) {
        AdapterInfo a{e.if_index, e.name, e.channel, e.vlan, e.priority, e.mac, {}};
        for (const auto& p : e.ipv4) a.addresses.emplace_back(IpAddress::v4(p.address), p.prefix_len);
        a.addresses.emplace_back(IpAddress::v6(link_local_of(e.mac), e.if_index), 64);
        for (const auto& p : e.ipv6) a.addresses.emplace_back(IpAddress::v6(p.address), p.prefix_len);
        adapters_.push_back(std::move(a));
    }
}

LwipUdpBackend::~LwipUdpBackend() {
    // A posted drain refers to this object: let the queued sends run before it goes. (The node
    // stops after its backend; a stopped loop runs what was left when it ends.)
    if (in_flight_.load(std::memory_order_acquire) > 0 && !node_.loop().on_stack_thread() &&
        !node_.loop().stopping()) {
        node_.loop().call([](StackThread&) { return 0; });
    }
}

void LwipUdpBackend::set_sink(Sink sink) {
    on_stack([&](UdpService& u, StackThread&) {
        u.set_sink(std::move(sink));
        return 0;
    });
}

Expected<SocketId, Error> LwipUdpBackend::open(Family family) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.open(family, t); });
}
Expected<void, Error> LwipUdpBackend::bind(SocketId s, Endpoint local) {
    return changing([&](UdpService& u, StackThread& t) { return u.bind(s, local, t); });
}
Expected<void, Error> LwipUdpBackend::connect(SocketId s, Endpoint remote) {
    return changing([&](UdpService& u, StackThread& t) { return u.connect(s, remote, t); });
}
Expected<void, Error> LwipUdpBackend::close(SocketId s) {
    return changing([&](UdpService& u, StackThread& t) { return u.close(s, t); });
}

bool LwipUdpBackend::known_good(SocketId s, const std::optional<Endpoint>& to, std::size_t size) {
    const std::uint64_t epoch = node_.send_epoch().load(std::memory_order_acquire);
    std::lock_guard lock(verdicts_mutex_);
    for (const auto& v : verdicts_) {
        if (v.socket == s && v.epoch == epoch && size <= v.max_size && v.to == to) return true;
    }
    return false;
}

void LwipUdpBackend::remember(SocketId s, const std::optional<Endpoint>& to, std::size_t size,
                              std::uint64_t epoch) {
    std::lock_guard lock(verdicts_mutex_);
    for (auto& v : verdicts_) {
        if (v.socket == s && v.to == to) {
            v.max_size = v.epoch == epoch ? std::max(v.max_size, size) : size;
            v.epoch = epoch;
            return;
        }
    }
    Verdict fresh{s, to, size, epoch};
    if (verdicts_.size() < kVerdicts) {
        verdicts_.push_back(std::move(fresh));
    } else {
        verdicts_[next_verdict_] = std::move(fresh);
        next_verdict_ = (next_verdict_ + 1) % kVerdicts;
    }
}

void LwipUdpBackend::post_send(SocketId s, const std::optional<Endpoint>& to, std::span<const std::uint8_t> data) {
    in_flight_.fetch_add(1, std::memory_order_acq_rel);
    posted_.fetch_add(1, std::memory_order_relaxed);
    bool first = false;
    {
        std::lock_guard lock(send_mutex_);
        first = jobs_.empty();
        jobs_.push_back(Job{s, to, bytes_.size(), data.size()});
        bytes_.insert(bytes_.end(), data.begin(), data.end());
    }
    // One drain per batch: it takes every send queued until it runs, and a call made after this
    // send is posted after this drain (or after a later one), so the order holds.
    if (first) node_.loop().post([this](StackThread& t) { drain(t); });
}

void LwipUdpBackend::drain(StackThread& t) {
    {
        std::lock_guard lock(send_mutex_);
        running_jobs_.swap(jobs_);
        running_bytes_.swap(bytes_);
    }
    UdpService* udp = node_.udp_if_running(t);
    bool failed = false;
    for (const Job& j : running_jobs_) {
        if (udp == nullptr) break;
        auto r = udp->send(j.socket, j.to, std::span(running_bytes_.data() + j.offset, j.size), t);
        if (!r) {
            udp->count_send_failure(j.socket, t);
            failed = true;
        }
    }
    // The next send waits and returns the error (the epoch before the in-flight count, so that
    // a caller seeing the count drop also sees the new epoch).
    if (failed) bump_epoch();
    in_flight_.fetch_sub(running_jobs_.size(), std::memory_order_acq_rel);
    running_jobs_.clear();
    running_bytes_.clear();
}

Expected<void, Error> LwipUdpBackend::send(SocketId s, std::optional<Endpoint> to,
                                           std::span<const std::uint8_t> data) {
    if (known_good(s, to, data.size()) && in_flight_.load(std::memory_order_acquire) < kMaxSendsInFlight) {
        post_send(s, to, data);
        return {};
    }
    const std::uint64_t epoch = node_.send_epoch().load(std::memory_order_acquire);
    auto r = on_stack([&](UdpService& u, StackThread& t) { return u.send(s, to, data, t); });
    if (r) remember(s, to, data.size(), epoch);  // stale at once if anything moved the epoch meanwhile
    return r;
}

Expected<void, Error> LwipUdpBackend::join(SocketId s, std::uint32_t if_index, const IpAddress& group) {
    return changing([&](UdpService& u, StackThread& t) { return u.join(s, if_index, group, t); });
}
Expected<void, Error> LwipUdpBackend::leave(SocketId s, std::uint32_t if_index, const IpAddress& group) {
    return changing([&](UdpService& u, StackThread& t) { return u.leave(s, if_index, group, t); });
}
Expected<void, Error> LwipUdpBackend::set_multicast_interface(SocketId s, std::uint32_t if_index) {
    return changing([&](UdpService& u, StackThread& t) { return u.set_multicast_interface(s, if_index, t); });
}
Expected<void, Error> LwipUdpBackend::set_option(SocketId s, SocketOption o, int value) {
    return changing([&](UdpService& u, StackThread& t) { return u.set_option(s, o, value, t); });
}
Expected<int, Error> LwipUdpBackend::option(SocketId s, SocketOption o) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.option(s, o, t); });
}
Expected<std::optional<Datagram>, Error> LwipUdpBackend::receive(SocketId s) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.receive(s, t); });
}
Expected<SocketInfo, Error> LwipUdpBackend::info(SocketId s) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.info(s, t); });
}
Expected<std::shared_ptr<Inbox>, Error> LwipUdpBackend::open_inbox(SocketId s, std::function<void(Datagram)> ready) {
    return on_stack([&](UdpService& u, StackThread& t) { return u.open_inbox(s, std::move(ready), t); });
}

}  // namespace caplnet::stack
