#include "stack/interface_table.hpp"

namespace caplnet::stack {

InterfaceTable::InterfaceTable(const NodeConfig& config) {
    for (std::size_t i = 0; i < config.adapters.size(); ++i) {
        const AdapterConfig& a = config.adapters[i];
        entries_.push_back(InterfaceEntry{static_cast<std::uint32_t>(entries_.size() + 1), a.name,
                                          a.channel, i, std::nullopt, 0, a.mac, a.ipv4, a.ipv6,
                                          a.mtu, a.groups});
        for (const VlanConfig& v : a.vlans) {
            entries_.push_back(InterfaceEntry{static_cast<std::uint32_t>(entries_.size() + 1), v.name,
                                              a.channel, i, v.id, v.priority, a.mac, v.ipv4, v.ipv6,
                                              v.mtu, v.groups});
        }
    }
}

const InterfaceEntry* InterfaceTable::find(std::uint32_t if_index) const {
    if (if_index == 0 || if_index > entries_.size()) return nullptr;
    return &entries_[if_index - 1];
}

std::uint32_t InterfaceTable::if_index_of(std::uint32_t channel,
                                          std::optional<std::uint16_t> vlan) const {
    for (const auto& e : entries_) {
        if (e.channel == channel && e.vlan == vlan) return e.if_index;
    }
    return 0;
}

}  // namespace caplnet::stack
