#include "tools/scenario/capture_facts.hpp"

#include <variant>

#include "netif/link/capture_reader.hpp"
#include "netif/wire/ethernet.hpp"
#include "netif/wire/group_packet.hpp"

namespace caplnet::tools {

namespace {

template <class... F>
struct Overload : F... {
    using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

bool record_joins(wire::RecordType t, std::size_t sources) {
    using R = wire::RecordType;
    return t == R::ModeIsExclude || t == R::ChangeToExclude || (t == R::AllowNewSources && sources > 0);
}

bool record_leaves(wire::RecordType t, std::size_t sources) {
    using R = wire::RecordType;
    return ((t == R::ChangeToInclude || t == R::ModeIsInclude) && sources == 0) || t == R::BlockOldSources;
}

void count(CaptureFacts& f, const std::string& mac, const std::string& group, bool join, bool leave) {
    if (!join && !leave) return;
    auto& m = f.membership[{mac, group}];
    if (join) ++m.joins;
    if (leave) ++m.leaves;
}

void scan_igmp(CaptureFacts& f, const std::string& mac, wire::Bytes ip) {
    auto p = wire::parse_igmp_packet(ip);
    if (!p) return;
    std::visit(Overload{[&](const wire::IgmpV1Report& r) { count(f, mac, r.group_address.to_string(), true, false); },
                        [&](const wire::IgmpV2Report& r) { count(f, mac, r.group_address.to_string(), true, false); },
                        [&](const wire::IgmpV2Leave& r) { count(f, mac, r.group_address.to_string(), false, true); },
                        [&](const wire::IgmpV3Report& r) {
                            for (const auto& g : r.group_records) {
                                const auto n = g.source_addresses.size();
                                count(f, mac, g.multicast_address.to_string(), record_joins(g.record_type, n),
                                      record_leaves(g.record_type, n));
                            }
                        },
                        [](const auto&) {}},
               p->message.body);
}

void scan_mld(CaptureFacts& f, const std::string& mac, wire::Bytes ip) {
    auto p = wire::parse_mld_packet(ip);
    if (!p) return;
    std::visit(Overload{[&](const wire::MldV1Report& r) { count(f, mac, r.multicast_address.to_string(), true, false); },
                        [&](const wire::MldV1Done& r) { count(f, mac, r.multicast_address.to_string(), false, true); },
                        [&](const wire::MldV2Report& r) {
                            for (const auto& g : r.multicast_address_records) {
                                const auto n = g.source_addresses.size();
                                count(f, mac, g.multicast_address.to_string(), record_joins(g.record_type, n),
                                      record_leaves(g.record_type, n));
                            }
                        },
                        [](const auto&) {}},
               p->message.body);
}

}  // namespace

Expected<CaptureFacts, std::string> read_capture_facts(const std::string& path) {
    auto reader = netif::CaptureReader::open(path, "");
    if (!reader) return unexpected(reader.error());
    CaptureFacts f;
    netif::CaptureRecord rec;
    for (;;) {
        const auto status = (*reader)->next(rec);
        if (status == netif::CaptureReader::Status::End) break;
        if (status == netif::CaptureReader::Status::Unreadable) {
            f.unreadable = (*reader)->error();
            break;
        }
        ++f.frames;
        if (status != netif::CaptureReader::Status::Record) continue;
        auto eth = wire::EthernetView::of(rec.data);
        if (!eth) continue;
        const std::string mac = eth->source().to_string();
        if (eth->ethertype() == wire::ethertype::kIpv4) scan_igmp(f, mac, eth->payload());
        if (eth->ethertype() == wire::ethertype::kIpv6) scan_mld(f, mac, eth->payload());
    }
    return f;
}

}  // namespace caplnet::tools
