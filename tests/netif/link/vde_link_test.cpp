// The native vde:// client against vdeplug4's own switch (vde_plug null:// switch://DIR, a
// separate process) and against libvdeplug's switch:// inside this process (normal builds).
#include "netif/link/vde_link.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>

#include "tests/support/process.hpp"
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "netif/link/link.hpp"
#include "netif/wire/ethernet.hpp"

namespace caplnet::netif {
namespace {

using namespace std::chrono_literals;
using Frame = std::vector<std::uint8_t>;

constexpr const char* kVdePlug = "/usr/bin/vde_plug";

using caplnet::test::TempDir;

using caplnet::test::eventually;

wire::MacAddress mac(std::uint8_t last) { return {{0x02, 0xca, 0x91, 0, 1, last}}; }

Frame make_frame(const wire::MacAddress& dst, const wire::MacAddress& src, std::uint8_t marker,
                 std::size_t size = wire::kMinFrameLen) {
    Frame f(size, 0);
    wire::emit_ethernet_header(f, dst, src, 0x88b5);
    f[14] = marker;
    return f;
}

std::optional<Frame> recv_one(Link& link, int timeout_ms = 5000) {
    pollfd p{link.data_fd(), POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) {
        return std::nullopt;
    }
    FrameBatch batch(4);
    auto n = link.receive(batch);
    REQUIRE(n);
    if (*n == 0) {
        return std::nullopt;
    }
    auto b = batch.frame(0);
    return Frame(b.begin(), b.end());
}

/// vde_plug in its own session: on SIGINT/SIGHUP it kills its whole process group
/// (reference/vde.md §7.10).
pid_t spawn_vde_plug(const std::vector<std::string>& args) {
    std::vector<std::string> storage = args;
    storage.insert(storage.begin(), kVdePlug);
    std::vector<char*> argv;
    for (auto& s : storage) {
        argv.push_back(s.data());
    }
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setsid();
        ::execv(kVdePlug, argv.data());
        ::_exit(127);
    }
    return pid;
}

void stop_child(pid_t pid) {
    ::kill(pid, SIGTERM);
    int status = 0;
    if (!eventually([&] { return ::waitpid(pid, &status, WNOHANG) == pid; })) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
}

/// Joins, retrying while the switch is still starting (its ctl may exist before it listens).
std::unique_ptr<Link> join_when_ready(const std::string& dir, const std::string& descr) {
    std::unique_ptr<Link> link;
    std::string last_error;
    const bool ok = eventually([&] {
        auto l = open_vde_link(dir, 0, descr, "vde://" + dir);
        if (!l) {
            last_error = l.error().message;
            return false;
        }
        link = std::move(*l);
        return true;
    });
    INFO(last_error);
    REQUIRE(ok);
    return link;
}

TEST_CASE("vde_link names a missing switch", "[link][vde]") {
    TempDir tmp;
    auto l = open_vde_link(tmp.path() + "/nothing", 0, "t", "vde://x");
    REQUIRE_FALSE(l);
    CHECK(l.error().kind == LinkError::Kind::Unavailable);
    CHECK(l.error().message.find("no switch at " + tmp.path() + "/nothing") != std::string::npos);
}

TEST_CASE("vde_link names a stale switch directory", "[link][vde]") {
    TempDir tmp;
    // A ctl socket nobody listens on: what a crashed switch leaves behind.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    const std::string ctl = tmp.path() + "/ctl";
    std::strncpy(sa.sun_path, ctl.c_str(), sizeof(sa.sun_path) - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
    ::close(fd);
    auto l = open_vde_link(tmp.path(), 0, "t", "vde://x");
    REQUIRE_FALSE(l);
    CHECK(l.error().message.find("stale switch directory") != std::string::npos);
}

TEST_CASE("vde_link refuses a switch path too long for a unix socket", "[link][vde]") {
    auto l = open_vde_link("/tmp/" + std::string(120, 'x'), 0, "t", "vde://x");
    REQUIRE_FALSE(l);
    CHECK(l.error().kind == LinkError::Kind::BadUrl);
}

TEST_CASE("vde_link joins vdeplug4's own switch and exchanges frames", "[link][vde][vdeplug]") {
    if (::access(kVdePlug, X_OK) != 0) {
        WARN("vde_plug (Debian package vdeplug) is not installed; skipped");
        return;
    }
    TempDir tmp;
    const std::string dir = tmp.path() + "/sw";
    const pid_t sw = spawn_vde_plug({"null://", "switch://" + dir});
    REQUIRE(sw > 0);
    auto a = join_when_ready(dir, "client a");
    auto b = join_when_ready(dir, "client b");
    LinkOptions lo;
    lo.description = "client c";
    auto c = open_link("vde://" + dir, lo);
    REQUIRE(c);

    const Frame hello = make_frame(wire::kBroadcastMac, mac(1), 1);
    REQUIRE(a->send(hello));
    auto got_b = recv_one(*b);
    REQUIRE(got_b);
    CHECK(*got_b == hello);
    auto got_c = recv_one(**c);
    REQUIRE(got_c);
    CHECK(*got_c == hello);

    // Unicast back to the learned MAC; a tagged jumbo frame goes through as is.
    const Frame reply = make_frame(mac(1), mac(2), 2);
    REQUIRE(b->send(reply));
    auto got_a = recv_one(*a);
    REQUIRE(got_a);
    CHECK(*got_a == reply);

    Frame jumbo = make_frame(mac(2), mac(1), 3, kMaxFrameLen - wire::kVlanTagLen);
    Frame tagged(kMaxFrameLen);
    REQUIRE(wire::emit_tagged(jumbo, wire::VlanTci{0, false, 10}, tagged) == kMaxFrameLen);
    REQUIRE(a->send(tagged));
    got_b = recv_one(*b);
    REQUIRE(got_b);
    CHECK(*got_b == tagged);

    // The switch goes away: EOF on the control stream, and sends fail as Closed.
    CHECK(a->check_control());
    stop_child(sw);
    pollfd p{a->control_fd(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    CHECK_FALSE(a->check_control());
    auto r = a->send(hello);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == LinkError::Kind::Closed);
}

TEST_CASE("A libvdeplug switch:// link hosts a native vde:// client", "[link][vde][vdeplug]") {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    WARN("libvdeplug aborts under sanitizers (RTLD_DEEPBIND); skipped");
    return;
#else
    TempDir tmp;
    const std::string dir = tmp.path() + "/sw";
    auto owner = open_link("switch://" + dir, LinkOptions{});
    if (!owner && owner.error().kind == LinkError::Kind::Unavailable &&
        owner.error().message.find("libvdeplug") != std::string::npos) {
        WARN("built without libvdeplug; skipped");
        return;
    }
    INFO((owner ? std::string() : owner.error().message));
    REQUIRE(owner);
    // The owner is the switch: its receive() must run while the client's handshake waits.
    std::atomic<bool> stop{false};
    std::atomic<int> frames{0};
    Frame last;
    std::thread loop([&] {
        FrameBatch batch(8);
        while (!stop) {
            pollfd p{(*owner)->data_fd(), POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) {
                continue;
            }
            auto n = (*owner)->receive(batch);
            if (n && *n > 0) {
                auto b = batch.frame(*n - 1);
                last.assign(b.begin(), b.end());
                frames += static_cast<int>(*n);
            }
        }
    });
    auto client = join_when_ready(dir, "native");
    const Frame hello = make_frame(wire::kBroadcastMac, mac(7), 7);
    REQUIRE(client->send(hello));
    const bool arrived = eventually([&] { return frames.load() >= 1; });
    stop = true;
    loop.join();
    REQUIRE(arrived);
    CHECK(last == hello);
    // The owner sends too; the switch inside it has learned mac(7) behind the client.
    REQUIRE((*owner)->send(make_frame(mac(7), mac(8), 8)));
    auto got = recv_one(*client);
    REQUIRE(got);
    CHECK((*got)[14] == 8);
#endif
}

}  // namespace
}  // namespace caplnet::netif
