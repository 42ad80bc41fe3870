// `caplnet replay` into a `caplnet switch` with a receiving node on it (the test receiver,
// tests/programs/mcast_receiver.cpp): every capture of ../shared/captures is delivered as its
// README counts it.
// - linux-udp-multicast-v4.pcap: 1000/500/300 per socket in each timing mode, the recorded pace
//   to 1 ms over 2 s (the replayer's report and the node's own capture agree), filters and loops;
// - linux-udp-multicast-v6.pcap and someip-sd-like.pcap: the counts per socket in each timing mode;
// - vlan-mixed.pcap: per VLAN (untagged, 10, 20) through trunk ports in each timing mode, the
//   Q-in-Q frames counted as dropped;
// - the four join-leave captures: another host's reports and leaves are heard, counted and ignored;
// - malformed.pcap: injected to the end, every frame counted by the switch or the node.
// Top timing has no flow control between the switch and the node (as on a real LAN): there every
// datagram must be delivered or counted as a drop on the switch's queue to the node.
#include <signal.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <numeric>
#include <regex>
#include <sstream>

#include "tests/support/process.hpp"

using namespace caplnet::test;
using namespace std::chrono_literals;

namespace {

const std::string kCaptures = std::string(CAPLNET_SHARED_DIR) + "/captures/";
const std::string kUdpV4 = kCaptures + "linux-udp-multicast-v4.pcap";
const std::string kUdpV6 = kCaptures + "linux-udp-multicast-v6.pcap";
const std::string kSomeIp = kCaptures + "someip-sd-like.pcap";
const std::string kVlanMixed = kCaptures + "vlan-mixed.pcap";
const std::string kMalformed = kCaptures + "malformed.pcap";

/// Receiver sockets as its key 'n' names them: "GROUP PORT", GROUP as "G%IFINDEX" when the
/// `groups` entry named its interface.
using Sockets = std::vector<std::string>;
using Counts = std::vector<unsigned long>;

// linux-udp-multicast-v4.pcap (README of the captures, §4), in the order of `groups`.
const std::string kV4Groups = "239.0.0.123,239.0.0.124,239.0.0.123@40002";
const Sockets kV4Sockets{"239.0.0.123 40001", "239.0.0.124 40001", "239.0.0.123 40002"};
const Counts kV4PerReplay{1000, 500, 300};

// Single frames of the UDP captures, for a replay that marks "everything before has arrived":
// the link to the node keeps order, so once the receiver has counted it, the node has processed
// every frame replayed before it. Stream 1 (payload byte 4), sequence number 0 (bytes 8..11).
const std::string kFirstOfStream1V4 = "udp dst port 40001 and udp[12] = 1 and udp[16:4] = 0";  // 239.0.0.123
// libpcap's udp[] is IPv4 only; the v6 datagrams have no extension headers (UDP at 40).
const std::string kFirstOfStream1V6 = "ip6 and udp and ip6[52] = 1 and ip6[56:4] = 0";  // ff15::123

// The capture's receiving peer is 192.0.2.20 / 02:00:00:00:0a:02, whose link-local address
// fe80::ff:fe00:a02 (from the MAC) lwIP gives every interface of the node.
const std::string kUntaggedNode = R"(
name = "rx"
[[adapter]]
link = "vde://sw"
mac = "02:00:00:00:0a:02"
ipv4 = ["192.0.2.20/24"]
)";

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A number field of the replayer's JSON report, or NaN.
double json_number(const std::string& json, const std::string& key) {
    const std::regex re("\"" + key + "\": (-?[0-9.]+)");
    std::smatch m;
    return std::regex_search(json, m, re) ? std::stod(m[1]) : std::nan("");
}

/// The receiver's per-socket counts (key 'n').
Counts counts(ChildProcess& rx, const Sockets& sockets) {
    Counts out(sockets.size());
    rx.send("n");
    for (std::size_t i = 0; i < sockets.size(); ++i) {
        const auto line = rx.wait_for("count " + sockets[i] + " ", 5s);
        if (!line) {
            FAIL_CHECK("the receiver gave no counts; its output:\n" << rx.transcript());
            return out;
        }
        out[i] = std::stoul(line->substr(line->rfind(' ') + 1));
    }
    return out;
}

/// Waits until the receiver's counts equal `want` (frames may still be in flight when the
/// replayer exits; the node announces no event for them); returns the last counts seen.
Counts wait_counts(ChildProcess& rx, const Sockets& sockets, const Counts& want) {
    Counts got(sockets.size());
    if (rx.wait(0ms)) return got;  // it has exited: nothing to ask
    eventually([&] { return (got = counts(rx, sockets)) == want; }, 5s);
    return got;
}

/// What each socket received per stream (key 's': payload byte 4 of the README's "CPLN"
/// payloads, "other" for any other payload).
std::vector<std::map<std::string, unsigned long>> streams(ChildProcess& rx, const Sockets& sockets) {
    std::vector<std::map<std::string, unsigned long>> out(sockets.size());
    rx.send("s");
    for (std::size_t i = 0; i < sockets.size(); ++i) {
        const std::string head = "streams " + sockets[i];
        const auto line = rx.wait_for(head, 5s);
        if (!line) {
            FAIL_CHECK("the receiver gave no streams; its output:\n" << rx.transcript());
            return out;
        }
        std::istringstream rest(line->substr(line->find(head) + head.size()));
        for (std::string item; rest >> item;) {
            const auto colon = item.find(':');
            out[i][item.substr(0, colon)] = std::stoul(item.substr(colon + 1));
        }
    }
    return out;
}

/// The counters `caplnet node` prints at exit for its (only) adapter.
struct NodeReport {
    bool found = false;
    unsigned long rx = 0, to_stack = 0, to_group_engine = 0, dropped = 0;
    unsigned long queue_drops = 0;  // over the sockets: datagrams a full receive queue turned away
    std::map<std::string, unsigned long> drops;  // reason -> frames

    unsigned long drop(const std::string& reason) const {
        const auto it = drops.find(reason);
        return it == drops.end() ? 0 : it->second;
    }
};

NodeReport node_report(const std::string& transcript) {
    static const std::regex summary(R"(: rx (\d+) \(to stack (\d+), to group engine (\d+), dropped (\d+)\))");
    static const std::regex drop(R"(^\s+rx drop (\S+)\s+(\d+)$)");
    static const std::regex socket(R"(^socket \S+: .*\(queue drops (\d+)\)$)");
    NodeReport r;
    std::istringstream in(transcript);
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (std::regex_search(line, m, summary)) {
            r.found = true;
            r.rx = std::stoul(m[1]);
            r.to_stack = std::stoul(m[2]);
            r.to_group_engine = std::stoul(m[3]);
            r.dropped = std::stoul(m[4]);
        } else if (std::regex_search(line, m, drop)) {
            r.drops[m[1]] = std::stoul(m[2]);
        } else if (std::regex_search(line, m, socket)) {
            r.queue_drops += std::stoul(m[1]);
        }
    }
    return r;
}

/// One column ("q-full", "runt", ...) of the port table `caplnet switch` prints at exit, summed
/// over the ports whose description is `who` (a port reused by several replays has a row each).
unsigned long switch_column(const std::string& transcript, const std::string& column, const std::string& who) {
    std::istringstream in(transcript);
    std::vector<std::string> header;
    unsigned long sum = 0;
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::vector<std::string> w{std::istream_iterator<std::string>(words), {}};
        if (w.size() > 2 && w[0] == "port" && w[1] == "state") {
            header = w;
            continue;
        }
        if (header.empty() || line.find("'" + who + "'") == std::string::npos) continue;
        const auto col = std::find(header.begin(), header.end(), column);
        REQUIRE(col != header.end());
        sum += std::stoul(w.at(static_cast<std::size_t>(col - header.begin())));
    }
    return sum;
}

unsigned long total(const Counts& c) { return std::accumulate(c.begin(), c.end(), 0UL); }

struct Replay {
    int status;
    std::string output;
    std::string json;
};

Replay replay(const TempDir& dir, const std::string& into, const std::string& capture, std::vector<std::string> extra) {
    static int n = 0;
    const std::string json = dir.file("replay" + std::to_string(++n) + ".json");
    std::vector<std::string> argv{CAPLNET_BINARY, "replay", capture, "--into", into, "--json", json};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ChildProcess p(argv);
    const auto status = p.wait(60s);
    return {status.value_or(-1), p.transcript(), read_text(json)};
}

Replay replay(const TempDir& dir, const std::string& capture, std::vector<std::string> extra) {
    return replay(dir, "vde://" + dir.file("sw"), capture, std::move(extra));
}

/// A `caplnet switch` in a fresh directory and one receiving node on it: `node_toml` (its link
/// relative to the directory) running the test receiver joined to `groups`.
class Bed {
public:
    /// `scheme`: how the replays join the switch ("vde" or "ring").
    Bed(const std::string& node_toml, const std::string& groups, const std::vector<std::string>& switch_args = {},
        const std::string& replay_port = "", const std::string& scheme = "vde") {
        ::signal(SIGPIPE, SIG_IGN);  // a receiver that died must fail checks, not kill the test
        std::vector<std::string> argv{CAPLNET_BINARY, "switch", dir.file("sw")};
        argv.insert(argv.end(), switch_args.begin(), switch_args.end());
        sw = std::make_unique<ChildProcess>(argv);
        REQUIRE(sw->wait_for("switch ready", 10s));
        write_file(dir.file("rx.toml"), node_toml);
        rx = std::make_unique<ChildProcess>(std::vector<std::string>{
            CAPLNET_BINARY, "node", dir.file("rx.toml"), "--run-dir", dir.path(), "--program",
            CAPLNET_TEST_RECEIVER, "--param", "groups=" + groups, "--stdin-keys"});
        REQUIRE(rx->wait_for("started", 30s));
        into = scheme + "://" + dir.file("sw") + replay_port;
    }

    Replay replay(const std::string& capture, std::vector<std::string> extra) {
        return ::replay(dir, into, capture, std::move(extra));
    }
    /// Stops the node (it must exit cleanly) and returns its exit report.
    NodeReport stop_node() {
        CHECK(rx->stop(SIGTERM) == 0);
        const NodeReport r = node_report(rx->transcript());
        CHECK(r.found);
        return r;
    }
    /// Stops the switch (it must exit cleanly) and returns its output (the port table).
    std::string stop_switch() {
        CHECK(sw->stop(SIGTERM) == 0);
        return sw->transcript();
    }

    TempDir dir;
    std::unique_ptr<ChildProcess> sw;
    std::unique_ptr<ChildProcess> rx;
    std::string into;  // where replays go
};

/// Replays a capture of multicast UDP (`frames` frames) in recorded, top and --speed 4 timing;
/// after each replay every socket must have `per_replay` more. In top timing a shortfall is
/// allowed if counted (see the file comment): returns the datagrams top timing did not deliver,
/// for the caller to hold against the switch's q-full towards the node.
unsigned long replay_in_every_timing(Bed& bed, const std::string& capture, double frames, const Sockets& sockets,
                                     const Counts& per_replay) {
    Counts want(sockets.size());
    auto add_replay = [&] {
        for (std::size_t i = 0; i < want.size(); ++i) want[i] += per_replay[i];
    };

    // Recorded timing (the default): every datagram, no frame before its offset.
    const auto recorded = bed.replay(capture, {});
    INFO(recorded.output);
    REQUIRE(recorded.status == 0);
    CHECK(json_number(recorded.json, "frames_read") == frames);
    CHECK(json_number(recorded.json, "injected") == frames);
    CHECK(json_number(recorded.json, "elapsed_us") >= json_number(recorded.json, "capture_span_us"));
    add_replay();
    CHECK(wait_counts(*bed.rx, sockets, want) == want);

    // Top speed.
    const auto top = bed.replay(capture, {"--timing", "top"});
    INFO(top.output);
    REQUIRE(top.status == 0);
    CHECK(json_number(top.json, "injected") == frames);
    add_replay();
    unsigned long missing = 0;
    {
        const Counts got = wait_counts(*bed.rx, sockets, want);
        for (std::size_t i = 0; i < want.size(); ++i) {
            CHECK(got[i] <= want[i]);
            CHECK(got[i] > want[i] - per_replay[i]);  // it did receive the burst
        }
        if (got != want) {
            missing = total(want) - total(got);
            WARN("top timing: " << missing << " datagrams of " << total(per_replay) << " not delivered");
        }
        want = got;
    }

    // Four times as fast.
    const auto fast = bed.replay(capture, {"--speed", "4"});
    INFO(fast.output);
    REQUIRE(fast.status == 0);
    CHECK(json_number(fast.json, "injected") == frames);
    CHECK(json_number(fast.json, "elapsed_us") >= json_number(fast.json, "capture_span_us") / 4);
    CHECK(json_number(fast.json, "elapsed_us") < 0.3 * json_number(fast.json, "capture_span_us"));
    add_replay();
    CHECK(wait_counts(*bed.rx, sockets, want) == want);
    return missing;
}

/// How late the end of `count` frames arrived against its recorded offsets. The clocks are aligned
/// on the frame that arrived least late, not on the first one: the receiver is idle before the
/// first frame, and its wake-up then says nothing about the replayer's pace. The end is the least
/// late of the last 8 frames (the last few ms of the capture): a replayer that lost its pace is
/// late on all of them, while one frame's arrival alone also carries the receiving node's
/// scheduling on a loaded machine (measured 1.6 ms once under a parallel ctest).
double last_frame_lateness(const std::vector<std::vector<std::string>>& recorded,
                           const std::vector<std::vector<std::string>>& received, std::size_t count) {
    const double t0 = std::stod(recorded.at(0).at(0));
    auto lateness = [&](std::size_t i) {
        return std::stod(received.at(i).at(0)) - (std::stod(recorded.at(i).at(0)) - t0);
    };
    double base = 1e300;
    for (std::size_t i = 0; i < count; ++i) base = std::min(base, lateness(i));
    double end = 1e300;
    for (std::size_t i = count - std::min<std::size_t>(count, 8); i < count; ++i) end = std::min(end, lateness(i));
    return end - base;
}

}  // namespace

TEST_CASE("caplnet replay delivers every datagram in recorded, top and --speed timing, on time",
          "[replay][switch][node][paced]") {
    ::signal(SIGPIPE, SIG_IGN);  // a receiver that died must fail checks, not kill the test
    TempDir dir;
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("sw")});
    REQUIRE(sw.wait_for("switch ready", 10s));
    write_file(dir.file("rx.toml"), kUntaggedNode);
    ChildProcess rx({CAPLNET_BINARY, "node", dir.file("rx.toml"), "--run-dir", dir.path(), "--capture",
                     dir.file("rx.pcapng"), "--program", CAPLNET_TEST_RECEIVER, "--param", "groups=" + kV4Groups,
                     "--stdin-keys"});
    REQUIRE(rx.wait_for("started", 30s));
    INFO(rx.transcript());

    Counts want(kV4Sockets.size());
    auto add_replay = [&] {
        for (std::size_t i = 0; i < want.size(); ++i) want[i] += kV4PerReplay[i];
    };

    // 1. Recorded timing (the default): every datagram, the last frame within 1 ms of its offset.
    const auto recorded = replay(dir, kUdpV4, {});
    INFO(recorded.output);
    REQUIRE(recorded.status == 0);
    CHECK_THAT(recorded.output, Catch::Contains("frames read: 1850"));
    CHECK_THAT(recorded.output, Catch::Contains("injected: 1850"));
    CHECK_THAT(recorded.output, Catch::Contains("after its recorded offset"));
    CHECK(json_number(recorded.json, "injected") == 1850);
    const double lateness_us = json_number(recorded.json, "last_frame_lateness_us");
    CHECK(lateness_us >= 0);
    CHECK(lateness_us < 1000);
    CHECK(std::abs(json_number(recorded.json, "elapsed_us") - json_number(recorded.json, "capture_span_us")) < 1000);
    add_replay();
    CHECK(wait_counts(rx, kV4Sockets, want) == want);

    // 2. Top speed: the replayer loses nothing although the switch's queue fills (it waits for
    // POLLOUT). Downstream the switch may find the node's queue full (q-full): what the node
    // does not count must be counted there (checked at the end).
    const auto top = replay(dir, kUdpV4, {"--timing", "top"});
    INFO(top.output);
    REQUIRE(top.status == 0);
    CHECK(json_number(top.json, "frames_read") == 1850);
    CHECK(json_number(top.json, "injected") == 1850);
    CHECK(top.output.find("after its recorded offset") == std::string::npos);
    add_replay();
    unsigned long top_missing = 0;
    {
        const Counts got = wait_counts(rx, kV4Sockets, want);
        for (std::size_t i = 0; i < want.size(); ++i) {
            CHECK(got[i] <= want[i]);
            CHECK(got[i] > want[i] - kV4PerReplay[i]);  // it did receive the burst
        }
        if (got != want) {
            top_missing = total(want) - total(got);
            WARN("top timing: the node counted " << got[0] << "/" << got[1] << "/" << got[2] << " of "
                                                 << want[0] << "/" << want[1] << "/" << want[2]);
        }
        want = got;
    }

    // 3. Four times as fast: 0.5 s.
    const auto fast = replay(dir, kUdpV4, {"--speed", "4"});
    INFO(fast.output);
    REQUIRE(fast.status == 0);
    CHECK(json_number(fast.json, "injected") == 1850);
    CHECK(json_number(fast.json, "elapsed_us") < 0.3 * json_number(fast.json, "capture_span_us"));
    CHECK(json_number(fast.json, "last_frame_lateness_us") < 1000);
    add_replay();
    CHECK(wait_counts(rx, kV4Sockets, want) == want);

    // 4. A BPF filter and two loops: only stream 3 (port 40002), twice.
    const auto filtered = replay(dir, kUdpV4, {"--timing", "top", "--loop", "2", "--filter", "udp dst port 40002"});
    INFO(filtered.output);
    REQUIRE(filtered.status == 0);
    CHECK(json_number(filtered.json, "frames_read") == 3700);
    CHECK(json_number(filtered.json, "filtered_out") == 3100);
    CHECK(json_number(filtered.json, "injected") == 600);
    CHECK(json_number(filtered.json, "loops_completed") == 2);
    want[2] += 600;
    CHECK(wait_counts(rx, kV4Sockets, want) == want);

    // 5. Tagged onto a VLAN the node has no subinterface for: its driver drops them all.
    const auto tagged = replay(dir, kUdpV4, {"--timing", "top", "--vlan-add", "10:3"});
    INFO(tagged.output);
    REQUIRE(tagged.status == 0);
    CHECK(json_number(tagged.json, "injected") == 1850);

    CHECK(wait_counts(rx, kV4Sockets, want) == want);  // step 5 reached no socket
    CHECK(rx.stop(SIGTERM) == 0);
    const NodeReport node = node_report(rx.transcript());
    CHECK(node.found);
    CHECK(node.rx == node.to_stack + node.to_group_engine + node.dropped);
    CHECK(node.drop("unknown-vlan") > 0);  // step 5
    CHECK(node.drops.size() == 1);

    // 6. malformed.pcap (the receiving node takes it in its own case below): injected to
    // the end as the frames are, every frame in the report.
    const auto bad = replay(dir, kMalformed, {"--timing", "top"});
    INFO(bad.output);
    REQUIRE(bad.status == 0);
    CHECK(json_number(bad.json, "frames_read") == 50);
    CHECK(json_number(bad.json, "injected") == 50);
    CHECK(json_number(bad.json, "malformed_injected") >= 40);
    CHECK(json_number(bad.json, "snapped_injected") == 1);  // frame 49
    CHECK_THAT(bad.json, Catch::Contains("\"dropped\": {\"oversized\": 0, \"unreadable\": 0}"));
    CHECK_THAT(bad.output, Catch::Contains("malformed (injected): "));
    CHECK(sw.stop(SIGTERM) == 0);
    // What top timing (steps 2 and 5) did not deliver, the switch (its queue to the node was
    // full) or the node's sockets (their receive queues were full) counted.
    INFO("the node's exit counters:\n" << rx.transcript() << "\nthe switch's:\n" << sw.transcript());
    CHECK(switch_column(sw.transcript(), "q-full", "rx/eth0") + node.queue_drops >= top_missing);

    // The node's capture confirms the recorded pace: the end of the first replay's 1800
    // multicast datagrams arrives within 1 ms of its recorded offsets.
    const std::string datagrams = "ip.src == 192.0.2.10 && udp.srcport == 50000 && ip.dst == 239.0.0.0/8";
    const auto original = tshark_fields(kUdpV4, datagrams, {"frame.time_epoch"});
    const auto received = tshark_fields(dir.file("rx.pcapng"), datagrams, {"frame.time_epoch"});
    REQUIRE(original.size() == 1800);
    REQUIRE(received.size() >= 1800);
    const double late = last_frame_lateness(original, received, 1800);
    INFO("the last datagram arrived " << late * 1e3 << " ms after its recorded offset");
    CHECK(late >= 0);
    CHECK(late < 1e-3);
}

TEST_CASE("caplnet replay --into ring:// delivers every datagram to a node on ring://", "[replay][switch][node][ring]") {
    std::string toml = kUntaggedNode;
    toml.replace(toml.find("vde://sw"), 8, "ring://sw");
    Bed bed(toml, kV4Groups, {}, "", "ring");
    const double frames = 1850;  // 1,800 datagrams, 50 ARP/ICMP/unicast frames (README §4)
    const unsigned long missing = replay_in_every_timing(bed, kUdpV4, frames, kV4Sockets, kV4PerReplay);
    const NodeReport node = bed.stop_node();
    CHECK(node.rx == node.to_stack + node.to_group_engine + node.dropped);
    const std::string sw = bed.stop_switch();
    INFO(sw);
    // Both ends were rings: the node and every replay joined the switch through DIR/ring.
    CHECK(sw.find("joined over a ring: 'rx/eth0'") != std::string::npos);
    CHECK(sw.find("joined over a ring: 'caplnet replay'") != std::string::npos);
    // What top timing did not deliver was counted: by the switch towards the node, or the node.
    CHECK(switch_column(sw, "q-full", "rx/eth0") + node.dropped + node.queue_drops >= missing);
}

TEST_CASE("caplnet replay delivers linux-udp-multicast-v6.pcap per group in every timing", "[replay][switch][node]") {
    // README §5: 1000 to [ff15::123]:40001, 500 to [ff15::124]:40001 (MACs 33:33:00:00:01:23 and
    // 33:33:00:00:01:24, which the node's MAC filter takes once its sockets joined), from the
    // link-local fe80::ff:fe00:a01.
    Bed bed(kUntaggedNode, "ff15::123,ff15::124");
    INFO(bed.rx->transcript());
    const Sockets sockets{"ff15::123 40001", "ff15::124 40001"};
    const unsigned long missing = replay_in_every_timing(bed, kUdpV6, 1550, sockets, {1000, 500});
    const auto per_stream = streams(*bed.rx, sockets);
    const Counts got = counts(*bed.rx, sockets);
    CHECK(per_stream[0] == std::map<std::string, unsigned long>{{"1", got[0]}});
    CHECK(per_stream[1] == std::map<std::string, unsigned long>{{"2", got[1]}});
    const NodeReport node = bed.stop_node();
    CHECK(node.rx == node.to_stack + node.to_group_engine + node.dropped);
    CHECK(node.dropped == 0);
    CHECK(switch_column(bed.stop_switch(), "q-full", "rx/eth0") + node.queue_drops >= missing);
}

TEST_CASE("caplnet replay delivers someip-sd-like.pcap in every timing", "[replay][switch][node]") {
    // README §6: 200 SOME/IP-SD datagrams 192.0.2.10:30490 -> 224.224.224.245:30490, nothing else.
    Bed bed(kUntaggedNode, "224.224.224.245@30490");
    INFO(bed.rx->transcript());
    const Sockets sockets{"224.224.224.245 30490"};
    const unsigned long missing = replay_in_every_timing(bed, kSomeIp, 200, sockets, {200});
    const NodeReport node = bed.stop_node();
    CHECK(node.dropped == 0);
    CHECK(node.to_group_engine == 0);
    const std::string sw = bed.stop_switch();
    const unsigned long q_full = switch_column(sw, "q-full", "rx/eth0");
    CHECK(q_full + node.queue_drops >= missing);
    // Every frame of the three replays reached the node or was counted on the way.
    CHECK(node.rx + q_full == 3 * 200);
    CHECK(node.to_stack == node.rx);
}

TEST_CASE("caplnet replay delivers vlan-mixed.pcap per VLAN through trunk ports and counts the Q-in-Q frames",
          "[replay][switch][node][vlan]") {
    // README §7: 1000 datagrams to 239.0.0.123:40001, 200 untagged, 400 on VLAN 10, 300 on VLAN
    // 20 and 100 in an 802.1ad S-tag (VID 100) around a C-tag (VID 10); 4 IGMPv2 reports
    // (239.0.0.123 twice, 239.1.2.3 twice) and 2 leaves (to 224.0.0.2) on VLAN 10.
    // The node: untagged ifIndex 1, VLAN 10 ifIndex 2, VLAN 20 ifIndex 3, one socket on each.
    const std::string node_toml = R"(
name = "rx"
[[adapter]]
link = "vde://sw[1]"
mac = "02:00:00:00:0a:02"
ipv4 = ["192.0.2.20/24"]
  [[adapter.vlan]]
  id = 10
  ipv4 = ["192.0.10.20/24"]
  [[adapter.vlan]]
  id = 20
  ipv4 = ["192.0.20.20/24"]
)";
    // Both ports trunks of VLANs 10 and 20 plus the untagged LAN. The switch knows only 802.1Q
    // tags: an 802.1ad frame is an untagged frame of an unknown EtherType to it, switched on the
    // untagged LAN; the node's driver (netif/wire/frame_check) drops it as stacked-vlan-tag
    // (docs/decisions.md: Q-in-Q is not supported, so never delivered on VLAN 10).
    Bed bed(node_toml, "239.0.0.123%1,239.0.0.123%2,239.0.0.123%3",
            {"--port", "1:trunk=10,20", "--port", "2:trunk=10,20"}, "[2]");
    INFO(bed.rx->transcript());
    const Sockets sockets{"239.0.0.123%1 40001", "239.0.0.123%2 40001", "239.0.0.123%3 40001"};
    const unsigned long missing = replay_in_every_timing(bed, kVlanMixed, 1006, sockets, {200, 400, 300});

    // Each socket has its VLAN's stream (payload byte 4: 1 = VLAN 10, 2 = VLAN 20, 3 = untagged,
    // 4 = Q-in-Q), nothing else.
    const auto per_stream = streams(*bed.rx, sockets);
    const Counts got = counts(*bed.rx, sockets);
    CHECK(per_stream[0] == std::map<std::string, unsigned long>{{"3", got[0]}});
    CHECK(per_stream[1] == std::map<std::string, unsigned long>{{"1", got[1]}});
    CHECK(per_stream[2] == std::map<std::string, unsigned long>{{"2", got[2]}});

    const NodeReport node = bed.stop_node();
    const std::string sw = bed.stop_switch();
    INFO(sw);
    const unsigned long q_full = switch_column(sw, "q-full", "rx/eth0");
    CHECK(q_full + node.queue_drops >= missing);
    CHECK(switch_column(sw, "rx", "caplnet replay") == 3 * 1006);
    CHECK(switch_column(sw, "vlan", "caplnet replay") == 0);  // 10 and 20 are allowed
    // Every frame of the three replays reached the node or was counted on the way, and the
    // node put each into one of its counters.
    CHECK(node.rx + q_full == 3 * 1006);
    CHECK(node.rx == node.to_stack + node.to_group_engine + node.dropped);
    // Per replay: 900 datagrams to the stack; 2 reports for 239.0.0.123 (joined on VLAN 10) to
    // the group engine; dropped: the 100 Q-in-Q frames, and the reports for 239.1.2.3 and the
    // leaves to 224.0.0.2 (groups a host does not listen to). Exact unless top timing lost some.
    CHECK(node.to_stack <= 3 * 900);
    CHECK(node.to_stack + q_full >= 3 * 900);
    CHECK(node.to_group_engine <= 3 * 2);
    CHECK(node.drop("stacked-vlan-tag") <= 3 * 100);
    CHECK(node.drop("stacked-vlan-tag") + q_full >= 3 * 100);
    CHECK(node.drop("multicast-not-joined") <= 3 * 4);
    CHECK(node.drops.size() == 2);
    if (q_full == 0) {
        CHECK(node.to_stack == 3 * 900);
        CHECK(node.to_group_engine == 3 * 2);
        CHECK(node.drop("stacked-vlan-tag") == 3 * 100);
        CHECK(node.drop("multicast-not-joined") == 3 * 4);
    }
}

namespace {

/// Another host's IGMP/MLD (a join-leave capture, top timing) reaches a node whose sockets are
/// joined to the same groups: the reports to a group the node is in go to its group engine, the
/// rest (to 224.0.0.22 / ff02::16 / all-routers, which a host does not listen to) the MAC filter
/// drops; the node keeps its memberships (a datagram to the first group is still delivered
/// after the leaves) and keeps running.
void heard_and_ignored(const std::string& capture, unsigned long frames, const std::string& groups,
                       const Sockets& sockets, const std::string& udp_capture, const std::string& first_datagram,
                       unsigned long to_group_engine, unsigned long not_joined) {
    Bed bed(kUntaggedNode, groups);
    INFO(bed.rx->transcript());
    const auto heard = bed.replay(kCaptures + capture, {"--timing", "top"});
    INFO(heard.output);
    REQUIRE(heard.status == 0);
    CHECK(json_number(heard.json, "injected") == frames);
    CHECK(json_number(heard.json, "malformed_injected") == 0);
    // One datagram after them to the group they left: it arrives, so the node has processed
    // the capture and still holds the group.
    const auto after = bed.replay(udp_capture, {"--timing", "top", "--filter", first_datagram});
    INFO(after.output);
    REQUIRE(after.status == 0);
    REQUIRE(json_number(after.json, "injected") == 1);
    Counts want(sockets.size());
    want[0] = 1;
    CHECK(wait_counts(*bed.rx, sockets, want) == want);

    const NodeReport node = bed.stop_node();
    CHECK(node.rx == frames + 1);
    CHECK(node.to_stack == 1);
    CHECK(node.to_group_engine == to_group_engine);
    CHECK(node.dropped == not_joined);
    CHECK(node.drops == std::map<std::string, unsigned long>{{"multicast-not-joined", not_joined}});
    const std::string sw = bed.stop_switch();
    CHECK(switch_column(sw, "q-full", "rx/eth0") == 0);
}

}  // namespace

TEST_CASE("caplnet replay: a node hears linux-igmpv2-join-leave.pcap and ignores it", "[replay][node][igmp]") {
    // README §1: v2 reports for 239.0.0.123 and 239.1.2.3 (twice each, to the group), then
    // leaves to 224.0.0.2.
    heard_and_ignored("linux-igmpv2-join-leave.pcap", 6, "239.0.0.123,239.1.2.3",
                      {"239.0.0.123 40001", "239.1.2.3 40001"}, kUdpV4, kFirstOfStream1V4, 4, 2);
}

TEST_CASE("caplnet replay: a node hears linux-igmpv3-join-leave.pcap and ignores it", "[replay][node][igmp]") {
    // README §2: 8 IGMPv3 reports, all to 224.0.0.22.
    heard_and_ignored("linux-igmpv3-join-leave.pcap", 8, "239.0.0.123,239.1.2.3",
                      {"239.0.0.123 40001", "239.1.2.3 40001"}, kUdpV4, kFirstOfStream1V4, 0, 8);
}

TEST_CASE("caplnet replay: a node hears linux-mldv1-join-leave.pcap and ignores it", "[replay][node][mld]") {
    // README §3: MLDv1 reports for ff15::123 and ff14::4:0 (twice each, to the group), then
    // dones to ff02::2.
    heard_and_ignored("linux-mldv1-join-leave.pcap", 6, "ff15::123,ff14::4:0",
                      {"ff15::123 40001", "ff14::4:0 40001"}, kUdpV6, kFirstOfStream1V6, 4, 2);
}

TEST_CASE("caplnet replay: a node hears linux-mldv2-join-leave.pcap and ignores it", "[replay][node][mld]") {
    // README §3: 8 MLDv2 reports, all to ff02::16.
    heard_and_ignored("linux-mldv2-join-leave.pcap", 8, "ff15::123,ff14::4:0",
                      {"ff15::123 40001", "ff14::4:0 40001"}, kUdpV6, kFirstOfStream1V6, 0, 8);
}

TEST_CASE("caplnet replay refuses a bad filter, a bad VLAN edit and an unreachable link", "[replay]") {
    TempDir dir;
    auto run = [&](std::vector<std::string> extra, const std::string& into) {
        std::vector<std::string> argv{CAPLNET_BINARY, "replay", kUdpV4, "--into", into};
        argv.insert(argv.end(), extra.begin(), extra.end());
        ChildProcess p(argv);
        const auto status = p.wait(10s);
        return std::make_pair(status.value_or(-1), p.transcript());
    };
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("sw")});
    REQUIRE(sw.wait_for("switch ready", 10s));
    const std::string into = "vde://" + dir.file("sw");
    auto [s1, out1] = run({"--filter", "udp dst port"}, into);
    CHECK(s1 == 1);
    CHECK_THAT(out1, Catch::Contains("bad filter"));
    auto [s2, out2] = run({"--vlan-add", "4095"}, into);
    CHECK(s2 == 2);
    CHECK_THAT(out2, Catch::Contains("--vlan-add"));
    auto [s3, out3] = run({"--vlan-map", "10"}, into);
    CHECK(s3 == 2);
    auto [s4, out4] = run({}, "vde://" + dir.file("nowhere"));
    CHECK(s4 == 2);
    CHECK_THAT(out4, Catch::Contains("error:"));
    CHECK(sw.stop(SIGTERM) == 0);
}

// Found with `caplnet replay`: a node whose socket is joined to 239.0.0.123 overran the heap on
// malformed.pcap's 1042-byte fragment (the driver's pool pbufs were too small; it now allocates
// PBUF_RAM). The node must take the whole set, count every frame, then still deliver every good
// datagram.
TEST_CASE("caplnet replay: a receiving node survives malformed.pcap", "[replay][node]") {
    Bed bed(kUntaggedNode, kV4Groups);
    INFO(bed.rx->transcript());
    const auto bad = bed.replay(kMalformed, {"--timing", "top"});
    INFO(bad.output);
    REQUIRE(bad.status == 0);
    CHECK(json_number(bad.json, "frames_read") == 50);
    CHECK(json_number(bad.json, "injected") == 50);
    // One good datagram after them (239.0.0.123:40001): once it is counted, the node has
    // processed all 50 (the link keeps order), and none of them reached a socket.
    const auto one = bed.replay(kUdpV4, {"--timing", "top", "--filter", kFirstOfStream1V4});
    REQUIRE(one.status == 0);
    REQUIRE(json_number(one.json, "injected") == 1);
    CHECK(wait_counts(*bed.rx, kV4Sockets, {1, 0, 0}) == Counts{1, 0, 0});
    const auto good = bed.replay(kUdpV4, {"--speed", "4"});
    REQUIRE(good.status == 0);
    CHECK(wait_counts(*bed.rx, kV4Sockets, {1001, 500, 300}) == Counts{1001, 500, 300});

    // Every one of the 50 frames is counted, by the switch or by the node (README §8 table):
    // the switch drops the runts #1, #2, #3 and #7 (a tag without its EtherType) and #12 (VID
    // 4095); the node's driver drops 43 with their reason (as netif/wire's frame_check_test
    // lists them) and hands the lone fragments #24 and #25 to lwIP, whose reassembly discards them.
    const NodeReport node = bed.stop_node();
    CHECK(node.rx == node.to_stack + node.to_group_engine + node.dropped);
    CHECK(node.to_group_engine == 0);
    const std::map<std::string, unsigned long> expected_drops{
        {"bad-icmpv6-checksum", 1},       // 46
        {"bad-igmp-checksum", 2},         // 33, 34
        {"bad-igmp-group", 1},            // 39
        {"bad-ipv4-checksum", 1},         // 21
        {"bad-ipv4-header-length", 2},    // 15, 16
        {"bad-ipv4-options", 3},          // 17, 22, 23
        {"bad-ipv4-source", 1},           // 26
        {"bad-ipv4-total-length", 1},     // 19
        {"bad-ipv4-version", 1},          // 14
        {"bad-ipv6-extension-header", 2}, // 43, 44
        {"bad-udp-checksum", 1},          // 32
        {"bad-udp-length", 3},            // 29, 30, 31
        {"llc-frame", 1},                 // 6
        {"multicast-mac-mismatch", 1},    // 27
        {"oversized", 1},                 // 48
        {"stacked-vlan-tag", 3},          // 9, 10, 11
        {"truncated-arp", 1},             // 50
        {"truncated-igmp", 5},            // 35, 36, 37, 38, 40
        {"truncated-ipv4", 6},            // 4, 5, 8, 13, 18, 49
        {"truncated-ipv6", 2},            // 41, 42
        {"truncated-mld", 1},             // 45
        {"truncated-udp", 2},             // 20, 28
        {"zero-udp-checksum-ipv6", 1},    // 47
    };
    CHECK(node.drops == expected_drops);
    CHECK(node.dropped == 43);
    const std::string sw = bed.stop_switch();
    INFO(sw);
    CHECK(switch_column(sw, "runt", "caplnet replay") == 4);
    CHECK(switch_column(sw, "malf", "caplnet replay") == 1);
    CHECK(switch_column(sw, "q-full", "rx/eth0") == 0);
}
