#pragma once
// One simulated ECU: its lwIP stack (one per process), its adapters and VLAN subinterfaces,
// its links and its capture, all driven by one stack thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "netif/driver/drop_counters.hpp"
#include "netif/wire/wire_error.hpp"
#include "stack/clock/clock.hpp"
#include "stack/config/node_config.hpp"
#include "stack/interface_table.hpp"
#include "stack/mcast/group_host.hpp"
#include "stack/node_loop.hpp"
#include "stack/udp/udp_service.hpp"

struct netif;

namespace caplnet::netif {
class AdapterDriver;
class PcapngWriter;
}  // namespace caplnet::netif

namespace caplnet::stack {

struct NodeOptions {
    std::string run_dir;       // relative link paths resolve against it
    std::string capture_path;  // pcapng of every frame the adapters send and receive; empty: none
    std::vector<std::string> ring_switches;  // netif::LinkOptions::ring_switches
};

struct AdapterReport {
    std::string name;
    std::string link;  // the URL its link was opened as (ring:// where caplnet run upgraded vde://)
    bool link_up = false;
    netif::AdapterCounters counters;
};

class Node {
public:
    /// Opens the links and the capture, starts the stack thread and brings the interfaces up.
    /// Returns the reason if anything fails; nothing is left running then.
    static Expected<std::unique_ptr<Node>, std::string> start(NodeConfig config, NodeOptions options);
    ~Node();
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    /// Waits until every IPv6 address of every interface has finished DAD.
    bool wait_ready(std::chrono::milliseconds timeout);
    /// Waits until every link has ended (a pcap:// source replayed to its end, a switch gone).
    bool wait_links_closed(std::chrono::milliseconds timeout);

    const NodeConfig& config() const { return config_; }
    const InterfaceTable& interfaces() const { return table_; }
    NodeLoop& loop() { return *loop_; }
    /// The lwIP netif of an ifIndex (stack thread only); nullptr when out of range.
    struct ::netif* netif_of(std::uint32_t if_index, StackThread&) const;
    /// The node's UDP sockets (stack thread only).
    UdpService& udp(StackThread&) { return *udp_; }
    /// The same, or nullptr once stop() has torn the stack down.
    UdpService* udp_if_running(StackThread&) { return udp_.get(); }
    /// Bumped (any thread) by whatever may change the verdict of a send that succeeded before:
    /// a link going up or down here, and the UDP backend's own configuration calls
    /// (lwip_udp_backend.hpp keeps send verdicts stamped with it).
    std::atomic<std::uint64_t>& send_epoch() { return send_epoch_; }
    std::vector<AdapterReport> reports();
    /// Takes an adapter's link down or up, as a cable pulled and plugged back (scenario events).
    /// Fails for an unknown adapter and for a link that has ended for good.
    Expected<void, std::string> set_link_up(const std::string& adapter, bool up);

    /// Stops the stack thread (idempotent); flushes the capture.
    void stop();

private:
    Node(NodeConfig config, NodeOptions options);
    bool bring_up(StackThread& token);
    void after_turn(StackThread& token);
    std::vector<AdapterReport> collect_reports(StackThread& token) const;
    std::uint32_t if_index_of(const struct ::netif* n) const;

    NodeConfig config_;
    NodeOptions options_;
    InterfaceTable table_;
    RealClock clock_;
    std::unique_ptr<NodeLoop> loop_;
    std::unique_ptr<netif::PcapngWriter> capture_;
    std::vector<std::unique_ptr<netif::AdapterDriver>> adapters_;
    std::vector<struct ::netif*> netifs_;  // by ifIndex - 1
    std::unique_ptr<GroupHost> groups_;
    StackThread* token_ = nullptr;  // the stack thread's token, for callbacks lwIP makes on it
    std::unique_ptr<UdpService> udp_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool ready_ = false;
    bool links_closed_ = false;
    bool started_ = false;
    bool started_ok_ = false;
    std::vector<AdapterReport> final_reports_;
    std::atomic<std::uint64_t> send_epoch_{1};
    std::vector<bool> links_up_;  // after_turn's last look, to see a link change of any cause
    std::string start_error_;
};

}  // namespace caplnet::stack
