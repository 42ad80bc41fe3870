#pragma once
// The machine-readable account of one node process (`caplnet node --report FILE`), which
// `caplnet run` merges into its own report: adapters with their drops by reason, sockets with
// datagrams received and sent, memberships with joins, leaves and what arrived after a leave.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capl_api/activity.hpp"
#include "netif/switch/vde_switch.hpp"
#include "stack/node.hpp"

namespace caplnet::tools {

nlohmann::json node_report(const std::string& node, const std::vector<stack::AdapterReport>& adapters,
                           const capl::detail::ActivitySnapshot& activity);

/// A switch's ports with their counters and drops by reason (`caplnet switch --report`).
nlohmann::json switch_report(const netif::SwitchStats& stats);

/// Writes `report` to `path` through a temporary file and a rename, so a reader never sees half
/// a report. Returns false (with errno set) if the file cannot be written.
bool write_json_file(const std::string& path, const nlohmann::json& report);

}  // namespace caplnet::tools
