// The sockets' groups live outside lwIP's group lists (stack/udp/multicast_path.cpp): plain UDP
// to them is delivered by the UDP service, what needs lwIP's IP layer (IPv4 fragments, IPv6
// extension headers) still goes through lwIP, and the node's own sends loop back. A real node
// on a caplnet switch, frames injected with `caplnet replay`.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "netif/capture/pcapng_writer.hpp"
#include "stack/node.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/process.hpp"

using namespace caplnet;
using namespace std::chrono_literals;

namespace {

const auto kPeerMac = test::mac("02:00:00:00:0b:02");
const auto kPeer4 = test::ip4("10.11.0.2");
const auto kPeer6 = test::ip6("fd11::2");
const stack::IpAddress kGroup4 = stack::IpAddress::v4({239, 0, 0, 77});
const stack::IpAddress kGroup6 =
    stack::IpAddress::v6({0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77});
constexpr std::uint16_t kPort = 40001;

void write_pcapng(const std::string& path, const std::vector<test::Frame>& frames) {
    auto w = netif::PcapngWriter::create(path);
    REQUIRE(w);
    const auto id = (*w)->add_interface("peer");
    std::uint64_t t = 1'700'000'000'000'000'000ULL;
    for (const auto& f : frames) (*w)->write(id, t += 1000, f, netif::Direction::Outbound);
}

struct Fixture {
    test::TempDir dir;
    test::ChildProcess sw{{CAPLNET_BINARY, "switch", dir.file("sw")}};
    std::unique_ptr<stack::Node> node;

    Fixture() {
        REQUIRE(sw.wait_for("switch ready", 10s));
        auto config = stack::parse_node_config(R"(
name = "rx"
[[adapter]]
link = "vde://sw"
mac = "02:00:00:00:0b:01"
ipv4 = ["10.11.0.1/24"]
ipv6 = ["fd11::1/64"]
)",
                                               "rx.toml");
        auto started = stack::Node::start(config, {dir.path(), "", {}});
        REQUIRE(started);
        node = std::move(*started);
        REQUIRE(node->wait_ready(20s));
    }
    ~Fixture() { node->stop(); }

    template <class F>
    auto on_stack(F f) {
        return node->loop().call([&](stack::StackThread& t) { return f(node->udp(t), t); });
    }
    stack::SocketId joined_socket(const stack::IpAddress& group) {
        return on_stack([&](stack::UdpService& u, stack::StackThread& t) {
            const auto s = u.open(group.family, t);
            REQUIRE(s);
            REQUIRE(u.bind(*s, stack::Endpoint{stack::IpAddress::any(group.family), kPort}, t));
            REQUIRE(u.join(*s, 1, group, t));
            return *s;
        });
    }
    std::size_t queued(stack::SocketId s) {
        return on_stack([&](stack::UdpService& u, stack::StackThread& t) { return u.info(s, t)->queued; });
    }
    /// Polls the queue (bounded): the replayer's frames are in flight after it exits.
    bool wait_queued(stack::SocketId s, std::size_t n) {
        const auto end = std::chrono::steady_clock::now() + 10s;
        while (queued(s) < n) {
            if (std::chrono::steady_clock::now() > end) return false;
            std::this_thread::sleep_for(10ms);
        }
        return true;
    }
    std::vector<stack::Datagram> take(stack::SocketId s) {
        return on_stack([&](stack::UdpService& u, stack::StackThread& t) {
            std::vector<stack::Datagram> out;
            while (auto d = u.receive(s, t)) {
                if (!*d) break;
                out.push_back(std::move(**d));
            }
            return out;
        });
    }
    void replay(const std::vector<test::Frame>& frames) {
        write_pcapng(dir.file("in.pcapng"), frames);
        test::ChildProcess p({CAPLNET_BINARY, "replay", dir.file("in.pcapng"), "--into", "vde://" + dir.file("sw")});
        REQUIRE(p.wait(30s) == 0);
    }
};

bool is_pattern(const std::vector<std::uint8_t>& data) {
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] != static_cast<std::uint8_t>(i + 8)) return false;  // octet 8 + i of the datagram
    }
    return true;
}

}  // namespace

TEST_CASE("Plain, fragmented and extension-header multicast datagrams all reach the joined socket",
          "[node][mcast]") {
    Fixture f;
    const auto s4 = f.joined_socket(kGroup4);
    const auto s6 = f.joined_socket(kGroup6);
    const wire::Ipv4Address g4{{239, 0, 0, 77}};
    const wire::Ipv6Address g6{kGroup6.octets};
    std::vector<test::Frame> frames;
    frames.push_back(test::udp4(g4.multicast_mac(), kPeerMac, kPeer4, g4, kPort, 1, 100));
    for (auto& fr : test::udp4_fragments(g4.multicast_mac(), kPeerMac, kPeer4, g4, kPort, 3000)) {
        frames.push_back(std::move(fr));
    }
    frames.push_back(test::udp6(g6.multicast_mac(), kPeerMac, kPeer6, g6, kPort, 1));
    frames.push_back(test::udp6_hop_by_hop(g6.multicast_mac(), kPeerMac, kPeer6, g6, kPort));
    // A group nobody joined: the driver's MAC filter keeps it out.
    const wire::Ipv4Address other{{239, 0, 0, 78}};
    frames.push_back(test::udp4(other.multicast_mac(), kPeerMac, kPeer4, other, kPort, 1, 100));
    f.replay(frames);

    REQUIRE(f.wait_queued(s4, 2));
    REQUIRE(f.wait_queued(s6, 2));
    const auto got4 = f.take(s4);
    const auto got6 = f.take(s6);
    REQUIRE(got4.size() == 2);
    REQUIRE(got6.size() == 2);
    CHECK(got4[0].data.size() == 100);
    CHECK(got4[1].data.size() == 3000);  // reassembled by lwIP
    for (const auto& d : got4) {
        CHECK(is_pattern(d.data));
        CHECK(d.to == kGroup4);
        CHECK(d.from == stack::Endpoint{stack::IpAddress::v4(kPeer4.octets), 50000});
        CHECK(d.if_index == 1);
    }
    for (const auto& d : got6) {
        CHECK(d.data.size() == 16);
        CHECK(is_pattern(d.data));
        CHECK(d.to == kGroup6);
        CHECK(d.from == stack::Endpoint{stack::IpAddress::v6(kPeer6.octets), 50000});
    }
    const auto r = f.node->reports();
    REQUIRE(r.size() == 1);
    const auto& drops = r[0].counters.rx_drops;
    CHECK(drops.contains("multicast-not-joined"));
}

TEST_CASE("A multicast send loops back to the node's own joined sockets, IPv4 and IPv6", "[node][mcast]") {
    Fixture f;
    for (const auto& group : {kGroup4, kGroup6}) {
        const auto rx = f.joined_socket(group);
        const auto other = f.on_stack([&](stack::UdpService& u, stack::StackThread& t) {
            const auto s = u.open(group.family, t);
            REQUIRE(u.bind(*s, stack::Endpoint{stack::IpAddress::any(group.family), kPort}, t));
            return *s;
        });
        const std::uint8_t text[3] = {'a', 'b', 'c'};
        const std::uint16_t tx_port = f.on_stack([&](stack::UdpService& u, stack::StackThread& t) {
            const auto s = u.open(group.family, t);
            REQUIRE(u.set_multicast_interface(*s, 1, t));
            REQUIRE(u.send(*s, stack::Endpoint{group, kPort}, text, t));
            return u.info(*s, t)->local->port;
        });
        REQUIRE(f.wait_queued(rx, 1));
        const auto got = f.take(rx);
        REQUIRE(got.size() == 1);
        CHECK(got[0].data == std::vector<std::uint8_t>{'a', 'b', 'c'});
        CHECK(got[0].to == group);
        CHECK(got[0].from.port == tx_port);
        CHECK(got[0].if_index == 1);
        if (group.is_v6()) {
            // Whichever address lwIP's source selection picks; a link-local one names the interface.
            const auto& a = got[0].from.address;
            const bool link_local = a.octets[0] == 0xfe && a.octets[1] == 0x80;
            CHECK((a == stack::IpAddress::v6(test::ip6("fd11::1").octets) || (link_local && a.scope_id == 1)));
        } else {
            CHECK(got[0].from.address == stack::IpAddress::v4({10, 11, 0, 1}));
        }
        CHECK(f.queued(other) == 0);  // per-socket rule: it did not join
    }
}
