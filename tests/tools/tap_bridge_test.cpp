// A node on a TAP device next to real Linux: the kernel pings it, and a bridge with multicast
// snooping learns its MLD solicited-node group. All of it inside a namespace made here.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/process.hpp"

using namespace caplnet::test;
using namespace std::chrono_literals;

TEST_CASE("A node on a TAP answers the kernel's ping and a snooping bridge lists its group",
          "[oracle][tap]") {
    const std::string ns_name = "caplnet-tap-" + std::to_string(::getpid());
    NetNamespace ns(ns_name);
    TempDir dir;
    REQUIRE(ns.run("ip link add cbr0 type bridge mcast_snooping 1 mcast_querier 1 && "
                   "ip tuntap add dev ctap0 mode tap && ip link set ctap0 master cbr0 && "
                   "ip addr add 10.1.0.1/24 dev cbr0 && ip link set cbr0 up && ip link set ctap0 up")
                .status == 0);
    write_file(dir.file("node.toml"), R"(
name = "tapnode"
[[adapter]]
link = "tap://ctap0"
mac = "02:00:00:00:01:02"
ipv4 = ["10.1.0.2/24"]
)");
    // Watch the bridge's group table before the node starts, so its first report is not missed.
    auto monitor_argv = ns.exec_prefix();
    // stdbuf: bridge writes through stdio, which buffers a pipe until exit.
    monitor_argv.insert(monitor_argv.end(), {"stdbuf", "-oL", "bridge", "monitor", "mdb"});
    ChildProcess monitor(monitor_argv);

    auto node_argv = ns.exec_prefix();
    node_argv.insert(node_argv.end(), {CAPLNET_BINARY, "node", dir.file("node.toml"), "--capture",
                                       dir.file("tap.pcapng")});
    ChildProcess node(node_argv);
    REQUIRE(node.wait_for("ready", 30s));

    const auto ping = ns.run("ping -c 3 -W 2 10.1.0.2");
    INFO(ping.output);
    CHECK(ping.status == 0);
    CHECK_THAT(ping.output, Catch::Contains("3 received"));

    // fe80::ff:fe00:102 from the MAC; its solicited-node group is ff02::1:ff00:102.
    const auto learned = monitor.wait_for("ff02::1:ff00:102", 20s);
    INFO(monitor.transcript());
    REQUIRE(learned);
    CHECK_THAT(*learned, Catch::Contains("port ctap0"));
    CHECK_THAT(ns.run("bridge mdb show").output, Catch::Contains("ff02::1:ff00:102"));

    CHECK(node.stop(SIGTERM) == 0);
    INFO(node.transcript());
    CHECK(tshark_problem_count(dir.file("tap.pcapng")) == 0);
    CHECK(tshark_fields(dir.file("tap.pcapng"), "icmp.type == 0 && frame.packet_flags_direction == 2",
                        {"frame.number"}).size() == 3);
}
