// tap:// against the Linux kernel as the peer. Every test case first moves its own process into a
// fresh, unnamed network namespace (unshare(CLONE_NEWNET); catch_discover_tests runs each case
// in its own process), so the TAP, its addresses and routes are never visible in the root
// namespace and vanish with the process even if it crashes. Needs root: tagged [oracle].
#include "netif/link/tap_link.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "netif/wire/ethernet.hpp"

namespace caplnet::netif {
namespace {

using Frame = std::vector<std::uint8_t>;
using wire::MacAddress;

const MacAddress kLinkMac{{0x02, 0x00, 0x00, 0x00, 0x77, 0x02}};
constexpr std::uint32_t kKernelIp = 0x0a4d0001;  // 10.77.0.1, the TAP's kernel side
constexpr std::uint32_t kLinkIp = 0x0a4d0002;    // 10.77.0.2, "our" end

// A private network namespace for this process, and the tap name used in it.
std::string enter_private_netns() {
    INFO("unshare(CLONE_NEWNET) needs root (CAP_SYS_ADMIN)");
    REQUIRE(::unshare(CLONE_NEWNET) == 0);
    // Keep the kernel quiet on the TAP: no IPv6 router solicitations, DAD or MLD reports.
    std::ofstream("/proc/sys/net/ipv6/conf/default/disable_ipv6") << "1\n";
    return "cnt" + std::to_string(::getpid());
}

void sh(const std::string& cmd) {
    INFO(cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
}

std::unique_ptr<Link> open_or_fail(const std::string& name) {
    auto link = open_tap_link(name, "tap://" + name);
    if (!link) {
        FAIL(link.error().message);
    }
    return std::move(*link);
}

// Brings the kernel side of the TAP up with 10.77.0.1/24.
void configure_kernel_side(const std::string& name) {
    sh("ip link set dev " + name + " up");
    sh("ip addr add 10.77.0.1/24 dev " + name);
}

MacAddress kernel_mac(const std::string& name) {
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(s >= 0);
    ifreq ifr{};
    name.copy(ifr.ifr_name, IFNAMSIZ - 1);
    const int rc = ::ioctl(s, SIOCGIFHWADDR, &ifr);
    ::close(s);
    REQUIRE(rc == 0);
    MacAddress m;
    std::copy_n(reinterpret_cast<const std::uint8_t*>(ifr.ifr_hwaddr.sa_data), 6, m.octets.begin());
    return m;
}

struct Arp {
    std::uint16_t oper;
    MacAddress sha;
    std::uint32_t spa;
    MacAddress tha;
    std::uint32_t tpa;
};

// Ethernet + ARP for IPv4 over Ethernet (RFC 826), 42 bytes, unpadded.
Frame arp_frame(const MacAddress& dst, const Arp& a) {
    Frame f(wire::kEthernetHeaderLen + 28);
    wire::MutableBytes b(f);
    wire::emit_ethernet_header(b, dst, a.sha, wire::ethertype::kArp);
    wire::write_be16(b, 14, 1);       // htype: Ethernet
    wire::write_be16(b, 16, 0x0800);  // ptype: IPv4
    f[18] = 6;                        // hlen
    f[19] = 4;                        // plen
    wire::write_be16(b, 20, a.oper);
    std::copy(a.sha.octets.begin(), a.sha.octets.end(), f.begin() + 22);
    wire::write_be32(b, 28, a.spa);
    std::copy(a.tha.octets.begin(), a.tha.octets.end(), f.begin() + 32);
    wire::write_be32(b, 38, a.tpa);
    return f;
}

std::optional<Arp> parse_arp(wire::Bytes f) {
    auto eth = wire::EthernetView::of(f);
    if (!eth || eth->ethertype() != wire::ethertype::kArp || eth->payload().size() < 28) {
        return std::nullopt;
    }
    const wire::Bytes p = eth->payload();
    Arp a{};
    a.oper = wire::read_be16(p, 6);
    std::copy_n(p.begin() + 8, 6, a.sha.octets.begin());
    a.spa = wire::read_be32(p, 14);
    std::copy_n(p.begin() + 18, 6, a.tha.octets.begin());
    a.tpa = wire::read_be32(p, 24);
    return a;
}

// Receives until `match` accepts a frame, waiting on data_fd() with poll (no sleeps); other
// frames are skipped. Fails after 5 s.
template <class Match>
Frame wait_for(Link& link, Match match) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    FrameBatch batch(8);
    while (Clock::now() < deadline) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd p{link.data_fd(), POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 1)));
        REQUIRE(ready >= 0);
        if (ready == 0) {
            continue;
        }
        auto got = link.receive(batch);
        if (!got) {
            FAIL(got.error().message);
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (match(batch.frame(i))) {
                auto f = batch.frame(i);
                return Frame(f.begin(), f.end());
            }
        }
    }
    FAIL("no matching frame within 5 s");
    return {};
}

}  // namespace

TEST_CASE("TAP link gets the kernel's ARP reply to an ARP request it sends",
          "[link][tap][oracle]") {
    const std::string name = enter_private_netns();
    auto link = open_or_fail(name);
    CHECK(link->url() == "tap://" + name);
    CHECK(::if_nametoindex(name.c_str()) != 0);
    configure_kernel_side(name);

    const Frame request = arp_frame(wire::kBroadcastMac, {1, kLinkMac, kLinkIp, {}, kKernelIp});
    REQUIRE(link->send(request).has_value());

    const Frame reply = wait_for(*link, [](wire::Bytes f) {
        auto a = parse_arp(f);
        return a && a->oper == 2;
    });
    auto eth = wire::EthernetView::of(reply);
    REQUIRE(eth.has_value());
    CHECK(eth->destination() == kLinkMac);
    CHECK(eth->source() == kernel_mac(name));
    const auto a = parse_arp(reply);
    REQUIRE(a.has_value());
    CHECK(a->sha == kernel_mac(name));
    CHECK(a->spa == kKernelIp);
    CHECK(a->tha == kLinkMac);
    CHECK(a->tpa == kLinkIp);
}

TEST_CASE("TAP link resolves the kernel's ARP request and then receives its UDP datagram",
          "[link][tap][oracle]") {
    const std::string name = enter_private_netns();
    auto link = open_or_fail(name);
    configure_kernel_side(name);

    // A kernel socket sends to 10.77.0.2, which the kernel must first resolve over the TAP.
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(s >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(40001);
    to.sin_addr.s_addr = htonl(kLinkIp);
    const std::string payload = "caplnet-tap";
    REQUIRE(::sendto(s, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to),
                     sizeof to) == static_cast<ssize_t>(payload.size()));

    const Frame who_has = wait_for(*link, [](wire::Bytes f) {
        auto a = parse_arp(f);
        return a && a->oper == 1 && a->tpa == kLinkIp;
    });
    const auto req = parse_arp(who_has);
    REQUIRE(req.has_value());
    CHECK(req->spa == kKernelIp);

    REQUIRE(
        link->send(arp_frame(req->sha, {2, kLinkMac, kLinkIp, req->sha, kKernelIp})).has_value());

    const Frame datagram = wait_for(*link, [](wire::Bytes f) {
        auto eth = wire::EthernetView::of(f);
        return eth && eth->ethertype() == wire::ethertype::kIpv4;
    });
    ::close(s);
    auto eth = wire::EthernetView::of(datagram);
    REQUIRE(eth.has_value());
    CHECK(eth->destination() == kLinkMac);
    const wire::Bytes ip = eth->payload();
    REQUIRE(ip.size() >= 20 + 8 + payload.size());
    CHECK(ip[9] == 17);  // protocol UDP
    CHECK(wire::read_be32(ip, 12) == kKernelIp);
    CHECK(wire::read_be32(ip, 16) == kLinkIp);
    const std::size_t ihl = (ip[0] & 0x0fU) * 4U;
    CHECK(wire::read_be16(ip, ihl + 2) == 40001);
    const wire::Bytes data = ip.subspan(ihl + 8, payload.size());
    CHECK(std::string(data.begin(), data.end()) == payload);
}

TEST_CASE("TAP link treats a down interface as a lost frame, not a closed link",
          "[link][tap][oracle]") {
    const std::string name = enter_private_netns();
    auto link = open_or_fail(name);  // created down

    FrameBatch batch(4);
    auto got = link->receive(batch);
    REQUIRE(got.has_value());
    CHECK(*got == 0);

    const Frame request = arp_frame(wire::kBroadcastMac, {1, kLinkMac, kLinkIp, {}, kKernelIp});
    auto sent = link->send(request);
    REQUIRE_FALSE(sent.has_value());
    CHECK(sent.error().kind == LinkError::Kind::Io);
    CHECK_THAT(sent.error().message, Catch::Contains(name) && Catch::Contains("down"));

    configure_kernel_side(name);
    CHECK(link->send(request).has_value());
    wait_for(*link, [](wire::Bytes f) {
        auto a = parse_arp(f);
        return a && a->oper == 2;
    });
}

TEST_CASE("TAP link reports Closed once its interface is deleted", "[link][tap][oracle]") {
    const std::string name = enter_private_netns();
    auto link = open_or_fail(name);
    configure_kernel_side(name);
    sh("ip link del dev " + name);

    pollfd p{link->data_fd(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 1000) == 1);  // the poll loop wakes up (POLLERR) ...
    FrameBatch batch(4);
    auto got = link->receive(batch);  // ... and learns the link has ended
    REQUIRE_FALSE(got.has_value());
    CHECK(got.error().kind == LinkError::Kind::Closed);
    auto sent = link->send(arp_frame(wire::kBroadcastMac, {1, kLinkMac, kLinkIp, {}, kKernelIp}));
    REQUIRE_FALSE(sent.has_value());
    CHECK(sent.error().kind == LinkError::Kind::Closed);
}

TEST_CASE("TAP link creates a non-persistent TAP that vanishes with the link",
          "[link][tap][oracle]") {
    const std::string name = enter_private_netns();
    auto link = open_or_fail(name);
    CHECK(::if_nametoindex(name.c_str()) != 0);
    link.reset();
    CHECK(::if_nametoindex(name.c_str()) == 0);
}

TEST_CASE("TAP link refuses names the kernel cannot take", "[link][tap][oracle]") {
    enter_private_netns();
    SECTION("empty or longer than 15 characters") {
        for (const std::string name : {"", "sixteen-chars-xx"}) {
            auto link = open_tap_link(name, "tap://" + name);
            REQUIRE_FALSE(link.has_value());
            CHECK(link.error().kind == LinkError::Kind::BadUrl);
        }
    }
    SECTION("a slash in the name") {
        auto link = open_tap_link("a/b", "tap://a/b");
        REQUIRE_FALSE(link.has_value());
        CHECK(link.error().kind == LinkError::Kind::Unavailable);
        CHECK_THAT(link.error().message, Catch::Contains("TUNSETIFF"));
    }
}

}  // namespace caplnet::netif
