// GroupEngine with a fake clock and a seeded Rng, asserting on the outbox (STYLE.md).
#include <catch2/catch.hpp>

#include <map>

#include "stack/mcast/group_engine.hpp"
#include "stack/mcast/protocols.hpp"

using namespace caplnet::stack;

namespace {

IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) { return IpAddress::v4({a, b, c, d}); }
IpAddress v6_group(std::uint8_t scope, std::uint8_t last) {
    std::array<std::uint8_t, 16> a{};
    a[0] = 0xff;
    a[1] = scope;
    a[15] = last;
    return IpAddress::v6(a);
}

template <class P>
struct Fixture {
    Rng rng{7};
    GroupEngine<P> engine{rng};
    typename GroupEngine<P>::Outbox out;
    Millis now = 0;
    explicit Fixture(EngineOptions o = {}) { engine.configure(1, o); }
    /// Runs the engine to `until`, stopping at every deadline; returns what it sent, with times.
    std::vector<std::pair<Millis, Outgoing<IpAddress>>> run_until(Millis until) {
        std::vector<std::pair<Millis, Outgoing<IpAddress>>> sent;
        for (auto& o : out) sent.emplace_back(now, o);
        out.clear();
        while (auto d = engine.next_deadline()) {
            if (*d > until) break;
            now = std::max(now, *d);
            engine.poll(now, out);
            for (auto& o : out) sent.emplace_back(now, o);
            out.clear();
        }
        now = until;
        return sent;
    }
};

using Kind = Outgoing<IpAddress>::Kind;

}  // namespace

TEST_CASE("IGMPv3 join sends TO_EX and one retransmission within the unsolicited report interval", "[engine][igmp]") {
    Fixture<Igmp> f;
    f.engine.join(1, v4(239, 0, 0, 123), 0, f.out);
    const auto sent = f.run_until(5000);
    REQUIRE(sent.size() == 2);  // robustness 2: the report and robustness - 1 = 1 repeat
    for (const auto& [t, o] : sent) {
        CHECK(o.kind == Kind::Report);
        REQUIRE(o.records.size() == 1);
        CHECK(o.records[0].first == RecordType::ChangeToExclude);
        CHECK(o.records[0].second == v4(239, 0, 0, 123));
    }
    CHECK(sent[0].first == 0);
    CHECK(sent[1].first > 0);
    CHECK(sent[1].first <= 1000);
}

TEST_CASE("IGMPv3 leave sends TO_IN twice and forgets the group", "[engine][igmp]") {
    Fixture<Igmp> f;
    f.engine.join(1, v4(239, 0, 0, 123), 0, f.out);
    f.run_until(5000);
    f.engine.leave(1, v4(239, 0, 0, 123), f.now, f.out);
    const auto sent = f.run_until(10000);
    REQUIRE(sent.size() == 2);
    for (const auto& [t, o] : sent) CHECK(o.records.at(0).first == RecordType::ChangeToInclude);
    CHECK_FALSE(f.engine.joined(1, v4(239, 0, 0, 123)));
    CHECK_FALSE(f.engine.next_deadline());
}

TEST_CASE("224.0.0.1, ff02::1 and interface-local IPv6 groups are never reported", "[engine]") {
    Fixture<Igmp> f4;
    f4.engine.join(1, v4(224, 0, 0, 1), 0, f4.out);
    f4.engine.on_query(1, {3, 1000, {}}, 0, f4.out);
    CHECK(f4.run_until(20000).empty());
    Fixture<Mld> f6;
    f6.engine.join(1, v6_group(0x02, 1), 0, f6.out);   // ff02::1
    f6.engine.join(1, v6_group(0x01, 7), 0, f6.out);   // ff01::7, interface-local
    f6.engine.join(1, v6_group(0x00, 7), 0, f6.out);   // ff00::7, reserved scope
    f6.engine.on_query(1, {2, 1000, {}}, 0, f6.out);
    CHECK(f6.run_until(20000).empty());
}

TEST_CASE("A general query is answered with one current-state report within Max Resp Time", "[engine][igmp]") {
    Fixture<Igmp> f;
    f.engine.join(1, v4(239, 0, 0, 1), 0, f.out);
    f.engine.join(1, v4(239, 0, 0, 2), 0, f.out);
    f.run_until(5000);
    f.engine.on_query(1, {3, 2000, {}}, 5000, f.out);
    const auto sent = f.run_until(10000);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].first > 5000);
    CHECK(sent[0].first <= 7000);
    CHECK(sent[0].second.records.size() == 2);
    CHECK(sent[0].second.records[0].first == RecordType::ModeIsExclude);
}

TEST_CASE("An IGMPv2 query turns an auto host to v2 until the older-querier timer runs out", "[engine][igmp]") {
    EngineOptions o;
    o.query_interval = 1000;
    o.query_response_interval = 500;  // older querier timeout = 2 * 1000 + 500
    Fixture<Igmp> f(o);
    f.engine.join(1, v4(239, 0, 0, 9), 0, f.out);
    f.run_until(2000);
    f.engine.on_query(1, {2, 1000, {}}, 2000, f.out);
    CHECK(f.engine.version(1, 2000) == 2);
    const auto answer = f.run_until(3500);
    REQUIRE(answer.size() == 1);
    CHECK(answer[0].second.kind == Kind::OldReport);  // a v2 report, to the group
    f.engine.leave(1, v4(239, 0, 0, 9), 3500, f.out);
    const auto leave = f.run_until(3600);
    REQUIRE(leave.size() == 1);
    CHECK(leave[0].second.kind == Kind::OldLeave);    // last reporter: Leave to 224.0.0.2
    f.run_until(4600);
    CHECK(f.engine.version(1, 4600) == 3);            // 2000 + 2500 passed: v3 again
    f.engine.join(1, v4(239, 0, 0, 9), 4600, f.out);
    CHECK(f.run_until(4600).at(0).second.kind == Kind::Report);
}

TEST_CASE("Another host's v2 report cancels ours and then no Leave is sent", "[engine][igmp]") {
    EngineOptions o;
    o.mode = VersionMode::ForceOld;  // IGMPv2, as force_igmp_version=2
    Fixture<Igmp> f(o);
    f.engine.join(1, v4(239, 0, 0, 5), 0, f.out);
    f.run_until(20000);
    f.engine.on_query(1, {2, 10000, {}}, 20000, f.out);
    f.engine.on_report_heard(1, v4(239, 0, 0, 5), 20001);
    CHECK(f.run_until(40000).empty());
    f.engine.leave(1, v4(239, 0, 0, 5), 40000, f.out);
    CHECK(f.run_until(40000).empty());
}

TEST_CASE("MLDv1 mode sends reports to the group and Done on leave", "[engine][mld]") {
    EngineOptions o;
    o.mode = VersionMode::ForceOld;
    o.unsolicited_report_interval = 10000;
    Fixture<Mld> f(o);
    const auto g = v6_group(0x15, 0x23);
    f.engine.join(1, g, 0, f.out);
    const auto joined = f.run_until(20000);
    REQUIRE(joined.size() == 2);
    CHECK(joined[0].second.kind == Kind::OldReport);
    f.engine.leave(1, g, 20000, f.out);
    const auto left = f.run_until(20000);
    REQUIRE(left.size() == 1);
    CHECK(left[0].second.kind == Kind::OldLeave);
}

TEST_CASE("A group-specific query is answered for that group only", "[engine][mld]") {
    Fixture<Mld> f;
    f.engine.join(1, v6_group(0x15, 1), 0, f.out);
    f.engine.join(1, v6_group(0x15, 2), 0, f.out);
    f.run_until(5000);
    f.engine.on_query(1, {2, 1000, v6_group(0x15, 2)}, 5000, f.out);
    const auto sent = f.run_until(7000);
    REQUIRE(sent.size() == 1);
    REQUIRE(sent[0].second.records.size() == 1);
    CHECK(sent[0].second.records[0].second == v6_group(0x15, 2));
    CHECK(sent[0].second.records[0].first == RecordType::ModeIsExclude);
}

TEST_CASE("Query answers for 10,000 groups leave at their deadlines in time order, cancelled ones never",
          "[engine][igmp]") {
    EngineOptions o;
    o.mode = VersionMode::ForceOld;  // IGMPv2: one report timer per group, cancelled by others' reports
    o.robustness = 1;                // no retransmissions: every deadline below is a query answer
    Fixture<Igmp> f(o);
    constexpr int kGroups = 10'000;
    auto group = [](int k) {
        return v4(239, 1, static_cast<std::uint8_t>(k / 256), static_cast<std::uint8_t>(k % 256));
    };
    for (int k = 0; k < kGroups; ++k) f.engine.join(1, group(k), 0, f.out);
    CHECK(f.out.size() == kGroups);
    f.out.clear();
    CHECK_FALSE(f.engine.next_deadline());

    f.engine.on_query(1, {2, 10'000, {}}, 1000, f.out);
    for (int k = 0; k < kGroups; k += 2) f.engine.on_report_heard(1, group(k), 1000);  // cancels
    for (int k = 1; k < kGroups; k += 6) f.engine.leave(1, group(k), 1000, f.out);     // cancels too
    f.out.clear();

    std::map<IpAddress, Millis> answered;
    Millis last = 0;
    while (auto d = f.engine.next_deadline()) {
        REQUIRE(*d >= last);
        REQUIRE(*d > 1000);
        REQUIRE(*d <= 11'000);
        last = *d;
        f.engine.poll(*d, f.out);
        // A cancelled timer leaves no deadline behind: every wake-up has something to send.
        REQUIRE_FALSE(f.out.empty());
        for (const auto& m : f.out) {
            CHECK(m.kind == Kind::OldReport);
            CHECK(answered.emplace(m.group, *d).second);  // once per group
        }
        f.out.clear();
    }
    std::size_t expected = 0;
    for (int k = 0; k < kGroups; ++k) {
        const bool answers = k % 2 == 1 && k % 6 != 1;
        expected += answers ? 1 : 0;
        if (answered.contains(group(k)) != answers) FAIL("group index " << k);
    }
    CHECK(answered.size() == expected);
}

TEST_CASE("Retransmissions due together leave in one report, in the order the groups changed", "[engine][mld]") {
    Fixture<Mld> f;
    for (int k = 40; k > 0; --k) f.engine.join(1, v6_group(0x15, static_cast<std::uint8_t>(k)), 0, f.out);
    CHECK(f.out.size() == 40);  // each change is reported at once, alone
    f.out.clear();
    f.engine.poll(1000, f.out);  // the retransmission is due by now (interval 1 s)
    REQUIRE(f.out.size() == 1);
    REQUIRE(f.out[0].records.size() == 40);
    for (std::size_t k = 0; k < 40; ++k) {
        CHECK(f.out[0].records[k].first == RecordType::ChangeToExclude);
        CHECK(f.out[0].records[k].second == v6_group(0x15, static_cast<std::uint8_t>(40 - k)));
    }
    CHECK_FALSE(f.engine.next_deadline());
}

TEST_CASE("Changes spread over time share the interface's retransmission timer", "[engine][igmp]") {
    Fixture<Igmp> f;
    constexpr int kGroups = 2000;
    auto group = [](int k) {
        return v4(239, 2, static_cast<std::uint8_t>(k / 256), static_cast<std::uint8_t>(k % 256));
    };
    std::map<IpAddress, Millis> changed;
    std::map<IpAddress, std::vector<Millis>> repeats;
    std::size_t repeat_reports = 0;
    // One join per millisecond for 2 s: the immediate reports are one per join; their repeats ride
    // the shared timer, so there are about as many repeat reports as the timer fired.
    for (int k = 0; k < kGroups; ++k) {
        const Millis t = static_cast<Millis>(k);
        for (const auto& [when, o] : f.run_until(t)) {
            REQUIRE(o.kind == Kind::Report);
            ++repeat_reports;
            for (const auto& [type, g] : o.records) {
                CHECK(type == RecordType::ChangeToExclude);
                repeats[g].push_back(when);
            }
        }
        f.engine.join(1, group(k), t, f.out);
        REQUIRE(f.out.size() == 1);
        REQUIRE(f.out[0].records.size() == 1);
        changed.emplace(group(k), t);
        f.out.clear();
    }
    for (const auto& [when, o] : f.run_until(10'000)) {
        ++repeat_reports;
        for (const auto& [type, g] : o.records) repeats[g].push_back(when);
    }
    REQUIRE(repeats.size() == kGroups);
    for (const auto& [g, times] : repeats) {
        REQUIRE(times.size() == 1);  // robustness 2: one repeat
        CHECK(times[0] >= changed.at(g));
        CHECK(times[0] <= changed.at(g) + 1000);  // within the unsolicited report interval
    }
    CHECK(repeat_reports < 40);  // each draw is 1..1000 ms: ~4 over 2 s, not one per group
    CHECK_FALSE(f.engine.next_deadline());
}

TEST_CASE("A repeat carries the group's latest change, robustness times over", "[engine][igmp]") {
    EngineOptions o;
    o.robustness = 3;
    Fixture<Igmp> f(o);
    f.engine.join(1, v4(239, 0, 0, 1), 0, f.out);
    f.engine.join(1, v4(239, 0, 0, 2), 0, f.out);
    f.engine.leave(1, v4(239, 0, 0, 1), 0, f.out);  // before any repeat: TO_IN now
    const auto sent = f.run_until(10'000);
    REQUIRE(sent.size() == 3 + 2);  // three changes at once, then two repeats of the two groups
    CHECK(sent[2].second.records.at(0).first == RecordType::ChangeToInclude);
    for (std::size_t k = 3; k < sent.size(); ++k) {
        REQUIRE(sent[k].second.records.size() == 2);
        CHECK(sent[k].second.records[0] == std::pair{RecordType::ChangeToInclude, v4(239, 0, 0, 1)});
        CHECK(sent[k].second.records[1] == std::pair{RecordType::ChangeToExclude, v4(239, 0, 0, 2)});
    }
    CHECK(sent[3].first < sent[4].first);
    CHECK_FALSE(f.engine.joined(1, v4(239, 0, 0, 1)));
    CHECK(f.engine.joined(1, v4(239, 0, 0, 2)));
    CHECK_FALSE(f.engine.next_deadline());  // the left group is forgotten after its last repeat
}

TEST_CASE("IGMPv2 repeats are one report per joined group at the shared timer", "[engine][igmp]") {
    EngineOptions o;
    o.mode = VersionMode::ForceOld;
    Fixture<Igmp> f(o);
    f.engine.join(1, v4(239, 0, 0, 1), 0, f.out);
    f.engine.join(1, v4(239, 0, 0, 2), 0, f.out);
    f.engine.join(1, v4(239, 0, 0, 3), 0, f.out);
    f.engine.leave(1, v4(239, 0, 0, 3), 0, f.out);  // Leave at once, and no repeat
    const auto sent = f.run_until(20'000);
    REQUIRE(sent.size() == 4 + 2);
    CHECK(sent[3].second.kind == Kind::OldLeave);
    CHECK(sent[4].second.kind == Kind::OldReport);
    CHECK(sent[4].second.group == v4(239, 0, 0, 1));
    CHECK(sent[5].second.group == v4(239, 0, 0, 2));
    CHECK(sent[4].first == sent[5].first);
    CHECK_FALSE(f.engine.next_deadline());
}
