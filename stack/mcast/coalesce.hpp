#pragma once
// The state-change reports that waited together (GroupHost, up to 1 ms) put into one report per
// interface: each group once, with its latest record, where its first change was. The old
// versions' messages carry one group each and keep their order. A group joined and left within the
// wait is reported left only, as Linux's ifc timer does.
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stack/ip_address.hpp"
#include "stack/mcast/group_engine.hpp"

namespace caplnet::stack {

/// Empties `pending` into the coalesced outbox it returns.
inline std::vector<Outgoing<IpAddress>> coalesce_reports(std::vector<Outgoing<IpAddress>>& pending) {
    using Out = Outgoing<IpAddress>;
    std::vector<Out> out;
    std::unordered_map<std::uint32_t, std::size_t> report_of;  // if_index -> its report in out
    std::unordered_map<InterfaceGroup, std::size_t, InterfaceGroupHash> record_of;
    for (auto& o : pending) {
        if (o.kind != Out::Kind::Report) {
            out.push_back(std::move(o));
            continue;
        }
        auto [r, new_report] = report_of.emplace(o.if_index, out.size());
        if (new_report) out.push_back(Out{o.if_index, Out::Kind::Report, {}, {}});
        auto& records = out[r->second].records;
        for (const auto& rec : o.records) {
            auto [at, added] = record_of.emplace(InterfaceGroup{o.if_index, rec.second}, records.size());
            if (added) {
                records.push_back(rec);
            } else {
                records[at->second].first = rec.first;
            }
        }
    }
    pending.clear();
    return out;
}

}  // namespace caplnet::stack
