// The switch in a thread of the test process, joined by real vde:// clients (our own link and
// vdeplug4's vde_plug); the harness is in switch_harness.hpp.
#include "netif/switch/vde_switch.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>

#include "tests/support/process.hpp"
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "netif/link/link.hpp"
#include "netif/link/vde_link.hpp"
#include "netif/wire/ethernet.hpp"
#include "tests/netif/switch/switch_harness.hpp"

namespace caplnet::netif {
namespace {

TEST_CASE("The switch learns source MACs and forwards known unicast to one port only", "[switch]") {
    Lan lan({1, 2, 3});
    lan.send_from(1, make_frame(kBroadcast, mac(1)));  // everyone learns where mac(1) is
    auto got = lan.received();
    CHECK(got[2].size() == 1);
    CHECK(got[3].size() == 1);

    lan.send_from(2, make_frame(mac(1), mac(2), std::nullopt, 7));
    got = lan.received();
    REQUIRE(got[1].size() == 1);
    CHECK(marker_of(got[1][0]) == 7);
    CHECK(got[3].empty());

    lan.send_from(1, make_frame(mac(2), mac(1), std::nullopt, 8));
    got = lan.received();
    REQUIRE(got[2].size() == 1);
    CHECK(marker_of(got[2][0]) == 8);
    CHECK(got[3].empty());
    CHECK(lan.sw->sw().stats().unicast_forwarded == 2);
    CHECK(lan.sw->sw().stats().mac_entries == 2);

    // A unicast to a station behind the sender's own port goes nowhere.
    lan.send_from(1, make_frame(mac(1), mac(1)));
    got = lan.received();
    CHECK(got[2].empty());
    CHECK(got[3].empty());
    CHECK(lan.sw->port(1)->counters.filtered == 1);
}

TEST_CASE("The switch floods broadcast, multicast and unknown unicast to every other port",
          "[switch]") {
    Lan lan({1, 2, 3, 4});
    const wire::MacAddress unknown = mac(99);
    for (const auto& dst : {kBroadcast, kMulticast, unknown}) {
        lan.send_from(2, make_frame(dst, mac(2)));
        auto got = lan.received();
        CHECK(got[1].size() == 1);
        CHECK(got[2].empty());  // never back to the sender
        CHECK(got[3].size() == 1);
        CHECK(got[4].size() == 1);
    }
    CHECK(lan.sw->sw().stats().flooded == 3);
    const auto p2 = lan.sw->port(2);
    REQUIRE(p2);
    CHECK(p2->counters.rx_frames == 3);
    CHECK(lan.sw->port(1)->counters.tx_frames == 3);
}

TEST_CASE("An access port carries its VLAN untagged and trunks carry it tagged", "[switch][vlan]") {
    Lan lan({1, 2, 3, 4}, {{1, PortConfig::access(10)},
                           {2, PortConfig::access(10)},
                           {3, PortConfig::trunk(std::vector<int>{10, 20})},
                           {4, PortConfig::access(20)}});
    lan.send_from(1, make_frame(kBroadcast, mac(1), std::nullopt, 1));
    auto got = lan.received();
    REQUIRE(got[2].size() == 1);
    CHECK_FALSE(vid_of(got[2][0]));  // access -> access: untagged
    CHECK(got[2][0].size() == 60);
    REQUIRE(got[3].size() == 1);
    CHECK(vid_of(got[3][0]) == 10);  // access -> trunk: the tag is added
    CHECK(got[3][0].size() == 64);
    CHECK(marker_of(got[3][0]) == 1);
    CHECK(got[4].empty());  // another VLAN

    lan.send_from(3, make_frame(kBroadcast, mac(3), 20, 2));
    got = lan.received();
    CHECK(got[1].empty());
    CHECK(got[2].empty());
    REQUIRE(got[4].size() == 1);
    CHECK_FALSE(vid_of(got[4][0]));  // trunk -> access: the tag is stripped
    CHECK(got[4][0].size() == 60);
    CHECK(marker_of(got[4][0]) == 2);

    // Unicast back to the trunk is tagged again.
    lan.send_from(4, make_frame(mac(3), mac(4), std::nullopt, 3));
    got = lan.received();
    REQUIRE(got[3].size() == 1);
    CHECK(vid_of(got[3][0]) == 20);
    CHECK(got[1].empty());
}

TEST_CASE("A trunk passes only its VLANs", "[switch][vlan]") {
    Lan lan({1, 2, 3}, {{1, PortConfig::trunk(std::vector<int>{10, 20})},
                        {2, PortConfig::trunk(std::vector<int>{20, 30})}});  // 3: trunk=all
    lan.send_from(3, make_frame(kBroadcast, mac(3), 10));
    auto got = lan.received();
    CHECK(got[1].size() == 1);
    CHECK(got[2].empty());

    lan.send_from(3, make_frame(kBroadcast, mac(3), 20));
    got = lan.received();
    CHECK(got[1].size() == 1);
    CHECK(got[2].size() == 1);

    lan.send_from(3, make_frame(kBroadcast, mac(3), 4000));
    got = lan.received();
    CHECK(got[1].empty());
    CHECK(got[2].empty());

    // Ingress: a VLAN the trunk does not carry is dropped and counted.
    lan.send_from(1, make_frame(kBroadcast, mac(1), 30));
    got = lan.received();
    CHECK(got[2].empty());
    CHECK(got[3].empty());
    CHECK(lan.sw->port(1)->counters.drop_vlan_not_allowed == 1);

    // Untagged frames on trunks belong to the untagged LAN, separate from every VLAN.
    lan.send_from(1, make_frame(kBroadcast, mac(1)));
    got = lan.received();
    REQUIRE(got[2].size() == 1);
    CHECK_FALSE(vid_of(got[2][0]));
    REQUIRE(got[3].size() == 1);
    CHECK_FALSE(vid_of(got[3][0]));
}

TEST_CASE("VLAN 1034 stays separate from VLAN 10", "[switch][vlan]") {
    Lan lan({1, 2, 3, 4}, {{1, PortConfig::access(10)},
                           {2, PortConfig::access(1034)},
                           {3, PortConfig::trunk_all()},
                           {4, PortConfig::trunk(std::vector<int>{1034})}});
    // mac(1) is learned on VLAN 10 behind port 1.
    lan.send_from(1, make_frame(kBroadcast, mac(1)));
    auto got = lan.received();
    CHECK(got[2].empty());
    CHECK(got[3].size() == 1);
    CHECK(got[4].empty());

    // To mac(1) on VLAN 1034 (1034 & 0x3ff == 10): unknown there, so flooded within 1034 only.
    lan.send_from(3, make_frame(mac(1), mac(3), 1034, 5));
    got = lan.received();
    CHECK(got[1].empty());
    REQUIRE(got[2].size() == 1);
    CHECK_FALSE(vid_of(got[2][0]));
    REQUIRE(got[4].size() == 1);
    CHECK(vid_of(got[4][0]) == 1034);

    // To mac(1) on VLAN 10: known, to port 1 only.
    lan.send_from(3, make_frame(mac(1), mac(3), 10, 6));
    got = lan.received();
    REQUIRE(got[1].size() == 1);
    CHECK(marker_of(got[1][0]) == 6);
    CHECK(got[2].empty());
    CHECK(got[4].empty());
}

TEST_CASE("A tagged frame arriving on an access port is dropped and counted", "[switch][vlan]") {
    Lan lan({1, 2}, {{1, PortConfig::access(10)}, {2, PortConfig::access(10)}});
    lan.send_from(1, make_frame(kBroadcast, mac(1), 10));
    lan.send_from(1, make_frame(kBroadcast, mac(1), 20));
    auto got = lan.received();
    CHECK(got[2].empty());
    const auto p1 = lan.sw->port(1);
    REQUIRE(p1);
    CHECK(p1->counters.rx_frames == 2);
    CHECK(p1->counters.drop_tagged_on_access == 2);
    CHECK(p1->counters.drops() == 2);
}

TEST_CASE("Runt frames and multicast source addresses are dropped and counted", "[switch]") {
    Lan lan({1, 2});
    lan.send_from(1, Frame(13, 0xff));
    Frame short_tag = make_frame(kBroadcast, mac(1), 10);
    short_tag.resize(17);  // the 802.1Q tag is cut
    lan.send_from(1, short_tag);
    lan.send_from(1, make_frame(kBroadcast, kMulticast));
    auto got = lan.received();
    CHECK(got[2].empty());
    const auto p1 = lan.sw->port(1);
    REQUIRE(p1);
    CHECK(p1->counters.drop_runt == 2);
    CHECK(p1->counters.drop_malformed == 1);
    CHECK(lan.sw->sw().format_counters().find("runt") != std::string::npos);
}

TEST_CASE("A frame of VDE_ETHBUFSIZE bytes passes and a larger one is dropped", "[switch]") {
    Lan lan({1, 2});
    Frame big(kMaxFrameLen, 0);
    wire::emit_ethernet_header(big, kBroadcast, mac(1), 0x88b5);
    lan.send_from(1, big);
    auto got = lan.received();
    REQUIRE(got[2].size() == 1);
    CHECK(got[2][0].size() == kMaxFrameLen);

    big.resize(kMaxFrameLen + 1);
    lan.send_from(1, big);
    got = lan.received();
    CHECK(got[2].empty());
    CHECK(lan.sw->port(1)->counters.drop_oversized == 1);
}

TEST_CASE("A client gets the port number it asks for and a taken port is refused", "[switch]") {
    Lan lan({});
    LinkOptions lo;
    lo.description = "asks for three";
    auto a = open_link("vde://" + lan.dir + "[3]", lo);
    REQUIRE(a);
    auto p3 = lan.sw->port(3);
    REQUIRE(p3);
    CHECK(p3->description == "asks for three");

    auto b = open_link("vde://" + lan.dir + "[3]", lo);
    REQUIRE_FALSE(b);
    CHECK(b.error().message.find("port 3") != std::string::npos);
    CHECK(lan.sw->sw().stats().joins_refused == 1);

    auto c = open_vde_link(lan.dir, 0, "any port", "vde://" + lan.dir);
    REQUIRE(c);
    CHECK(lan.sw->port(1));  // the first free one

    send(**a, make_frame(kBroadcast, mac(3)));
    lan.sw->wait_processed(1);
    CHECK(lan.sw->port(3)->counters.rx_frames == 1);
    CHECK(drain(**c).size() == 1);
}

TEST_CASE("A port is freed when its client goes away", "[switch]") {
    Lan lan({2});
    lan.client.at(2).reset();
    REQUIRE(eventually([&] { return !lan.sw->port(2) && lan.sw->port(2, false); }));
    auto again = join(lan.dir, 2);
    CHECK(lan.sw->port(2));
}

TEST_CASE("Clients see the switch go away on their control stream", "[switch]") {
    Lan lan({1});
    Link& l = *lan.client.at(1);
    CHECK(l.check_control());
    lan.sw.reset();  // stops and destroys the switch
    pollfd p{l.control_fd(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    CHECK_FALSE(l.check_control());
    auto r = l.send(make_frame(kBroadcast, mac(1)));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == LinkError::Kind::Closed);
    CHECK_FALSE(std::filesystem::exists(lan.dir));  // the switch cleaned up after itself
}

TEST_CASE("The run directory is 0700 and its sockets 0600", "[switch]") {
    Lan lan({4});
    struct stat st {};
    REQUIRE(::stat(lan.dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0700);
    REQUIRE(::stat((lan.dir + "/ctl").c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 07777) == 0600);
    REQUIRE(::stat((lan.dir + "/ring").c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 07777) == 0600);
    REQUIRE(::stat((lan.dir + "/port4").c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 07777) == 0600);
    // The client's own bound socket was unlinked once the port was connected.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(lan.dir)) {
        ++entries;
    }
    CHECK(entries == 3);  // ctl, ring, port4
}

TEST_CASE("A second switch on a live run directory is refused", "[switch]") {
    Lan lan({});
    SwitchOptions o;
    o.dir = lan.dir;
    auto second = VdeSwitch::create(o);
    REQUIRE_FALSE(second);
    CHECK(second.error().find("switch already running at") != std::string::npos);
}

TEST_CASE("A switch takes over the run directory of a crashed switch", "[switch]") {
    TempDir tmp;
    const std::string dir = tmp.path() + "/sw";
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        SwitchOptions o;
        o.dir = dir;
        auto sw = VdeSwitch::create(o);
        const char c = sw ? '1' : '0';
        (void)!::write(ready[1], &c, 1);
        for (;;) {
            ::pause();  // killed by the parent; never cleans up
        }
    }
    ::close(ready[1]);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    REQUIRE(c == '1');
    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(std::filesystem::exists(dir + "/ctl"));

    auto stale = open_vde_link(dir, 0, "early", "vde://" + dir);
    REQUIRE_FALSE(stale);
    CHECK(stale.error().message.find("stale switch directory") != std::string::npos);

    SwitchOptions o;
    o.dir = dir;
    RunningSwitch sw(o);
    auto a = join(dir, 1);
    auto b = join(dir, 2);
    send(*a, make_frame(kBroadcast, mac(1)));
    auto f = recv_one(*b);
    CHECK(f);
}

TEST_CASE("A full receiver queue is counted as queue-full drops, never silently", "[switch]") {
    Lan lan({1, 2});
    Link& a = *lan.client.at(1);
    const Frame f = make_frame(kBroadcast, mac(1));
    constexpr std::uint64_t kFrames = 5000;
    for (std::uint64_t i = 0; i < kFrames; ++i) {
        for (;;) {
            auto r = a.send(f);
            if (r) {
                break;
            }
            REQUIRE(r.error().kind == LinkError::Kind::WouldBlock);
            pollfd p{a.data_fd(), POLLOUT, 0};
            ::poll(&p, 1, 1000);
        }
    }
    lan.sw->wait_processed(kFrames);
    const auto p2 = lan.sw->port(2);
    REQUIRE(p2);
    CHECK(p2->counters.drop_queue_full > 0);  // nobody read port 2
    CHECK(p2->counters.tx_frames + p2->counters.drop_queue_full == kFrames);
    CHECK(drain(*lan.client.at(2)).size() == p2->counters.tx_frames);
}

TEST_CASE("A busy vde port is read every round and goes back to readiness events when quiet",
          "[switch]") {
    // The switch is driven round by round here, so a client can queue several batches first.
    TempDir tmp;
    SwitchOptions o;
    o.dir = tmp.path() + "/sw";
    auto created = VdeSwitch::create(o);
    REQUIRE(created);
    VdeSwitch& sw = **created;
    auto sender = join_by_rounds(sw, o.dir, 1, false);
    auto receiver = join_by_rounds(sw, o.dir, 2, false);
    auto readable = [&] {
        pollfd p{sw.event_fd(), POLLIN, 0};
        return ::poll(&p, 1, 0) == 1;
    };
    const std::size_t batch = o.batch_size;
    for (std::size_t i = 0; i < 3 * batch; ++i) {
        send(*sender, make_frame(kBroadcast, mac(1), std::nullopt, static_cast<std::uint8_t>(i)));
    }
    REQUIRE(sw.run_once(1000));  // reads a whole batch: the port is polled from now on
    CHECK(sw.stats().polled_ports == 1);
    CHECK(readable());  // an embedding loop keeps calling run_once
    for (int round = 0; round < 10 && sw.stats().polled_ports != 0; ++round) {
        REQUIRE(sw.run_once(1000));
    }
    CHECK(sw.stats().polled_ports == 0);
    CHECK(sw.stats().frames_processed == 3 * batch);
    CHECK_FALSE(readable());  // quiet: run_once would sleep

    // Back in the epoll set: a lone frame is still seen.
    send(*sender, make_frame(kBroadcast, mac(1), std::nullopt, 0xee));
    for (int round = 0; round < 10 && sw.stats().frames_processed < 3 * batch + 1; ++round) {
        REQUIRE(sw.run_once(1000));
    }
    CHECK(sw.stats().polled_ports == 0);
    const auto got = drain(*receiver);
    REQUIRE(got.size() == 3 * batch + 1);
    for (std::size_t i = 0; i < 3 * batch; ++i) {
        CHECK(marker_of(got[i]) == static_cast<std::uint8_t>(i));
    }
    CHECK(marker_of(got.back()) == 0xee);
}

TEST_CASE("A vde port queues a burst of 400 full-size frames for a client that is not reading",
          "[switch]") {
    // The port's send buffer is asked for with SO_SNDBUFFORCE: wmem_max (208 KiB by default) would
    // hold about 90 such frames and drop the rest of a burst that a busy client takes a moment later.
    if (::geteuid() != 0) {
        WARN("not root: SO_SNDBUFFORCE needs CAP_NET_ADMIN, the buffer is wmem_max; not checked");
        return;
    }
    Lan lan({1, 2});
    constexpr std::size_t kFrames = 400;
    constexpr std::size_t kFullSize = 1514;  // untagged, at a 1500-byte MTU
    for (std::size_t i = 0; i < kFrames; ++i) {
        lan.send_from(1, make_frame(kBroadcast, mac(1), std::nullopt, static_cast<std::uint8_t>(i),
                                    kFullSize));
    }
    const auto got = drain(*lan.client.at(2));
    CHECK(lan.sw->port(2)->counters.drop_queue_full == 0);
    REQUIRE(got.size() == kFrames);
    for (std::size_t i = 0; i < kFrames; ++i) {
        CHECK(marker_of(got[i]) == static_cast<std::uint8_t>(i));
    }
}

TEST_CASE("The capture file gets one interface per port and the switched frames",
          "[switch][capture]") {
    TempDir tmp;
    SwitchOptions o;
    o.dir = tmp.path() + "/sw";
    o.capture_path = tmp.path() + "/sw.pcapng";
    {
        RunningSwitch sw(o);
        auto a = join(o.dir, 1);
        auto b = join(o.dir, 2);
        send(*a, make_frame(kBroadcast, mac(1)));
        sw.wait_processed(1);
        REQUIRE(recv_one(*b));
    }
    std::ifstream in(o.capture_path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() > 28);
    CHECK(bytes.substr(0, 4) == std::string("\x0a\x0d\x0d\x0a", 4));  // Section Header Block
    CHECK(bytes.find("port 1") != std::string::npos);
    CHECK(bytes.find("port 2") != std::string::npos);
}

// ---- vdeplug4 interop: vde_plug is a separate process, so this runs in sanitizer builds too.

constexpr const char* kVdePlug = "/usr/bin/vde_plug";

/// vde_plug in its own session: on SIGINT/SIGHUP it kills its whole process group
/// (reference/vde.md §7.10). `keep_fd` is passed on as fd 3.
pid_t spawn_vde_plug(const std::vector<std::string>& args, int keep_fd = -1) {
    std::vector<char*> argv;
    std::vector<std::string> storage = args;
    storage.insert(storage.begin(), kVdePlug);
    for (auto& s : storage) {
        argv.push_back(s.data());
    }
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setsid();
        if (keep_fd >= 0) {
            ::dup2(keep_fd, 3);
        }
        ::execv(kVdePlug, argv.data());
        ::_exit(127);
    }
    return pid;
}

void stop_child(pid_t pid) {
    ::kill(pid, SIGTERM);
    int status = 0;
    const bool gone = eventually([&] { return ::waitpid(pid, &status, WNOHANG) == pid; });
    if (!gone) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
}

TEST_CASE("vde_plug joins the switch and exchanges frames with a native client",
          "[switch][vdeplug]") {
    if (::access(kVdePlug, X_OK) != 0) {
        WARN("vde_plug (Debian package vdeplug) is not installed; skipped");
        return;
    }
    Lan lan({1}, {{1, PortConfig::access(10)}, {5, PortConfig::access(10)}});
    // vde_plug vde://DIR[5] seqpacket://3: one end of a socketpair is vdeplug4's side of the LAN.
    int sp[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
    const int child_end = ::fcntl(sp[1], F_DUPFD, 10);  // without CLOEXEC, for dup2 in the child
    const pid_t plug = spawn_vde_plug({"vde://" + lan.dir + "[5]", "seqpacket://3"}, child_end);
    ::close(child_end);
    ::close(sp[1]);
    REQUIRE(plug > 0);
    REQUIRE(eventually([&] { return lan.sw->port(5).has_value(); }));
    CHECK(lan.sw->port(5)->description.find("vdeplug") != std::string::npos);

    // vdeplug4 -> native.
    const Frame from_plug = make_frame(kBroadcast, mac(5), std::nullopt, 0x55);
    REQUIRE(::send(sp[0], from_plug.data(), from_plug.size(), 0) ==
            static_cast<ssize_t>(from_plug.size()));
    auto got = recv_one(*lan.client.at(1));
    REQUIRE(got);
    CHECK(*got == from_plug);

    // native -> vdeplug4, unicast to the MAC just learned behind port 5.
    const Frame to_plug = make_frame(mac(5), mac(1), std::nullopt, 0x11);
    send(*lan.client.at(1), to_plug);
    pollfd p{sp[0], POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    Frame buf(kMaxFrameLen);
    const ssize_t n = ::recv(sp[0], buf.data(), buf.size(), 0);
    REQUIRE(n == static_cast<ssize_t>(to_plug.size()));
    buf.resize(static_cast<std::size_t>(n));
    CHECK(buf == to_plug);

    stop_child(plug);
    ::close(sp[0]);
    REQUIRE(eventually([&] { return lan.sw->port(5, false).has_value(); }));
    CHECK(lan.sw->port(5, false)->counters.rx_frames == 1);
    CHECK(lan.sw->port(5, false)->counters.tx_frames == 1);
}

}  // namespace
}  // namespace caplnet::netif
