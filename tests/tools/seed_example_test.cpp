// The seed example (examples/seed_multicast) run as the README shows it, and the same receiver
// on a TAP device behind a Linux bridge with snooping and a querier.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/process.hpp"

using namespace caplnet::test;
using namespace std::chrono_literals;

namespace {

/// Lines of a transcript that come after the first line containing `marker`.
std::vector<std::string> lines_after(const std::string& transcript, const std::string& marker) {
    std::vector<std::string> out;
    bool seen = false;
    std::size_t pos = 0;
    while (pos < transcript.size()) {
        const auto nl = transcript.find('\n', pos);
        const std::string line = transcript.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (seen) out.push_back(line);
        if (line.find(marker) != std::string::npos) seen = true;
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return out;
}

}  // namespace

TEST_CASE("The seed example joins, receives, leaves on key 2 and receives nothing after", "[oracle][capl][seed]") {
    TempDir dir;
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("switch")});
    REQUIRE(sw.wait_for("switch ready", 10s));
    ChildProcess rx({CAPLNET_BINARY, "node", std::string(CAPLNET_SEED_DIR) + "/receiver.toml", "--run-dir",
                     dir.path(), "--capture", dir.file("rx.pcapng"), "--program", CAPLNET_SEED_RECEIVER,
                     "--stdin-keys"});
    REQUIRE(rx.wait_for("joined 239.0.0.123 on ifIndex 1: 0", 30s));
    ChildProcess tx({CAPLNET_BINARY, "node", std::string(CAPLNET_SEED_DIR) + "/sender.toml", "--run-dir",
                     dir.path(), "--program", CAPLNET_SEED_SENDER});
    REQUIRE(tx.wait_for("IpSetMulticastInterface: 0", 30s));
    REQUIRE(rx.wait_for("received 50:", 30s));
    rx.send("2\n");
    REQUIRE(rx.wait_for("left 239.0.0.123 on ifIndex 1: 0", 10s));
    // The sender keeps sending well past the leave ...
    const auto sent_then = tx.wait_for("sent ", 10s);
    REQUIRE(sent_then);
    REQUIRE(tx.wait_for("sent ", 10s));
    REQUIRE(tx.wait_for("sent ", 10s));
    CHECK(rx.stop(SIGTERM) == 0);
    CHECK(tx.stop(SIGTERM) == 0);
    // ... and the receiver printed no datagram after the leave.
    INFO(rx.transcript());
    for (const auto& line : lines_after(rx.transcript(), "left 239.0.0.123")) {
        CHECK(line.find("received") == std::string::npos);
    }
    // Its capture: the join report, datagrams, then the Leave.
    const auto cap = dir.file("rx.pcapng");
    // IGMPv3 (the group engine's default): TO_EX{} on the join, TO_IN{} on the leave.
    const auto report = report_frames(cap, "", 4, "239.0.0.123");
    const auto leave = report_frames(cap, "", 3, "239.0.0.123");
    const auto data = tshark_fields(cap, "udp.dstport == 40001", {"frame.number"});
    REQUIRE_FALSE(report.empty());
    REQUIRE_FALSE(leave.empty());
    REQUIRE(data.size() >= 50);
    CHECK(report[0] < std::stoul(data[0][0]));
    CHECK(std::stoul(data[0][0]) < leave[0]);
    CHECK(std::stoul(data.back()[0]) < leave[0] + 1000);  // data went on; the switch floods
    CHECK(tshark_problem_count(cap) == 0);
}

TEST_CASE("A snooping bridge lists the seed receiver's group after the join and drops it after the leave",
          "[oracle][capl][tap]") {
    NetNamespace ns("caplnet-mdb-" + std::to_string(::getpid()));
    TempDir dir;
    REQUIRE(ns.run("ip link add cbr0 type bridge mcast_snooping 1 mcast_querier 1 && "
                   "ip tuntap add dev ctap0 mode tap && ip link set ctap0 master cbr0 && "
                   "ip link set dev ctap0 type bridge_slave mcast_fast_leave on && "
                   "ip addr add 192.168.1.254/24 dev cbr0 && ip link set cbr0 up && ip link set ctap0 up")
                .status == 0);
    write_file(dir.file("rx.toml"), R"(
name = "receiver"
[[adapter]]
link = "tap://ctap0"
mac = "02:00:00:00:01:01"
ipv4 = ["192.168.1.1/24"]
)");
    auto monitor_argv = ns.exec_prefix();
    monitor_argv.insert(monitor_argv.end(), {"stdbuf", "-oL", "bridge", "monitor", "mdb"});
    ChildProcess monitor(monitor_argv);
    auto argv = ns.exec_prefix();
    argv.insert(argv.end(), {CAPLNET_BINARY, "node", dir.file("rx.toml"), "--program", CAPLNET_SEED_RECEIVER,
                             "--stdin-keys"});
    ChildProcess rx(argv);
    REQUIRE(rx.wait_for("joined 239.0.0.123 on ifIndex 1: 0", 30s));
    const auto added = monitor.wait_for("grp 239.0.0.123", 20s);
    INFO(monitor.transcript());
    REQUIRE(added);
    CHECK_THAT(*added, Catch::Contains("port ctap0"));
    CHECK_THAT(ns.run("bridge mdb show").output, Catch::Contains("239.0.0.123"));
    rx.send("2\n");
    REQUIRE(rx.wait_for("left 239.0.0.123", 10s));
    const auto deleted = monitor.wait_for("Deleted", 20s);
    REQUIRE(deleted);
    CHECK_THAT(*deleted, Catch::Contains("239.0.0.123"));
    CHECK_THAT(ns.run("bridge mdb show").output, !Catch::Contains("239.0.0.123"));
    CHECK(rx.stop(SIGTERM) == 0);
}
