// A node in its own executable, as a user builds it: `cmake --install` this build into a fresh
// prefix, build examples/standalone_node against that prefix alone (find_package(caplnet),
// caplnet::capl), and run it on the seed example's LAN next to the seed sender.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "tests/support/process.hpp"

using namespace caplnet::test;
using namespace std::chrono_literals;

#if defined(__SANITIZE_ADDRESS__)
#define CAPLNET_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAPLNET_TEST_SANITIZED 1
#endif
#endif

namespace {

/// A value of the build tree's CMakeCache.txt (e.g. CMAKE_COMMAND), or `fallback`.
std::string cache_value(const std::string& key, const std::string& fallback) {
    std::ifstream in(std::string(CAPLNET_BUILD_DIR) + "/CMakeCache.txt");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) != 0) continue;
        const auto eq = line.find('=');
        if (eq != std::string::npos) return line.substr(eq + 1);
    }
    return fallback;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

TEST_CASE("An executable built against the installed caplnet runs a node from a node file", "[install]") {
#ifdef CAPLNET_TEST_SANITIZED
    WARN("skipped: a sanitized caplnet's static libraries do not link into an unsanitized executable");
    return;
#else
    TempDir dir;
    const std::string cmake = cache_value("CMAKE_COMMAND", "cmake");
    const std::string prefix = dir.file("prefix");
    const std::string build = dir.file("build");

    const auto install = run_command(quoted(cmake) + " --install " + quoted(CAPLNET_BUILD_DIR) + " --prefix " +
                                     quoted(prefix));
    INFO(install.output);
    REQUIRE(install.status == 0);
    for (const char* f : {"/bin/caplnet", "/include/caplnet/capl.hpp", "/include/caplnet/node.hpp",
                          "/include/netif/wire/ipv4.hpp", "/lib/libcaplnet_capl.a", "/lib/libcaplnet_stack.a",
                          "/lib/cmake/caplnet/caplnetConfig.cmake", "/lib/cmake/caplnet/CaplnetProgram.cmake",
                          "/lib/caplnet/programs/receiver.so", "/lib/caplnet/programs/sender.so"}) {
        INFO(f);
        CHECK(run_command("test -f " + quoted(prefix + f)).status == 0);
    }

    // Only the prefix: the example must not see the source tree's headers.
    const auto configure = run_command(
        quoted(cmake) + " -S " + quoted(std::string(CAPLNET_SOURCE_DIR) + "/examples/standalone_node") + " -B " +
        quoted(build) + " -DCMAKE_PREFIX_PATH=" + quoted(prefix) + " -DCMAKE_BUILD_TYPE=RelWithDebInfo" +
        " -DCMAKE_CXX_COMPILER=" + quoted(cache_value("CMAKE_CXX_COMPILER", "c++")));
    INFO(configure.output);
    REQUIRE(configure.status == 0);
    const auto compile = run_command(quoted(cmake) + " --build " + quoted(build) + " -j2");
    INFO(compile.output);
    REQUIRE(compile.status == 0);
    const std::string exe = build + "/standalone_node";
    // lwIP's sys_now comes from libcaplnet_stack.a and must be exported for liblwip.so to bind to it.
    const auto dynsym = run_command("nm -D " + quoted(exe));
    CHECK_THAT(dynsym.output, Catch::Contains(" T sys_now"));
    CHECK_THAT(dynsym.output, Catch::Contains(" T tcpip_try_callback"));

    const std::string run_dir = dir.file("run");
    REQUIRE(run_command("mkdir " + quoted(run_dir)).status == 0);
    ChildProcess sw({prefix + "/bin/caplnet", "switch", run_dir + "/switch"});
    REQUIRE(sw.wait_for("switch ready", 10s));
    ChildProcess tx({prefix + "/bin/caplnet", "node", std::string(CAPLNET_SEED_DIR) + "/sender.toml", "--run-dir",
                     run_dir, "--program", CAPLNET_SEED_SENDER});
    REQUIRE(tx.wait_for("IpSetMulticastInterface: 0", 30s));

    ChildProcess rx({exe, std::string(CAPLNET_SOURCE_DIR) + "/examples/standalone_node/node.toml", "--run-dir",
                     run_dir, "--leave-after", "3", "--run-for", "5"});
    const auto status = rx.wait(40s);
    INFO(rx.transcript());
    REQUIRE(status);
    CHECK(*status == 0);
    CHECK_THAT(rx.transcript(), Catch::Contains("joined 239.0.0.123 on ifIndex 1: 0"));
    CHECK_THAT(rx.transcript(), Catch::Contains("received 1: datagram"));
    CHECK_THAT(rx.transcript(), Catch::Contains("left 239.0.0.123 on ifIndex 1: 0 after"));
    CHECK_THAT(rx.transcript(), Catch::Contains("datagrams before the leave, 0 after"));
    CHECK(tx.stop(SIGTERM) == 0);
    sw.stop(SIGTERM);
#endif
}
