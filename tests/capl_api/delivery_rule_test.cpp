// SPEC §4's delivery rules inside one node, through multicast loopback (on by default): the
// per-socket rule, and the Linux rule as `multicast_delivery = "linux"`.
#include <signal.h>

#include <catch2/catch.hpp>
#include <map>

#include "caplnet/capl.hpp"
#include "caplnet/node.hpp"
#include "tests/support/process.hpp"

using namespace caplnet::capl;
using namespace caplnet::test;
using namespace std::chrono_literals;

namespace {

std::map<dword, int> g_count;
std::map<dword, std::array<char, 1500>> g_buf;

void on_receive(dword socket, capl_long, IP_Endpoint, char[], dword) {
    ++g_count[socket];
    UdpReceiveFrom(socket, g_buf[socket].data(), 1500);
}

dword armed(const char* endpoint) {
    const dword s = UdpOpen(IP_Endpoint(endpoint));
    REQUIRE(s != wsa::kInvalidSocket);
    UdpReceiveFrom(s, g_buf[s].data(), 1500);
    return s;
}

/// Sends `n` datagrams to 239.0.0.77:40001 from the node itself and runs until the joined
/// socket has them all; returns how many each of (joined, not joined) got.
std::pair<int, int> deliver(const std::string& rule, int n) {
    TempDir dir;
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("sw")});
    REQUIRE(sw.wait_for("switch ready", 10s));
    write_file(dir.file("n.toml"), "name = \"n\"\nmulticast_delivery = \"" + rule +
                                       "\"\n[[adapter]]\nlink = \"vde://sw\"\nmac = \"02:00:00:00:07:01\"\n"
                                       "ipv4 = [\"10.7.0.1/24\"]\n");
    caplnet::NodeStartOptions o;
    o.run_dir = dir.path();
    auto node = caplnet::Node::start(dir.file("n.toml"), o);
    node.program().OnUdpReceiveFrom(on_receive);
    const dword joined = armed("0.0.0.0:40001");
    const dword other = armed("0.0.0.0:40001");  // same port, never joins
    REQUIRE(IpJoinMulticastGroup(joined, 1, IP_Address("239.0.0.77")) == 0);
    const dword tx = UdpOpen(IP_Endpoint("0.0.0.0:0"));
    REQUIRE(IpSetMulticastInterface(tx, 1) == 0);
    for (int i = 0; i < n; ++i) REQUIRE(UdpSendTo(tx, IP_Endpoint("239.0.0.77:40001"), "x", 1) == 0);
    for (int i = 0; i < 500 && g_count[joined] < n; ++i) node.run_for(10ms);
    node.run_for(50ms);  // the other socket's copies, if any, were posted with the joined one's
    return {g_count[joined], g_count[other]};
}

}  // namespace

TEST_CASE("Per-socket delivery: a socket on the port that did not join gets nothing", "[oracle][capl][mcast]") {
    const auto [joined, other] = deliver("per-socket", 20);
    CHECK(joined == 20);  // multicast loopback to own sockets is on by default (SPEC §4)
    CHECK(other == 0);
}

TEST_CASE("Linux delivery: every socket on the port gets the group another socket joined", "[oracle][capl][mcast]") {
    const auto [joined, other] = deliver("linux", 20);
    CHECK(joined == 20);
    CHECK(other == 20);
}
