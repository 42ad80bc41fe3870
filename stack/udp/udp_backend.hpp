#pragma once
// The UDP sockets of a node, whichever stack serves them: the embedded lwIP stack (product mode)
// or the host's kernel (stack = "os"). capl_api talks to this interface only (Seastar's one
// network_stack with a native and a POSIX implementation).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "netif/wire/mac_address.hpp"
#include "netif/wire/wire_error.hpp"
#include "stack/error.hpp"
#include "stack/ip_address.hpp"

namespace caplnet::stack {

using SocketId = std::uint32_t;
class Inbox;

struct Datagram {
    Endpoint from;
    IpAddress to;
    std::uint32_t if_index = 0;  // the interface it arrived on
    std::vector<std::uint8_t> data;
};

enum class SocketOption { MulticastTtl, MulticastLoop, Broadcast, ReuseAddress, Ttl };

struct SocketInfo {
    Family family = Family::V4;
    std::optional<Endpoint> local;
    std::optional<Endpoint> remote;
    std::uint32_t multicast_if = 0;
    std::size_t memberships = 0;
    std::size_t queued = 0;
    std::uint64_t queue_drops = 0;
    /// Sends that returned success at once (posted to the stack thread without waiting) and that
    /// the stack then refused: never silent (docs/decisions.md).
    std::uint64_t send_failures = 0;
};

/// One interface as the CAPL adapter functions list it (SPEC §3).
struct AdapterInfo {
    std::uint32_t if_index = 0;
    std::string name;
    std::uint32_t channel = 0;
    std::optional<std::uint16_t> vlan;
    std::uint8_t priority = 0;
    wire::MacAddress mac;
    std::vector<std::pair<IpAddress, std::uint8_t>> addresses;  // with prefix length; IPv4 first
};

class UdpBackend {
public:
    virtual ~UdpBackend() = default;

    /// Called (on a thread of the backend) when an armed socket gets a datagram.
    using Sink = std::function<void(SocketId, Datagram)>;
    virtual void set_sink(Sink sink) = 0;

    virtual Expected<SocketId, Error> open(Family family) = 0;
    virtual Expected<void, Error> bind(SocketId s, Endpoint local) = 0;
    virtual Expected<void, Error> connect(SocketId s, Endpoint remote) = 0;
    virtual Expected<void, Error> close(SocketId s) = 0;
    virtual Expected<void, Error> send(SocketId s, std::optional<Endpoint> to,
                                       std::span<const std::uint8_t> data) = 0;
    virtual Expected<void, Error> join(SocketId s, std::uint32_t if_index, const IpAddress& group) = 0;
    virtual Expected<void, Error> leave(SocketId s, std::uint32_t if_index, const IpAddress& group) = 0;
    virtual Expected<void, Error> set_multicast_interface(SocketId s, std::uint32_t if_index) = 0;
    virtual Expected<void, Error> set_option(SocketId s, SocketOption o, int value) = 0;
    virtual Expected<int, Error> option(SocketId s, SocketOption o) = 0;
    /// A queued datagram now, or nullopt after arming the socket for the sink.
    virtual Expected<std::optional<Datagram>, Error> receive(SocketId s) = 0;
    virtual Expected<SocketInfo, Error> info(SocketId s) = 0;
    /// Moves the socket's receive queue into an inbox the caller reads on its own thread: from
    /// now on the backend fills it (and calls `ready` for an armed receive) and receive() is not
    /// needed. nullptr if the backend has no inboxes (the caller keeps using receive()).
    virtual Expected<std::shared_ptr<Inbox>, Error> open_inbox(SocketId, std::function<void(Datagram)> /*ready*/) {
        return std::shared_ptr<Inbox>();
    }

    /// The interfaces in ifIndex order.
    virtual const std::vector<AdapterInfo>& adapters() const = 0;
    /// False for the OS stack: multicast membership and the multicast interface are the host's
    /// business there, not the node's (SPEC §5).
    virtual bool product_stack() const = 0;
};

}  // namespace caplnet::stack
