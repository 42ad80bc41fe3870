#include "stack/mcast/membership_table.hpp"

namespace caplnet::stack {

bool MembershipTable::add(std::uint32_t if_index, const IpAddress& group) {
    auto [it, first] = counts_.try_emplace(InterfaceGroup{if_index, group}, 0);
    if (first && !apply_(if_index, group, true)) {
        counts_.erase(it);
        return false;
    }
    ++it->second;
    return true;
}

void MembershipTable::remove(std::uint32_t if_index, const IpAddress& group) {
    auto it = counts_.find(std::make_pair(if_index, group));
    if (it == counts_.end()) return;
    if (--it->second == 0) {
        counts_.erase(it);
        apply_(if_index, group, false);
    }
}

std::uint32_t MembershipTable::members(std::uint32_t if_index, const IpAddress& group) const {
    auto it = counts_.find(std::make_pair(if_index, group));
    return it == counts_.end() ? 0 : it->second;
}

}  // namespace caplnet::stack
