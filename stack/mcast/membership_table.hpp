#pragma once
// Which groups are joined on which interface, and by how many sockets. The first socket to join
// (interface, group) puts the group on the wire; the last one to leave takes it off (SPEC §4).
#include <cstdint>
#include <functional>
#include <absl/container/flat_hash_map.h>

#include <utility>

#include "stack/ip_address.hpp"

namespace caplnet::stack {

class MembershipTable {
public:
    /// Called when (interface, group) goes from 0 to 1 member (join = true) or from 1 to 0.
    /// Returns false if the lower layer refused; then the table is left unchanged.
    using Apply = std::function<bool(std::uint32_t if_index, const IpAddress& group, bool join)>;

    explicit MembershipTable(Apply apply) : apply_(std::move(apply)) {}

    /// One more member of (if_index, group); false if the first join was refused.
    bool add(std::uint32_t if_index, const IpAddress& group);
    /// One member fewer.
    void remove(std::uint32_t if_index, const IpAddress& group);
    std::uint32_t members(std::uint32_t if_index, const IpAddress& group) const;
    std::size_t size() const { return counts_.size(); }

private:
    Apply apply_;
    absl::flat_hash_map<InterfaceGroup, std::uint32_t, InterfaceGroupHash> counts_;
};

}  // namespace caplnet::stack
