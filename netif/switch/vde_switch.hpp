#pragma once
// caplnet's own Ethernet switch. It answers the vde:// v3 control protocol (reference/vde.md §8),
// so vde_plug, QEMU (-netdev vde) and caplnet nodes all join it the same way, and it fixes what
// vdeplug4's switch:// lacks (§2, §7): 12-bit VLAN ids, per-port VLAN membership (access and
// trunk ports), a MAC table that does not evict on collision, and drop counters by reason.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "netif/switch/port_config.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::netif {

struct SwitchOptions {
    /// The run directory: created 0700; holds `ctl` and one socket per vde:// port (0600), and
    /// `ring`, where caplnet's own clients join through shared-memory rings (ring://).
    std::string dir;
    /// Per-port VLAN rules; a port not listed is PortConfig::trunk_all().
    std::map<unsigned, PortConfig> ports;
    /// Port numbers are 1..max_ports (raised to the highest configured port if that is larger).
    unsigned max_ports = 256;
    /// pcapng file receiving every frame the switch takes in and sends out; empty = no capture.
    std::string capture_path;
    /// Also record the copies the switch sends (direction "outbound" on the egress port).
    bool capture_egress = true;
    /// Record from the attached clients' side instead of the ports': one capture interface per
    /// client description (a caplnet node names itself `node/adapter`, so a node that restarts
    /// keeps its interface), and directions as the client sees them (what the switch takes in
    /// is "outbound", what it hands out "inbound"). This makes the switch's capture the merged
    /// capture of a whole network.
    bool capture_client_view = false;
    std::size_t mac_table_size = 4096;
    std::chrono::seconds mac_aging{300};
    /// Frames taken from one port per wake-up (recvmmsg) and queued per egress port (sendmmsg).
    std::size_t batch_size = 32;
};

struct PortCounters {
    std::uint64_t rx_frames = 0;  // every datagram taken from the port, dropped or not
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_frames = 0;  // copies the port's peer accepted
    std::uint64_t tx_bytes = 0;
    // Egress drops: the peer's queue was full (EAGAIN), or the peer had already gone.
    std::uint64_t drop_queue_full = 0;
    std::uint64_t drop_peer_gone = 0;
    // Ingress drops by the port's VLAN rules.
    std::uint64_t drop_vlan_not_allowed = 0;      // tagged with a VLAN the trunk does not carry
    std::uint64_t drop_tagged_on_access = 0;      // tagged frame on an access port
    std::uint64_t drop_untagged_not_allowed = 0;  // untagged frame on a trunk with untagged=drop
    // Ingress drops of bad frames.
    std::uint64_t drop_runt = 0;       // shorter than an Ethernet (or 802.1Q) header
    std::uint64_t drop_oversized = 0;  // longer than kMaxFrameLen (in, or once tagged, out)
    std::uint64_t drop_malformed = 0;  // multicast source MAC, reserved VID 4095
    /// Unicast whose destination sits behind the ingress port itself (not a drop: a switch
    /// never sends a frame back where it came from).
    std::uint64_t filtered = 0;
    /// ring:// ports: records in the client's ring with an impossible length or extent (each
    /// discards what the client had published with it; not frames, so not in drops()).
    std::uint64_t bad_ring_records = 0;

    std::uint64_t drops() const {
        return drop_queue_full + drop_peer_gone + drop_vlan_not_allowed + drop_tagged_on_access +
               drop_untagged_not_allowed + drop_runt + drop_oversized + drop_malformed;
    }
};

struct PortStats {
    unsigned port = 0;
    std::string description;  // what the client sent in its request
    std::string config;       // PortConfig::to_string()
    bool connected = false;   // false: the port has left (its counters are kept)
    bool ring = false;        // joined through ring:// (shared memory), not vde://
    PortCounters counters;
};

struct SwitchStats {
    std::uint64_t frames_processed = 0;  // ingress frames fully handled (forwarded or dropped)
    std::uint64_t unicast_forwarded = 0;
    std::uint64_t flooded = 0;             // broadcast, multicast and unknown unicast
    std::uint64_t mac_learn_failures = 0;  // MAC table full of live entries
    std::uint64_t mac_entries = 0;
    std::uint64_t polled_ports = 0;  // vde:// ports busy enough to be read every round, not on events
    std::uint64_t joins_refused = 0;  // bad request, port taken, no free port
    std::vector<PortStats> ports;     // connected ports first, then departed, by number
};

class VdeSwitch {
public:
    /// Creates the run directory and the control socket. A directory whose `ctl` refuses
    /// connections (the previous switch crashed) is taken over; a live switch is an error.
    static Expected<std::unique_ptr<VdeSwitch>, std::string> create(SwitchOptions opts);
    ~VdeSwitch();
    VdeSwitch(const VdeSwitch&) = delete;
    VdeSwitch& operator=(const VdeSwitch&) = delete;

    /// Serves until `stop` becomes true (checked at least every 100 ms). Errors are fatal ones
    /// from epoll; per-port failures only end that port.
    Expected<void, std::string> run_until(const std::atomic<bool>& stop);
    /// One round: waits up to `timeout_ms` for events and handles those that came.
    Expected<void, std::string> run_once(int timeout_ms);
    /// Readable when run_once has work (also while a busy port is read every round); for
    /// embedding the switch in another event loop.
    int event_fd() const;

    /// The absolute run directory.
    const std::string& dir() const;
    /// A consistent-enough snapshot; safe to call from any thread while the switch runs.
    SwitchStats stats() const;
    /// stats() as a table for the terminal, one row per port.
    std::string format_counters() const;

private:
    struct Impl;
    explicit VdeSwitch(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace caplnet::netif
