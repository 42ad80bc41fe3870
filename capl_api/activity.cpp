#include "capl_api/activity.hpp"

#include <algorithm>

namespace caplnet::capl::detail {

namespace {

bool by_key(const GroupActivity& a, const GroupActivity& b) {
    return std::tie(a.socket, a.if_index, a.group) < std::tie(b.socket, b.if_index, b.group);
}

}  // namespace

void Activity::opened(stack::SocketId s, stack::Family f) {
    std::lock_guard lock(mutex_);
    SocketActivity a;
    a.socket = s;
    a.family = f;
    open_[s] = a;
}

void Activity::bound(stack::SocketId s, const stack::Endpoint& local) {
    std::lock_guard lock(mutex_);
    if (auto it = open_.find(s); it != open_.end()) it->second.local = local;
}

void Activity::closed(stack::SocketId s, std::uint64_t queue_drops, std::uint64_t send_failures) {
    std::lock_guard lock(mutex_);
    auto it = open_.find(s);
    if (it == open_.end()) return;
    it->second.open = false;
    it->second.queue_drops = queue_drops;
    it->second.send_failures = send_failures;
    closed_.push_back(it->second);
    open_.erase(it);
    const auto first_closed = closed_groups_.size();
    std::vector<GroupActivity> still_open;
    for (auto& g : groups_) {
        if (g.socket == s) {
            g.member = false;
            closed_groups_.push_back(g);
        } else {
            still_open.push_back(g);
        }
    }
    if (closed_groups_.size() == first_closed) return;
    std::sort(closed_groups_.begin() + static_cast<std::ptrdiff_t>(first_closed), closed_groups_.end(), by_key);
    groups_ = std::move(still_open);
    group_index_.clear();
    for (std::size_t i = 0; i < groups_.size(); ++i) {
        group_index_.emplace(GroupKey{groups_[i].socket, groups_[i].if_index, groups_[i].group},
                             static_cast<std::uint32_t>(i));
    }
}

void Activity::sent(stack::SocketId s, bool ok) {
    std::lock_guard lock(mutex_);
    if (auto it = open_.find(s); it != open_.end()) ++(ok ? it->second.sent : it->second.send_failed);
}

void Activity::membership(stack::SocketId s, std::uint32_t if_index, const stack::IpAddress& group,
                          bool join) {
    std::lock_guard lock(mutex_);
    const stack::IpAddress unscoped{group.family, group.octets, 0};  // datagrams carry no zone
    auto [at, added] = group_index_.try_emplace(GroupKey{s, if_index, unscoped}, groups_.size());
    if (added) {
        GroupActivity fresh;
        fresh.socket = s;
        fresh.if_index = if_index;
        fresh.group = unscoped;
        groups_.push_back(fresh);
    }
    auto& g = groups_[at->second];
    g.member = join;
    ++(join ? g.joins : g.leaves);
}

void Activity::received(stack::SocketId s, const stack::Datagram& d) {
    std::lock_guard lock(mutex_);
    auto it = open_.find(s);
    if (it == open_.end()) return;
    ++it->second.received;
    if (!d.to.is_multicast()) return;
    auto at = group_index_.find(GroupKey{s, d.if_index, stack::IpAddress{d.to.family, d.to.octets, 0}});
    if (at == group_index_.end()) return;  // never joined here: delivered by the Linux rule, not ours
    auto& g = groups_[at->second];
    ++(g.member ? g.received : g.received_after_leave);
}

ActivitySnapshot Activity::snapshot() const {
    std::lock_guard lock(mutex_);
    ActivitySnapshot out;
    out.sockets = closed_;
    for (const auto& [id, a] : open_) out.sockets.push_back(a);
    out.groups = closed_groups_;
    const auto first_open = out.groups.size();
    out.groups.insert(out.groups.end(), groups_.begin(), groups_.end());
    std::sort(out.groups.begin() + static_cast<std::ptrdiff_t>(first_open), out.groups.end(), by_key);
    return out;
}

Expected<stack::SocketId, stack::Error> RecordingUdpBackend::open(stack::Family family) {
    auto r = inner_->open(family);
    if (r) activity_.opened(*r, family);
    return r;
}

Expected<void, stack::Error> RecordingUdpBackend::bind(stack::SocketId s, stack::Endpoint local) {
    auto r = inner_->bind(s, local);
    // The port the stack chose for port 0 is the one a report should name.
    if (r) {
        auto info = inner_->info(s);
        activity_.bound(s, info && info->local ? *info->local : local);
    }
    return r;
}

Expected<void, stack::Error> RecordingUdpBackend::close(stack::SocketId s) {
    auto info = inner_->info(s);
    auto r = inner_->close(s);
    if (r) activity_.closed(s, info ? info->queue_drops : 0, info ? info->send_failures : 0);
    return r;
}

Expected<void, stack::Error> RecordingUdpBackend::send(stack::SocketId s, std::optional<stack::Endpoint> to,
                                                       std::span<const std::uint8_t> data) {
    auto r = inner_->send(s, to, data);
    activity_.sent(s, r.has_value());
    return r;
}

Expected<void, stack::Error> RecordingUdpBackend::join(stack::SocketId s, std::uint32_t if_index,
                                                       const stack::IpAddress& group) {
    auto r = inner_->join(s, if_index, group);
    if (r) activity_.membership(s, if_index, group, true);
    return r;
}

Expected<void, stack::Error> RecordingUdpBackend::leave(stack::SocketId s, std::uint32_t if_index,
                                                        const stack::IpAddress& group) {
    auto r = inner_->leave(s, if_index, group);
    if (r) activity_.membership(s, if_index, group, false);
    return r;
}

}  // namespace caplnet::capl::detail
