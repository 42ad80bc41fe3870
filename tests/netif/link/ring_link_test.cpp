// ring:// through open_link: URL syntax, errors a user can act on, and the vde:// → ring://
// upgrade for the switches `caplnet run` names as its own.
#include "netif/link/ring_link.hpp"

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "netif/link/link.hpp"
#include "netif/link/link_wait.hpp"
#include "netif/switch/vde_switch.hpp"
#include "tests/support/process.hpp"

namespace caplnet::netif {
namespace {

using caplnet::test::TempDir;

/// A caplnet switch in a thread, stopped at scope end.
struct SwitchThread {
    std::unique_ptr<VdeSwitch> sw;
    std::atomic<bool> stop{false};
    std::thread thread;
    explicit SwitchThread(const std::string& dir) {
        SwitchOptions o;
        o.dir = dir;
        auto s = VdeSwitch::create(o);
        REQUIRE(s);
        sw = std::move(*s);
        thread = std::thread([this] { (void)sw->run_until(stop); });
    }
    ~SwitchThread() {
        stop = true;
        thread.join();
    }
};

TEST_CASE("ring:// URLs are checked like vde:// ones", "[link][ring]") {
    LinkOptions o;
    auto bad = GENERATE(as<std::string>{}, "ring://", "ring://sw[", "ring://sw[x]", "ring://sw[1]x");
    auto l = open_link(bad, o);
    REQUIRE_FALSE(l);
    CHECK(l.error().kind == LinkError::Kind::BadUrl);
    CHECK_THAT(l.error().message, Catch::Contains("ring://"));
}

TEST_CASE("ring:// to a directory without a caplnet switch says so", "[link][ring]") {
    TempDir tmp;
    LinkOptions o;
    o.run_dir = tmp.path();
    auto l = open_link("ring://nowhere", o);
    REQUIRE_FALSE(l);
    CHECK(l.error().kind == LinkError::Kind::Unavailable);
    CHECK_THAT(l.error().message, Catch::Contains(tmp.path() + "/nowhere/ring does not exist"));
}

TEST_CASE("A vde:// URL naming a ring switch opens a ring, others stay vde://", "[link][ring]") {
    TempDir tmp;
    SwitchThread a(tmp.file("a"));
    SwitchThread b(tmp.file("b"));
    LinkOptions o;
    o.run_dir = tmp.path();
    o.ring_switches = {"a"};  // relative: against run_dir, as caplnet run passes them absolute
    auto ra = open_link("vde://a[3]", o);
    REQUIRE(ra);
    CHECK((*ra)->url() == "ring://a[3]");
    auto rb = open_link("vde://b", o);
    REQUIRE(rb);
    CHECK((*rb)->url() == "vde://b");
    REQUIRE(test::eventually([&] { return a.sw->stats().ports.size() == 1; }));
    CHECK(a.sw->stats().ports[0].ring);
    CHECK(a.sw->stats().ports[0].port == 3);
    CHECK_FALSE(b.sw->stats().ports.at(0).ring);
}

TEST_CASE("A ring link reports frames waiting and room to send without a syscall per frame",
          "[link][ring]") {
    TempDir tmp;
    SwitchThread s(tmp.file("sw"));
    LinkOptions o;
    auto x = open_link("ring://" + tmp.file("sw"), o);
    auto y = open_link("ring://" + tmp.file("sw"), o);
    REQUIRE(x);
    REQUIRE(y);
    CHECK_FALSE(link_readable(**y));
    CHECK(wait_link_writable(**x, 0));  // an empty ring has room: no wait
    std::vector<std::uint8_t> frame(60, 0);
    std::fill_n(frame.begin(), 6, 0xff);  // broadcast, flooded to y
    frame[6] = 0x02;  // a unicast source
    frame[12] = 0x88;  // ethertype 0x88b5, local experimental
    frame[13] = 0xb5;
    REQUIRE((*x)->send(frame));
    pollfd p{(*y)->data_fd(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);  // the switch woke y through its eventfd
    CHECK(link_readable(**y));
    FrameBatch batch(4);
    auto n = (*y)->receive(batch);
    REQUIRE(n);
    CHECK(*n == 1);
    CHECK(batch.frame(0).size() == 60);
    CHECK_FALSE(link_readable(**y));
}

}  // namespace
}  // namespace caplnet::netif
