#pragma once
// One host-side multicast state machine for IGMP and MLD (the gVisor netstack's generic
// multicast protocol is the model): RFC 3376 / RFC 3810 with the older-version compatibility of
// RFC 2236 / RFC 2710 (and IGMPv1, RFC 1112). Any-source multicast only: a joined group is
// EXCLUDE{}, a left one INCLUDE{}. Sans-IO: time is a parameter, messages leave through an
// outbox, randomness comes from the caller's Rng; the protocol differences live in the traits
// (stack/mcast/protocols.hpp). A state change goes to the outbox at once, alone (GroupHost lets
// the changes of up to 1 ms share a report); its retransmissions share one timer per interface with
// every other change still being repeated (Linux's mr_ifc_timer), so n joins repeat in a few
// reports, not in n timers and n frames (docs/decisions.md, "IGMP / MLD engine").
#include <algorithm>
#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "stack/mcast/timer_set.hpp"

namespace caplnet::stack {

using Rng = std::mt19937;

/// Which protocol version a host speaks on an interface.
enum class VersionMode { Auto, ForceOld, ForceOlder, ForceNew };

struct EngineOptions {
    VersionMode mode = VersionMode::Auto;
    int robustness = 2;                          // RFC 3376 §8.1 / RFC 3810 §9.1
    Millis unsolicited_report_interval = 1000;   // RFC 3376 §8.11 / RFC 3810 §9.11 (v2/MLDv1: 10 s)
    Millis query_interval = 125'000;             // §8.2 / §9.2
    Millis query_response_interval = 10'000;     // §8.3 / §9.3
    /// RFC 3376 §8.12 / RFC 3810 §9.12: Older Version Querier Present Timeout.
    Millis older_querier_timeout() const {
        return static_cast<Millis>(robustness) * query_interval + query_response_interval;
    }
};

/// Record types of IGMPv3 / MLDv2 reports that any-source multicast needs (RFC 3376 §4.2.12).
enum class RecordType : std::uint8_t { ModeIsExclude = 2, ChangeToInclude = 3, ChangeToExclude = 4 };

/// What the engine asks to send; the traits turn it into wire bytes and a destination.
template <class Address>
struct Outgoing {
    enum class Kind {
        OldestReport,  // IGMPv1 report (MLD has no such version)
        OldReport,     // IGMPv2 report / MLDv1 report, to the group
        OldLeave,      // IGMPv2 Leave to 224.0.0.2 / MLDv1 Done to ff02::2
        Report,        // IGMPv3 / MLDv2 report
    };
    std::uint32_t if_index = 0;
    Kind kind = Kind::Report;
    Address group{};                                            // the old kinds
    std::vector<std::pair<RecordType, Address>> records;        // Kind::Report
};

/// A received query, already decoded by the traits.
template <class Address>
struct Query {
    int version = 3;           // IGMP 1/2/3, MLD 1/2 (as the traits number them: 1 oldest)
    Millis max_response = 0;   // decoded Max Resp Time / Maximum Response Delay
    Address group{};           // unspecified = general query
};

template <class P>
concept MulticastProtocol = requires(typename P::Address g) {
    { P::should_report(g) } -> std::same_as<bool>;
    { P::is_unspecified(g) } -> std::same_as<bool>;
    { P::kNewest } -> std::convertible_to<int>;
};

template <MulticastProtocol P>
class GroupEngine {
public:
    using Address = typename P::Address;
    using Out = Outgoing<Address>;
    using Outbox = std::vector<Out>;

    GroupEngine(Rng& rng) : rng_(rng) {}

    void configure(std::uint32_t if_index, EngineOptions options) { interfaces_[if_index].options = options; }

    /// The version this host speaks on the interface now (RFC 3376 §7.2.1, RFC 3810 §8.2.1).
    int version(std::uint32_t if_index, Millis now) const {
        auto it = interfaces_.find(if_index);
        if (it == interfaces_.end()) return P::kNewest;
        const Interface& i = it->second;
        switch (i.options.mode) {
        case VersionMode::ForceNew: return P::kNewest;
        case VersionMode::ForceOld: return P::kNewest - 1;
        case VersionMode::ForceOlder: return P::kNewest - 2;
        case VersionMode::Auto: break;
        }
        for (int v = 1; v < P::kNewest; ++v) {
            if (i.older_until[v] > now) return v;
        }
        return P::kNewest;
    }

    void join(std::uint32_t if_index, const Address& g, Millis now, Outbox& out) {
        Interface& i = interfaces_[if_index];
        Group& grp = i.groups[g];
        grp.joined = true;
        if (!P::should_report(g)) return;
        state_change(if_index, i, g, grp, now, out);
    }

    void leave(std::uint32_t if_index, const Address& g, Millis now, Outbox& out) {
        auto it = interfaces_.find(if_index);
        if (it == interfaces_.end()) return;
        Interface& i = it->second;
        auto gi = i.groups.find(g);
        if (gi == i.groups.end() || !gi->second.joined) return;
        Group& grp = gi->second;
        grp.joined = false;
        if (!P::should_report(g)) {
            erase(if_index, i, gi);
            return;
        }
        const int v = version(if_index, now);
        if (v == P::kNewest) {
            state_change(if_index, i, g, grp, now, out);
            // A left group lives on only while its TO_IN retransmissions are due.
            if (grp.retransmissions == 0) erase(if_index, i, gi);
            return;
        }
        // RFC 2236 §3 / RFC 2710 §4: a Leave (Done) only if this host was the last to report;
        // IGMPv1 has none.
        if (v == P::kNewest - 1 && grp.last_reporter) {
            out.push_back(Out{if_index, Out::Kind::OldLeave, g, {}});
        }
        erase(if_index, i, gi);
    }

    void on_query(std::uint32_t if_index, const Query<Address>& q, Millis now, Outbox& out) {
        Interface& i = interfaces_[if_index];
        if (q.version < P::kNewest && i.options.mode == VersionMode::Auto) {
            i.older_until[q.version] = now + i.options.older_querier_timeout();
        }
        const int v = version(if_index, now);
        const Millis max = std::max<Millis>(q.max_response, 1);
        if (v == P::kNewest && P::is_unspecified(q.group)) {
            // RFC 3376 §5.2 (RFC 9776 §5.2): one interface timer answers a general query.
            const Millis at = now + random_delay(max);
            if (!i.general_at || at < *i.general_at) i.general_at = at;
        } else if (!P::is_unspecified(q.group)) {
            auto gi = i.groups.find(q.group);
            if (gi != i.groups.end()) answer_by(if_index, gi->first, gi->second, now, max);
        } else {
            for (auto gi : in_address_order(i)) answer_by(if_index, gi->first, gi->second, now, max);
        }
        (void)out;
    }

    /// Sends every joined group's state again, as a state change (Linux does this when an
    /// interface's link-local address finishes DAD, so reports leave from that address).
    void reannounce(std::uint32_t if_index, Millis now, Outbox& out) {
        auto it = interfaces_.find(if_index);
        if (it == interfaces_.end()) return;
        for (auto gi : in_address_order(it->second)) {
            if (gi->second.joined && P::should_report(gi->first)) {
                state_change(if_index, it->second, gi->first, gi->second, now, out);
            }
        }
    }

    /// Another host's old-version report: RFC 2236 §3 / RFC 2710 §4 suppression.
    void on_report_heard(std::uint32_t if_index, const Address& g, Millis now) {
        auto it = interfaces_.find(if_index);
        if (it == interfaces_.end() || version(if_index, now) == P::kNewest) return;
        auto gi = it->second.groups.find(g);
        if (gi == it->second.groups.end()) return;
        arm(if_index, g, gi->second.report_at, std::nullopt);
        gi->second.last_reporter = false;
    }

    /// Sends what is due at `now`.
    void poll(Millis now, Outbox& out) {
        // Only groups with an expired query answer have work; they are handled in (interface,
        // address) order, so the outbox does not depend on the order their timers were armed in.
        std::vector<std::pair<std::uint32_t, Address>> due;
        for (const TimerKey& k : timers_.expired(now)) due.emplace_back(k.if_index, k.group);
        std::sort(due.begin(), due.end());
        due.erase(std::unique(due.begin(), due.end()), due.end());
        auto next = due.begin();
        for (auto& [if_index, i] : interfaces_) {
            for (auto& until : i.older_until) {
                if (until != 0 && until <= now) until = 0;  // back to the newer version
            }
            const int v = version(if_index, now);
            if (i.general_at && *i.general_at <= now) {
                i.general_at.reset();
                if (v == P::kNewest) {
                    Out report{if_index, Out::Kind::Report, {}, {}};
                    for (auto gi : in_address_order(i)) {
                        if (gi->second.joined && P::should_report(gi->first)) {
                            report.records.emplace_back(RecordType::ModeIsExclude, gi->first);
                        }
                    }
                    if (!report.records.empty()) out.push_back(std::move(report));
                }
            }
            for (; next != due.end() && next->first <= if_index; ++next) {
                if (next->first < if_index) continue;
                auto gi = i.groups.find(next->second);
                if (gi != i.groups.end()) answer(if_index, gi, v, now, out);
            }
            if (i.retransmit_at && *i.retransmit_at <= now) retransmit(if_index, i, v, now, out);
        }
    }

    /// The earliest time poll() has something to do (smoltcp's poll_at).
    std::optional<Millis> next_deadline() const {
        std::optional<Millis> best = timers_.earliest();
        auto take = [&](const std::optional<Millis>& t) {
            if (t && (!best || *t < *best)) best = t;
        };
        for (const auto& [if_index, i] : interfaces_) {
            take(i.general_at);
            take(i.retransmit_at);
            // Falling back to the newest version is a deadline too: nothing is sent then, but a
            // caller that sleeps until next_deadline must wake to notice.
            for (int v = 1; v < P::kNewest; ++v) {
                if (i.older_until[v] != 0) take(i.older_until[v]);
            }
        }
        return best;
    }

    bool joined(std::uint32_t if_index, const Address& g) const {
        auto it = interfaces_.find(if_index);
        if (it == interfaces_.end()) return false;
        auto gi = it->second.groups.find(g);
        return gi != it->second.groups.end() && gi->second.joined;
    }

private:
    struct Group {
        bool joined = false;
        bool last_reporter = false;
        bool queued = false;              // in the interface's retransmit_queue
        std::optional<Millis> report_at;  // answer to a query
        int retransmissions = 0;          // repeats of the last state change still due
    };
    // Hashed, not ordered: a join or leave looks its group up (BENCHMARKS.md, figure 3); the
    // rare walks that put groups on the wire sort first, so reports list them in address order.
    // An insert may move every Group: nothing keeps a reference across one.
    using Groups = absl::flat_hash_map<Address, Group, std::hash<Address>>;
    struct Interface {
        EngineOptions options;
        Groups groups;
        // The groups with repeats due, in the order they changed. An erased group's entry stays
        // until the timer fires (and is skipped there), so erasing never searches the queue.
        std::vector<Address> retransmit_queue;
        std::size_t queued = 0;                 // groups with Group::queued set
        std::optional<Millis> retransmit_at;    // their next repeat, all together
        std::optional<Millis> general_at;
        Millis older_until[4] = {0, 0, 0, 0};  // by version
    };
    struct TimerKey {
        std::uint32_t if_index = 0;
        Address group{};
        friend auto operator<=>(const TimerKey&, const TimerKey&) = default;
    };

    /// Every write of a group's report_at goes through here, so timers_ always
    /// holds exactly the armed timers of the existing groups.
    void arm(std::uint32_t if_index, const Address& g, std::optional<Millis>& field, std::optional<Millis> at) {
        timers_.move(TimerKey{if_index, g}, field, at);
        field = at;
    }

    void erase(std::uint32_t if_index, Interface& i, typename Groups::iterator gi) {
        arm(if_index, gi->first, gi->second.report_at, std::nullopt);
        unqueue(i, gi->second);
        i.groups.erase(gi);
    }

    static void unqueue(Interface& i, Group& grp) {
        if (!grp.queued) return;
        grp.queued = false;
        if (--i.queued == 0) {
            i.retransmit_queue.clear();
            i.retransmit_at.reset();  // no wake-up with nothing to send
        }
    }

    static std::vector<typename Groups::iterator> in_address_order(Interface& i) {
        std::vector<typename Groups::iterator> sorted;
        sorted.reserve(i.groups.size());
        for (auto gi = i.groups.begin(); gi != i.groups.end(); ++gi) sorted.push_back(gi);
        std::sort(sorted.begin(), sorted.end(), [](auto a, auto b) { return a->first < b->first; });
        return sorted;
    }

    /// Schedules the answer to a query for `g`, unless an earlier one is pending already.
    void answer_by(std::uint32_t if_index, const Address& g, Group& grp, Millis now, Millis max) {
        if (!grp.joined || !P::should_report(g)) return;
        const Millis at = now + random_delay(max);
        if (!grp.report_at || at < *grp.report_at) arm(if_index, g, grp.report_at, at);
    }

    /// A group's expired query answer.
    void answer(std::uint32_t if_index, typename Groups::iterator gi, int v, Millis now,
                Outbox& out) {
        Group& grp = gi->second;
        if (!grp.report_at || *grp.report_at > now) return;
        arm(if_index, gi->first, grp.report_at, std::nullopt);
        if (grp.joined) send_current(if_index, gi->first, grp, v, out);
    }

    /// The interface's retransmission timer: every pending change repeats once, in one report
    /// (in the order the groups changed) where the version has one, and the timer is drawn again
    /// while any repeat is left (RFC 3376 §5.1 / RFC 3810 §6.1: "(0, [Unsolicited Report Interval]]").
    void retransmit(std::uint32_t if_index, Interface& i, int v, Millis now, Outbox& out) {
        i.retransmit_at.reset();
        const std::vector<Address> queue = std::move(i.retransmit_queue);
        i.retransmit_queue.clear();
        i.queued = 0;
        Out report{if_index, Out::Kind::Report, {}, {}};
        for (const Address& g : queue) {
            auto gi = i.groups.find(g);
            // Erased since, or queued again after an erase and handled at its earlier entry.
            if (gi == i.groups.end() || !gi->second.queued) continue;
            Group& grp = gi->second;
            grp.queued = false;
            if (v == P::kNewest) {
                report.records.emplace_back(change_record(grp), g);
            } else if (grp.joined) {
                send_old_report(if_index, g, grp, v, out);
            }
            if (--grp.retransmissions > 0) {
                enqueue(i, g, grp);
            } else if (!grp.joined) {
                erase(if_index, i, gi);
            }
        }
        if (!report.records.empty()) out.push_back(std::move(report));
        if (i.queued > 0) i.retransmit_at = now + random_delay(i.options.unsolicited_report_interval);
    }

    static void enqueue(Interface& i, const Address& g, Group& grp) {
        if (grp.queued) return;
        grp.queued = true;
        ++i.queued;
        i.retransmit_queue.push_back(g);
    }

    static RecordType change_record(const Group& grp) {
        return grp.joined ? RecordType::ChangeToExclude : RecordType::ChangeToInclude;
    }

    Millis random_delay(Millis max) {
        // RFC 3376 §5.1: "chosen at random from the range (0, [Unsolicited Report Interval]]".
        std::uniform_int_distribution<Millis> d(1, std::max<Millis>(max, 1));
        return d(rng_);
    }

    void state_change(std::uint32_t if_index, Interface& i, const Address& g, Group& grp, Millis now, Outbox& out) {
        const int v = version(if_index, now);
        send_change(if_index, g, grp, v, out);
        // RFC 3376 §5.1: retransmitted [Robustness Variable] - 1 more times; a newer change
        // restarts the count (and its repeats carry the newer record).
        grp.retransmissions = std::max(i.options.robustness - 1, 0);
        if (grp.retransmissions == 0) {
            unqueue(i, grp);
            return;
        }
        enqueue(i, g, grp);
        if (!i.retransmit_at) i.retransmit_at = now + random_delay(i.options.unsolicited_report_interval);
    }

    void send_change(std::uint32_t if_index, const Address& g, Group& grp, int v, Outbox& out) {
        if (v == P::kNewest) {
            Out report{if_index, Out::Kind::Report, {}, {}};
            report.records.emplace_back(change_record(grp), g);
            out.push_back(std::move(report));
        } else if (grp.joined) {
            send_old_report(if_index, g, grp, v, out);
        }
    }

    void send_current(std::uint32_t if_index, const Address& g, Group& grp, int v, Outbox& out) {
        if (v == P::kNewest) {
            Out report{if_index, Out::Kind::Report, {}, {}};
            report.records.emplace_back(RecordType::ModeIsExclude, g);
            out.push_back(std::move(report));
        } else {
            send_old_report(if_index, g, grp, v, out);
        }
    }

    void send_old_report(std::uint32_t if_index, const Address& g, Group& grp, int v, Outbox& out) {
        grp.last_reporter = true;
        out.push_back(Out{if_index, v == P::kNewest - 1 ? Out::Kind::OldReport : Out::Kind::OldestReport, g, {}});
    }

    Rng& rng_;
    std::map<std::uint32_t, Interface> interfaces_;
    TimerSet<TimerKey> timers_;  // the query answers' timers
};

}  // namespace caplnet::stack
