#include "tools/node_report.hpp"

#include <cstdio>
#include <fstream>

namespace caplnet::tools {

namespace {

std::string endpoint_text(const stack::Endpoint& e) {
    const std::string a = e.address.to_string();
    return (e.address.is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(e.port);
}

}  // namespace

nlohmann::json node_report(const std::string& node, const std::vector<stack::AdapterReport>& adapters,
                           const capl::detail::ActivitySnapshot& activity) {
    nlohmann::json j;
    j["node"] = node;
    j["adapters"] = nlohmann::json::array();
    for (const auto& a : adapters) {
        j["adapters"].push_back({{"name", a.name},
                                 {"link", a.link},
                                 {"link_up", a.link_up},
                                 {"rx_frames", a.counters.rx_frames},
                                 {"rx_delivered", a.counters.rx_delivered},
                                 {"rx_dropped", a.counters.rx_dropped()},
                                 {"rx_drops", a.counters.rx_drops},
                                 {"tx_frames", a.counters.tx_frames},
                                 {"tx_dropped", a.counters.tx_dropped()},
                                 {"tx_drops", a.counters.tx_drops},
                                 {"rx_group_messages", a.counters.rx_group_messages}});
    }
    j["sockets"] = nlohmann::json::array();
    for (const auto& s : activity.sockets) {
        j["sockets"].push_back({{"socket", s.socket},
                                {"family", s.family == stack::Family::V6 ? "ipv6" : "ipv4"},
                                {"local", s.local ? nlohmann::json(endpoint_text(*s.local)) : nlohmann::json()},
                                {"port", s.local ? s.local->port : 0},
                                {"open", s.open},
                                {"received", s.received},
                                {"sent", s.sent},
                                {"send_failed", s.send_failed},
                                {"send_failures", s.send_failures},
                                {"queue_drops", s.queue_drops}});
    }
    j["groups"] = nlohmann::json::array();
    for (const auto& g : activity.groups) {
        j["groups"].push_back({{"socket", g.socket},
                               {"if_index", g.if_index},
                               {"group", g.group.to_string()},
                               {"member", g.member},
                               {"joins", g.joins},
                               {"leaves", g.leaves},
                               {"received", g.received},
                               {"received_after_leave", g.received_after_leave}});
    }
    return j;
}

nlohmann::json switch_report(const netif::SwitchStats& stats) {
    nlohmann::json j;
    j["frames_processed"] = stats.frames_processed;
    j["unicast_forwarded"] = stats.unicast_forwarded;
    j["flooded"] = stats.flooded;
    j["mac_learn_failures"] = stats.mac_learn_failures;
    j["joins_refused"] = stats.joins_refused;
    j["ports"] = nlohmann::json::array();
    for (const auto& p : stats.ports) {
        const auto& c = p.counters;
        j["ports"].push_back({{"port", p.port},
                              {"client", p.description},
                              {"config", p.config},
                              {"connected", p.connected},
                              {"link", p.ring ? "ring" : "vde"},
                              {"bad_ring_records", c.bad_ring_records},
                              {"rx_frames", c.rx_frames},
                              {"tx_frames", c.tx_frames},
                              {"dropped", c.drops()},
                              {"drops",
                               {{"queue-full", c.drop_queue_full},
                                {"peer-gone", c.drop_peer_gone},
                                {"vlan-not-allowed", c.drop_vlan_not_allowed},
                                {"tagged-on-access", c.drop_tagged_on_access},
                                {"untagged-not-allowed", c.drop_untagged_not_allowed},
                                {"runt", c.drop_runt},
                                {"oversized", c.drop_oversized},
                                {"malformed", c.drop_malformed}}}});
    }
    return j;
}

bool write_json_file(const std::string& path, const nlohmann::json& report) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        out << report.dump(2) << '\n';
        if (!out.flush()) return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace caplnet::tools
