#pragma once
// UDP sockets of a node on lwIP's raw API, with per-socket multicast membership (SPEC §4).
// lwIP hands a datagram to the first matching PCB only (SO_REUSE_RXTOALL is off), so there is one
// lwIP PCB per bound (family, port) and the delivery to every socket on that port is ours.
// Stack thread only: every method takes the StackThread token.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include <absl/container/flat_hash_set.h>

#include "netif/wire/bytes.hpp"
#include "netif/wire/mac_address.hpp"
#include "netif/wire/wire_error.hpp"
#include "stack/config/node_config.hpp"
#include "stack/error.hpp"
#include "stack/ip_address.hpp"
#include "stack/mcast/membership_table.hpp"
#include "stack/node_loop.hpp"
#include "stack/udp/inbox.hpp"
#include "stack/udp/udp_backend.hpp"

struct udp_pcb;
struct pbuf;
struct netif;

namespace caplnet::stack {

class UdpService {
public:
    /// What the node offers the service: its interfaces by ifIndex.
    struct Interfaces {
        std::function<struct ::netif*(std::uint32_t if_index)> netif_of;
        std::function<std::uint32_t(const struct ::netif*)> if_index_of;
        /// (if_index, group) went on (true) or off (false) the node's wire membership.
        std::function<void(std::uint32_t if_index, const IpAddress& group, bool held)> group_changed;
        std::size_t count = 0;
    };
    /// Called on the stack thread when an armed socket gets a datagram (receive() armed it).
    using Sink = std::function<void(SocketId, Datagram)>;

    UdpService(Interfaces interfaces, Limits limits, MulticastDelivery delivery, StackThread&);
    ~UdpService();
    UdpService(const UdpService&) = delete;
    UdpService& operator=(const UdpService&) = delete;

    void set_sink(Sink sink) { sink_ = std::move(sink); }

    Expected<SocketId, Error> open(Family family, StackThread&);
    Expected<void, Error> bind(SocketId s, Endpoint local, StackThread&);
    Expected<void, Error> connect(SocketId s, Endpoint remote, StackThread&);
    /// Leaves every group of the socket (exactly as if each were left), then frees it.
    Expected<void, Error> close(SocketId s, StackThread&);
    /// `to` = nullopt sends to the connected peer. An unbound socket is bound to a free port.
    Expected<void, Error> send(SocketId s, std::optional<Endpoint> to,
                               std::span<const std::uint8_t> data, StackThread&);
    Expected<void, Error> join(SocketId s, std::uint32_t if_index, const IpAddress& group, StackThread&);
    /// After it returns, nothing more of (if_index, group) reaches the socket: queued datagrams
    /// of it are discarded too.
    Expected<void, Error> leave(SocketId s, std::uint32_t if_index, const IpAddress& group, StackThread&);
    Expected<void, Error> set_multicast_interface(SocketId s, std::uint32_t if_index, StackThread&);
    Expected<void, Error> set_option(SocketId s, SocketOption o, int value, StackThread&);
    Expected<int, Error> option(SocketId s, SocketOption o, StackThread&) const;
    /// A queued datagram now, or nullopt after arming the socket: the next datagram goes to the sink.
    Expected<std::optional<Datagram>, Error> receive(SocketId s, StackThread&);
    Expected<SocketInfo, Error> info(SocketId s, StackThread&) const;
    /// Gives the socket an inbox (udp_backend.hpp, open_inbox): its queued datagrams move there
    /// and every later one goes there, with the same limit and drop count.
    Expected<std::shared_ptr<Inbox>, Error> open_inbox(SocketId s, Inbox::Ready ready, StackThread&);
    /// A send that had returned success before it ran failed here: counted, never silent.
    void count_send_failure(SocketId s, StackThread&);

    /// The driver's multicast input (netif::MulticastInput): delivers a UDP datagram to a group
    /// the sockets hold; false leaves the packet to lwIP (multicast_path.cpp).
    bool on_multicast(struct ::netif* n, wire::Bytes ip_packet, StackThread&);

    /// Members of (if_index, group) over all sockets; 0 once the group is off the wire.
    std::uint32_t members(std::uint32_t if_index, const IpAddress& group, StackThread&) const {
        return memberships_.members(if_index, group);
    }

    struct Socket {
        SocketId id = 0;
        Family family = Family::V4;
        std::optional<Endpoint> local;
        std::optional<Endpoint> remote;
        std::uint32_t multicast_if = 0;
        std::uint8_t multicast_ttl = 1;  // SPEC §4 defaults: TTL / hop limit 1, loopback on
        bool multicast_loop = true;
        bool broadcast = true;           // udpOpen switches SO_BROADCAST on (CAPL SOL_SOCKET page)
        bool reuse_address = false;
        std::uint8_t ttl = 128;          // the unicast TTL of the Windows stack CANoe users know
        absl::flat_hash_set<InterfaceGroup, InterfaceGroupHash> groups;
        std::deque<Datagram> queue;      // until the socket has an inbox
        bool armed = false;
        std::shared_ptr<Inbox> inbox;    // once it has one: every datagram goes there
        std::uint64_t queue_drops = 0;
        std::uint64_t send_failures = 0;
    };
    struct Port {
        UdpService* service = nullptr;
        struct udp_pcb* pcb = nullptr;
        std::vector<SocketId> sockets;  // in bind order
    };

private:
    friend struct UdpCallbacks;
    Expected<Socket*, Error> find(SocketId s);
    Expected<const Socket*, Error> find(SocketId s) const;
    Expected<void, Error> attach(Socket& sock, Endpoint local);
    /// The checks join and leave share, in SPEC §4's order; the group without scope id.
    Expected<std::pair<Socket*, IpAddress>, Error> membership_args(SocketId id, std::uint32_t if_index,
                                                                   const IpAddress& group);
    void detach(Socket& sock);
    void on_datagram(Port& port, struct ::pbuf* p, const void* src_addr, std::uint16_t src_port);
    /// Hands `d` to the sockets on `port` by the delivery rules (SPEC §4, docs/decisions.md).
    void deliver(const Port& port, const Datagram& d, bool broadcast);
    /// The copy of a multicast send that lwIP would loop back if it held the group.
    void loop_back(struct ::netif* out, std::uint32_t if_index, std::uint16_t src_port, const Endpoint& to,
                   std::span<const std::uint8_t> data);
    /// lwIP holds a sockets' group only while it must see the group's packets: fragments and
    /// IPv6 extension headers need its IP layer.
    void hold_in_lwip(struct ::netif* n, std::uint32_t if_index, const IpAddress& group);
    void release_from_lwip(struct ::netif* n, std::uint32_t if_index, const IpAddress& group);
    static wire::MacAddress multicast_mac(const IpAddress& group);
    void enqueue(Socket& sock, const Datagram& d);
    bool address_is_local(const IpAddress& a) const;
    bool apply_group(std::uint32_t if_index, const IpAddress& group, bool join);

    Interfaces interfaces_;
    Limits limits_;
    MulticastDelivery delivery_;
    Sink sink_;
    SocketId next_id_ = 1;  // handles are never reused within a run (SPEC §2)
    std::map<SocketId, Socket> sockets_;
    std::map<std::pair<Family, std::uint16_t>, Port> ports_;
    MembershipTable memberships_;
    std::size_t total_memberships_ = 0;
    std::set<std::pair<std::uint32_t, IpAddress>> lwip_groups_;  // hold_in_lwip's
};

}  // namespace caplnet::stack
