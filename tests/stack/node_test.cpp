// A real node (real lwIP, one per test process) fed through pcap:// links, its own capture read
// back with tshark.
#include <catch2/catch.hpp>

#include "netif/capture/pcapng_writer.hpp"
#include "stack/node.hpp"
#include "tests/support/frames.hpp"
#include "tests/support/process.hpp"

using namespace caplnet;
using namespace std::chrono_literals;

namespace {

void write_pcapng(const std::string& path, const std::vector<test::Frame>& frames) {
    auto w = netif::PcapngWriter::create(path);
    REQUIRE(w);
    const auto id = (*w)->add_interface("peer");
    std::uint64_t t = 1'700'000'000'000'000'000ULL;
    for (const auto& f : frames) (*w)->write(id, t += 1000, f, netif::Direction::Outbound);
}

std::uint64_t drops(const stack::AdapterReport& r, const std::string& reason) {
    auto it = r.counters.rx_drops.find(reason);
    return it == r.counters.rx_drops.end() ? 0 : it->second;
}

}  // namespace

TEST_CASE("Malformed frames are counted and dropped and the node keeps running", "[node]") {
    test::TempDir dir;
    const std::string pcap = std::string(CAPLNET_SHARED_DIR) + "/captures/malformed.pcap";
    auto config = stack::parse_node_config(R"(
name = "victim"
[[adapter]]
link = "pcap://)" + pcap + R"("
mac = "02:00:00:00:0a:02"
ipv4 = ["192.0.2.20/24"]
  [[adapter.vlan]]
  id = 10
  ipv4 = ["192.0.12.20/24"]
)",
                                           "victim.toml");
    auto node = stack::Node::start(config, {dir.path(), dir.file("victim.pcapng"), {}});
    REQUIRE(node);
    REQUIRE((*node)->wait_links_closed(30s));
    // The stack thread still serves calls after the whole set went through it.
    CHECK((*node)->loop().call([](stack::StackThread&) { return 42; }) == 42);
    const auto reports = (*node)->reports();
    REQUIRE(reports.size() == 1);
    const auto& r = reports[0];
    CHECK(r.counters.rx_frames == 50);
    CHECK(r.counters.rx_delivered + r.counters.rx_dropped() == r.counters.rx_frames);
    // Only the two lone IPv4 fragments (#24, #25) and at most the frames the README lets a
    // stack deliver (#11, #27) are well-formed enough to reach lwIP.
    CHECK(r.counters.rx_delivered <= 4);
    CHECK(r.counters.rx_dropped() >= 46);
    (*node)->stop();
    CHECK(test::tshark_fields(dir.file("victim.pcapng"), "", {"frame.number"}).size() >= 50);
}

TEST_CASE("A node never processes frames for another MAC and never forwards", "[node]") {
    test::TempDir dir;
    const auto peer_mac = test::mac("02:00:00:00:00:02");
    const auto node_mac = test::mac("02:00:00:00:00:01");
    const auto other_mac = test::mac("02:00:00:00:00:99");
    const auto peer = test::ip4("10.0.0.2");
    const auto me = test::ip4("10.0.0.1");
    // In order: ARP so the node learns the peer; an echo it must answer (the positive control);
    // the same echo to another MAC; datagrams for the other interface's subnet, which lwIP would
    // route (IP_FORWARD=1) or answer with Time Exceeded (TTL 1).
    write_pcapng(dir.file("in.pcapng"),
                 {
                     test::arp_request(peer_mac, peer, me),
                     test::icmpv4_echo_request(node_mac, peer_mac, peer, me),
                     test::icmpv4_echo_request(other_mac, peer_mac, peer, me),
                     test::udp4(node_mac, peer_mac, peer, test::ip4("10.0.1.5"), 9, 1),
                     test::udp4(node_mac, peer_mac, peer, test::ip4("10.0.1.5"), 9, 64),
                     test::udp6(node_mac, peer_mac, test::ip6("fd00::2"), test::ip6("fd01::5"), 9, 1),
                     // A full-size frame for us: larger than one of lwIP's pool pbufs (regression:
                     // the driver once overran the heap here; ASan builds catch it).
                     test::udp4(node_mac, peer_mac, peer, me, 9, 64, 1400),
                 });
    write_pcapng(dir.file("empty.pcapng"), {});
    auto config = stack::parse_node_config(R"(
name = "router-to-be"
[[adapter]]
link = "pcap://in.pcapng"
mac = "02:00:00:00:00:01"
ipv4 = ["10.0.0.1/24"]
ipv6 = ["fd00::1/64"]
[[adapter]]
link = "pcap://empty.pcapng"
mac = "02:00:00:00:00:03"
ipv4 = ["10.0.1.1/24"]
ipv6 = ["fd01::1/64"]
)",
                                           "router.toml");
    auto node = stack::Node::start(config, {dir.path(), dir.file("out.pcapng"), {}});
    REQUIRE(node);
    REQUIRE((*node)->wait_links_closed(30s));
    const auto r = (*node)->reports();
    (*node)->stop();
    CHECK(r[0].counters.rx_frames == 7);
    CHECK(drops(r[0], "not-our-mac") == 1);
    CHECK(drops(r[0], "not-our-ip") == 3);
    CHECK(r[0].counters.rx_delivered == 3);

    const auto out = dir.file("out.pcapng");
    // The echo to our MAC was answered: the check above could fail.
    CHECK(test::tshark_fields(out, "frame.packet_flags_direction == 2 && icmp.type == 0 && ip.dst == 10.0.0.2",
                              {"frame.number"}).size() == 1);
    // Nothing was forwarded or answered with Time Exceeded / Destination Unreachable.
    const std::string sent = "frame.packet_flags_direction == 2 && ";
    CHECK(test::tshark_fields(out, sent + "(icmp.type == 11 || icmpv6.type == 3)", {"frame.number"}).empty());
    CHECK(test::tshark_fields(out, sent + "(ip.dst == 10.0.1.5 || ipv6.dst == fd01::5)", {"frame.number"}).empty());
    // ... while the inbound copies are in the capture, so the filter would see them.
    CHECK(test::tshark_fields(out, "ip.dst == 10.0.1.5", {"frame.number"}).size() == 2);
    CHECK(test::tshark_problem_count(out) == 0);
}
