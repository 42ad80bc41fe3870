// stack = "os" (SPEC §5): the host's sockets and interfaces; the multicast membership functions
// answer -1/10045, touch nothing, and the node keeps working. Runs in a network namespace of its
// own (only lo), so nothing leaves the machine.
#include <sched.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "caplnet/capl.hpp"
#include "caplnet/node.hpp"
#include "tests/support/process.hpp"

using namespace caplnet::capl;
using namespace std::chrono_literals;

namespace {
std::vector<std::string> g_payloads;
char g_buffer[1500];

void on_receive(dword socket, capl_long result, IP_Endpoint, char buffer[], dword size) {
    if (result == 0) g_payloads.emplace_back(buffer, size);
    UdpReceiveFrom(socket, g_buffer, sizeof g_buffer);
}
}  // namespace

TEST_CASE("An OS-stack node uses the host's sockets and refuses multicast membership with 10045",
          "[oracle][capl][os]") {
    REQUIRE(::unshare(CLONE_NEWNET) == 0);
    REQUIRE(std::system("ip link set lo up") == 0);
    caplnet::test::TempDir dir;
    caplnet::test::write_file(dir.file("os.toml"), "name = \"host\"\nstack = \"os\"\n");
    auto node = caplnet::Node::start(dir.file("os.toml"));
    node.program().OnUdpReceiveFrom(on_receive);

    // The host's interfaces in the order it lists them, loopback included (SPEC §3).
    REQUIRE(IpGetAdapterCount() >= 1);
    char name[64];
    CHECK(IpGetAdapterDescription(1, name, sizeof name) == 0);
    CHECK_THAT(std::string(name), Catch::StartsWith("lo "));
    CHECK(IpGetAdapterAddressCount(1, AF_INET_CAPL) == 1);

    const dword s = UdpOpen(IP_Endpoint("127.0.0.1:40001"));
    REQUIRE(s != wsa::kInvalidSocket);
    CHECK(UdpReceiveFrom(s, g_buffer, sizeof g_buffer) == wsa::kSocketError);
    CHECK(IpGetLastSocketError(s) == wsa::kIoPending);

    // SPEC §4 order: handle (87) first, then the stack mode (10045), before the ifIndex.
    CHECK(IpJoinMulticastGroup(s, 1, IP_Address("239.0.0.123")) == wsa::kSocketError);
    CHECK(IpGetLastSocketError(s) == wsa::kOpNotSupported);
    CHECK(IpGetLastError() == wsa::kOpNotSupported);
    CHECK(IpJoinMulticastGroup(s, 0, IP_Address("239.0.0.123")) == wsa::kSocketError);
    CHECK(IpGetLastSocketError(s) == wsa::kOpNotSupported);
    CHECK(IpLeaveMulticastGroup(s, 1, IP_Address("239.0.0.123")) == wsa::kSocketError);
    CHECK(IpGetLastSocketError(s) == wsa::kOpNotSupported);
    CHECK(IpSetMulticastInterface(s, 1) == wsa::kSocketError);
    CHECK(IpGetLastSocketError(s) == wsa::kOpNotSupported);
    CHECK(IpJoinMulticastGroup(9999, 1, IP_Address("239.0.0.123")) == wsa::kInvalidParameter);
    CHECK(IpGetLastError() == wsa::kInvalidParameter);

    // ... and the node keeps working: a datagram to itself over the kernel's loopback.
    const dword t = UdpOpen(IP_Endpoint("127.0.0.1:0"));
    REQUIRE(t != wsa::kInvalidSocket);
    CHECK(UdpSendTo(t, IP_Endpoint("127.0.0.1:40001"), "over the host", 13) == 0);
    for (int i = 0; i < 250 && g_payloads.empty(); ++i) node.run_for(20ms);
    REQUIRE(g_payloads.size() == 1);
    CHECK(g_payloads[0] == "over the host");
    CHECK(UdpClose(t) == 0);
    CHECK(UdpClose(s) == 0);
    CHECK(UdpClose(s) == wsa::kInvalidParameter);
}
