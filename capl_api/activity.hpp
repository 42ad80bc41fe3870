#pragma once
// What a node's sockets did, for reports: per socket datagrams received and sent, per
// (socket, ifIndex, group) joins, leaves and the datagrams that arrived while joined or after a
// leave. Recorded at the CAPL edge (what the program asked for and what it was given), so both
// stack modes report alike.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "stack/udp/udp_backend.hpp"

namespace caplnet::capl::detail {

struct SocketActivity {
    stack::SocketId socket = 0;
    stack::Family family = stack::Family::V4;
    std::optional<stack::Endpoint> local;
    bool open = true;
    std::uint64_t received = 0;     // datagrams handed to the program
    std::uint64_t sent = 0;         // sends that succeeded
    std::uint64_t send_failed = 0;  // sends the stack refused
    std::uint64_t queue_drops = 0;  // datagrams the socket's receive queue had no room for
    /// Sends that returned success at once and that the stack refused when it ran them
    /// (SocketInfo::send_failures; counted in `sent` too).
    std::uint64_t send_failures = 0;
};

struct GroupActivity {
    stack::SocketId socket = 0;
    std::uint32_t if_index = 0;
    stack::IpAddress group;
    bool member = false;
    std::uint64_t joins = 0;
    std::uint64_t leaves = 0;
    std::uint64_t received = 0;              // while a member
    std::uint64_t received_after_leave = 0;  // while not a member, after a leave (SPEC §4: none)
};

struct ActivitySnapshot {
    std::vector<SocketActivity> sockets;  // by socket id; closed sockets included
    std::vector<GroupActivity> groups;    // by socket, ifIndex, group
};

class Activity {
public:
    void opened(stack::SocketId s, stack::Family f);
    void bound(stack::SocketId s, const stack::Endpoint& local);
    void closed(stack::SocketId s, std::uint64_t queue_drops, std::uint64_t send_failures = 0);
    void sent(stack::SocketId s, bool ok);
    void membership(stack::SocketId s, std::uint32_t if_index, const stack::IpAddress& group, bool join);
    /// A datagram the program's receive handler gets.
    void received(stack::SocketId s, const stack::Datagram& d);
    ActivitySnapshot snapshot() const;

private:
    using GroupKey = std::tuple<stack::SocketId, std::uint32_t, stack::IpAddress>;
    struct GroupKeyHash {
        std::size_t operator()(const GroupKey& k) const noexcept {
            return stack::hash_value(std::get<2>(k), (std::uint64_t{std::get<0>(k)} << 16) ^ std::get<1>(k));
        }
    };
    mutable std::mutex mutex_;
    std::map<stack::SocketId, SocketActivity> open_;
    std::vector<SocketActivity> closed_;  // ids may be reused after a close
    // An index, hashed: one lookup per join, leave and received datagram (BENCHMARKS.md, figure
    // 3). The records sit apart in first-join order, so the index stays small enough to keep in
    // cache at 100,000 groups and a run of joins writes its records one after the other. A
    // snapshot sorts.
    absl::flat_hash_map<GroupKey, std::uint32_t, GroupKeyHash> group_index_;
    std::vector<GroupActivity> groups_;
    std::vector<GroupActivity> closed_groups_;
};

/// Puts an Activity in front of a backend: every successful call is recorded, nothing else
/// changes (results, errors, threads).
class RecordingUdpBackend final : public stack::UdpBackend {
public:
    RecordingUdpBackend(std::unique_ptr<stack::UdpBackend> inner, Activity& activity)
        : inner_(std::move(inner)), activity_(activity) {}

    void set_sink(Sink sink) override { inner_->set_sink(std::move(sink)); }
    Expected<stack::SocketId, stack::Error> open(stack::Family family) override;
    Expected<void, stack::Error> bind(stack::SocketId s, stack::Endpoint local) override;
    Expected<void, stack::Error> connect(stack::SocketId s, stack::Endpoint remote) override {
        return inner_->connect(s, remote);
    }
    Expected<void, stack::Error> close(stack::SocketId s) override;
    Expected<void, stack::Error> send(stack::SocketId s, std::optional<stack::Endpoint> to,
                                      std::span<const std::uint8_t> data) override;
    Expected<void, stack::Error> join(stack::SocketId s, std::uint32_t if_index,
                                      const stack::IpAddress& group) override;
    Expected<void, stack::Error> leave(stack::SocketId s, std::uint32_t if_index,
                                       const stack::IpAddress& group) override;
    Expected<void, stack::Error> set_multicast_interface(stack::SocketId s, std::uint32_t if_index) override {
        return inner_->set_multicast_interface(s, if_index);
    }
    Expected<void, stack::Error> set_option(stack::SocketId s, stack::SocketOption o, int value) override {
        return inner_->set_option(s, o, value);
    }
    Expected<int, stack::Error> option(stack::SocketId s, stack::SocketOption o) override {
        return inner_->option(s, o);
    }
    Expected<std::optional<stack::Datagram>, stack::Error> receive(stack::SocketId s) override {
        return inner_->receive(s);
    }
    Expected<stack::SocketInfo, stack::Error> info(stack::SocketId s) override { return inner_->info(s); }
    Expected<std::shared_ptr<stack::Inbox>, stack::Error> open_inbox(stack::SocketId s,
                                                                   std::function<void(stack::Datagram)> ready) override {
        return inner_->open_inbox(s, std::move(ready));
    }
    const std::vector<stack::AdapterInfo>& adapters() const override { return inner_->adapters(); }
    bool product_stack() const override { return inner_->product_stack(); }

private:
    std::unique_ptr<stack::UdpBackend> inner_;
    Activity& activity_;
};

}  // namespace caplnet::capl::detail
