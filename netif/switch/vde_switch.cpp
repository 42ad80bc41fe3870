// The switch's event loop: one epoll set over the two listening sockets (`ctl` for vde://,
// `ring` for ring://), the handshakes in progress, and each port's control stream and data fd.
// Frames move in batches (recvmmsg or a ring drain per ingress port; sendmmsg or ring pushes per
// egress port) through buffers allocated once at startup. A ring port is the same Port as a
// vde:// one except for how its frames come in and go out. A vde:// port that keeps a whole
// batch waiting is read every round instead, out of the epoll set, until a read comes up short.
#include "netif/switch/vde_switch.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <utility>

#include "netif/capture/pcapng_writer.hpp"
#include "netif/link/link.hpp"
#include "netif/switch/mac_table.hpp"
#include "netif/link/ring_endpoint.hpp"
#include "netif/link/ring_handshake.hpp"
#include "netif/link/vde_request.hpp"
#include "netif/wire/ethernet.hpp"

namespace caplnet::netif {

namespace {

constexpr std::size_t kRequestBufLen = 256;  // a whole v3 request (vde_request.hpp), with slack
constexpr std::size_t kMaxPending = 64;
constexpr std::size_t kMaxEvents = 64;
// A vde:// port's send buffer: about 400 full-size frames for a client that is busy for a moment.
// Forced where we may (CAP_NET_ADMIN), so that a stock wmem_max (208 KiB) does not cut it to 90.
constexpr int kPortSndBuf = 1 << 20;
constexpr std::size_t kArenaSlot = kMaxFrameLen + wire::kVlanTagLen;

std::string errno_text() { return std::strerror(errno); }

/// A counter with one writer (the switch thread) and any number of readers: relaxed load and
/// store, so the hot path pays no locked instruction.
class Counter {
public:
    void add(std::uint64_t n = 1) {
        v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void set(std::uint64_t n) { v_.store(n, std::memory_order_relaxed); }
    std::uint64_t get() const { return v_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> v_{0};
};

struct LiveCounters {
    Counter rx_frames, rx_bytes, tx_frames, tx_bytes, drop_queue_full, drop_peer_gone,
        drop_vlan_not_allowed, drop_tagged_on_access, drop_untagged_not_allowed, drop_runt,
        drop_oversized, drop_malformed, filtered, bad_ring_records;

    PortCounters snapshot() const {
        PortCounters c;
        c.rx_frames = rx_frames.get();
        c.rx_bytes = rx_bytes.get();
        c.tx_frames = tx_frames.get();
        c.tx_bytes = tx_bytes.get();
        c.drop_queue_full = drop_queue_full.get();
        c.drop_peer_gone = drop_peer_gone.get();
        c.drop_vlan_not_allowed = drop_vlan_not_allowed.get();
        c.drop_tagged_on_access = drop_tagged_on_access.get();
        c.drop_untagged_not_allowed = drop_untagged_not_allowed.get();
        c.drop_runt = drop_runt.get();
        c.drop_oversized = drop_oversized.get();
        c.drop_malformed = drop_malformed.get();
        c.filtered = filtered.get();
        c.bad_ring_records = bad_ring_records.get();
        return c;
    }
};

// Epoll tags: what an fd is, and which port or pending slot it belongs to.
enum class FdKind : std::uint32_t { Listen, RingListen, Pending, PortCtl, PortData, Polling };
std::uint64_t tag(FdKind k, std::uint32_t index) {
    return (std::uint64_t{static_cast<std::uint32_t>(k)} << 32) | index;
}

bool fill_sockaddr(sockaddr_un& sa, const std::string& path) {
    std::memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof(sa.sun_path)) {
        return false;
    }
    std::memcpy(sa.sun_path, path.data(), path.size());
    return true;
}

std::string printable(const std::uint8_t* p, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n && p[i] != 0; ++i) {
        s += (p[i] >= 0x20 && p[i] < 0x7f) ? static_cast<char>(p[i]) : '?';
    }
    return s;
}

std::uint64_t realtime_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace

struct Port {
    unsigned number = 0;
    int ctl_fd = -1;
    int data_fd = -1;  // the datagram socket, or the ring's eventfd that wakes the switch
    std::unique_ptr<RingEndpoint> ring;  // ring:// ports only
    bool doomed = false;                 // its ring is corrupt: removed at the end of the round
    bool polled = false;                 // vde:// only: read every round, not on readiness
    std::string path;
    std::string description;
    PortConfig config;
    LiveCounters counters;
    std::uint32_t capture_if = 0;
    // The egress queue of one ingress batch: at most one copy per ingress frame.
    std::vector<mmsghdr> tx_msgs;
    std::vector<iovec> tx_iov;
    std::size_t tx_count = 0;
};

struct Pending {
    int fd = -1;
    bool ring = false;  // accepted on `ring`: a ring request, not a vde:// one
    std::size_t len = 0;
    std::uint8_t buf[kRequestBufLen] = {};
};

struct VdeSwitch::Impl {
    SwitchOptions opts;
    std::string dir;
    std::string ctl_path;
    int epfd = -1;
    int listen_fd = -1;
    std::string ring_path;
    int ring_listen_fd = -1;
    MacTable macs;

    std::vector<std::unique_ptr<Port>> ports;  // indexed by port number; [0] unused
    std::vector<Port*> active;                 // connected ports, for flooding
    std::vector<Port*> dirty;                  // ports with queued egress frames
    std::vector<Port*> polled;                 // Port::polled, in the order they started
    int polling_fd = -1;  // an eventfd, readable while `polled` is not empty: the round does not sleep
    std::vector<Pending> pending;
    std::vector<PortStats> departed;
    bool any_doomed = false;  // some port has Port::doomed set
    mutable std::mutex table_mutex;  // guards ports/active/departed against stats() readers

    // Ingress batch and the per-frame rewrite arena: slot 2i holds frame i tagged, 2i+1 untagged.
    FrameBatch rx;
    std::vector<mmsghdr> rx_msgs;
    std::vector<iovec> rx_iov;
    std::vector<std::uint8_t> rx_truncated;  // per frame of rx: cut to kMaxFrameLen (MSG_TRUNC)
    std::vector<std::uint8_t> arena;

    std::unique_ptr<PcapngWriter> capture;
    std::vector<std::optional<std::uint32_t>> capture_ifs;  // by port number
    std::map<std::string, std::uint32_t> capture_by_client;  // capture_client_view

    Counter frames_processed, unicast_forwarded, flooded, mac_learn_failures, mac_entries,
        joins_refused, polled_ports;

    Impl(SwitchOptions o)
        : opts(std::move(o)), macs(opts.mac_table_size, opts.mac_aging), rx(opts.batch_size) {}
    ~Impl();

    Expected<void, std::string> setup();
    Expected<void, std::string> run_once(int timeout_ms);

    Expected<void, std::string> listen_ring();
    void on_listen(int fd, bool ring);
    void on_pending(std::uint32_t slot);
    void close_pending(std::uint32_t slot);
    void handle_request(std::uint32_t slot);
    void handle_ring_request(std::uint32_t slot);
    /// Port number for a join asking for `wanted` (0 = any); 0 and a reason if there is none.
    unsigned pick_port(unsigned wanted, std::string& why, RingStatus& status) const;
    /// Registers a set-up port (fds, config, capture interface) and makes it active.
    Port* attach_port(std::unique_ptr<Port> port);
    std::size_t read_vde(Port& p);
    std::size_t read_ring(Port& p);
    void remove_doomed();
    void on_port_ctl(unsigned number);
    std::size_t on_port_data(Port& p);
    // A vde:// port whose read fills a whole batch leaves the epoll set and is read every round
    // until a read comes up short, as NAPI polls a busy NIC. While it is in the set, every datagram
    // its client sends runs the set's wakeup callback inside the client's sendmsg (two locks with
    // interrupts off): a tenth of a busy client's CPU, to tell the switch what it already knows.
    // Ring ports need none of this: their writer signals only a reader that sleeps.
    void start_polling(Port& p);
    void poll_ports();
    void stop_polling(std::size_t i);  // polled[i] leaves the list; the caller re-watches it or not
    void watch_data(Port& p);          // readiness events for the port's data fd
    void remove_port(unsigned number);
    void enqueue(Port& out, const std::uint8_t* data, std::size_t len);
    void flush();
    const PortConfig& config_for(unsigned number) const;
};

VdeSwitch::Impl::~Impl() {
    for (auto& p : ports) {
        if (p) {
            if (!p->ring) {
                ::close(p->data_fd);  // a ring's eventfd belongs to its endpoint
                ::unlink(p->path.c_str());
            }
            ::close(p->ctl_fd);
        }
    }
    for (auto& pe : pending) {
        if (pe.fd >= 0) {
            ::close(pe.fd);
        }
    }
    if (ring_listen_fd >= 0) {
        ::close(ring_listen_fd);
        ::unlink(ring_path.c_str());
    }
    if (listen_fd >= 0) {
        ::close(listen_fd);
        ::unlink(ctl_path.c_str());
        ::rmdir(dir.c_str());  // fails, harmlessly, if something else lives there
    }
    if (polling_fd >= 0) {
        ::close(polling_fd);
    }
    if (epfd >= 0) {
        ::close(epfd);
    }
    if (capture) {
        capture->flush();
    }
}

const PortConfig& VdeSwitch::Impl::config_for(unsigned number) const {
    static const PortConfig kDefault = PortConfig::trunk_all();
    auto it = opts.ports.find(number);
    return it == opts.ports.end() ? kDefault : it->second;
}

namespace {

/// Removes every socket left in `dir` by a switch that died without cleaning up.
void remove_stale_sockets(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        return;
    }
    while (dirent* e = ::readdir(d)) {
        const std::string path = dir + "/" + e->d_name;
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
            ::unlink(path.c_str());
        }
    }
    ::closedir(d);
}

}  // namespace

Expected<void, std::string> VdeSwitch::Impl::setup() {
    if (opts.dir.empty()) {
        return unexpected(std::string("the switch needs a run directory"));
    }
    opts.batch_size = std::max<std::size_t>(opts.batch_size, 1);
    for (const auto& [n, cfg] : opts.ports) {
        if (n == 0 || n > 65535) {
            return unexpected("port number " + std::to_string(n) + " is not in 1..65535");
        }
        opts.max_ports = std::max(opts.max_ports, n);
    }
    opts.max_ports = std::clamp(opts.max_ports, 1U, 65535U);

    std::error_code ec;
    dir = std::filesystem::absolute(opts.dir, ec).lexically_normal().string();
    while (dir.size() > 1 && dir.back() == '/') {
        dir.pop_back();
    }
    ctl_path = dir + "/ctl";
    sockaddr_un probe{};
    if (ec || !fill_sockaddr(probe, dir + "/port65535")) {
        return unexpected("run directory path too long for unix sockets (max ~95 bytes): " + dir);
    }

    // The directory: ours, 0700, so that only our uid can reach the sockets.
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) {
            return unexpected("cannot use " + dir + ": " + errno_text());
        }
        const auto parent = std::filesystem::path(dir).parent_path();
        std::filesystem::create_directories(parent, ec);
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
            return unexpected("cannot create " + dir + ": " + errno_text());
        }
        if (::stat(dir.c_str(), &st) != 0) {
            return unexpected("cannot use " + dir + ": " + errno_text());
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        return unexpected(dir + " exists and is not a directory");
    }
    if (st.st_uid != ::geteuid()) {
        return unexpected(dir + " belongs to another user");
    }
    if (::chmod(dir.c_str(), 0700) != 0) {
        return unexpected("chmod 0700 " + dir + ": " + errno_text());
    }

    // A ctl socket that answers is a live switch; one that refuses is a crashed one's leftover.
    sockaddr_un ctl_addr{};
    fill_sockaddr(ctl_addr, ctl_path);
    if (::lstat(ctl_path.c_str(), &st) == 0) {
        const int probe_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe_fd < 0) {
            return unexpected("socket: " + errno_text());
        }
        const int r =
            ::connect(probe_fd, reinterpret_cast<const sockaddr*>(&ctl_addr), sizeof(ctl_addr));
        const int err = errno;
        ::close(probe_fd);
        if (r == 0) {
            return unexpected("switch already running at " + dir);
        }
        if (err != ECONNREFUSED) {
            return unexpected(ctl_path +
                              " exists but is not a usable switch socket: " + std::strerror(err));
        }
        spdlog::warn("switch {}: taking over a stale run directory (its switch is gone)", dir);
    }
    remove_stale_sockets(dir);

    listen_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listen_fd < 0) {
        return unexpected("socket: " + errno_text());
    }
    if (::bind(listen_fd, reinterpret_cast<const sockaddr*>(&ctl_addr), sizeof(ctl_addr)) != 0) {
        const std::string why = errno == EADDRINUSE ? "switch already running at " + dir
                                                    : "bind " + ctl_path + ": " + errno_text();
        ::close(listen_fd);
        listen_fd = -1;
        return unexpected(why);
    }
    if (::chmod(ctl_path.c_str(), 0600) != 0 || ::listen(listen_fd, 128) != 0) {
        return unexpected("listen on " + ctl_path + ": " + errno_text());
    }

    epfd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
        return unexpected("epoll_create1: " + errno_text());
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag(FdKind::Listen, 0);
    if (::epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
        return unexpected("epoll_ctl: " + errno_text());
    }
    if (auto r = listen_ring(); !r) {
        return r;
    }
    polling_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    ev.events = EPOLLIN;
    ev.data.u64 = tag(FdKind::Polling, 0);
    if (polling_fd < 0 || ::epoll_ctl(epfd, EPOLL_CTL_ADD, polling_fd, &ev) != 0) {
        return unexpected("polling eventfd: " + errno_text());
    }

    ports.resize(opts.max_ports + 1);
    capture_ifs.resize(opts.max_ports + 1);
    active.reserve(opts.max_ports);
    dirty.reserve(opts.max_ports);
    pending.resize(kMaxPending);
    rx_msgs.resize(opts.batch_size);
    rx_iov.resize(opts.batch_size);
    rx_truncated.resize(opts.batch_size);
    arena.resize(opts.batch_size * 2 * kArenaSlot);

    if (!opts.capture_path.empty()) {
        auto w = PcapngWriter::create(opts.capture_path);
        if (!w) {
            return unexpected("capture " + opts.capture_path + ": " + w.error());
        }
        capture = std::move(*w);
    }
    spdlog::info("switch {}: listening ({} ports)", dir, opts.max_ports);
    return {};
}

/// DIR/ring: where caplnet's own clients ask for a ring port. Created after `ctl`, so a second
/// switch on the same directory has already failed on `ctl` and cannot steal it.
Expected<void, std::string> VdeSwitch::Impl::listen_ring() {
    ring_path = dir + "/ring";
    sockaddr_un addr{};
    fill_sockaddr(addr, ring_path);
    ::unlink(ring_path.c_str());
    ring_listen_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ring_listen_fd < 0) {
        return unexpected("socket: " + errno_text());
    }
    if (::bind(ring_listen_fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::chmod(ring_path.c_str(), 0600) != 0 || ::listen(ring_listen_fd, 128) != 0) {
        return unexpected("listen on " + ring_path + ": " + errno_text());
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag(FdKind::RingListen, 0);
    if (::epoll_ctl(epfd, EPOLL_CTL_ADD, ring_listen_fd, &ev) != 0) {
        return unexpected("epoll_ctl: " + errno_text());
    }
    return {};
}

void VdeSwitch::Impl::on_listen(int listen, bool ring) {
    for (;;) {
        const int fd = ::accept4(listen, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                spdlog::warn("switch {}: accept: {}", dir, errno_text());
            }
            return;
        }
        auto it =
            std::find_if(pending.begin(), pending.end(), [](const Pending& p) { return p.fd < 0; });
        if (it == pending.end()) {
            spdlog::warn("switch {}: too many joins in progress; refusing one", dir);
            joins_refused.add();
            ::close(fd);
            continue;
        }
        it->fd = fd;
        it->len = 0;
        it->ring = ring;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = tag(FdKind::Pending, static_cast<std::uint32_t>(it - pending.begin()));
        if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            ::close(fd);
            it->fd = -1;
        }
    }
}

void VdeSwitch::Impl::close_pending(std::uint32_t slot) {
    Pending& pe = pending[slot];
    ::epoll_ctl(epfd, EPOLL_CTL_DEL, pe.fd, nullptr);
    ::close(pe.fd);
    pe.fd = -1;
    pe.len = 0;
}

void VdeSwitch::Impl::on_pending(std::uint32_t slot) {
    Pending& pe = pending[slot];
    if (pe.fd < 0) {
        return;
    }
    // A ring request has a fixed size; read no further, so nothing of it is left unread.
    const std::size_t want = pe.ring ? kRingRequestLen : sizeof(pe.buf);
    const ssize_t n = ::recv(pe.fd, pe.buf + pe.len, want - pe.len, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        close_pending(slot);  // the client gave up before asking
        return;
    }
    pe.len += static_cast<std::size_t>(n);
    if (pe.ring) {
        if (pe.len == kRingRequestLen) {
            handle_ring_request(slot);
        }
    } else if (pe.len >= kVdeRequestHeaderLen) {
        handle_request(slot);
    }
}

unsigned VdeSwitch::Impl::pick_port(unsigned wanted, std::string& why, RingStatus& status) const {
    if (wanted != 0) {
        if (wanted > opts.max_ports) {
            why = "port " + std::to_string(wanted) + " does not exist (max " +
                  std::to_string(opts.max_ports) + ")";
            status = RingStatus::NoSuchPort;
            return 0;
        }
        if (ports[wanted]) {
            why = "port " + std::to_string(wanted) + " is taken";
            status = RingStatus::PortTaken;
            return 0;
        }
        return wanted;
    }
    for (unsigned n = 1; n <= opts.max_ports; ++n) {
        if (!ports[n]) {
            return n;
        }
    }
    why = "no free port";
    status = RingStatus::NoFreePort;
    return 0;
}

Port* VdeSwitch::Impl::attach_port(std::unique_ptr<Port> port) {
    const unsigned number = port->number;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = tag(FdKind::PortCtl, number);
    ::epoll_ctl(epfd, EPOLL_CTL_MOD, port->ctl_fd, &ev);
    watch_data(*port);

    port->tx_msgs.resize(opts.batch_size);
    port->tx_iov.resize(opts.batch_size);
    const std::string& descr = port->description;
    if (capture && opts.capture_client_view) {
        const std::string name = descr.empty() ? "port " + std::to_string(number) : descr;
        auto [it, added] = capture_by_client.try_emplace(name, 0);
        if (added) it->second = capture->add_interface(name, "switch port " + std::to_string(number));
        port->capture_if = it->second;
    } else if (capture) {
        if (!capture_ifs[number]) {
            capture_ifs[number] = capture->add_interface("port " + std::to_string(number), descr);
        }
        port->capture_if = *capture_ifs[number];
    }
    // Registered before the reply, so a client that has its reply also shows in stats().
    std::lock_guard lock(table_mutex);
    active.push_back(port.get());
    ports[number] = std::move(port);
    return ports[number].get();
}

void VdeSwitch::Impl::handle_request(std::uint32_t slot) {
    Pending& pe = pending[slot];
    const auto request = parse_vde_request(std::span<const std::uint8_t>(pe.buf, pe.len));
    // NOTE(bounds): on_pending calls this only once len >= kVdeRequestHeaderLen
    const std::string descr = printable(pe.buf + kVdeRequestHeaderLen, pe.len - kVdeRequestHeaderLen);

    auto refuse = [&](const std::string& why) {
        spdlog::warn("switch {}: refusing join from '{}': {}", dir, descr, why);
        joins_refused.add();
        close_pending(slot);
    };
    if (!request) {
        refuse("not a vde v3 request");
        return;
    }
    const sockaddr_un& client = request->client;
    std::string why;
    RingStatus status = RingStatus::Ok;
    const unsigned number = pick_port(request->port, why, status);
    if (number == 0) {
        refuse(why);
        return;
    }

    auto port = std::make_unique<Port>();
    port->number = number;
    port->description = descr;
    port->config = config_for(number);
    port->path = dir + "/port" + std::to_string(number);
    sockaddr_un own{};
    fill_sockaddr(own, port->path);
    ::unlink(port->path.c_str());
    const int data = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (data < 0) {
        refuse("socket: " + errno_text());
        return;
    }
    if (::setsockopt(data, SOL_SOCKET, SO_SNDBUFFORCE, &kPortSndBuf, sizeof(kPortSndBuf)) != 0) {
        ::setsockopt(data, SOL_SOCKET, SO_SNDBUF, &kPortSndBuf, sizeof(kPortSndBuf));
    }
    if (::bind(data, reinterpret_cast<const sockaddr*>(&own), sizeof(own)) != 0 ||
        ::chmod(port->path.c_str(), 0600) != 0 ||
        ::connect(data, reinterpret_cast<const sockaddr*>(&client), sizeof(client)) != 0) {
        const std::string why_sock = errno_text();
        ::close(data);
        ::unlink(port->path.c_str());
        refuse(std::string("setting up the port socket for ") + client.sun_path + ": " + why_sock);
        return;
    }
    port->ctl_fd = pe.fd;
    port->data_fd = data;
    pe.fd = -1;
    pe.len = 0;
    Port* p = attach_port(std::move(port));
    if (::send(p->ctl_fd, &own, sizeof(own), MSG_NOSIGNAL | MSG_DONTWAIT) !=
        static_cast<ssize_t>(sizeof(own))) {
        spdlog::warn("switch {}: port {}: sending the reply: {}", dir, number, errno_text());
        joins_refused.add();
        remove_port(number);
        return;
    }
    spdlog::info("switch {}: port {} joined: '{}' ({})", dir, number, descr, p->config.to_string());
}

void VdeSwitch::Impl::handle_ring_request(std::uint32_t slot) {
    Pending& pe = pending[slot];
    // NOTE(bounds): on_pending calls this once len == kRingRequestLen
    const auto request =
        parse_ring_request(std::span<const std::uint8_t, kRingRequestLen>(pe.buf, kRingRequestLen));
    const std::string descr =
        request ? printable(reinterpret_cast<const std::uint8_t*>(request->description.data()),
                            request->description.size())
                : std::string();

    auto refuse = [&](RingStatus status, const std::string& why) {
        spdlog::warn("switch {}: refusing ring join from '{}': {}", dir, descr, why);
        joins_refused.add();
        send_ring_reply(pe.fd, RingReply{status, 0, 0}, {});
        close_pending(slot);
    };
    if (!request) {
        refuse(RingStatus::BadRequest, "not a caplnet ring request (magic, version or length)");
        return;
    }
    std::string why;
    RingStatus status = RingStatus::Ok;
    const unsigned number = pick_port(request->port, why, status);
    if (number == 0) {
        refuse(status, why);
        return;
    }
    auto mapping = RingMapping::create(kRingDataLen, "caplnet-ring-port" + std::to_string(number));
    if (!mapping) {
        refuse(RingStatus::SwitchError, mapping.error().message);
        return;
    }
    // Non-blocking on both: the switch must never block on a client's eventfd.
    const int to_client = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    const int to_switch = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (to_client < 0 || to_switch < 0) {
        const std::string e = errno_text();
        if (to_client >= 0) ::close(to_client);
        if (to_switch >= 0) ::close(to_switch);
        refuse(RingStatus::SwitchError, "eventfd: " + e);
        return;
    }
    const int fds[kRingFdCount] = {mapping->fd(), to_client, to_switch};
    auto port = std::make_unique<Port>();
    port->number = number;
    port->description = descr;
    port->config = config_for(number);
    port->ring = std::make_unique<RingEndpoint>(std::move(*mapping), true, to_switch, to_client);
    port->data_fd = to_switch;
    port->ctl_fd = pe.fd;
    pe.fd = -1;
    pe.len = 0;
    Port* p = attach_port(std::move(port));
    if (!send_ring_reply(p->ctl_fd, RingReply{RingStatus::Ok, number, kRingDataLen}, fds)) {
        spdlog::warn("switch {}: port {}: sending the ring reply: {}", dir, number, errno_text());
        joins_refused.add();
        remove_port(number);
        return;
    }
    spdlog::info("switch {}: port {} joined over a ring: '{}' ({})", dir, number, descr,
                 p->config.to_string());
}

void VdeSwitch::Impl::on_port_ctl(unsigned number) {
    Port* p = number < ports.size() ? ports[number].get() : nullptr;
    if (p == nullptr) {
        return;
    }
    std::uint8_t buf[256];
    for (;;) {
        const ssize_t n = ::recv(p->ctl_fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            continue;  // nothing is expected after the request; ignore chatter
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        break;  // EOF or error: the client is gone
    }
    // A client's last frames may still sit in the data socket or ring (reference/vde.md §1,
    // vde_close); deliver them before the port goes. A ring may hold a whole megabyte of them
    // (65,536 minimum-size records); the bound only stops a client that keeps writing to a ring
    // it has left.
    const std::size_t max_rounds =
        p->ring ? kRingDataLen / (kRingRecordHeaderLen + 8) / rx.capacity() + 1 : 64;
    for (std::size_t round = 0; round < max_rounds && on_port_data(*p) > 0; ++round) {
    }
    remove_port(number);
}

void VdeSwitch::Impl::remove_port(unsigned number) {
    std::unique_ptr<Port> p;
    {
        std::lock_guard lock(table_mutex);
        p = std::move(ports[number]);
        active.erase(std::remove(active.begin(), active.end(), p.get()), active.end());
        departed.push_back(PortStats{number, p->description, p->config.to_string(), false,
                                     p->ring != nullptr, p->counters.snapshot()});
    }
    // A port removed mid-batch (a corrupt ring) may still be queued for egress.
    dirty.erase(std::remove(dirty.begin(), dirty.end(), p.get()), dirty.end());
    if (p->polled) {
        stop_polling(static_cast<std::size_t>(std::find(polled.begin(), polled.end(), p.get()) -
                                              polled.begin()));
    }
    ::epoll_ctl(epfd, EPOLL_CTL_DEL, p->data_fd, nullptr);
    ::epoll_ctl(epfd, EPOLL_CTL_DEL, p->ctl_fd, nullptr);
    if (!p->ring) {
        ::close(p->data_fd);
        ::unlink(p->path.c_str());
    }
    ::close(p->ctl_fd);
    macs.forget_port(number);
    mac_entries.set(macs.size());
    spdlog::info("switch {}: port {} left ('{}')", dir, number, p->description);
}

void VdeSwitch::Impl::remove_doomed() {
    any_doomed = false;
    for (unsigned n = 1; n < ports.size(); ++n) {
        if (ports[n] && ports[n]->doomed) {
            spdlog::warn("switch {}: port {} ('{}'): its ring is corrupt; disconnecting it", dir, n,
                         ports[n]->description);
            remove_port(n);
        }
    }
}

void VdeSwitch::Impl::enqueue(Port& out, const std::uint8_t* data, std::size_t len) {
    if (out.tx_count == 0) {
        dirty.push_back(&out);
    }
    // NOTE(bounds): one ingress batch queues at most one copy per frame, so tx_count < batch_size
    iovec& iov = out.tx_iov[out.tx_count];
    iov.iov_base = const_cast<std::uint8_t*>(data);
    iov.iov_len = len;
    mmsghdr& m = out.tx_msgs[out.tx_count];
    std::memset(&m, 0, sizeof(m));
    m.msg_hdr.msg_iov = &iov;
    m.msg_hdr.msg_iovlen = 1;
    ++out.tx_count;
}

void VdeSwitch::Impl::flush() {
    const bool cap_out = capture && opts.capture_egress;
    const std::uint64_t ts = cap_out ? realtime_ns() : 0;
    for (Port* p : dirty) {
        std::size_t sent = 0;
        if (p->ring) {
            // Pushed in order until the ring is full; the rest of the batch is dropped, as a full
            // socket buffer drops the rest of a sendmmsg.
            while (sent < p->tx_count) {
                const auto r = p->ring->push(
                    {static_cast<const std::uint8_t*>(p->tx_iov[sent].iov_base), p->tx_iov[sent].iov_len});
                if (r != RingProducer::Push::Ok) {
                    const std::size_t lost = p->tx_count - sent;
                    if (r == RingProducer::Push::Full) {
                        p->counters.drop_queue_full.add(lost);
                    } else {
                        p->counters.drop_peer_gone.add(lost);
                        p->doomed = any_doomed = true;  // Broken: the client's tail is impossible
                    }
                    break;
                }
                ++sent;
            }
            if (sent > 0) {
                p->ring->wake_peer();
            }
        }
        while (!p->ring && sent < p->tx_count) {
            const int r =
                ::sendmmsg(p->data_fd, p->tx_msgs.data() + sent,
                           static_cast<unsigned>(p->tx_count - sent), MSG_DONTWAIT | MSG_NOSIGNAL);
            if (r > 0) {
                sent += static_cast<std::size_t>(r);
                continue;
            }
            if (r < 0 && errno == EINTR) {
                continue;
            }
            const std::size_t lost = p->tx_count - sent;
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
                p->counters.drop_queue_full.add(lost);
            } else {
                p->counters.drop_peer_gone.add(lost);  // ECONNREFUSED: its control EOF follows
            }
            break;
        }
        std::uint64_t bytes = 0;
        for (std::size_t i = 0; i < sent; ++i) {
            bytes += p->tx_iov[i].iov_len;
            if (cap_out) {
                capture->write(
                    p->capture_if, ts,
                    {static_cast<const std::uint8_t*>(p->tx_iov[i].iov_base), p->tx_iov[i].iov_len},
                    opts.capture_client_view ? Direction::Inbound : Direction::Outbound);
            }
        }
        p->counters.tx_frames.add(sent);
        p->counters.tx_bytes.add(bytes);
        p->tx_count = 0;
    }
    dirty.clear();
}

std::size_t VdeSwitch::Impl::read_vde(Port& p) {
    const std::size_t cap = rx.capacity();
    for (std::size_t i = 0; i < cap; ++i) {
        rx_iov[i].iov_base = rx.slot(i);
        rx_iov[i].iov_len = kMaxFrameLen;
        std::memset(&rx_msgs[i], 0, sizeof(mmsghdr));
        rx_msgs[i].msg_hdr.msg_iov = &rx_iov[i];
        rx_msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int r;
    do {
        r = ::recvmmsg(p.data_fd, rx_msgs.data(), static_cast<unsigned>(cap), MSG_DONTWAIT,
                       nullptr);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) {
        return 0;  // EAGAIN, or the peer vanished (its control stream reports that)
    }
    const auto n = static_cast<std::size_t>(r);
    for (std::size_t i = 0; i < n; ++i) {
        rx.set_length(i, rx_msgs[i].msg_len);
        rx_truncated[i] = (rx_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0 ? 1 : 0;
    }
    return n;
}

std::size_t VdeSwitch::Impl::read_ring(Port& p) {
    // The frames are copied out of shared memory before anything looks at them: the client
    // could rewrite them while we parse (the ring checks lengths; content is ours once copied).
    const std::size_t n = p.ring->receive(rx);
    const std::uint64_t bad = p.ring->bad_records();
    if (bad != p.counters.bad_ring_records.get()) {
        if (p.counters.bad_ring_records.get() == 0) {
            spdlog::warn("switch {}: port {} ('{}'): bad records in its ring (counted, skipped)",
                         dir, p.number, p.description);
        }
        p.counters.bad_ring_records.set(bad);
    }
    if (p.ring->broken() && !p.doomed) {
        p.doomed = any_doomed = true;
    }
    std::fill_n(rx_truncated.begin(), n, 0);
    return n;
}

std::size_t VdeSwitch::Impl::on_port_data(Port& p) {
    if (p.doomed) {
        return 0;
    }
    const std::size_t n = p.ring ? read_ring(p) : read_vde(p);
    if (n == 0) {
        return 0;
    }
    const auto now = MacTable::Clock::now();
    const std::uint64_t ts = capture ? realtime_ns() : 0;
    LiveCounters& c = p.counters;
    std::uint64_t unicast = 0;
    std::uint64_t floods = 0;
    std::uint64_t bytes = 0;

    for (std::size_t i = 0; i < n; ++i) {
        const wire::Bytes frame = rx.frame(i);
        const std::size_t len = frame.size();
        bytes += len;
        if (capture) {
            capture->write(p.capture_if, ts, frame,
                           opts.capture_client_view ? Direction::Outbound : Direction::Inbound);
        }
        if (rx_truncated[i] != 0) {
            c.drop_oversized.add();
            continue;
        }
        auto view = wire::EthernetView::of(frame);
        if (!view) {
            c.drop_runt.add();
            continue;
        }
        const wire::MacAddress src = view->source();
        if (src.is_multicast()) {
            c.drop_malformed.add();  // IEEE 802: a source address is never a group address
            continue;
        }
        const std::optional<wire::VlanTci> tci = view->vlan();
        LanId lan = 0;
        switch (p.config.classify(tci, lan)) {
        case IngressVerdict::Accept: break;
        case IngressVerdict::TaggedOnAccess: c.drop_tagged_on_access.add(); continue;
        case IngressVerdict::VlanNotAllowed: c.drop_vlan_not_allowed.add(); continue;
        case IngressVerdict::UntaggedNotAllowed: c.drop_untagged_not_allowed.add(); continue;
        case IngressVerdict::ReservedVid: c.drop_malformed.add(); continue;
        }
        if (!macs.learn(src, lan, p.number, now)) {
            mac_learn_failures.add();
        }

        // The two wire forms of this frame, built on first use: tagged with `lan`, and untagged.
        // A frame that came tagged with `lan` is its own tagged form; an untagged one its own
        // untagged form. A priority-tagged frame (VID 0) is neither: both forms are rebuilt.
        std::uint8_t* const tagged_buf = arena.data() + (2 * i) * kArenaSlot;
        std::uint8_t* const untagged_buf = arena.data() + (2 * i + 1) * kArenaSlot;
        const bool came_tagged = tci.has_value();
        const bool tag_is_lan = came_tagged && tci->vlan_id == lan;
        std::size_t tagged_len = tag_is_lan ? len : 0;
        std::size_t untagged_len = came_tagged ? 0 : len;
        const std::uint8_t* tagged = tag_is_lan ? frame.data() : tagged_buf;
        const std::uint8_t* untagged = came_tagged ? untagged_buf : frame.data();
        bool tagged_too_big = false;

        auto send_to = [&](Port& out) {
            if (!out.config.egress_tagged(lan)) {
                if (untagged_len == 0) {
                    untagged_len = wire::emit_untagged(frame, {untagged_buf, kArenaSlot});
                }
                enqueue(out, untagged, untagged_len);
                return;
            }
            if (tagged_len == 0 && !tagged_too_big) {
                if (untagged_len == 0) {
                    untagged_len = wire::emit_untagged(frame, {untagged_buf, kArenaSlot});
                }
                if (untagged_len + wire::kVlanTagLen > kMaxFrameLen) {
                    tagged_too_big = true;
                } else {
                    wire::VlanTci out_tci{};
                    if (tci) {
                        out_tci = *tci;  // keep PCP and DEI of a priority-tagged frame
                    }
                    out_tci.vlan_id = lan;
                    tagged_len = wire::emit_tagged({untagged, untagged_len}, out_tci,
                                                   {tagged_buf, kArenaSlot});
                }
            }
            if (tagged_too_big) {
                out.counters.drop_oversized.add();
                return;
            }
            enqueue(out, tagged, tagged_len);
        };

        const wire::MacAddress dst = view->destination();
        if (dst.is_unicast()) {
            if (auto q = macs.lookup(dst, lan, now)) {
                if (*q == p.number) {
                    c.filtered.add();
                    continue;
                }
                Port* out = *q < ports.size() ? ports[*q].get() : nullptr;
                if (out != nullptr && out->config.is_member(lan)) {
                    send_to(*out);
                    ++unicast;
                    continue;
                }
            }
        }
        ++floods;
        for (Port* out : active) {
            if (out != &p && out->config.is_member(lan)) {
                send_to(*out);
            }
        }
    }
    c.rx_frames.add(n);
    c.rx_bytes.add(bytes);
    flush();
    unicast_forwarded.add(unicast);
    flooded.add(floods);
    mac_entries.set(macs.size());
    frames_processed.add(n);
    return n;
}

void VdeSwitch::Impl::start_polling(Port& p) {
    ::epoll_ctl(epfd, EPOLL_CTL_DEL, p.data_fd, nullptr);
    p.polled = true;
    polled.push_back(&p);
    if (polled.size() == 1) {
        const std::uint64_t one = 1;
        (void)!::write(polling_fd, &one, sizeof(one));
    }
    polled_ports.set(polled.size());
}

void VdeSwitch::Impl::stop_polling(std::size_t i) {
    polled[i]->polled = false;
    polled.erase(polled.begin() + static_cast<std::ptrdiff_t>(i));
    if (polled.empty()) {
        std::uint64_t count = 0;
        (void)!::read(polling_fd, &count, sizeof(count));
    }
    polled_ports.set(polled.size());
}

void VdeSwitch::Impl::watch_data(Port& p) {
    epoll_event ev{};
    ev.events = EPOLLIN;  // level-triggered: a port back from polling reports what came since
    ev.data.u64 = tag(FdKind::PortData, p.number);
    ::epoll_ctl(epfd, EPOLL_CTL_ADD, p.data_fd, &ev);
}

void VdeSwitch::Impl::poll_ports() {
    for (std::size_t i = 0; i < polled.size();) {
        Port& p = *polled[i];
        if (on_port_data(p) == opts.batch_size) {
            ++i;
        } else {
            stop_polling(i);
            watch_data(p);
        }
    }
}

Expected<void, std::string> VdeSwitch::Impl::run_once(int timeout_ms) {
    epoll_event events[kMaxEvents];
    const int n = ::epoll_wait(epfd, events, static_cast<int>(kMaxEvents), timeout_ms);
    if (n < 0) {
        if (errno == EINTR) {
            return {};
        }
        return unexpected("epoll_wait: " + errno_text());
    }
    for (int i = 0; i < n; ++i) {
        const std::uint64_t t = events[i].data.u64;
        const auto kind = static_cast<FdKind>(t >> 32);
        const auto index = static_cast<std::uint32_t>(t);
        switch (kind) {
        case FdKind::Listen: on_listen(listen_fd, false); break;
        case FdKind::RingListen: on_listen(ring_listen_fd, true); break;
        case FdKind::Pending: on_pending(index); break;
        case FdKind::PortCtl: on_port_ctl(index); break;
        case FdKind::PortData:
            if (index < ports.size() && ports[index]) {
                Port& p = *ports[index];
                if (on_port_data(p) == opts.batch_size && !p.ring && !p.polled) {
                    start_polling(p);
                }
            }
            break;
        case FdKind::Polling: poll_ports(); break;
        }
    }
    if (any_doomed) {
        remove_doomed();
    }
    return {};
}

VdeSwitch::VdeSwitch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VdeSwitch::~VdeSwitch() = default;

Expected<std::unique_ptr<VdeSwitch>, std::string> VdeSwitch::create(SwitchOptions opts) {
    auto impl = std::make_unique<Impl>(std::move(opts));
    if (auto r = impl->setup(); !r) {
        return unexpected(r.error());
    }
    return std::unique_ptr<VdeSwitch>(new VdeSwitch(std::move(impl)));
}

Expected<void, std::string> VdeSwitch::run_until(const std::atomic<bool>& stop) {
    while (!stop.load(std::memory_order_relaxed)) {
        if (auto r = impl_->run_once(100); !r) {
            return r;
        }
    }
    return {};
}

Expected<void, std::string> VdeSwitch::run_once(int timeout_ms) {
    return impl_->run_once(timeout_ms);
}

int VdeSwitch::event_fd() const { return impl_->epfd; }

const std::string& VdeSwitch::dir() const { return impl_->dir; }

SwitchStats VdeSwitch::stats() const {
    SwitchStats s;
    s.frames_processed = impl_->frames_processed.get();
    s.unicast_forwarded = impl_->unicast_forwarded.get();
    s.flooded = impl_->flooded.get();
    s.mac_learn_failures = impl_->mac_learn_failures.get();
    s.mac_entries = impl_->mac_entries.get();
    s.polled_ports = impl_->polled_ports.get();
    s.joins_refused = impl_->joins_refused.get();
    std::lock_guard lock(impl_->table_mutex);
    for (const auto& p : impl_->ports) {
        if (p) {
            s.ports.push_back(PortStats{p->number, p->description, p->config.to_string(), true,
                                        p->ring != nullptr,
                                        p->counters.snapshot()});
        }
    }
    std::vector<PortStats> gone = impl_->departed;
    std::stable_sort(gone.begin(), gone.end(),
                     [](const PortStats& a, const PortStats& b) { return a.port < b.port; });
    s.ports.insert(s.ports.end(), gone.begin(), gone.end());
    return s;
}

std::string VdeSwitch::format_counters() const {
    const SwitchStats s = stats();
    std::string out;
    char line[512];
    std::snprintf(line, sizeof(line),
                  "switch %s: %llu frames, %llu unicast, %llu flooded, %llu MACs, %llu learn "
                  "failures, %llu joins refused\n",
                  dir().c_str(), static_cast<unsigned long long>(s.frames_processed),
                  static_cast<unsigned long long>(s.unicast_forwarded),
                  static_cast<unsigned long long>(s.flooded),
                  static_cast<unsigned long long>(s.mac_entries),
                  static_cast<unsigned long long>(s.mac_learn_failures),
                  static_cast<unsigned long long>(s.joins_refused));
    out += line;
    std::snprintf(line, sizeof(line),
                  "%5s %-5s %10s %12s %10s %12s %7s %7s %7s %7s %7s %7s %7s %7s %7s  %s\n", "port",
                  "state", "rx", "rx-bytes", "tx", "tx-bytes", "q-full", "gone", "vlan", "tag@acc",
                  "untag", "runt", "oversz", "malf", "filt", "config / description");
    out += line;
    for (const auto& p : s.ports) {
        const PortCounters& c = p.counters;
        auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
        std::snprintf(
            line, sizeof(line),
            "%5u %-5s %10llu %12llu %10llu %12llu %7llu %7llu %7llu %7llu %7llu %7llu %7llu "
            "%7llu %7llu  %s '%s'\n",
            p.port, p.connected ? "up" : "left", u(c.rx_frames), u(c.rx_bytes), u(c.tx_frames),
            u(c.tx_bytes), u(c.drop_queue_full), u(c.drop_peer_gone), u(c.drop_vlan_not_allowed),
            u(c.drop_tagged_on_access), u(c.drop_untagged_not_allowed), u(c.drop_runt),
            u(c.drop_oversized), u(c.drop_malformed), u(c.filtered), p.config.c_str(),
            p.description.c_str());
        out += line;
    }
    return out;
}

}  // namespace caplnet::netif
