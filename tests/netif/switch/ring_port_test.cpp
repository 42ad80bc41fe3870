// ring:// ports on caplnet's switch: the same switching as vde:// ports (forwarding, VLAN rules,
// capture, departure), plus what only a ring has: a client that scribbles on the shared memory
// is counted or disconnected while the switch keeps serving the others.
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstring>

#include "netif/link/frame_ring.hpp"
#include "netif/link/ring_handshake.hpp"
#include "netif/link/ring_mapping.hpp"
#include "tests/netif/switch/switch_harness.hpp"

namespace caplnet::netif {
namespace {

TEST_CASE("Two ring clients exchange broadcast and learned unicast frames", "[switch][ring]") {
    Lan lan({1, 2, 3}, {}, {1, 2, 3});
    lan.send_from(1, make_frame(kBroadcast, mac(1), std::nullopt, 7));
    auto got = lan.received();
    REQUIRE(got[2].size() == 1);
    CHECK(marker_of(got[2][0]) == 7);
    CHECK(got[3].size() == 1);
    lan.send_from(2, make_frame(mac(1), mac(2), std::nullopt, 8));  // mac(1) was learned
    got = lan.received();
    REQUIRE(got[1].size() == 1);
    CHECK(marker_of(got[1][0]) == 8);
    CHECK(got[3].empty());
    const auto p1 = lan.sw->port(1);
    REQUIRE(p1);
    CHECK(p1->ring);
    CHECK(p1->counters.rx_frames == 1);
    CHECK(p1->counters.tx_frames == 1);
    CHECK(p1->description == "client 1");
}

TEST_CASE("Frames cross between a ring port and a vde port both ways", "[switch][ring]") {
    Lan lan({1, 2}, {}, {1});
    lan.send_from(1, make_frame(kBroadcast, mac(1), std::nullopt, 1));
    auto got = lan.received();
    REQUIRE(got[2].size() == 1);
    CHECK(marker_of(got[2][0]) == 1);
    lan.send_from(2, make_frame(mac(1), mac(2), std::nullopt, 2));
    got = lan.received();
    REQUIRE(got[1].size() == 1);
    CHECK(marker_of(got[1][0]) == 2);
    CHECK_FALSE(lan.sw->port(2)->ring);
}

TEST_CASE("VLAN rules apply to a ring port", "[switch][ring][vlan]") {
    // Ring port 1: access VLAN 10. Vde port 2: trunk carrying 10. Ring port 3: access VLAN 20.
    Lan lan({1, 2, 3},
            {{1, PortConfig::access(10)}, {2, PortConfig::trunk(std::vector<int>{10})}, {3, PortConfig::access(20)}},
            {1, 3});
    lan.send_from(1, make_frame(kBroadcast, mac(1)));
    auto got = lan.received();
    REQUIRE(got[2].size() == 1);
    CHECK(vid_of(got[2][0]) == 10);  // tagged on the trunk
    CHECK(got[3].empty());           // other VLAN
    lan.send_from(2, make_frame(kBroadcast, mac(2), 10));
    got = lan.received();
    REQUIRE(got[1].size() == 1);
    CHECK(vid_of(got[1][0]) == std::nullopt);  // untagged on the access ring port
    lan.send_from(1, make_frame(kBroadcast, mac(1), 10));  // tagged on access: dropped
    CHECK(lan.sw->port(1)->counters.drop_tagged_on_access == 1);
    CHECK(lan.received()[2].empty());
}

TEST_CASE("The capture has a ring port's frames, named by the client in client view",
          "[switch][ring][capture]") {
    TempDir tmp;
    SwitchOptions o;
    o.dir = tmp.path() + "/sw";
    o.capture_path = tmp.path() + "/sw.pcapng";
    o.capture_client_view = true;
    {
        RunningSwitch sw(o);
        auto a = join_ring(o.dir, 1, "alpha/eth0");
        auto b = join(o.dir, 2, "beta/eth0");
        send(*a, make_frame(kBroadcast, mac(1), std::nullopt, 0x5a));
        sw.wait_processed(1);
        REQUIRE(recv_one(*b));
    }
    const auto rows = caplnet::test::tshark_fields(o.capture_path, "eth.type == 0x88b5",
                                                   {"frame.interface_name", "eth.src"});
    REQUIRE(rows.size() == 2);  // taken in from alpha, handed out to beta
    CHECK(rows[0][0] == "alpha/eth0");
    CHECK(rows[0][1] == "02:ca:91:00:00:01");
    CHECK(rows[1][0] == "beta/eth0");
}

TEST_CASE("A ring port is freed when its client closes or is killed", "[switch][ring]") {
    Lan lan({2}, {}, {2});
    lan.client.at(2).reset();
    REQUIRE(eventually([&] { return !lan.sw->port(2) && lan.sw->port(2, false); }));
    auto again = join_ring(lan.dir, 2);
    CHECK(lan.sw->port(2));
    again.reset();
    REQUIRE(eventually([&] { return !lan.sw->port(2); }));

    // A client process killed with SIGKILL: no goodbye, only the kernel closing its fds.
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        auto l = open_ring_link(lan.dir, 5, "doomed", "ring://x");
        const char c = l ? '1' : '0';
        (void)!::write(ready[1], &c, 1);
        for (;;) {
            ::pause();
        }
    }
    ::close(ready[1]);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    REQUIRE(c == '1');
    CHECK(lan.sw->port(5));
    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(eventually([&] { return !lan.sw->port(5) && lan.sw->port(5, false); }));
    CHECK(join_ring(lan.dir, 5) != nullptr);  // the number is free again
}

TEST_CASE("A ring join names a taken port and a missing switch in its error", "[switch][ring]") {
    Lan lan({3}, {}, {3});
    auto taken = open_ring_link(lan.dir, 3, "second", "ring://x");
    REQUIRE_FALSE(taken);
    CHECK(taken.error().message.find("the port is taken") != std::string::npos);
    auto none = open_ring_link(lan.tmp.path() + "/nowhere", 0, "x", "ring://x");
    REQUIRE_FALSE(none);
    CHECK(none.error().kind == LinkError::Kind::Unavailable);
    CHECK(lan.sw->sw().stats().joins_refused == 1);
}

TEST_CASE("A full ring towards a client is counted as queue-full drops", "[switch][ring]") {
    Lan lan({1, 2}, {}, {1, 2});
    Link& a = *lan.client.at(1);
    const Frame f = make_frame(kBroadcast, mac(1), std::nullopt, 0, 1514);
    // 1 MiB holds ~680 records of 1514 bytes; port 2 never reads.
    constexpr std::uint64_t kFrames = 2000;
    for (std::uint64_t i = 0; i < kFrames; ++i) {
        for (;;) {
            auto r = a.send(f);
            if (r) {
                break;
            }
            REQUIRE(r.error().kind == LinkError::Kind::WouldBlock);
            REQUIRE(a.wait_writable(1000));
        }
    }
    lan.sw->wait_processed(kFrames);
    const auto p2 = lan.sw->port(2);
    REQUIRE(p2);
    CHECK(p2->counters.drop_queue_full > 0);
    CHECK(p2->counters.tx_frames + p2->counters.drop_queue_full == kFrames);
    std::size_t drained = 0;
    FrameBatch batch(32);
    while (true) {
        auto n = lan.client.at(2)->receive(batch);
        REQUIRE(n);
        if (*n == 0) {
            break;
        }
        drained += *n;
    }
    CHECK(drained == p2->counters.tx_frames);
}

/// A hand-made ring client: speaks the handshake itself and keeps raw access to the memory, to
/// act like a buggy or hostile client would.
struct RawRingClient {
    int sock = -1;
    std::array<int, 3> fds{-1, -1, -1};
    void* base = nullptr;
    std::size_t capacity = 0;
    unsigned port = 0;

    RawRingClient(const std::string& dir, unsigned want) {
        sock = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        const std::string path = dir + "/ring";
        std::memcpy(sa.sun_path, path.data(), path.size());
        REQUIRE(::connect(sock, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) == 0);
        std::array<std::uint8_t, kRingRequestLen> req{};
        emit_ring_request(RingRequest{want, "raw"}, req);
        REQUIRE(::send(sock, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size()));
        std::array<std::uint8_t, kRingReplyLen> buf{};
        iovec iov{buf.data(), buf.size()};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 3)] = {};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        REQUIRE(::recvmsg(sock, &msg, MSG_WAITALL) == static_cast<ssize_t>(buf.size()));
        auto reply = parse_ring_reply(buf);
        REQUIRE(reply);
        REQUIRE(reply->status == RingStatus::Ok);
        port = reply->port;
        capacity = reply->capacity;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        REQUIRE(c != nullptr);
        std::memcpy(fds.data(), CMSG_DATA(c), sizeof(int) * 3);
        base = ::mmap(nullptr, RingMapping::map_len(capacity), PROT_READ | PROT_WRITE, MAP_SHARED,
                      fds[0], 0);
        REQUIRE(base != MAP_FAILED);
    }
    ~RawRingClient() {
        ::munmap(base, RingMapping::map_len(capacity));
        for (int fd : fds) {
            ::close(fd);
        }
        ::close(sock);
    }
    RingHeader* to_switch_header() {
        return reinterpret_cast<RingHeader*>(static_cast<std::uint8_t*>(base) + kRingHeaderLen);
    }
    std::uint8_t* to_switch_data() { return static_cast<std::uint8_t*>(base) + 4096 + capacity; }
    void wake_switch() {
        const std::uint64_t one = 1;
        REQUIRE(::write(fds[2], &one, sizeof(one)) == sizeof(one));
    }
};

TEST_CASE("Garbage in a client's ring is counted and the switch keeps serving the others",
          "[switch][ring]") {
    Lan lan({1, 2}, {}, {1});
    RawRingClient raw(lan.dir, 7);
    REQUIRE(raw.port == 7);
    REQUIRE(raw.capacity == kRingDataLen);

    SECTION("a record with an impossible length is counted and skipped") {
        const std::uint32_t len = 0x7fff0000;
        std::memcpy(raw.to_switch_data(), &len, 4);
        raw.to_switch_header()->head.store(64, std::memory_order_release);
        raw.wake_switch();
        REQUIRE(eventually([&] { return lan.sw->port(7)->counters.bad_ring_records == 1; }));
        CHECK(lan.sw->port(7));  // still connected: the ring recovered at the head
        CHECK(lan.sw->port(7)->counters.rx_frames == 0);
    }
    SECTION("an impossible head disconnects the client") {
        raw.to_switch_header()->head.store(~std::uint64_t{0} - 5, std::memory_order_release);
        raw.wake_switch();
        REQUIRE(eventually([&] { return !lan.sw->port(7) && lan.sw->port(7, false); }));
    }
    SECTION("an impossible tail on the switch's ring disconnects the client") {
        // The client claims to have consumed more than the switch ever wrote to it.
        auto* h = reinterpret_cast<RingHeader*>(raw.base);
        h->tail.store(12345678, std::memory_order_release);
        lan.send_from(1, make_frame(kBroadcast, mac(1)));  // flooded to port 7 too
        REQUIRE(eventually([&] { return !lan.sw->port(7) && lan.sw->port(7, false); }));
        CHECK(lan.sw->port(7, false)->counters.drop_peer_gone == 1);
    }
    // Whatever the raw client did, the others still talk.
    lan.send_from(1, make_frame(kBroadcast, mac(1), std::nullopt, 9));
    auto got = lan.received();
    REQUIRE_FALSE(got[2].empty());
    CHECK(marker_of(got[2].back()) == 9);
}

}  // namespace
}  // namespace caplnet::netif

namespace caplnet::netif {
namespace {

TEST_CASE("A ring client's last frames are all switched when it leaves", "[switch][ring]") {
    // The switch runs in this thread, one round at a time, so the leaving client's ring can be
    // filled far beyond one batch before the switch looks at it.
    TempDir tmp;
    SwitchOptions o;
    o.dir = tmp.path() + "/sw";
    auto created = VdeSwitch::create(o);
    REQUIRE(created);
    VdeSwitch& sw = **created;
    auto sender = join_by_rounds(sw, o.dir, 1, true);
    auto receiver = join_by_rounds(sw, o.dir, 2, true);
    constexpr std::uint64_t kFrames = 5000;  // ~150 batches, a third of the ring
    for (std::uint64_t i = 0; i < kFrames; ++i) {
        REQUIRE(sender->send(make_frame(kBroadcast, mac(1), std::nullopt, 0)));
    }
    sender.reset();  // gone: the switch sees the hang-up, maybe before the data
    REQUIRE(eventually([&] {
        REQUIRE(sw.run_once(10));
        return sw.stats().ports.size() == 2 && !sw.stats().ports[1].connected;
    }));
    const SwitchStats s = sw.stats();
    const PortStats& left = s.ports[1];
    CHECK(left.port == 1);
    CHECK(left.counters.rx_frames == kFrames);
    CHECK(s.ports[0].counters.tx_frames == kFrames);
    CHECK(drain(*receiver).size() == kFrames);
}

}  // namespace
}  // namespace caplnet::netif
