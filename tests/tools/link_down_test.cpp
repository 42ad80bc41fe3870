// A vanished switch takes the node's adapter down; the node keeps running and says so.
#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/support/process.hpp"

using namespace caplnet::test;
using namespace std::chrono_literals;

TEST_CASE("A node takes its adapter link down when its switch goes away", "[oracle][node]") {
    TempDir dir;
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("sw")});
    REQUIRE(sw.wait_for("switch ready", 10s));
    write_file(dir.file("n.toml"), R"(
name = "n"
[[adapter]]
link = "vde://sw"
mac = "02:00:00:00:00:31"
ipv4 = ["10.0.0.31/24"]
)");
    ChildProcess node({CAPLNET_BINARY, "node", dir.file("n.toml"), "--run-dir", dir.path()});
    REQUIRE(node.wait_for("ready", 30s));
    // SIGKILL: no goodbye from the switch, only the control stream's EOF.
    sw.stop(SIGKILL);
    CHECK(node.wait_for("link down", 10s));
    CHECK(node.stop(SIGTERM) == 0);
    INFO(node.transcript());
    CHECK_THAT(node.transcript(), Catch::Contains("link=vde://sw down"));
}
