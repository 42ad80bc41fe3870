#include "stack/mcast/membership_table.hpp"

namespace caplnet::stack {

bool MembershipTable::add(std::uint32_t if_index, const IpAddress& group) {
    auto key = std::make_pair(if_index, group);
    auto it = counts_.find(key);
    if (it != counts_.end()) {
        ++it->second;
        return true;
    }
    if (!apply_(if_index, group, true)) return false;
    counts_.emplace(key, 1);
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
