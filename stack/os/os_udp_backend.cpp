#include "stack/os/os_udp_backend.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

namespace caplnet::stack {

namespace {

constexpr std::size_t kMaxUdpPayloadV4 = 65535 - 20 - 8;
constexpr std::size_t kMaxUdpPayloadV6 = 65535 - 8;
constexpr std::uint64_t kWakeTag = 0;   // SocketIds start at 1
constexpr int kMaxReadsPerWakeup = 64;  // level-triggered epoll brings the socket back
// Room for either ancillary message IP_PKTINFO / IPV6_RECVPKTINFO adds.
constexpr std::size_t kControlSize =
    CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo));

// The one errno -> stack::Error table of OS mode (lwIP's err.c idea, read the other way round).
// errno is captured right at the failing call and passed in.
Error from_errno(int e) {
    switch (e) {
    case EADDRINUSE: return Error::AddressInUse;
    case EADDRNOTAVAIL: return Error::AddressNotAvailable;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case ENETDOWN:
    case EHOSTDOWN:
    // A connected socket learns of an ICMP port unreachable on its next call; stack::Error has
    // no "refused", and "no one is there to take it" is the closest the CAPL user can act on.
    case ECONNREFUSED: return Error::NetworkUnreachable;
    case EMSGSIZE: return Error::MessageTooLong;
    case ENOBUFS:
    case ENOMEM:
    case EAGAIN: return Error::OutOfMemory;  // EWOULDBLOCK == EAGAIN: the send buffer is full
    case EMFILE:
    case ENFILE: return Error::LimitReached;
    case EAFNOSUPPORT: return Error::AddressFamilyMismatch;  // e.g. IPv6 disabled on the host
    case EDESTADDRREQ:
    case ENOTCONN: return Error::NotConnected;
    case EOPNOTSUPP: return Error::NotSupported;
    case EACCES:  // a broadcast send with SO_BROADCAST off
    case EINVAL:
    default: return Error::InvalidArgument;
    }
}

bool is_link_local_unicast(const IpAddress& a) {
    return a.is_v6() && a.octets[0] == 0xfe && (a.octets[1] & 0xc0) == 0x80;
}

struct SockAddr {
    sockaddr_storage storage{};
    socklen_t len = 0;
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SockAddr to_sockaddr(const Endpoint& e, std::uint32_t kernel_scope) {
    SockAddr r;
    if (e.address.is_v6()) {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(e.port);
        std::memcpy(&sa.sin6_addr, e.address.octets.data(), 16);
        sa.sin6_scope_id = kernel_scope;
        std::memcpy(&r.storage, &sa, sizeof sa);
        r.len = sizeof sa;
    } else {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(e.port);
        std::memcpy(&sa.sin_addr, e.address.octets.data(), 4);  // both in network order
        std::memcpy(&r.storage, &sa, sizeof sa);
        r.len = sizeof sa;
    }
    return r;
}

/// The endpoint of a kernel address; `kernel_scope` gets sin6_scope_id (0 for IPv4).
Endpoint from_sockaddr(const sockaddr_storage& ss, std::uint32_t& kernel_scope) {
    Endpoint r;
    kernel_scope = 0;
    if (ss.ss_family == AF_INET6) {
        sockaddr_in6 sa;
        std::memcpy(&sa, &ss, sizeof sa);
        r.address.family = Family::V6;
        std::memcpy(r.address.octets.data(), &sa.sin6_addr, 16);
        r.port = ntohs(sa.sin6_port);
        kernel_scope = sa.sin6_scope_id;
    } else {
        sockaddr_in sa;
        std::memcpy(&sa, &ss, sizeof sa);
        std::memcpy(r.address.octets.data(), &sa.sin_addr, 4);
        r.port = ntohs(sa.sin_port);
    }
    return r;
}

std::uint8_t prefix_length(const sockaddr* mask) {
    if (mask == nullptr) return 0;
    const std::uint8_t* bytes = nullptr;
    std::size_t n = 0;
    if (mask->sa_family == AF_INET) {
        bytes = reinterpret_cast<const std::uint8_t*>(
            &reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
        n = 4;
    } else if (mask->sa_family == AF_INET6) {
        bytes = reinterpret_cast<const std::uint8_t*>(
            &reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr);
        n = 16;
    } else {
        return 0;
    }
    int bits = 0;
    for (std::size_t i = 0; i < n; ++i) bits += std::popcount(bytes[i]);
    return static_cast<std::uint8_t>(bits);
}

int set_int_option(int fd, int level, int name, int value) {
    return ::setsockopt(fd, level, name, &value, sizeof value) == 0 ? 0 : errno;
}

struct OptionName {
    int level;
    int name;
};

OptionName option_name(Family f, SocketOption o) {
    const bool v6 = f == Family::V6;
    switch (o) {
    case SocketOption::MulticastTtl:
        return v6 ? OptionName{IPPROTO_IPV6, IPV6_MULTICAST_HOPS}
                  : OptionName{IPPROTO_IP, IP_MULTICAST_TTL};
    case SocketOption::MulticastLoop:
        return v6 ? OptionName{IPPROTO_IPV6, IPV6_MULTICAST_LOOP}
                  : OptionName{IPPROTO_IP, IP_MULTICAST_LOOP};
    case SocketOption::Broadcast: return {SOL_SOCKET, SO_BROADCAST};
    case SocketOption::ReuseAddress: return {SOL_SOCKET, SO_REUSEADDR};
    case SocketOption::Ttl:
        return v6 ? OptionName{IPPROTO_IPV6, IPV6_UNICAST_HOPS} : OptionName{IPPROTO_IP, IP_TTL};
    }
    return {SOL_SOCKET, SO_BROADCAST};  // o held a value outside the enum
}

}  // namespace

OsUdpBackend::OsUdpBackend(Limits limits) : limits_(limits), rx_buffer_(65536) {
    // SPEC §3, OS mode: the host's interfaces in the order it lists them, loopback included.
    // if_nameindex() comes from a netlink link dump; sorting by ifindex makes the order stable.
    std::vector<std::pair<std::uint32_t, std::string>> links;
    if (struct if_nameindex* list = ::if_nameindex(); list != nullptr) {
        for (const struct if_nameindex* p = list; p->if_index != 0 && p->if_name != nullptr; ++p) {
            links.emplace_back(p->if_index, p->if_name);
        }
        ::if_freenameindex(list);
    }
    std::sort(links.begin(), links.end());
    for (const auto& [kernel, name] : links) {
        AdapterInfo a;
        a.if_index = static_cast<std::uint32_t>(adapters_.size() + 1);
        a.name = name;
        a.channel = a.if_index;
        adapters_.push_back(std::move(a));
        kernel_index_.push_back(kernel);
    }

    ifaddrs* all = nullptr;
    if (::getifaddrs(&all) == 0) {
        // IPv4 labels read "eth0:1": the interface is the part before the colon.
        auto position_of_name = [&](const char* label) -> AdapterInfo* {
            if (label == nullptr) return nullptr;
            std::string name(label);
            if (auto colon = name.find(':'); colon != std::string::npos) name.resize(colon);
            for (auto& a : adapters_) {
                if (a.name == name) return &a;
            }
            return nullptr;
        };
        // IPv4 first (AdapterInfo's order), then IPv6, each in the order the kernel lists them.
        for (int family : {AF_PACKET, AF_INET, AF_INET6}) {
            for (const ifaddrs* i = all; i != nullptr; i = i->ifa_next) {
                if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != family) continue;
                AdapterInfo* a = position_of_name(i->ifa_name);
                if (a == nullptr) continue;
                if (family == AF_PACKET) {
                    sockaddr_ll ll;
                    std::memcpy(&ll, i->ifa_addr, sizeof ll);
                    // lo has an all-zero 6-octet address; tun devices and the like have none.
                    if (ll.sll_halen == 6) std::copy_n(ll.sll_addr, 6, a->mac.octets.begin());
                } else if (family == AF_INET) {
                    sockaddr_in sa;
                    std::memcpy(&sa, i->ifa_addr, sizeof sa);
                    IpAddress ip;
                    std::memcpy(ip.octets.data(), &sa.sin_addr, 4);
                    a->addresses.emplace_back(ip, prefix_length(i->ifa_netmask));
                } else {
                    sockaddr_in6 sa;
                    std::memcpy(&sa, i->ifa_addr, sizeof sa);
                    IpAddress ip{Family::V6, {}, 0};
                    std::memcpy(ip.octets.data(), &sa.sin6_addr, 16);
                    if (is_link_local_unicast(ip)) ip.scope_id = a->if_index;
                    a->addresses.emplace_back(ip, prefix_length(i->ifa_netmask));
                }
            }
        }
        ::freeifaddrs(all);
    }

    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) {
        const int e = errno;
        ::close(epoll_fd_);
        throw std::system_error(e, std::generic_category(), "eventfd");
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
        const int e = errno;
        ::close(wake_fd_);
        ::close(epoll_fd_);
        throw std::system_error(e, std::generic_category(), "epoll_ctl");
    }
    receiver_ = std::thread([this] { run(); });
}

OsUdpBackend::~OsUdpBackend() {
    stopping_ = true;
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
    receiver_.join();
    for (auto& [id, sock] : sockets_) ::close(sock.fd);
    ::close(wake_fd_);
    ::close(epoll_fd_);
}

std::uint32_t OsUdpBackend::kernel_if_index(std::uint32_t if_index) const {
    if (if_index == 0 || if_index > kernel_index_.size()) return 0;
    return kernel_index_[if_index - 1];
}

std::uint32_t OsUdpBackend::if_index_of_kernel(std::uint32_t kernel_if_index) const {
    if (kernel_if_index == 0) return 0;
    auto it = std::find(kernel_index_.begin(), kernel_index_.end(), kernel_if_index);
    if (it == kernel_index_.end()) return 0;
    return static_cast<std::uint32_t>(it - kernel_index_.begin() + 1);
}

void OsUdpBackend::set_sink(Sink sink) {
    std::lock_guard lock(mutex_);
    sink_ = std::move(sink);
}

Expected<OsUdpBackend::Socket*, Error> OsUdpBackend::find(SocketId s) {
    auto it = sockets_.find(s);
    if (it == sockets_.end()) return unexpected(Error::InvalidHandle);
    return &it->second;
}

Expected<SocketId, Error> OsUdpBackend::open(Family family) {
    std::lock_guard lock(mutex_);
    if (sockets_.size() >= limits_.sockets) return unexpected(Error::LimitReached);
    const bool v6 = family == Family::V6;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return unexpected(from_errno(errno));
    // The defaults of UdpService: an IPv6 socket is IPv6 only; SO_BROADCAST on (udpOpen does
    // that, CAPL SOL_SOCKET page); SPEC §4 multicast TTL / hop limit 1 and loopback on; and the
    // destination address and interface of each datagram (Datagram::to, ::if_index).
    const std::array<OptionName, 5> v6_defaults{{{IPPROTO_IPV6, IPV6_V6ONLY},
                                                 {SOL_SOCKET, SO_BROADCAST},
                                                 {IPPROTO_IPV6, IPV6_MULTICAST_HOPS},
                                                 {IPPROTO_IPV6, IPV6_MULTICAST_LOOP},
                                                 {IPPROTO_IPV6, IPV6_RECVPKTINFO}}};
    const std::array<OptionName, 4> v4_defaults{{{SOL_SOCKET, SO_BROADCAST},
                                                 {IPPROTO_IP, IP_MULTICAST_TTL},
                                                 {IPPROTO_IP, IP_MULTICAST_LOOP},
                                                 {IPPROTO_IP, IP_PKTINFO}}};
    int err = 0;
    for (const auto& o : v6 ? std::span<const OptionName>(v6_defaults)
                            : std::span<const OptionName>(v4_defaults)) {
        if (err == 0) err = set_int_option(fd, o.level, o.name, 1);
    }
    const SocketId id = next_id_;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = id;
    if (err == 0 && ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) err = errno;
    if (err != 0) {
        ::close(fd);
        return unexpected(from_errno(err));
    }
    ++next_id_;
    Socket& s = sockets_[id];
    s.id = id;
    s.family = family;
    s.fd = fd;
    return id;
}

Expected<void, Error> OsUdpBackend::bind_locked(Socket& sock, Endpoint local) {
    const std::uint32_t scope = kernel_if_index(local.address.scope_id);
    if (local.address.scope_id != 0 && scope == 0) return unexpected(Error::AddressNotAvailable);
    const SockAddr sa = to_sockaddr(local, scope);
    if (::bind(sock.fd, sa.get(), sa.len) != 0) return unexpected(from_errno(errno));
    // Port 0 asks the kernel for an ephemeral port: report the one it chose.
    sockaddr_storage actual{};
    socklen_t len = sizeof actual;
    if (::getsockname(sock.fd, reinterpret_cast<sockaddr*>(&actual), &len) == 0) {
        std::uint32_t ignored = 0;
        local.port = from_sockaddr(actual, ignored).port;
    }
    sock.local = local;
    return {};
}

Expected<void, Error> OsUdpBackend::bind(SocketId id, Endpoint local) {
    std::lock_guard lock(mutex_);
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    if (sock.local) return unexpected(Error::AlreadyBound);
    if (local.address.family != sock.family) return unexpected(Error::AddressFamilyMismatch);
    return bind_locked(sock, local);
}

Expected<void, Error> OsUdpBackend::connect(SocketId id, Endpoint remote) {
    std::lock_guard lock(mutex_);
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    if (remote.address.family != sock.family) return unexpected(Error::AddressFamilyMismatch);
    if (remote.port == 0 || remote.address.is_any()) return unexpected(Error::InvalidArgument);
    const std::uint32_t scope = kernel_if_index(remote.address.scope_id);
    if (remote.address.scope_id != 0 && scope == 0) return unexpected(Error::NetworkUnreachable);
    if (is_link_local_unicast(remote.address) && scope == 0) {
        return unexpected(Error::NetworkUnreachable);  // a link-local peer needs its interface
    }
    if (!sock.local) {
        if (auto b = bind_locked(sock, Endpoint{IpAddress::any(sock.family), 0}); !b) return b;
    }
    // A kernel connect: as on the host's own stack, the socket then hears only from its peer.
    const SockAddr sa = to_sockaddr(remote, scope);
    if (::connect(sock.fd, sa.get(), sa.len) != 0) return unexpected(from_errno(errno));
    sock.remote = remote;
    return {};
}

Expected<void, Error> OsUdpBackend::close(SocketId id) {
    std::lock_guard lock(mutex_);
    auto s = find(id);
    if (!s) return unexpected(s.error());
    // Under the lock the receiver thread is not reading this fd; an event for it that epoll
    // already returned finds the id gone.
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, (*s)->fd, nullptr);
    ::close((*s)->fd);
    sockets_.erase(id);
    return {};
}

Expected<void, Error> OsUdpBackend::send(SocketId id, std::optional<Endpoint> to,
                                         std::span<const std::uint8_t> data) {
    std::lock_guard lock(mutex_);
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    const bool to_peer = !to;
    if (to_peer) {
        if (!sock.remote) return unexpected(Error::NotConnected);
        to = sock.remote;
    }
    if (to->address.family != sock.family) return unexpected(Error::AddressFamilyMismatch);
    if (to->port == 0 || to->address.is_any()) return unexpected(Error::InvalidArgument);
    if (data.size() > (sock.family == Family::V6 ? kMaxUdpPayloadV6 : kMaxUdpPayloadV4)) {
        return unexpected(Error::MessageTooLong);
    }
    // Multicast needs no IpSetMulticastInterface here (SPEC §5 has none in OS mode): the kernel
    // routes the datagram, or an IPv6 scope id names the interface.
    const std::uint32_t scope = kernel_if_index(to->address.scope_id);
    if (to->address.scope_id != 0 && scope == 0) return unexpected(Error::NetworkUnreachable);
    if (is_link_local_unicast(to->address) && scope == 0) {
        return unexpected(Error::NetworkUnreachable);  // a link-local peer needs its interface
    }
    if (!sock.local) {
        if (auto b = bind_locked(sock, Endpoint{IpAddress::any(sock.family), 0}); !b) return b;
    }
    ssize_t n = 0;
    if (to_peer) {
        n = ::send(sock.fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    } else {
        const SockAddr sa = to_sockaddr(*to, scope);
        n = ::sendto(sock.fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL, sa.get(),
                     sa.len);
    }
    if (n < 0) return unexpected(from_errno(errno));
    return {};
}

// SPEC §5: in OS mode these return -1/10045 after the handle check and touch nothing.
Expected<void, Error> OsUdpBackend::join(SocketId id, std::uint32_t, const IpAddress&) {
    std::lock_guard lock(mutex_);
    if (auto s = find(id); !s) return unexpected(s.error());
    return unexpected(Error::NotSupported);
}

Expected<void, Error> OsUdpBackend::leave(SocketId id, std::uint32_t, const IpAddress&) {
    std::lock_guard lock(mutex_);
    if (auto s = find(id); !s) return unexpected(s.error());
    return unexpected(Error::NotSupported);
}

Expected<void, Error> OsUdpBackend::set_multicast_interface(SocketId id, std::uint32_t) {
    std::lock_guard lock(mutex_);
    if (auto s = find(id); !s) return unexpected(s.error());
    return unexpected(Error::NotSupported);
}

Expected<void, Error> OsUdpBackend::set_option(SocketId id, SocketOption o, int value) {
    std::lock_guard lock(mutex_);
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    switch (o) {
    case SocketOption::MulticastTtl:
    case SocketOption::Ttl:
        if (value < 0 || value > 255) return unexpected(Error::InvalidArgument);
        break;
    case SocketOption::MulticastLoop:
    case SocketOption::Broadcast:
    case SocketOption::ReuseAddress: value = value != 0 ? 1 : 0; break;
    }
    const OptionName n = option_name(sock.family, o);
    if (int e = set_int_option(sock.fd, n.level, n.name, value); e != 0) {
        return unexpected(from_errno(e));
    }
    return {};
}

Expected<int, Error> OsUdpBackend::option(SocketId id, SocketOption o) {
    std::lock_guard lock(mutex_);
    auto s = find(id);
    if (!s) return unexpected(s.error());
    const Socket& sock = **s;
    // The kernel holds the truth (its default unicast TTL included, 64 on Linux).
    const OptionName n = option_name(sock.family, o);
    int value = 0;
    socklen_t len = sizeof value;
    if (::getsockopt(sock.fd, n.level, n.name, &value, &len) != 0) {
        return unexpected(from_errno(errno));
    }
    if (len == 1) {  // IP_MULTICAST_TTL/LOOP may answer in one byte
        std::uint8_t b = 0;
        std::memcpy(&b, &value, 1);
        value = b;
    }
    return value;
}

Expected<std::optional<Datagram>, Error> OsUdpBackend::receive(SocketId id) {
    std::lock_guard lock(mutex_);
    auto s = find(id);
    if (!s) return unexpected(s.error());
    Socket& sock = **s;
    if (!sock.queue.empty()) {
        Datagram d = std::move(sock.queue.front());
        sock.queue.pop_front();
        sock.armed = false;
        return std::optional<Datagram>(std::move(d));
    }
    sock.armed = true;
    return std::optional<Datagram>();
}

Expected<SocketInfo, Error> OsUdpBackend::info(SocketId id) {
    std::lock_guard lock(mutex_);
    auto s = find(id);
    if (!s) return unexpected(s.error());
    const Socket& sock = **s;
    // No memberships and no multicast interface in OS mode (SPEC §5).
    return SocketInfo{sock.family, sock.local, sock.remote, 0, 0, sock.queue.size(),
                      sock.queue_drops};
}

void OsUdpBackend::drain_locked(Socket& sock, std::vector<std::pair<SocketId, Datagram>>& ready) {
    for (int reads = 0; reads < kMaxReadsPerWakeup; ++reads) {
        sockaddr_storage from{};
        iovec iov{rx_buffer_.data(), rx_buffer_.size()};
        alignas(cmsghdr) std::array<char, kControlSize> control{};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.data();
        msg.msg_controllen = control.size();
        const ssize_t n = ::recvmsg(sock.fd, &msg, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            // EAGAIN: drained. ECONNREFUSED and friends: an ICMP error for a connected socket,
            // reported (and cleared) here; the datagrams behind it are read on the next wakeup.
            return;
        }
        Datagram d;
        std::uint32_t kernel_scope = 0;
        d.from = from_sockaddr(from, kernel_scope);
        d.from.address.scope_id = if_index_of_kernel(kernel_scope);
        d.to.family = sock.family;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                in_pktinfo pi;
                std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
                std::memcpy(d.to.octets.data(), &pi.ipi_addr, 4);  // the header's destination
                d.if_index = if_index_of_kernel(static_cast<std::uint32_t>(pi.ipi_ifindex));
            } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                in6_pktinfo pi;
                std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
                std::memcpy(d.to.octets.data(), &pi.ipi6_addr, 16);
                d.if_index = if_index_of_kernel(pi.ipi6_ifindex);
            }
        }
        // NOTE(bounds): a UDP payload fits the 64 KiB buffer; MSG_TRUNC would only cut a jumbogram.
        const std::size_t size = std::min(static_cast<std::size_t>(n), rx_buffer_.size());
        d.data.assign(rx_buffer_.begin(), rx_buffer_.begin() + static_cast<std::ptrdiff_t>(size));
        if (sock.armed && sink_) {
            sock.armed = false;
            ready.emplace_back(sock.id, std::move(d));
            continue;
        }
        if (sock.queue.size() >= limits_.receive_queue) {
            ++sock.queue_drops;  // counted, never silent: SocketInfo::queue_drops
            continue;
        }
        sock.queue.push_back(std::move(d));
    }
}

void OsUdpBackend::run() {
    std::array<epoll_event, 64> events{};
    std::vector<std::pair<SocketId, Datagram>> ready;
    while (!stopping_) {
        const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // epoll_wait fails only on a bad epoll fd: nothing left to serve
        }
        Sink sink;
        {
            std::lock_guard lock(mutex_);
            for (int i = 0; i < n; ++i) {
                const std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
                if (tag == kWakeTag) continue;  // stopping_ is set; the loop condition ends it
                auto it = sockets_.find(static_cast<SocketId>(tag));
                if (it != sockets_.end()) drain_locked(it->second, ready);
            }
            if (!ready.empty()) sink = sink_;
        }
        // Without the lock: the sink posts to the program thread and may take its time.
        for (auto& [id, d] : ready) sink(id, std::move(d));
        ready.clear();
    }
}

}  // namespace caplnet::stack
