#pragma once
// The lwIP netif driver of one virtual Ethernet adapter: one link, one MAC, one lwIP netif for
// the untagged interface and one per 802.1Q VLAN subinterface. It behaves like a real NIC plus
// the kernel's 8021q module: a receive MAC filter, tag on send, demultiplex on receive.
// Runs on the node's stack thread only (it calls lwIP).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "netif/capture/pcapng_writer.hpp"
#include "netif/driver/drop_counters.hpp"
#include "netif/link/link.hpp"
#include "netif/wire/mac_address.hpp"

struct netif;

namespace caplnet::netif {

struct SubinterfaceSpec {
    std::string name;
    std::optional<std::uint16_t> vlan;  // nullopt: the untagged interface
    std::uint8_t priority = 0;          // PCP put on every frame this subinterface sends
    std::uint16_t mtu = 1500;
};

/// Where the driver records frames: a shared writer and this adapter's interface id in it.
struct CaptureTarget {
    PcapngWriter* writer = nullptr;
    std::uint32_t interface_id = 0;
    std::function<std::uint64_t()> now_ns;
};

/// Where IGMP and MLD go instead of lwIP: the node's group protocol engine owns them on the wire
/// (lwIP 2.1.3 speaks only IGMPv2/MLDv1, with deviations: reference/multicast-rfc.md).
struct GroupHooks {
    /// An IGMP/MLD packet (IP header on) received on a subinterface.
    std::function<void(struct ::netif*, wire::Bytes ip_packet)> received;
    /// An IGMP/MLD packet lwIP tried to send; it is not sent, but it tells which groups lwIP
    /// itself holds (the solicited-node groups of its addresses).
    std::function<void(struct ::netif*, wire::Bytes ip_packet)> lwip_sent;
};

/// Multicast IP packets (IP header on) received on a subinterface, offered to the stack before
/// lwIP: true if the stack took the packet. The node's UDP sockets keep their groups out of
/// lwIP's group lists, which lwIP 2.1.3 searches linearly on every join, leave and packet.
using MulticastInput = std::function<bool(struct ::netif*, wire::Bytes ip_packet)>;

class AdapterDriver {
public:
    AdapterDriver(std::string name, wire::MacAddress mac, std::unique_ptr<Link> link,
                  CaptureTarget capture);
    ~AdapterDriver();
    AdapterDriver(const AdapterDriver&) = delete;
    AdapterDriver& operator=(const AdapterDriver&) = delete;

    /// Adds the lwIP netif of a subinterface (netif_add with this driver's init) and returns it,
    /// administratively down and without addresses: the caller configures and raises it.
    struct ::netif* add_subinterface(const SubinterfaceSpec& spec);

    /// The driver behind an lwIP netif this driver added.
    static AdapterDriver& of(struct ::netif* n);
    void set_group_hooks(GroupHooks hooks) { group_hooks_ = std::move(hooks); }
    void set_multicast_input(MulticastInput input) { multicast_input_ = std::move(input); }
    /// Receives frames to a multicast MAC on subinterface `n` (held = true) or stops (false),
    /// counted per MAC like lwIP's filter callbacks: groups that lwIP does not hold need it.
    static void hold_multicast_mac(struct ::netif* n, const wire::MacAddress& mac, bool held);
    /// Sends an IP packet built outside lwIP (the engine's IGMP/MLD) from subinterface `n`: the
    /// same path as lwIP's frames (tag, padding, link-down gate, capture, counters).
    void send_ip(struct ::netif* n, const wire::MacAddress& dst, std::uint16_t ethertype, wire::Bytes ip_packet);

    int data_fd() const { return link_->data_fd(); }
    int control_fd() const { return link_->control_fd(); }
    /// The URL the link was opened as (a vde:// URL to a ring switch opens as ring://).
    const std::string& link_url() const { return link_->url(); }
    /// Drains what the link has now into lwIP (ethernet_input), checking every frame first.
    void on_readable();
    /// The control channel spoke: detects a vanished peer and takes the link down.
    void on_control();
    /// Link state for every subinterface (netif_set_link_up/down); while down nothing is sent.
    void set_link_up(bool up);
    bool link_up() const { return link_up_; }
    /// True once the link has ended for good (a pcap:// source at its end, a closed switch).
    bool link_closed() const { return link_closed_; }

    const std::string& name() const { return name_; }
    const wire::MacAddress& mac() const { return mac_; }
    const AdapterCounters& counters() const { return counters_; }
    const std::vector<struct ::netif*>& netifs() const { return netifs_; }

    struct Subinterface;  // lwIP netif + what the driver knows about it; netif->state points here

private:
    void deliver(wire::Bytes frame);
    Subinterface* subinterface_for(std::optional<std::uint16_t> vid);
    void drop_rx(const std::string& reason) { ++counters_.rx_drops[reason]; }
    void capture(wire::Bytes frame, Direction dir);
    /// Tags (for a VLAN subinterface), pads, captures and sends the untagged frame now in
    /// tx_buffer_ at offset kVlanTagLen; `len` is its length.
    void transmit(Subinterface& sub, std::size_t len);
    friend struct DriverCallbacks;

    std::string name_;
    wire::MacAddress mac_;
    std::unique_ptr<Link> link_;
    CaptureTarget capture_;
    FrameBatch batch_;
    std::vector<std::uint8_t> tx_buffer_;
    std::vector<std::unique_ptr<Subinterface>> subinterfaces_;
    std::vector<struct ::netif*> netifs_;
    std::size_t max_frame_len_ = 0;
    bool link_up_ = true;
    bool link_closed_ = false;
    AdapterCounters counters_;
    GroupHooks group_hooks_;
    MulticastInput multicast_input_;
};

}  // namespace caplnet::netif
