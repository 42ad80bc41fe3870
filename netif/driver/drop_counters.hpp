#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace caplnet::netif {

/// Per-adapter traffic counters. Every frame that does not reach lwIP (or the wire) is counted
/// under a reason; nothing is lost silently.
struct AdapterCounters {
    std::uint64_t rx_frames = 0;     // taken from the link
    std::uint64_t rx_delivered = 0;  // handed to lwIP
    std::uint64_t tx_frames = 0;     // handed to the link
    std::uint64_t rx_group_messages = 0;           // IGMP/MLD handed to the group engine
    std::uint64_t tx_group_messages_replaced = 0;  // lwIP's own IGMP/MLD, kept off the wire
    std::map<std::string, std::uint64_t> rx_drops;  // reason -> count
    std::map<std::string, std::uint64_t> tx_drops;

    std::uint64_t rx_dropped() const;
    std::uint64_t tx_dropped() const;
};

}  // namespace caplnet::netif
