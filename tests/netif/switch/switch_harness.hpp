#pragma once
// The switch in a thread of the test process, and the helpers its tests share: frames with a
// marker, draining and receiving on a link, and a LAN of clients joined over vde:// or ring://.
// Absence of a frame is checked after the switch has reported the frame processed: it flushes
// every copy into the receivers' sockets or rings before it counts.
#include <poll.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "netif/link/link.hpp"
#include "netif/link/ring_link.hpp"
#include "netif/link/vde_link.hpp"
#include "netif/switch/vde_switch.hpp"
#include "netif/wire/ethernet.hpp"
#include "tests/support/process.hpp"

namespace caplnet::netif {
namespace {

using namespace std::chrono_literals;
using Frame = std::vector<std::uint8_t>;

using caplnet::test::TempDir;

using caplnet::test::eventually;

class RunningSwitch {
public:
    explicit RunningSwitch(SwitchOptions opts) {
        auto sw = VdeSwitch::create(std::move(opts));
        INFO((sw ? std::string() : sw.error()));
        REQUIRE(sw);
        sw_ = std::move(*sw);
        thread_ = std::thread([this] { result_ = sw_->run_until(stop_); });
    }
    ~RunningSwitch() { stop(); }
    void stop() {
        if (thread_.joinable()) {
            stop_ = true;
            thread_.join();
        }
    }
    VdeSwitch& sw() { return *sw_; }
    /// Waits until the switch has handled `n` ingress frames in total.
    void wait_processed(std::uint64_t n) {
        REQUIRE(eventually([&] { return sw_->stats().frames_processed >= n; }));
    }
    std::optional<PortStats> port(unsigned number, bool connected = true) {
        for (auto& p : sw_->stats().ports) {
            if (p.port == number && p.connected == connected) {
                return p;
            }
        }
        return std::nullopt;
    }

private:
    std::unique_ptr<VdeSwitch> sw_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    Expected<void, std::string> result_;
};

wire::MacAddress mac(std::uint8_t last) { return {{0x02, 0xca, 0x91, 0, 0, last}}; }
const wire::MacAddress kBroadcast = wire::kBroadcastMac;
const wire::MacAddress kMulticast{{0x01, 0x00, 0x5e, 0x01, 0x02, 0x03}};

/// A frame of `size` bytes (ethertype 0x88b5, local experimental) with `marker` as its first payload
/// byte, tagged with `vid` if given.
Frame make_frame(const wire::MacAddress& dst, const wire::MacAddress& src,
                 std::optional<std::uint16_t> vid = std::nullopt, std::uint8_t marker = 0,
                 std::size_t size = wire::kMinFrameLen) {
    Frame f(size, 0);
    wire::emit_ethernet_header(f, dst, src, 0x88b5);
    f[14] = marker;
    if (!vid) {
        return f;
    }
    Frame t(f.size() + wire::kVlanTagLen);
    REQUIRE(wire::emit_tagged(f, wire::VlanTci{3, false, *vid}, t) == t.size());
    return t;
}

std::optional<std::uint16_t> vid_of(const Frame& f) {
    auto v = wire::EthernetView::of(f);
    REQUIRE(v);
    auto tci = v->vlan();
    if (!tci) {
        return std::nullopt;
    }
    return tci->vlan_id;
}

std::uint8_t marker_of(const Frame& f) {
    auto v = wire::EthernetView::of(f);
    REQUIRE(v);
    return v->payload()[0];
}

/// Every frame queued on the link right now.
std::vector<Frame> drain(Link& link) {
    std::vector<Frame> out;
    FrameBatch batch(8);
    for (;;) {
        auto n = link.receive(batch);
        REQUIRE(n);
        if (*n == 0) {
            return out;
        }
        for (std::size_t i = 0; i < *n; ++i) {
            auto b = batch.frame(i);
            out.emplace_back(b.begin(), b.end());
        }
    }
}

/// The next frame, waiting up to 5 s for it.
std::optional<Frame> recv_one(Link& link) {
    pollfd p{link.data_fd(), POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) {
        return std::nullopt;
    }
    FrameBatch batch(1);
    auto n = link.receive(batch);
    REQUIRE(n);
    if (*n == 0) {
        return std::nullopt;
    }
    auto b = batch.frame(0);
    return Frame(b.begin(), b.end());
}

void send(Link& link, const Frame& f) {
    auto r = link.send(f);
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r);
}

std::unique_ptr<Link> join(const std::string& dir, unsigned port,
                           const std::string& descr = "test") {
    auto l = open_vde_link(dir, port, descr, "vde://" + dir);
    INFO((l ? std::string() : l.error().message));
    REQUIRE(l);
    return std::move(*l);
}

std::unique_ptr<Link> join_ring(const std::string& dir, unsigned port,
                                const std::string& descr = "test") {
    auto l = open_ring_link(dir, port, descr, "ring://" + dir);
    INFO((l ? std::string() : l.error().message));
    REQUIRE(l);
    return std::move(*l);
}

/// Joins port `port` of a switch that this thread drives with run_once (no switch thread): the
/// client's handshake runs in a helper thread while the rounds answer it.
std::unique_ptr<Link> join_by_rounds(VdeSwitch& sw, const std::string& dir, unsigned port, bool ring) {
    Expected<std::unique_ptr<Link>, LinkError> link =
        unexpected(LinkError{LinkError::Kind::Io, "not joined"});
    std::thread t([&] {
        link = ring ? open_ring_link(dir, port, "c", "ring://sw")
                    : open_vde_link(dir, port, "c", "vde://sw");
    });
    while (sw.stats().ports.size() < port) {
        REQUIRE(sw.run_once(100));
    }
    t.join();
    REQUIRE(link);
    return std::move(*link);
}

/// A switch with clients on the given ports (port -> config; an absent config = default trunk).
struct Lan {
    TempDir tmp;
    std::string dir = tmp.path() + "/sw";
    std::unique_ptr<RunningSwitch> sw;
    std::map<unsigned, std::unique_ptr<Link>> client;
    std::uint64_t sent = 0;

    /// Clients on `ring_ports` join over ring://, the others over vde://.
    Lan(std::vector<unsigned> ports, std::map<unsigned, PortConfig> configs = {},
        std::set<unsigned> ring_ports = {}) {
        SwitchOptions o;
        o.dir = dir;
        o.ports = std::move(configs);
        sw = std::make_unique<RunningSwitch>(o);
        for (unsigned p : ports) {
            const std::string descr = "client " + std::to_string(p);
            client[p] = ring_ports.count(p) != 0 ? join_ring(dir, p, descr) : join(dir, p, descr);
        }
    }
    /// Sends from port `p` and waits until the switch has handled it.
    void send_from(unsigned p, const Frame& f) {
        send(*client.at(p), f);
        sw->wait_processed(++sent);
    }
    /// What each client has received since the last call.
    std::map<unsigned, std::vector<Frame>> received() {
        std::map<unsigned, std::vector<Frame>> r;
        for (auto& [p, l] : client) {
            r[p] = drain(*l);
        }
        return r;
    }
};


}  // namespace
}  // namespace caplnet::netif
