// Node processes on a `caplnet switch`: reachability on the untagged LAN and on VLANs through
// trunk and access ports, isolation between VLANs (1034 apart from 10), tags in the captures.
#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/support/process.hpp"

using namespace caplnet::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> node_argv(const TempDir& dir, const std::string& name,
                                   std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{CAPLNET_BINARY, "node", dir.file(name + ".toml"), "--run-dir",
                                  dir.path(), "--capture", dir.file(name + ".pcapng")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

}  // namespace

TEST_CASE("Nodes on caplnet switch reach each other per VLAN and never across VLANs",
          "[oracle][switch][node]") {
    TempDir dir;
    // Port 1 (A): trunk of VLANs 10 and 1034 plus the untagged LAN; port 2 (B): trunk of all;
    // port 3 (C): access port of VLAN 10, so C's untagged frames are VLAN 10 on the switch.
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("sw"), "--capture", dir.file("sw.pcapng"),
                     "--port", "1:trunk=10,1034", "--port", "3:access=10"});
    REQUIRE(sw.wait_for("switch ready", 10s));

    write_file(dir.file("a.toml"), R"(
name = "a"
[[adapter]]
link = "vde://sw[1]"
mac = "02:00:00:00:00:0a"
ipv4 = ["10.0.0.1/24"]
  [[adapter.vlan]]
  id = 10
  priority = 5
  ipv4 = ["10.0.10.1/24"]
  ipv6 = ["fd00:10::1/64"]
  [[adapter.vlan]]
  id = 20
  ipv4 = ["10.0.20.1/24"]
  [[adapter.vlan]]
  id = 1034
  priority = 3
  ipv6 = ["fd00:34::1/64"]
)");
    write_file(dir.file("b.toml"), R"(
name = "b"
[[adapter]]
link = "vde://sw[2]"
mac = "02:00:00:00:00:0b"
ipv4 = ["10.0.0.2/24"]
ipv6 = ["fd00::2/64"]
  [[adapter.vlan]]
  id = 10
  priority = 5
  ipv4 = ["10.0.10.2/24"]
  ipv6 = ["fd00:10::2/64"]
  [[adapter.vlan]]
  id = 20
  ipv4 = ["10.0.20.2/24"]
)");
    write_file(dir.file("c.toml"), R"(
name = "c"
[[adapter]]
link = "vde://sw[3]"
mac = "02:00:00:00:00:0c"
ipv4 = ["10.0.10.3/24"]
ipv6 = ["fd00::3/64", "fd00:34::3/64"]
)");

    ChildProcess b(node_argv(dir, "b"));
    REQUIRE(b.wait_for("ready", 30s));
    ChildProcess c(node_argv(dir, "c", {"--ping", "10.0.10.2", "--ping", "fd00::2"}));
    REQUIRE(c.wait_for("ready", 30s));
    // C: access port 10 reaches B's VLAN 10 ...
    CHECK_THAT(c.wait_for("ping 10.0.10.2", 30s).value_or(""), Catch::EndsWith(": 3/3 replies"));
    // ... but not B's untagged LAN, although fd00::/64 is on-link for both.
    CHECK_THAT(c.wait_for("ping fd00::2", 30s).value_or(""), Catch::EndsWith(": 0/3 replies"));

    ChildProcess a(node_argv(dir, "a",
                             {"--exit", "--ping", "10.0.0.1", "--ping", "10.0.0.2", "--ping", "10.0.10.2", "--ping",
                              "fd00:10::2", "--ping", "10.0.10.3", "--ping", "10.0.20.2", "--ping",
                              "fd00:34::3"}));
    const auto status = a.wait(90s);
    INFO(a.transcript());
    REQUIRE(status);
    CHECK(*status == 1);  // the unreachable targets below fail it
    const auto& out = a.transcript();
    // Its own address goes through lwIP's loopback, which posts through tcpip_try_callback.
    CHECK_THAT(out, Catch::Contains("ping 10.0.0.1: 3/3 replies"));
    CHECK_THAT(out, Catch::Contains("ping 10.0.0.2: 3/3 replies"));      // untagged LAN
    CHECK_THAT(out, Catch::Contains("ping 10.0.10.2: 3/3 replies"));     // VLAN 10, trunk to trunk
    CHECK_THAT(out, Catch::Contains("ping fd00:10::2: 3/3 replies"));    // IPv6 on VLAN 10
    CHECK_THAT(out, Catch::Contains("ping 10.0.10.3: 3/3 replies"));     // VLAN 10, trunk to access
    CHECK_THAT(out, Catch::Contains("ping 10.0.20.2: 0/3 replies"));     // VLAN 20 not on port 1
    CHECK_THAT(out, Catch::Contains("ping fd00:34::3: 0/3 replies"));    // 1034 is not 10

    CHECK(c.stop(SIGTERM) == 1);  // its ping to fd00::2 failed, as it must
    CHECK(b.stop(SIGTERM) == 0);
    CHECK(sw.stop(SIGTERM) == 0);
    INFO(sw.transcript());

    // The tags as Wireshark sees them: VLAN 10 with PCP 5 from A's subinterface, 1034 with PCP 3,
    // and on C's access port no tag at all.
    const auto a_cap = dir.file("a.pcapng");
    CHECK_FALSE(tshark_fields(a_cap, "frame.packet_flags_direction == 2 && vlan.id == 10 && vlan.priority == 5 && icmp",
                              {"frame.number"}).empty());
    CHECK_FALSE(tshark_fields(a_cap, "frame.packet_flags_direction == 2 && vlan.id == 1034 && vlan.priority == 3",
                              {"frame.number"}).empty());
    CHECK(tshark_fields(dir.file("c.pcapng"), "vlan", {"frame.number"}).empty());
    CHECK_FALSE(tshark_fields(dir.file("sw.pcapng"), "vlan.id == 10 && icmp.type == 0 && ip.src == 10.0.10.3",
                              {"frame.number"}).empty());
    for (const char* cap : {"a.pcapng", "b.pcapng", "c.pcapng", "sw.pcapng"}) {
        INFO(cap);
        CHECK(tshark_problem_count(dir.file(cap)) == 0);
    }
}
