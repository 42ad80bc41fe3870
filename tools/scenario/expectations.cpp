// The verdict on each [[expect]]: the metric summed over the rows the selectors pick from the
// node's report (or from the capture, for wire_*), compared with the expected value.
#include <algorithm>
#include <map>

#include "netif/wire/ipv4.hpp"
#include "netif/wire/ipv6.hpp"
#include "tools/scenario/run_result.hpp"

namespace caplnet::tools {

namespace {

/// One text per address, whoever printed it.
std::string normal_address(const std::string& text) {
    if (auto a = wire::Ipv4Address::parse(text)) return a->to_string();
    if (auto a = wire::Ipv6Address::parse(text)) return a->to_string();
    return text;
}

bool compare(long long actual, const std::string& op, long long want) {
    if (op == "==") return actual == want;
    if (op == "!=") return actual != want;
    if (op == ">=") return actual >= want;
    if (op == "<=") return actual <= want;
    if (op == ">") return actual > want;
    return actual < want;
}

long long u(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key].get<long long>() : 0;
}

std::optional<long long> from_report(const ScenarioExpectation& e, const nlohmann::json& report,
                                     std::string& why) {
    const std::string& m = e.metric;
    if (m == "rx_dropped" || m == "tx_dropped") {
        long long sum = 0;
        for (const auto& a : report["adapters"]) sum += u(a, m.c_str());
        return sum;
    }
    std::map<long long, long long> port_of;  // socket -> port
    for (const auto& s : report["sockets"]) port_of[u(s, "socket")] = u(s, "port");
    const bool group_rows = e.group.has_value() && m != "sent" && m != "send_failed" && m != "queue_drops";
    long long sum = 0;
    int rows = 0;
    if (group_rows) {
        const std::string want = normal_address(*e.group);
        for (const auto& g : report["groups"]) {
            if (normal_address(g.value("group", "")) != want) continue;
            if (e.if_index && u(g, "if_index") != *e.if_index) continue;
            if (e.port && port_of[u(g, "socket")] != *e.port) continue;
            sum += u(g, m.c_str());
            ++rows;
        }
        if (rows == 0) why = "no socket of " + e.node + " joined " + *e.group;
    } else {
        for (const auto& s : report["sockets"]) {
            if (e.port && u(s, "port") != *e.port) continue;
            sum += u(s, m.c_str());
            ++rows;
        }
        if (rows == 0) why = "no socket of " + e.node + (e.port ? " on port " + std::to_string(*e.port) : "");
    }
    if (rows == 0) return std::nullopt;
    return sum;
}

}  // namespace

std::vector<ExpectationResult> evaluate(const Scenario& s, const RunResult& r) {
    std::vector<ExpectationResult> out;
    for (const auto& e : s.expectations) {
        ExpectationResult res;
        res.expectation = &e;
        const auto node = std::find_if(r.nodes.begin(), r.nodes.end(), [&](const auto& n) { return n.name == e.node; });
        std::string why;
        if (e.metric == "wire_joins" || e.metric == "wire_leaves") {
            if (!r.capture) {
                why = "the run has no readable capture";
            } else {
                long long sum = 0;
                const std::string group = normal_address(*e.group);
                for (const auto& mac : node->macs) {
                    auto it = r.capture->membership.find({mac, group});
                    if (it != r.capture->membership.end()) {
                        sum += static_cast<long long>(e.metric == "wire_joins" ? it->second.joins : it->second.leaves);
                    }
                }
                res.actual = sum;
            }
        } else if (!node->report) {
            why = "node " + e.node + " left no report (" + node->status + ")";
        } else {
            res.actual = from_report(e, *node->report, why);
        }
        res.passed = res.actual && compare(*res.actual, e.op, e.value);
        if (res.actual) {
            res.message = e.metric + " is " + std::to_string(*res.actual) + ", expected " + e.op + " " +
                          std::to_string(e.value);
        } else {
            res.message = why;
        }
        out.push_back(std::move(res));
    }
    return out;
}

bool RunResult::passed() const {
    if (!interrupted.empty() || !errors.empty()) return false;
    for (const auto& n : nodes) {
        if (n.died) return false;
    }
    return std::all_of(expectations.begin(), expectations.end(), [](const auto& e) { return e.passed; });
}

}  // namespace caplnet::tools
