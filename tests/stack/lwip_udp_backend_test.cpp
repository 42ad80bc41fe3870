// The product backend's sends that do not wait and receives from an inbox
// (stack/udp/lwip_udp_backend.hpp, stack/udp/inbox.hpp): a real node on a caplnet switch, a
// sending and a receiving socket in it, the receiver fed by the node's own multicast loopback.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <mutex>

#include "netif/driver/lwip.hpp"
#include "stack/node.hpp"
#include "stack/udp/inbox.hpp"
#include "stack/udp/lwip_udp_backend.hpp"
#include "tests/support/process.hpp"

using namespace caplnet;
using namespace std::chrono_literals;

namespace {

const stack::IpAddress kGroup = stack::IpAddress::v4({239, 0, 0, 88});
const stack::IpAddress kOtherGroup = stack::IpAddress::v4({239, 0, 0, 89});
constexpr std::uint16_t kPort = 40002;

struct Fixture {
    test::TempDir dir;
    test::ChildProcess sw{{CAPLNET_BINARY, "switch", dir.file("sw")}};
    std::unique_ptr<stack::Node> node;
    std::unique_ptr<stack::LwipUdpBackend> udp;

    explicit Fixture(const std::string& limits = {}) {
        REQUIRE(sw.wait_for("switch ready", 10s));
        auto config = stack::parse_node_config("name = \"n\"\n" + limits + R"(
[[adapter]]
link = "vde://sw"
mac = "02:00:00:00:0c:01"
ipv4 = ["10.12.0.1/24"]
  [[adapter.vlan]]
  id = 12
  ipv4 = ["10.12.12.1/24"]
)",
                                               "n.toml");
        auto started = stack::Node::start(config, {dir.path(), dir.file("n.pcapng"), {}});
        REQUIRE(started);
        node = std::move(*started);
        REQUIRE(node->wait_ready(20s));
        udp = std::make_unique<stack::LwipUdpBackend>(*node);
    }
    ~Fixture() {
        udp.reset();
        node->stop();
    }

    stack::SocketId sender() {
        auto s = udp->open(stack::Family::V4);
        REQUIRE(s);
        REQUIRE(udp->bind(*s, {stack::IpAddress::any(stack::Family::V4), 0}));
        REQUIRE(udp->set_multicast_interface(*s, 1));
        return *s;
    }
    /// A socket on kPort joined to `group` on `if_index`, reading from an inbox.
    std::pair<stack::SocketId, std::shared_ptr<stack::Inbox>> receiver(const stack::IpAddress& group,
                                                                       std::uint32_t if_index = 1) {
        auto s = udp->open(stack::Family::V4);
        REQUIRE(s);
        REQUIRE(udp->bind(*s, {stack::IpAddress::any(stack::Family::V4), kPort}));
        REQUIRE(udp->join(*s, if_index, group));
        auto inbox = udp->open_inbox(*s, [this](stack::Datagram d) {
            std::lock_guard lock(handed_mutex);
            handed.push_back(std::move(d));
        });
        REQUIRE(inbox);
        REQUIRE(*inbox);
        return {*s, *inbox};
    }
    Expected<void, stack::Error> send(stack::SocketId s, const stack::IpAddress& to, std::uint32_t seq,
                                      std::size_t size = 64) {
        std::vector<std::uint8_t> payload(size, 0);
        std::memcpy(payload.data(), &seq, sizeof seq);
        return udp->send(s, stack::Endpoint{to, kPort}, payload);
    }

    std::mutex handed_mutex;
    std::vector<stack::Datagram> handed;  // datagrams an armed inbox handed over
};

std::uint32_t seq_of(const stack::Datagram& d) {
    std::uint32_t seq = 0;
    std::memcpy(&seq, d.data.data(), sizeof seq);
    return seq;
}

/// Every datagram queued in `inbox`, oldest first (the last look arms it).
std::vector<std::uint32_t> take_all(stack::Inbox& inbox) {
    std::vector<std::uint32_t> out;
    while (auto d = inbox.take_or_arm()) out.push_back(seq_of(*d));
    return out;
}

std::vector<std::uint32_t> iota(std::uint32_t from, std::uint32_t to) {
    std::vector<std::uint32_t> v;
    for (std::uint32_t i = from; i < to; ++i) v.push_back(i);
    return v;
}

}  // namespace

TEST_CASE("Sends like an accepted one return at once and all reach the wire in order before a later leave",
          "[lwip_udp_backend]") {
    Fixture f;
    const stack::SocketId tx = f.sender();
    REQUIRE(f.udp->join(tx, 1, kGroup));
    auto [rx, inbox] = f.receiver(kGroup);
    constexpr std::uint32_t kCount = 3000;
    std::size_t max_in_flight = 0;
    for (std::uint32_t i = 0; i < kCount; ++i) {
        REQUIRE(f.send(tx, kGroup, i));
        max_in_flight = std::max(max_in_flight, f.udp->sends_in_flight());
    }
    // The first send waited (and was remembered); the others need not have.
    CHECK(f.udp->sends_posted() > 0);
    CHECK(max_in_flight <= stack::LwipUdpBackend::kMaxSendsInFlight);
    // The leave and the close run after every send made before them.
    REQUIRE(f.udp->leave(tx, 1, kGroup));
    CHECK(f.udp->sends_in_flight() == 0);
    REQUIRE(f.udp->close(tx));
    auto info = f.udp->info(rx);
    REQUIRE(info);
    CHECK(info->queued == kCount);
    CHECK(info->queue_drops == 0);
    CHECK(take_all(*inbox) == iota(0, kCount));
    // On the wire, in order.
    f.udp.reset();
    f.node->stop();
    const auto rows = test::tshark_fields(f.dir.file("n.pcapng"), "udp.dstport == 40002", {"udp.payload"});
    REQUIRE(rows.size() == kCount);
    std::string first_wrong;
    for (std::uint32_t i = 0; i < kCount && first_wrong.empty(); ++i) {
        char expected[9];
        std::snprintf(expected, sizeof expected, "%02x%02x%02x%02x", i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff,
                      i >> 24);
        std::string data = rows[i].at(0);
        std::erase(data, ':');
        if (data.rfind(expected, 0) != 0) first_wrong = std::to_string(i) + ": " + rows[i].at(0);
    }
    INFO(first_wrong);
    CHECK(first_wrong.empty());
}

TEST_CASE("A send after the socket was closed returns the invalid-handle error", "[lwip_udp_backend]") {
    Fixture f;
    const stack::SocketId tx = f.sender();
    for (std::uint32_t i = 0; i < 10; ++i) REQUIRE(f.send(tx, kGroup, i));
    REQUIRE(f.udp->close(tx));
    auto r = f.send(tx, kGroup, 10);
    REQUIRE_FALSE(r);
    CHECK(r.error() == stack::Error::InvalidHandle);
    auto info = f.udp->info(tx);
    REQUIRE_FALSE(info);
}

TEST_CASE("A send after the multicast interface changed leaves on the new interface", "[lwip_udp_backend]") {
    Fixture f;
    const stack::SocketId tx = f.sender();
    auto [rx, inbox] = f.receiver(kGroup, 2);  // only the VLAN subinterface's copies
    for (std::uint32_t i = 0; i < 100; ++i) REQUIRE(f.send(tx, kGroup, i));
    REQUIRE(f.udp->set_multicast_interface(tx, 2));
    for (std::uint32_t i = 100; i < 200; ++i) REQUIRE(f.send(tx, kGroup, i));
    REQUIRE(f.udp->info(rx));
    CHECK(take_all(*inbox) == iota(100, 200));
}

TEST_CASE("A send that fails after returning success is counted and the next send returns the error",
          "[lwip_udp_backend]") {
    Fixture f;
    const stack::SocketId tx = f.sender();
    const stack::IpAddress peer = stack::IpAddress::v4({10, 12, 0, 2});
    REQUIRE(f.send(tx, peer, 0));  // accepted and remembered (ARP queues it)
    // The link goes down behind the backend's back (not through Node::set_link_up, which would
    // make the next send wait): lwIP then has no route to the peer.
    f.node->loop().call([&](stack::StackThread& t) {
        netif_set_link_down(f.node->netif_of(1, t));
        return 0;
    });
    REQUIRE(f.send(tx, peer, 1));  // returned at once: the stack refuses it later
    CHECK(f.udp->sends_posted() == 1);
    auto info = f.udp->info(tx);  // runs after the posted send
    REQUIRE(info);
    CHECK(info->send_failures == 1);
    auto r = f.send(tx, peer, 2);  // waits, and reports
    REQUIRE_FALSE(r);
    CHECK(r.error() == stack::Error::NetworkUnreachable);
    CHECK(f.udp->info(tx)->send_failures == 1);
    f.node->loop().call([&](stack::StackThread& t) {
        netif_set_link_up(f.node->netif_of(1, t));
        return 0;
    });
    CHECK(f.send(tx, peer, 3));
}

TEST_CASE("A link taken down through the node makes the next send wait", "[lwip_udp_backend]") {
    Fixture f;
    const stack::SocketId tx = f.sender();
    const stack::IpAddress peer = stack::IpAddress::v4({10, 12, 0, 2});
    REQUIRE(f.send(tx, peer, 0));
    REQUIRE(f.send(tx, peer, 1));
    CHECK(f.udp->sends_posted() == 1);
    REQUIRE(f.node->set_link_up("eth0", false));
    auto r = f.send(tx, peer, 2);
    REQUIRE_FALSE(r);
    CHECK(r.error() == stack::Error::NetworkUnreachable);
    CHECK(f.udp->info(tx)->send_failures == 0);
}

TEST_CASE("A larger payload or another destination than the accepted ones waits", "[lwip_udp_backend]") {
    Fixture f;
    const stack::SocketId tx = f.sender();
    REQUIRE(f.send(tx, kGroup, 0, 64));
    REQUIRE(f.send(tx, kGroup, 1, 64));
    CHECK(f.udp->sends_posted() == 1);
    REQUIRE(f.send(tx, kGroup, 2, 1000));  // larger: waits
    CHECK(f.udp->sends_posted() == 1);
    REQUIRE(f.send(tx, kGroup, 3, 500));  // no larger than an accepted one
    CHECK(f.udp->sends_posted() == 2);
    REQUIRE(f.send(tx, kOtherGroup, 4));  // another destination: waits
    CHECK(f.udp->sends_posted() == 2);
    auto too_long = f.send(tx, kGroup, 5, 70000);
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error() == stack::Error::MessageTooLong);
}

TEST_CASE("An inbox keeps the queue limit and counts its drops", "[lwip_udp_backend]") {
    Fixture f(R"(
[limits]
receive_queue = 10
)");
    const stack::SocketId tx = f.sender();
    auto [rx, inbox] = f.receiver(kGroup);
    for (std::uint32_t i = 0; i < 25; ++i) REQUIRE(f.send(tx, kGroup, i));
    auto info = f.udp->info(rx);
    REQUIRE(info);
    CHECK(info->queued == 10);
    CHECK(info->queue_drops == 15);
    CHECK(take_all(*inbox) == iota(0, 10));
    // Now armed: the next datagram is handed over, not queued.
    REQUIRE(f.send(tx, kGroup, 25));
    REQUIRE(f.udp->info(rx));
    std::lock_guard lock(f.handed_mutex);
    REQUIRE(f.handed.size() == 1);
    CHECK(seq_of(f.handed[0]) == 25);
}

TEST_CASE("A leave purges the inbox of that group only", "[lwip_udp_backend]") {
    Fixture f;
    const stack::SocketId tx = f.sender();
    auto [rx, inbox] = f.receiver(kGroup);
    REQUIRE(f.udp->join(rx, 1, kOtherGroup));
    for (std::uint32_t i = 0; i < 20; ++i) REQUIRE(f.send(tx, i % 2 == 0 ? kGroup : kOtherGroup, i));
    REQUIRE(f.udp->leave(rx, 1, kGroup));
    CHECK(f.udp->info(rx)->queued == 10);
    std::vector<std::uint32_t> odd;
    for (std::uint32_t i = 1; i < 20; i += 2) odd.push_back(i);
    CHECK(take_all(*inbox) == odd);
}

TEST_CASE("Datagrams queued before the inbox opened move into it first", "[lwip_udp_backend]") {
    Fixture f;
    const stack::SocketId tx = f.sender();
    auto rx = f.udp->open(stack::Family::V4);
    REQUIRE(rx);
    REQUIRE(f.udp->bind(*rx, {stack::IpAddress::any(stack::Family::V4), kPort}));
    REQUIRE(f.udp->join(*rx, 1, kGroup));
    for (std::uint32_t i = 0; i < 5; ++i) REQUIRE(f.send(tx, kGroup, i));
    auto inbox = f.udp->open_inbox(*rx, [](stack::Datagram) {});
    REQUIRE(inbox);
    for (std::uint32_t i = 5; i < 8; ++i) REQUIRE(f.send(tx, kGroup, i));
    CHECK(f.udp->info(*rx)->queued == 8);
    CHECK(take_all(**inbox) == iota(0, 8));
}
