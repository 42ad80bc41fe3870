// Two nodes on one vxvde:// segment (libvdeplug), inside a namespace whose multicast route points
// at lo, so nothing leaves the machine. Normal builds only: libvdeplug dlopens its plugins with
// RTLD_DEEPBIND, which the sanitizer runtimes refuse.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/process.hpp"

using namespace caplnet::test;
using namespace std::chrono_literals;

#ifdef CAPLNET_WITH_VDEPLUG
TEST_CASE("Two nodes on a vxvde segment ping each other", "[oracle][vdeplug]") {
    NetNamespace ns("caplnet-vx-" + std::to_string(::getpid()));
    REQUIRE(ns.run("ip route add 239.0.0.0/8 dev lo").status == 0);
    TempDir dir;
    for (const char* n : {"1", "2"}) {
        write_file(dir.file(std::string("v") + n + ".toml"),
                   std::string("name = \"v") + n + "\"\n[[adapter]]\nlink = \"vxvde://239.1.2.3\"\n" +
                       "mac = \"02:00:00:00:00:4" + n + "\"\nipv4 = [\"10.9.0." + n + "/24\"]\n");
    }
    auto argv1 = ns.exec_prefix();
    argv1.insert(argv1.end(), {CAPLNET_BINARY, "node", dir.file("v1.toml")});
    ChildProcess v1(argv1);
    REQUIRE(v1.wait_for("ready", 30s));
    auto argv2 = ns.exec_prefix();
    argv2.insert(argv2.end(), {CAPLNET_BINARY, "node", dir.file("v2.toml"), "--exit", "--ping", "10.9.0.1"});
    ChildProcess v2(argv2);
    const auto status = v2.wait(60s);
    INFO(v2.transcript());
    CHECK(status == 0);
    CHECK_THAT(v2.transcript(), Catch::Contains("ping 10.9.0.1: 3/3 replies"));
    CHECK(v1.stop(SIGTERM) == 0);
}
#endif
