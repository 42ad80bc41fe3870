// OS mode's UdpBackend against the Linux kernel. Every test case first moves its process into a
// fresh, unnamed network namespace (unshare(CLONE_NEWNET); catch_discover_tests runs each case in
// its own process) and brings its lo up: lo is the only interface there, so no datagram ever
// leaves the namespace and the adapter list is known. Needs root: tagged [oracle].
#include "stack/os/os_udp_backend.hpp"

#include <net/if.h>
#include <sched.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/support/process.hpp"
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace caplnet::stack {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

const IpAddress kLoopbackV4 = IpAddress::v4({127, 0, 0, 1});
const IpAddress kLoopbackV6 = IpAddress::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

void enter_private_netns() {
    INFO("unshare(CLONE_NEWNET) needs root (CAP_SYS_ADMIN)");
    REQUIRE(::unshare(CLONE_NEWNET) == 0);
    REQUIRE(std::system("ip link set lo up") == 0);
}

void sh(const std::string& cmd) {
    INFO(cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
}

// What the backend's receiver thread hands to the sink, waited for with a deadline.
class SinkInbox {
public:
    UdpBackend::Sink sink() {
        return [this](SocketId s, Datagram d) {
            std::lock_guard lock(mutex_);
            items_.emplace_back(s, std::move(d));
            cv_.notify_all();
        };
    }
    std::vector<std::pair<SocketId, Datagram>> wait(std::size_t n) {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, 5s, [&] { return items_.size() >= n; });
        return items_;
    }
    std::size_t size() {
        std::lock_guard lock(mutex_);
        return items_.size();
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::pair<SocketId, Datagram>> items_;
};

using caplnet::test::eventually;

SocketId open_ok(UdpBackend& b, Family f) {
    auto s = b.open(f);
    REQUIRE(s);
    return *s;
}

std::uint16_t local_port(UdpBackend& b, SocketId s) {
    auto i = b.info(s);
    REQUIRE(i);
    REQUIRE(i->local);
    return i->local->port;
}

// Two sockets on one loopback address: the armed receiver gets the datagram through the sink,
// the reply lands in the sender's queue.
void exchange_over(const IpAddress& loopback) {
    enter_private_netns();
    OsUdpBackend b{Limits{}};
    SinkInbox inbox;
    b.set_sink(inbox.sink());

    const SocketId rx = open_ok(b, loopback.family);
    const SocketId tx = open_ok(b, loopback.family);
    REQUIRE(b.bind(rx, Endpoint{loopback, 0}));
    const std::uint16_t rx_port = local_port(b, rx);
    CHECK(rx_port != 0);

    auto armed = b.receive(rx);
    REQUIRE(armed);
    CHECK_FALSE(armed->has_value());

    const Bytes payload{'h', 'e', 'l', 'l', 'o'};
    REQUIRE(b.send(tx, Endpoint{loopback, rx_port}, payload));
    const std::uint16_t tx_port = local_port(b, tx);  // bound by the send
    CHECK(b.info(tx)->local->address.is_any());

    auto got = inbox.wait(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].first == rx);
    const Datagram& d = got[0].second;
    CHECK(d.from == Endpoint{loopback, tx_port});
    CHECK(d.to == loopback);
    CHECK(d.if_index == 1);  // lo, the namespace's only interface
    CHECK(d.data == payload);

    // Unarmed: the reply waits in tx's queue until receive() takes it.
    const Bytes reply{'b', 'a', 'c', 'k'};
    REQUIRE(b.send(rx, Endpoint{loopback, tx_port}, reply));
    REQUIRE(eventually([&] { return b.info(tx)->queued == 1; }));
    CHECK(inbox.size() == 1);
    auto r = b.receive(tx);
    REQUIRE(r);
    REQUIRE(r->has_value());
    CHECK((*r)->from == Endpoint{loopback, rx_port});
    CHECK((*r)->to == loopback);
    CHECK((*r)->if_index == 1);
    CHECK((*r)->data == reply);
    CHECK(b.info(tx)->queued == 0);
}

}  // namespace

TEST_CASE("OS mode lists the namespace's loopback first with 127.0.0.1/8 and ::1/128",
          "[stack][os][oracle]") {
    enter_private_netns();
    OsUdpBackend b{Limits{}};
    CHECK_FALSE(b.product_stack());
    const auto& adapters = b.adapters();
    REQUIRE(adapters.size() >= 1);
    const AdapterInfo& lo = adapters[0];
    CHECK(lo.name == "lo");
    CHECK(lo.if_index == 1);
    CHECK(lo.channel == 1);
    CHECK_FALSE(lo.vlan);
    CHECK(lo.mac.is_zero());
    REQUIRE(lo.addresses.size() >= 2);
    CHECK(lo.addresses[0] == std::pair{kLoopbackV4, std::uint8_t{8}});
    CHECK(std::find(lo.addresses.begin(), lo.addresses.end(),
                    std::pair{kLoopbackV6, std::uint8_t{128}}) != lo.addresses.end());
    // IPv4 first, then IPv6.
    CHECK(std::is_partitioned(lo.addresses.begin(), lo.addresses.end(),
                              [](const auto& a) { return !a.first.is_v6(); }));
    // ifIndex is the position in the listing; the kernel's own ifindex stays behind the backend.
    CHECK(b.kernel_if_index(1) == ::if_nametoindex("lo"));
    CHECK(b.if_index_of_kernel(::if_nametoindex("lo")) == 1);
    CHECK(b.kernel_if_index(0) == 0);
    CHECK(b.kernel_if_index(static_cast<std::uint32_t>(adapters.size() + 1)) == 0);
}

TEST_CASE("OS mode numbers adapters by their position in the kernel's listing",
          "[stack][os][oracle]") {
    enter_private_netns();
    // A pair made and deleted leaves a gap in the kernel's ifindexes (1, then 4 and 5), so a
    // position (1, 2, 3) and a kernel ifindex differ from here on.
    sh("ip link add cnt_x type veth peer name cnt_y");
    sh("ip link del cnt_x");
    sh("ip link add cnt_a address 02:00:00:00:0e:01 type veth peer name cnt_b");
    sh("ip link set cnt_a up");
    sh("ip link set cnt_b up");
    sh("ip addr add 192.0.2.7/24 dev cnt_a");
    sh("ip addr add fe80::7/64 dev cnt_a nodad");
    OsUdpBackend b{Limits{}};
    const auto& adapters = b.adapters();
    REQUIRE(adapters.size() == 3);
    CHECK(adapters[0].name == "lo");
    CHECK(adapters[1].name == "cnt_b");  // the peer is made first
    const AdapterInfo& a = adapters[2];
    CHECK(a.name == "cnt_a");
    CHECK(a.if_index == 3);
    CHECK(a.channel == 3);
    CHECK_FALSE(a.vlan);
    CHECK(a.mac == *wire::MacAddress::parse("02:00:00:00:0e:01"));
    CHECK(::if_nametoindex("cnt_a") != 3);
    CHECK(b.kernel_if_index(3) == ::if_nametoindex("cnt_a"));
    CHECK(b.if_index_of_kernel(::if_nametoindex("cnt_a")) == 3);
    REQUIRE_FALSE(a.addresses.empty());
    CHECK(a.addresses[0] == std::pair{IpAddress::v4({192, 0, 2, 7}), std::uint8_t{24}});
    const IpAddress fe80_7 =
        IpAddress::v6({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}, /*scope=*/3);
    CHECK(std::find(a.addresses.begin(), a.addresses.end(), std::pair{fe80_7, std::uint8_t{64}}) !=
          a.addresses.end());

    // Scope ids cross the kernel boundary as positions, both ways.
    SinkInbox inbox;
    b.set_sink(inbox.sink());
    const SocketId rx = open_ok(b, Family::V6);
    const SocketId tx = open_ok(b, Family::V6);
    REQUIRE(b.bind(rx, Endpoint{fe80_7, 0}));
    CHECK(b.info(rx)->local->address == fe80_7);
    REQUIRE(b.bind(tx, Endpoint{fe80_7, 0}));
    REQUIRE(b.receive(rx));
    REQUIRE(b.send(tx, Endpoint{fe80_7, local_port(b, rx)}, Bytes{1}));
    auto got = inbox.wait(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].second.from == Endpoint{fe80_7, local_port(b, tx)});
    CHECK(got[0].second.to.same_address(fe80_7));
    CHECK(got[0].second.if_index == 3);
}

TEST_CASE("OS mode sockets exchange datagrams over 127.0.0.1", "[stack][os][oracle]") {
    exchange_over(kLoopbackV4);
}

TEST_CASE("OS mode sockets exchange datagrams over ::1", "[stack][os][oracle]") {
    exchange_over(kLoopbackV6);
}

TEST_CASE("OS mode hands a queued datagram to receive() and the next one to the sink",
          "[stack][os][oracle]") {
    enter_private_netns();
    OsUdpBackend b{Limits{}};
    SinkInbox inbox;
    b.set_sink(inbox.sink());
    const SocketId rx = open_ok(b, Family::V4);
    const SocketId tx = open_ok(b, Family::V4);
    REQUIRE(b.bind(rx, Endpoint{IpAddress::any(Family::V4), 0}));
    const Endpoint to{kLoopbackV4, local_port(b, rx)};

    REQUIRE(b.send(tx, to, Bytes{1}));
    REQUIRE(eventually([&] { return b.info(rx)->queued == 1; }));
    auto first = b.receive(rx);
    REQUIRE(first);
    REQUIRE(first->has_value());
    CHECK((*first)->data == Bytes{1});

    auto armed = b.receive(rx);
    REQUIRE(armed);
    CHECK_FALSE(armed->has_value());
    REQUIRE(b.send(tx, to, Bytes{2}));
    REQUIRE(b.send(tx, to, Bytes{3}));
    auto got = inbox.wait(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].first == rx);
    CHECK(got[0].second.data == Bytes{2});
    // One arming, one datagram: the next one queues.
    REQUIRE(eventually([&] { return b.info(rx)->queued == 1; }));
    CHECK(inbox.size() == 1);
    CHECK((*b.receive(rx))->data == Bytes{3});
}

TEST_CASE("OS mode counts datagrams beyond the receive queue limit as drops",
          "[stack][os][oracle]") {
    enter_private_netns();
    Limits limits;
    limits.receive_queue = 3;
    OsUdpBackend b{limits};
    const SocketId rx = open_ok(b, Family::V6);
    const SocketId tx = open_ok(b, Family::V6);
    REQUIRE(b.bind(rx, Endpoint{kLoopbackV6, 0}));
    const Endpoint to{kLoopbackV6, local_port(b, rx)};
    for (std::uint8_t i = 0; i < 5; ++i) REQUIRE(b.send(tx, to, Bytes{i}));
    REQUIRE(eventually([&] {
        auto i = b.info(rx);
        return i->queued + i->queue_drops == 5;
    }));
    CHECK(b.info(rx)->queued == 3);
    CHECK(b.info(rx)->queue_drops == 2);
    for (std::uint8_t i = 0; i < 3; ++i) CHECK((*b.receive(rx))->data == Bytes{i});
}

TEST_CASE("OS mode answers multicast membership calls with NotSupported after the handle check",
          "[stack][os][oracle]") {
    enter_private_netns();
    OsUdpBackend b{Limits{}};
    const SocketId s = open_ok(b, Family::V4);
    const IpAddress group = IpAddress::v4({239, 0, 0, 123});
    CHECK(b.join(s, 1, group).error() == Error::NotSupported);
    CHECK(b.leave(s, 1, group).error() == Error::NotSupported);
    CHECK(b.set_multicast_interface(s, 1).error() == Error::NotSupported);
    CHECK(b.info(s)->memberships == 0);
    CHECK(b.info(s)->multicast_if == 0);
    const SocketId unknown = s + 100;
    CHECK(b.join(unknown, 1, group).error() == Error::InvalidHandle);
    CHECK(b.leave(unknown, 1, group).error() == Error::InvalidHandle);
    CHECK(b.set_multicast_interface(unknown, 1).error() == Error::InvalidHandle);
}

TEST_CASE("OS mode never reuses a socket handle and rejects closed ones", "[stack][os][oracle]") {
    enter_private_netns();
    OsUdpBackend b{Limits{}};
    CHECK(open_ok(b, Family::V4) == 1);
    CHECK(open_ok(b, Family::V6) == 2);
    REQUIRE(b.close(1));
    CHECK(open_ok(b, Family::V4) == 3);
    CHECK(b.close(1).error() == Error::InvalidHandle);
    CHECK(b.close(99).error() == Error::InvalidHandle);
    CHECK(b.info(1).error() == Error::InvalidHandle);
    CHECK(b.bind(1, Endpoint{kLoopbackV4, 0}).error() == Error::InvalidHandle);
    CHECK(b.send(1, Endpoint{kLoopbackV4, 9}, Bytes{1}).error() == Error::InvalidHandle);
    CHECK(b.receive(1).error() == Error::InvalidHandle);
}

TEST_CASE("OS mode refuses sockets beyond the socket limit", "[stack][os][oracle]") {
    enter_private_netns();
    Limits limits;
    limits.sockets = 2;
    OsUdpBackend b{limits};
    open_ok(b, Family::V4);
    open_ok(b, Family::V4);
    CHECK(b.open(Family::V4).error() == Error::LimitReached);
    REQUIRE(b.close(2));
    CHECK(open_ok(b, Family::V4) == 3);
}

TEST_CASE("OS mode applies the bind rules with the kernel's answers", "[stack][os][oracle]") {
    enter_private_netns();
    OsUdpBackend b{Limits{}};
    const SocketId a = open_ok(b, Family::V4);
    const SocketId c = open_ok(b, Family::V4);
    CHECK(b.bind(a, Endpoint{kLoopbackV6, 0}).error() == Error::AddressFamilyMismatch);
    CHECK(b.bind(a, Endpoint{IpAddress::v4({192, 0, 2, 1}), 0}).error() ==
          Error::AddressNotAvailable);
    REQUIRE(b.bind(a, Endpoint{IpAddress::any(Family::V4), 0}));
    const std::uint16_t port = local_port(b, a);
    CHECK(b.bind(a, Endpoint{kLoopbackV4, 0}).error() == Error::AlreadyBound);
    CHECK(b.bind(c, Endpoint{IpAddress::any(Family::V4), port}).error() == Error::AddressInUse);

    // SO_REUSEADDR on both lets two sockets share the port.
    const SocketId r1 = open_ok(b, Family::V6);
    const SocketId r2 = open_ok(b, Family::V6);
    REQUIRE(b.set_option(r1, SocketOption::ReuseAddress, 1));
    REQUIRE(b.set_option(r2, SocketOption::ReuseAddress, 1));
    CHECK(*b.option(r1, SocketOption::ReuseAddress) == 1);
    REQUIRE(b.bind(r1, Endpoint{IpAddress::any(Family::V6), 0}));
    CHECK(b.bind(r2, Endpoint{IpAddress::any(Family::V6), local_port(b, r1)}));
    // A link-local address needs its interface.
    const SocketId ll = open_ok(b, Family::V6);
    CHECK(b.bind(ll, Endpoint{IpAddress::v6({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
                                            /*scope=*/9),
                              0})
              .error() == Error::AddressNotAvailable);
}

TEST_CASE("OS mode applies the send rules and maps the kernel's errors", "[stack][os][oracle]") {
    enter_private_netns();
    OsUdpBackend b{Limits{}};
    const SocketId s = open_ok(b, Family::V4);
    CHECK(b.send(s, std::nullopt, Bytes{1}).error() == Error::NotConnected);
    CHECK(b.send(s, Endpoint{kLoopbackV4, 0}, Bytes{1}).error() == Error::InvalidArgument);
    CHECK(b.send(s, Endpoint{IpAddress::any(Family::V4), 9}, Bytes{1}).error() ==
          Error::InvalidArgument);
    CHECK(b.send(s, Endpoint{kLoopbackV6, 9}, Bytes{1}).error() == Error::AddressFamilyMismatch);
    CHECK(b.send(s, Endpoint{kLoopbackV4, 9}, Bytes(65508, 0)).error() == Error::MessageTooLong);
    CHECK_FALSE(b.info(s)->local);  // nothing above bound the socket

    // Only lo exists: no route to anything else.
    CHECK(b.send(s, Endpoint{IpAddress::v4({192, 0, 2, 1}), 9}, Bytes{1}).error() ==
          Error::NetworkUnreachable);
    // lo's 127.0.0.0/8 has the broadcast 127.255.255.255: the kernel refuses it without
    // SO_BROADCAST (EACCES).
    const Endpoint lo_broadcast{IpAddress::v4({127, 255, 255, 255}), 9};
    CHECK(b.send(s, lo_broadcast, Bytes{1}));
    REQUIRE(b.set_option(s, SocketOption::Broadcast, 0));
    CHECK(b.send(s, lo_broadcast, Bytes{1}).error() == Error::InvalidArgument);

    const SocketId v6 = open_ok(b, Family::V6);
    const IpAddress fe80_1 =
        IpAddress::v6({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    CHECK(b.send(v6, Endpoint{fe80_1, 9}, Bytes{1}).error() == Error::NetworkUnreachable);
}

TEST_CASE("OS mode sends multicast where the kernel routes it, without a multicast interface",
          "[stack][os][oracle]") {
    enter_private_netns();
    OsUdpBackend b{Limits{}};
    const SocketId s = open_ok(b, Family::V4);
    const Endpoint group{IpAddress::v4({239, 0, 0, 123}), 40001};
    CHECK(b.send(s, group, Bytes{1}).error() == Error::NetworkUnreachable);
    sh("ip route add 224.0.0.0/4 dev lo");
    CHECK(b.send(s, group, Bytes{1}));
}

TEST_CASE("OS mode sockets start with SPEC's multicast defaults and broadcast on",
          "[stack][os][oracle]") {
    enter_private_netns();
    OsUdpBackend b{Limits{}};
    for (Family f : {Family::V4, Family::V6}) {
        INFO((f == Family::V6 ? "IPv6" : "IPv4"));
        const SocketId s = open_ok(b, f);
        CHECK(*b.option(s, SocketOption::MulticastTtl) == 1);
        CHECK(*b.option(s, SocketOption::MulticastLoop) == 1);
        CHECK(*b.option(s, SocketOption::Broadcast) == 1);
        CHECK(*b.option(s, SocketOption::ReuseAddress) == 0);
        REQUIRE(b.set_option(s, SocketOption::MulticastTtl, 32));
        CHECK(*b.option(s, SocketOption::MulticastTtl) == 32);
        REQUIRE(b.set_option(s, SocketOption::MulticastLoop, 0));
        CHECK(*b.option(s, SocketOption::MulticastLoop) == 0);
        REQUIRE(b.set_option(s, SocketOption::Ttl, 100));
        CHECK(*b.option(s, SocketOption::Ttl) == 100);
        CHECK(b.set_option(s, SocketOption::MulticastTtl, 256).error() == Error::InvalidArgument);
        CHECK(b.set_option(s, SocketOption::Ttl, -1).error() == Error::InvalidArgument);
    }
}

TEST_CASE("OS mode connected sockets send to their peer", "[stack][os][oracle]") {
    enter_private_netns();
    OsUdpBackend b{Limits{}};
    const SocketId rx = open_ok(b, Family::V4);
    const SocketId tx = open_ok(b, Family::V4);
    REQUIRE(b.bind(rx, Endpoint{kLoopbackV4, 0}));
    const Endpoint peer{kLoopbackV4, local_port(b, rx)};
    CHECK(b.connect(tx, Endpoint{kLoopbackV4, 0}).error() == Error::InvalidArgument);
    REQUIRE(b.connect(tx, peer));
    CHECK(b.info(tx)->remote == peer);
    REQUIRE(b.info(tx)->local);  // connect binds an unbound socket
    REQUIRE(b.send(tx, std::nullopt, Bytes{7}));
    REQUIRE(eventually([&] { return b.info(rx)->queued == 1; }));
    auto d = b.receive(rx);
    CHECK((*d)->from.port == local_port(b, tx));
    CHECK((*d)->data == Bytes{7});
}

}  // namespace caplnet::stack
