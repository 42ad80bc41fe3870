// UdpSendTo that does not wait and UdpReceiveFrom from the socket's inbox (docs/decisions.md,
// "Sends that do not wait, receives from an inbox"), through the CAPL API: one node on a caplnet
// switch, its sending socket's multicast copies looped back to its receiving socket.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "capl_api/runtime.hpp"
#include "caplnet/capl.hpp"
#include "caplnet/node.hpp"
#include "netif/driver/lwip.hpp"
#include "tests/support/process.hpp"

using namespace caplnet::capl;
using namespace std::chrono_literals;

namespace {

struct Received {
    dword socket;
    capl_long result;
    dword size;
    std::uint32_t seq;
};
std::vector<Received> g_received;
char g_buffer[1500];
bool g_rearm = true;
dword g_rearm_size = sizeof g_buffer;

void on_receive(dword socket, capl_long result, IP_Endpoint, char buffer[], dword size) {
    std::uint32_t seq = 0xffffffff;
    if (size >= 4) std::memcpy(&seq, buffer, 4);
    g_received.push_back({socket, result, size, seq});
    if (g_rearm) UdpReceiveFrom(socket, g_buffer, g_rearm_size);
}

struct Fixture {
    explicit Fixture(const std::string& limits = {}) : sw({CAPLNET_BINARY, "switch", dir.file("sw")}) {
        REQUIRE(sw.wait_for("switch ready", 10s));
        caplnet::test::write_file(dir.file("n.toml"), "name = \"n\"\n" + limits + R"(
[[adapter]]
name = "eth0"
link = "vde://sw"
mac = "02:00:00:00:0d:01"
ipv4 = ["10.13.0.1/24"]
)");
        caplnet::NodeStartOptions o;
        o.run_dir = dir.path();
        node.emplace(caplnet::Node::start(dir.file("n.toml"), o));
        node->program().OnUdpReceiveFrom(on_receive);
        g_received.clear();
        g_rearm = true;
        g_rearm_size = sizeof g_buffer;
        tx = UdpOpen(IP_Endpoint("0.0.0.0:0"));
        REQUIRE(tx != wsa::kInvalidSocket);
        REQUIRE(IpSetMulticastInterface(tx, 1) == 0);
    }
    ~Fixture() { node.reset(); }

    dword receiver(const char* group) {
        const dword s = UdpOpen(IP_Endpoint("0.0.0.0:40003"));
        REQUIRE(s != wsa::kInvalidSocket);
        REQUIRE(IpJoinMulticastGroup(s, 1, IP_Address(group)) == 0);
        return s;
    }
    capl_long send(const char* to, std::uint32_t seq, dword size = 64) {
        char payload[256] = {};
        std::memcpy(payload, &seq, 4);
        return UdpSendTo(tx, IP_Endpoint(to), payload, size);
    }
    template <class Pred>
    bool run_until(Pred done) {
        const auto end = std::chrono::steady_clock::now() + 20s;
        while (!done()) {
            if (std::chrono::steady_clock::now() > end) return false;
            node->run_for(5ms);
        }
        return true;
    }
    caplnet::stack::SocketInfo info(dword s) {
        auto i = detail::Runtime::get()->sockets().info(s);
        REQUIRE(i);
        return *i;
    }
    caplnet::capl::detail::SocketActivity activity(dword s) {
        for (const auto& a : detail::Runtime::get()->activity().sockets) {
            if (a.socket == s) return a;
        }
        FAIL("no activity for socket " << s);
        return {};
    }

    caplnet::test::TempDir dir;
    caplnet::test::ChildProcess sw;
    std::optional<caplnet::Node> node;
    dword tx = 0;
};

std::vector<std::uint32_t> seqs_of(dword socket) {
    std::vector<std::uint32_t> out;
    for (const auto& r : g_received) {
        if (r.socket == socket) out.push_back(r.seq);
    }
    return out;
}

}  // namespace

TEST_CASE("UdpSendTo in a loop returns 0 and every datagram arrives in order", "[capl][async]") {
    Fixture f;
    const dword rx = f.receiver("239.0.0.90");
    REQUIRE(UdpReceiveFrom(rx, g_buffer, sizeof g_buffer) == wsa::kSocketError);
    CHECK(IpGetLastSocketError(rx) == wsa::kIoPending);
    constexpr std::uint32_t kCount = 2000;
    for (std::uint32_t i = 0; i < kCount; ++i) REQUIRE(f.send("239.0.0.90:40003", i) == 0);
    REQUIRE(UdpClose(f.tx) == 0);  // after every send before it
    REQUIRE(f.run_until([&] { return g_received.size() >= kCount; }));
    std::vector<std::uint32_t> expected;
    for (std::uint32_t i = 0; i < kCount; ++i) expected.push_back(i);
    CHECK(seqs_of(rx) == expected);
    CHECK(f.info(rx).queue_drops == 0);
    // A closed handle stays invalid, cached verdict or not.
    CHECK(f.send("239.0.0.90:40003", kCount) == wsa::kInvalidParameter);
}

TEST_CASE("UdpReceiveFrom returns 0 for a queued datagram and cuts a long one with 10040", "[capl][async]") {
    Fixture f;
    const dword rx = f.receiver("239.0.0.91");
    g_rearm = false;
    REQUIRE(UdpReceiveFrom(rx, g_buffer, 4) == wsa::kSocketError);
    CHECK(IpGetLastSocketError(rx) == wsa::kIoPending);
    for (std::uint32_t i = 0; i < 3; ++i) REQUIRE(f.send("239.0.0.91:40003", i, 64) == 0);
    REQUIRE(f.run_until([&] { return g_received.size() == 1; }));
    CHECK(g_received[0].result == wsa::kMsgSize);
    CHECK(g_received[0].size == 4);
    CHECK(g_received[0].seq == 0);
    CHECK(f.info(rx).queued == 2);
    // Queued: 0 at once, and the callback is queued, not run inside the call (SPEC §6).
    CHECK(UdpReceiveFrom(rx, g_buffer, sizeof g_buffer) == 0);
    CHECK(g_received.size() == 1);
    REQUIRE(f.run_until([&] { return g_received.size() == 2; }));
    CHECK(g_received[1].result == 0);
    CHECK(g_received[1].size == 64);
    CHECK(g_received[1].seq == 1);
    CHECK(f.info(rx).queued == 1);
}

TEST_CASE("IpLeaveMulticastGroup drops the queued datagrams of that group only", "[capl][async]") {
    Fixture f;
    const dword rx = f.receiver("239.0.0.92");
    REQUIRE(IpJoinMulticastGroup(rx, 1, IP_Address("239.0.0.93")) == 0);
    REQUIRE(UdpReceiveFrom(rx, g_buffer, sizeof g_buffer) == wsa::kSocketError);
    for (std::uint32_t i = 0; i < 20; ++i) {
        REQUIRE(f.send(i % 2 == 0 ? "239.0.0.92:40003" : "239.0.0.93:40003", i) == 0);
    }
    // All 20 are queued (or the first one's completion is); none has run yet.
    CHECK(f.info(rx).queued >= 19);
    REQUIRE(IpLeaveMulticastGroup(rx, 1, IP_Address("239.0.0.92")) == 0);
    CHECK(f.info(rx).queued + 1 == 10);  // the other group's, one of them on its way to the program
    REQUIRE(f.run_until([&] { return g_received.size() >= 10; }));
    f.node->run_for(50ms);
    std::vector<std::uint32_t> odd;
    for (std::uint32_t i = 1; i < 20; i += 2) odd.push_back(i);
    CHECK(seqs_of(rx) == odd);
}

TEST_CASE("The inbox keeps the receive-queue limit and the report counts its drops", "[capl][async]") {
    Fixture f("[limits]\nreceive_queue = 10\n");
    const dword rx = f.receiver("239.0.0.94");
    g_rearm = false;
    REQUIRE(UdpReceiveFrom(rx, g_buffer, sizeof g_buffer) == wsa::kSocketError);
    for (std::uint32_t i = 0; i < 25; ++i) REQUIRE(f.send("239.0.0.94:40003", i) == 0);
    // One completes the armed receive, ten wait, fourteen had no room.
    const auto i = f.info(rx);
    CHECK(i.queued == 10);
    CHECK(i.queue_drops == 14);
    CHECK(f.activity(rx).queue_drops == 14);
    REQUIRE(f.run_until([&] { return g_received.size() == 1; }));
    CHECK(g_received[0].seq == 0);
    for (std::uint32_t k = 1; k <= 10; ++k) {
        CHECK(UdpReceiveFrom(rx, g_buffer, sizeof g_buffer) == 0);
        REQUIRE(f.run_until([&] { return g_received.size() == k + 1; }));
        CHECK(g_received[k].seq == k);
    }
    CHECK(UdpReceiveFrom(rx, g_buffer, sizeof g_buffer) == wsa::kSocketError);
    CHECK(IpGetLastSocketError(rx) == wsa::kIoPending);
}

TEST_CASE("A UdpSendTo the stack refuses after it returned 0 is counted and the next one returns the error",
          "[capl][async]") {
    Fixture f;
    REQUIRE(f.send("10.13.0.2:40003", 0) == 0);  // accepted and remembered (ARP queues it)
    auto* node = detail::Runtime::get()->node();
    REQUIRE(node != nullptr);
    // The link goes down behind the API's back: lwIP then has no route to the peer.
    node->loop().call([&](caplnet::stack::StackThread& t) {
        netif_set_link_down(node->netif_of(1, t));
        return 0;
    });
    REQUIRE(f.send("10.13.0.2:40003", 1) == 0);  // did not wait: refused later
    CHECK(f.info(f.tx).send_failures == 1);
    CHECK(f.activity(f.tx).send_failures == 1);
    CHECK(f.send("10.13.0.2:40003", 2) == wsa::kSocketError);
    CHECK(IpGetLastSocketError(f.tx) == wsa::kNetUnreachable);
    node->loop().call([&](caplnet::stack::StackThread& t) {
        netif_set_link_up(node->netif_of(1, t));
        return 0;
    });
    CHECK(f.send("10.13.0.2:40003", 3) == 0);
    REQUIRE(UdpClose(f.tx) == 0);
    CHECK(f.activity(f.tx).send_failures == 1);  // kept after the close
    CHECK(f.activity(f.tx).sent == 3);
    CHECK(f.activity(f.tx).send_failed == 1);
}
