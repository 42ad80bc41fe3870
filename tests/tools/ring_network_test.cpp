// Node processes joined to `caplnet switch` through ring:// (shared-memory rings) instead of
// vde://, next to one that uses vde://: they reach each other both ways, and the switch says
// which ports are rings.
#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/support/process.hpp"

using namespace caplnet::test;
using namespace std::chrono_literals;

TEST_CASE("Nodes on ring:// and vde:// ports of one switch ping each other", "[switch][node][ring]") {
    TempDir dir;
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("sw"), "--capture", dir.file("sw.pcapng")});
    REQUIRE(sw.wait_for("switch ready", 10s));
    write_file(dir.file("a.toml"), R"(
name = "a"
[[adapter]]
link = "ring://sw[5]"
mac = "02:00:00:00:00:0a"
ipv4 = ["10.0.0.1/24"]
ipv6 = ["fd00::1/64"]
)");
    write_file(dir.file("b.toml"), R"(
name = "b"
[[adapter]]
link = "ring://sw"
mac = "02:00:00:00:00:0b"
ipv4 = ["10.0.0.2/24"]
ipv6 = ["fd00::2/64"]
)");
    write_file(dir.file("c.toml"), R"(
name = "c"
[[adapter]]
link = "vde://sw"
mac = "02:00:00:00:00:0c"
ipv4 = ["10.0.0.3/24"]
)");
    ChildProcess b({CAPLNET_BINARY, "node", dir.file("b.toml"), "--run-dir", dir.path()});
    REQUIRE(b.wait_for("ready", 30s));
    ChildProcess c({CAPLNET_BINARY, "node", dir.file("c.toml"), "--run-dir", dir.path()});
    REQUIRE(c.wait_for("ready", 30s));
    ChildProcess a({CAPLNET_BINARY, "node", dir.file("a.toml"), "--run-dir", dir.path(), "--exit",
                    "--ping", "10.0.0.2", "--ping", "fd00::2", "--ping", "10.0.0.3"});
    const auto status = a.wait(60s);
    INFO(a.transcript());
    REQUIRE(status);
    CHECK(*status == 0);
    CHECK_THAT(a.transcript(), Catch::Contains("ping 10.0.0.2: 3/3 replies"));  // ring to ring
    CHECK_THAT(a.transcript(), Catch::Contains("ping fd00::2: 3/3 replies"));
    CHECK_THAT(a.transcript(), Catch::Contains("ping 10.0.0.3: 3/3 replies"));  // ring to vde
    CHECK(b.stop(SIGTERM) == 0);
    CHECK(c.stop(SIGTERM) == 0);
    CHECK(sw.stop(SIGTERM) == 0);
    const std::string out = sw.transcript();
    INFO(out);
    CHECK_THAT(out, Catch::Contains("port 5 joined over a ring: 'a/"));
    CHECK_THAT(out, Catch::Contains("joined over a ring: 'b/"));
    CHECK_THAT(out, Catch::Contains("joined: 'c/"));
    // The echo replies crossed the switch: its capture holds them.
    CHECK_FALSE(tshark_fields(dir.file("sw.pcapng"), "icmp.type == 0 && ip.src == 10.0.0.2",
                              {"frame.number"})
                    .empty());
}
