#include "stack/mcast/group_host.hpp"

#include <spdlog/spdlog.h>

#include <cstring>

#include "netif/driver/adapter_driver.hpp"
#include "netif/driver/lwip.hpp"
#include "netif/wire/ethernet.hpp"
#include "netif/wire/group_packet.hpp"
#include "netif/wire/igmp.hpp"
#include "netif/wire/mld.hpp"
#include "stack/mcast/coalesce.hpp"

namespace caplnet::stack {

namespace {

// RFC 3376 §4.2.16 / RFC 3810 §5.2.15: a report that would exceed the MTU is split; 64 records
// keep every report far below 1280 octets.
constexpr std::size_t kRecordsPerReport = 64;

// How long a state change waits for others to share its report (Linux waits 2 jiffies).
constexpr u32_t kReportDelayMs = 1;

EngineOptions options_for(const GroupProtocolConfig& c, bool mld) {
    EngineOptions o;
    const int forced = mld ? c.mld_version : c.igmp_version;
    const int newest = mld ? Mld::kNewest : Igmp::kNewest;
    o.mode = forced == 0        ? VersionMode::Auto
             : forced == newest ? VersionMode::ForceNew
             : forced == newest - 1 ? VersionMode::ForceOld
                                    : VersionMode::ForceOlder;
    o.robustness = c.robustness;
    // RFC 3376 §8.11 / RFC 3810 §9.11: 1 s; RFC 2236 §8.10 / RFC 2710 §7.10: 10 s for the old
    // versions. A value from the node file applies to all.
    o.unsolicited_report_interval = c.unsolicited_interval_set ? c.unsolicited_report_interval_ms
                                    : (forced != 0 && forced < newest) ? 10'000
                                                                       : 1'000;
    o.query_interval = c.query_interval_ms;
    o.query_response_interval = c.query_response_interval_ms;
    return o;
}

wire::Ipv4Address to_wire4(const IpAddress& a) { return {{a.octets[0], a.octets[1], a.octets[2], a.octets[3]}}; }
wire::Ipv6Address to_wire6(const IpAddress& a) { return wire::Ipv6Address{a.octets}; }
IpAddress from_wire(const wire::Ipv4Address& a) { return IpAddress::v4(a.octets); }
IpAddress from_wire(const wire::Ipv6Address& a) { return IpAddress::v6(a.octets); }

bool is_solicited_node(const IpAddress& g) {
    // ff02::1:ff00:0/104 (RFC 4291 §2.7.1)
    static constexpr std::uint8_t kPrefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};
    return g.is_v6() && std::memcmp(g.octets.data(), kPrefix, sizeof kPrefix) == 0;
}

}  // namespace

GroupHost::GroupHost(Interfaces interfaces, std::uint32_t seed, StackThread&)
    : interfaces_(std::move(interfaces)),
      rng_(seed),
      igmp_(rng_),
      mld_(rng_),
      link_local_ready_(interfaces_.settings.size(), false) {
    for (std::size_t i = 0; i < interfaces_.settings.size(); ++i) {
        const auto if_index = static_cast<std::uint32_t>(i + 1);
        igmp_.configure(if_index, options_for(interfaces_.settings[i], false));
        mld_.configure(if_index, options_for(interfaces_.settings[i], true));
        igmp_versions_.push_back(igmp_.version(if_index, 0));
        mld_versions_.push_back(mld_.version(if_index, 0));
    }
}

void GroupHost::note_versions() {
    const Millis t = now();
    for (std::size_t i = 0; i < igmp_versions_.size(); ++i) {
        const auto if_index = static_cast<std::uint32_t>(i + 1);
        if (const int v = igmp_.version(if_index, t); v != igmp_versions_[i]) {
            spdlog::info("ifIndex {}: IGMPv{} (was IGMPv{})", if_index, v, igmp_versions_[i]);
            igmp_versions_[i] = v;
        }
        if (const int v = mld_.version(if_index, t); v != mld_versions_[i]) {
            spdlog::info("ifIndex {}: MLDv{} (was MLDv{})", if_index, v, mld_versions_[i]);
            mld_versions_[i] = v;
        }
    }
}

GroupHost::~GroupHost() {
    sys_untimeout(on_timer, this);
    sys_untimeout(on_flush, this);
}

Millis GroupHost::now() const { return sys_now(); }

void GroupHost::sockets_hold(std::uint32_t if_index, const IpAddress& group, bool held, StackThread&) {
    hold(if_index, group, kSockets, held);
}

void GroupHost::hold(std::uint32_t if_index, const IpAddress& group, Holder who, bool held) {
    const InterfaceGroup key{if_index, group};
    auto it = holders_.find(key);
    std::uint8_t h = 0;
    if (it != holders_.end()) {
        h = it->second;
    } else if (who == kSockets) {
        h = held ? 0 : kSockets;  // the sockets' first join or last leave, and lwIP holds none
    } else {
        const bool joined = group.is_v6() ? mld_.joined(if_index, group) : igmp_.joined(if_index, group);
        h = joined ? kSockets : 0;
    }
    const bool was = h != 0;
    h = static_cast<std::uint8_t>(held ? (h | who) : (h & ~who));
    const bool is = h != 0;
    if ((h & kLwip) != 0) {
        if (it != holders_.end()) {
            it->second = h;
        } else {
            holders_.emplace(key, h);
        }
    } else if (it != holders_.end()) {
        holders_.erase(it);
    }
    if (was == is) return;
    if (group.is_v6()) {
        if (is) {
            mld_.join(if_index, group, now(), pending_mld_);
        } else {
            mld_.leave(if_index, group, now(), pending_mld_);
        }
    } else {
        if (is) {
            igmp_.join(if_index, group, now(), pending_igmp_);
        } else {
            igmp_.leave(if_index, group, now(), pending_igmp_);
        }
    }
    reschedule_due_ = true;
    if (!flush_armed_ && (!pending_igmp_.empty() || !pending_mld_.empty())) {
        sys_timeout(kReportDelayMs, on_flush, this);
        flush_armed_ = true;
    }
}

void GroupHost::flush(StackThread&) { flush_reports(); }

void GroupHost::flush_reports() {
    if (flush_armed_) sys_untimeout(on_flush, this);
    flush_armed_ = false;
    if (!pending_igmp_.empty()) send_igmp(coalesce_reports(pending_igmp_));
    if (!pending_mld_.empty()) send_mld(coalesce_reports(pending_mld_));
}

void GroupHost::on_flush(void* self) {
    auto* h = static_cast<GroupHost*>(self);
    h->flush_armed_ = false;  // lwIP has dropped the timeout it just ran
    h->flush_reports();
}

void GroupHost::on_received(struct ::netif* n, wire::Bytes ip_packet) {
    const std::uint32_t if_index = interfaces_.if_index_of(n);
    if (if_index == 0) return;
    if (!ip_packet.empty() && (ip_packet[0] >> 4) == 4) {
        auto p = wire::parse_igmp_packet(ip_packet);
        if (!p) return;  // frame_check already counted what is malformed; the rest is not ours
        GroupEngine<Igmp>::Outbox out;
        if (const auto* q = std::get_if<wire::IgmpQuery>(&p->message.body)) {
            // RFC 3376 §4.1.12 / F7: a group-specific query may come from 0.0.0.0 and to the
            // group; the group field decides, not the IP destination.
            igmp_.on_query(if_index,
                           Query<IpAddress>{static_cast<int>(q->version),
                                            static_cast<Millis>(q->response_interval().count()),
                                            from_wire(q->group_address)},
                           now(), out);
        } else if (const auto* r2 = std::get_if<wire::IgmpV2Report>(&p->message.body)) {
            igmp_.on_report_heard(if_index, from_wire(r2->group_address), now());
        } else if (const auto* r1 = std::get_if<wire::IgmpV1Report>(&p->message.body)) {
            igmp_.on_report_heard(if_index, from_wire(r1->group_address), now());
        }
        send_igmp(out);
    } else {
        auto p = wire::parse_mld_packet(ip_packet);
        if (!p) return;
        GroupEngine<Mld>::Outbox out;
        if (const auto* q = std::get_if<wire::MldQuery>(&p->message.body)) {
            // F6: an address-specific query sent to ff02::1 is answered: the address field decides.
            mld_.on_query(if_index,
                          Query<IpAddress>{static_cast<int>(q->version),
                                           static_cast<Millis>(q->max_resp_delay.count()),
                                           from_wire(q->multicast_address)},
                          now(), out);
        } else if (const auto* r = std::get_if<wire::MldV1Report>(&p->message.body)) {
            mld_.on_report_heard(if_index, from_wire(r->multicast_address), now());
        }
        send_mld(out);
    }
    note_versions();
    reschedule();
}

void GroupHost::on_lwip_sent(struct ::netif* n, wire::Bytes ip_packet) {
    // Only MLD tells something new: the solicited-node groups lwIP joins for its own addresses
    // (nd6). Everything else lwIP reports is a group our sockets put there.
    if (ip_packet.empty() || (ip_packet[0] >> 4) != 6) return;
    const std::uint32_t if_index = interfaces_.if_index_of(n);
    auto p = wire::parse_mld_packet(ip_packet);
    if (if_index == 0 || !p) return;
    if (const auto* r = std::get_if<wire::MldV1Report>(&p->message.body)) {
        const IpAddress g = from_wire(r->multicast_address);
        if (is_solicited_node(g)) hold(if_index, g, kLwip, true);
    } else if (const auto* d = std::get_if<wire::MldV1Done>(&p->message.body)) {
        const IpAddress g = from_wire(d->multicast_address);
        if (is_solicited_node(g)) hold(if_index, g, kLwip, false);
    }
}

void GroupHost::after_turn(StackThread&) {
    if (reschedule_due_) {
        reschedule_due_ = false;
        reschedule();
    }
    for (std::size_t i = 0; i < link_local_ready_.size(); ++i) {
        struct ::netif* n = interfaces_.netif_of(static_cast<std::uint32_t>(i + 1));
        const bool ready = n != nullptr && ip6_addr_ispreferred(netif_ip6_addr_state(n, 0));
        if (ready && !link_local_ready_[i]) {
            GroupEngine<Mld>::Outbox out;
            mld_.reannounce(static_cast<std::uint32_t>(i + 1), now(), out);
            send_mld(out);
            reschedule();
        }
        link_local_ready_[i] = ready;
    }
}

void GroupHost::send_igmp(const GroupEngine<Igmp>::Outbox& out) {
    using Kind = GroupEngine<Igmp>::Out::Kind;
    for (const auto& o : out) {
        struct ::netif* n = interfaces_.netif_of(o.if_index);
        if (n == nullptr) continue;
        std::vector<wire::IgmpMessage> messages;
        switch (o.kind) {
        case Kind::OldestReport: messages.emplace_back(wire::IgmpV1Report{to_wire4(o.group)}); break;
        case Kind::OldReport: messages.emplace_back(wire::IgmpV2Report{to_wire4(o.group)}); break;
        case Kind::OldLeave: messages.emplace_back(wire::IgmpV2Leave{to_wire4(o.group)}); break;
        case Kind::Report:
            for (std::size_t i = 0; i < o.records.size(); i += kRecordsPerReport) {
                wire::IgmpV3Report r;
                for (std::size_t k = i; k < std::min(o.records.size(), i + kRecordsPerReport); ++k) {
                    r.group_records.push_back(wire::IgmpGroupRecord{
                        static_cast<wire::RecordType>(o.records[k].first), to_wire4(o.records[k].second), {}, {}});
                }
                messages.emplace_back(std::move(r));
            }
            break;
        }
        // RFC 3376 §4.2.13: the interface's address, or 0.0.0.0 while it has none.
        wire::Ipv4Address src;
        std::memcpy(src.octets.data(), &netif_ip4_addr(n)->addr, 4);
        for (const auto& m : messages) {
            const auto dst = wire::igmp_destination(m);
            const auto packet = wire::igmp_packet(src, dst, m, ip_identification_++);
            if (packet.empty()) continue;
            netif::AdapterDriver::of(n).send_ip(n, dst.multicast_mac(), wire::ethertype::kIpv4, packet);
        }
    }
}

void GroupHost::send_mld(const GroupEngine<Mld>::Outbox& out) {
    using Kind = GroupEngine<Mld>::Out::Kind;
    for (const auto& o : out) {
        struct ::netif* n = interfaces_.netif_of(o.if_index);
        if (n == nullptr) continue;
        std::vector<wire::MldMessage> messages;
        switch (o.kind) {
        case Kind::OldestReport:  // MLD has no older version than MLDv1
        case Kind::OldReport: messages.emplace_back(wire::MldV1Report{to_wire6(o.group)}); break;
        case Kind::OldLeave: messages.emplace_back(wire::MldV1Done{to_wire6(o.group)}); break;
        case Kind::Report:
            for (std::size_t i = 0; i < o.records.size(); i += kRecordsPerReport) {
                wire::MldV2Report r;
                for (std::size_t k = i; k < std::min(o.records.size(), i + kRecordsPerReport); ++k) {
                    r.multicast_address_records.push_back(wire::MldAddressRecord{
                        static_cast<wire::RecordType>(o.records[k].first), to_wire6(o.records[k].second), {}, {}});
                }
                messages.emplace_back(std::move(r));
            }
            break;
        }
        // RFC 3810 §5.2.13 / §7.2.1: the link-local address, or :: until it has passed DAD.
        wire::Ipv6Address src{};
        if (ip6_addr_ispreferred(netif_ip6_addr_state(n, 0))) {
            std::memcpy(src.octets.data(), netif_ip6_addr(n, 0)->addr, 16);
        }
        for (const auto& m : messages) {
            const auto dst = wire::mld_destination(m);
            const auto packet = wire::mld_packet(src, dst, m);
            if (packet.empty()) continue;
            netif::AdapterDriver::of(n).send_ip(n, dst.multicast_mac(), wire::ethertype::kIpv6, packet);
        }
    }
}

void GroupHost::reschedule() {
    sys_untimeout(on_timer, this);
    std::optional<Millis> next = igmp_.next_deadline();
    if (auto m = mld_.next_deadline(); m && (!next || *m < *next)) next = m;
    if (!next) return;
    const Millis t = now();
    sys_timeout(static_cast<u32_t>(*next > t ? *next - t : 0), on_timer, this);
}

void GroupHost::on_timer(void* self) {
    auto* h = static_cast<GroupHost*>(self);
    const Millis t = h->now();
    GroupEngine<Igmp>::Outbox out4;
    h->igmp_.poll(t, out4);
    h->send_igmp(out4);
    GroupEngine<Mld>::Outbox out6;
    h->mld_.poll(t, out6);
    h->send_mld(out6);
    h->note_versions();
    h->reschedule();
}

}  // namespace caplnet::stack
