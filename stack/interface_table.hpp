#pragma once
// The single source of ifIndex (SPEC §3, product stack): interfaces numbered from 1 in
// configuration order, each adapter followed immediately by its VLAN subinterfaces in the order
// configured; no loopback entry. Everything that speaks of an ifIndex asks this table.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stack/config/node_config.hpp"

namespace caplnet::stack {

struct InterfaceEntry {
    std::uint32_t if_index = 0;  // 1-based
    std::string name;
    std::uint32_t channel = 0;
    std::size_t adapter = 0;             // position of the adapter in the node file
    std::optional<std::uint16_t> vlan;   // set for a VLAN subinterface
    std::uint8_t priority = 0;
    wire::MacAddress mac;
    std::vector<Ipv4Prefix> ipv4;
    std::vector<Ipv6Prefix> ipv6;
    std::uint16_t mtu = 1500;
    GroupProtocolConfig groups;
};

class InterfaceTable {
public:
    explicit InterfaceTable(const NodeConfig& config);

    std::size_t size() const { return entries_.size(); }
    const std::vector<InterfaceEntry>& entries() const { return entries_; }
    /// nullptr if if_index is outside 1..size().
    const InterfaceEntry* find(std::uint32_t if_index) const;
    /// The ifIndex of channel `channel` (untagged) or of its VLAN `vlan`; 0 if none (IpGetAdapter).
    std::uint32_t if_index_of(std::uint32_t channel, std::optional<std::uint16_t> vlan = {}) const;

private:
    std::vector<InterfaceEntry> entries_;
};

}  // namespace caplnet::stack
