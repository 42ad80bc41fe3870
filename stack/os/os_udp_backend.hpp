#pragma once
// OS mode (SPEC §5, stack = "os"): the node's UDP sockets are the host kernel's, in the network
// namespace the node runs in (Seastar's POSIX network_stack next to the native one). The socket
// handles, the per-socket receive queue and the arming for the sink mirror UdpService, so
// capl_api cannot tell the two apart except where SPEC §5 says so: joins, leaves and the multicast
// interface are NotSupported here.
//
// ifIndex: the position in the OS's interface listing (1..N, ordered by the kernel's ifindex,
// loopback included, SPEC §3), not the kernel's ifindex itself; the backend maps between the two
// wherever an index crosses the kernel boundary (IPv6 scope ids, IP_PKTINFO).
//
// Threads: the API is called from the program thread; a receiver thread of this backend reads
// every socket (epoll) and calls the sink without holding the backend's lock.
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "stack/config/node_config.hpp"
#include "stack/udp/udp_backend.hpp"

namespace caplnet::stack {

class OsUdpBackend final : public UdpBackend {
public:
    /// Snapshots the host's interfaces and starts the receiver thread. Throws std::system_error
    /// if epoll or the eventfd cannot be created (start-up only).
    explicit OsUdpBackend(Limits limits);
    /// Stops and joins the receiver thread and closes every socket.
    ~OsUdpBackend() override;
    OsUdpBackend(const OsUdpBackend&) = delete;
    OsUdpBackend& operator=(const OsUdpBackend&) = delete;

    // UdpBackend
    void set_sink(Sink sink) override;
    Expected<SocketId, Error> open(Family family) override;
    Expected<void, Error> bind(SocketId s, Endpoint local) override;
    Expected<void, Error> connect(SocketId s, Endpoint remote) override;
    Expected<void, Error> close(SocketId s) override;
    Expected<void, Error> send(SocketId s, std::optional<Endpoint> to,
                               std::span<const std::uint8_t> data) override;
    Expected<void, Error> join(SocketId s, std::uint32_t if_index, const IpAddress& group) override;
    Expected<void, Error> leave(SocketId s, std::uint32_t if_index,
                                const IpAddress& group) override;
    Expected<void, Error> set_multicast_interface(SocketId s, std::uint32_t if_index) override;
    Expected<void, Error> set_option(SocketId s, SocketOption o, int value) override;
    Expected<int, Error> option(SocketId s, SocketOption o) override;
    Expected<std::optional<Datagram>, Error> receive(SocketId s) override;
    Expected<SocketInfo, Error> info(SocketId s) override;
    const std::vector<AdapterInfo>& adapters() const override { return adapters_; }
    bool product_stack() const override { return false; }

    /// The kernel's ifindex of ifIndex `if_index` (a position); 0 if there is none.
    std::uint32_t kernel_if_index(std::uint32_t if_index) const;
    /// The ifIndex (position) of the kernel's ifindex; 0 for an interface not in the snapshot.
    std::uint32_t if_index_of_kernel(std::uint32_t kernel_if_index) const;

private:
    struct Socket {
        SocketId id = 0;
        Family family = Family::V4;
        int fd = -1;
        std::optional<Endpoint> local;
        std::optional<Endpoint> remote;
        std::deque<Datagram> queue;
        bool armed = false;
        std::uint64_t queue_drops = 0;
    };

    // All of these expect mutex_ held.
    Expected<Socket*, Error> find(SocketId s);
    Expected<void, Error> bind_locked(Socket& sock, Endpoint local);
    /// Reads what the kernel has for `sock`; a datagram for an armed socket goes to `ready`.
    void drain_locked(Socket& sock, std::vector<std::pair<SocketId, Datagram>>& ready);

    void run();  // the receiver thread

    Limits limits_;
    std::vector<AdapterInfo> adapters_;
    std::vector<std::uint32_t> kernel_index_;  // [position - 1] = the kernel's ifindex

    std::mutex mutex_;  // guards everything below down to sockets_ (the socket fds included)
    std::vector<std::uint8_t> rx_buffer_;  // the receiver thread's, used under mutex_
    Sink sink_;
    SocketId next_id_ = 1;  // handles are never reused within a run (SPEC §2)
    std::map<SocketId, Socket> sockets_;

    int epoll_fd_ = -1;
    int wake_fd_ = -1;  // an eventfd: written once to stop the receiver thread
    std::atomic<bool> stopping_{false};
    std::thread receiver_;
};

}  // namespace caplnet::stack
