#include "stack/pinger.hpp"

#include <condition_variable>
#include <cstring>
#include <mutex>

#include "netif/driver/lwip.hpp"
#include "stack/node.hpp"

namespace caplnet::stack {

namespace {

constexpr std::uint8_t kEchoRequest4 = 8, kEchoReply4 = 0;
constexpr std::uint8_t kEchoRequest6 = 128, kEchoReply6 = 129;

struct Session {
    Node* node = nullptr;
    struct raw_pcb* pcb = nullptr;
    ip_addr_t dst{};
    bool v6 = false;
    std::uint16_t id = 0;
    int count = 0;
    std::chrono::milliseconds interval{};
    std::vector<std::uint64_t> sent_at;  // clock ms per sequence number
    std::mutex mutex;
    std::condition_variable changed;
    PingResult result;
};

std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(sys_now());
}

void send_next(void* arg);

u8_t on_receive(void* arg, struct raw_pcb*, struct pbuf* p, const ip_addr_t* from) {
    auto* s = static_cast<Session*>(arg);
    if (!ip_addr_cmp_zoneless(from, &s->dst)) return 0;
    std::uint8_t head[60 + 8];
    const u16_t got = pbuf_copy_partial(p, head, sizeof head, 0);
    if (got < 1) return 0;
    const std::size_t ip_len = (head[0] >> 4) == 6 ? 40 : static_cast<std::size_t>(head[0] & 0x0f) * 4;
    if (got < ip_len + 8) return 0;
    const std::uint8_t* icmp = head + ip_len;
    const std::uint16_t id = static_cast<std::uint16_t>((icmp[4] << 8) | icmp[5]);
    const std::uint16_t seq = static_cast<std::uint16_t>((icmp[6] << 8) | icmp[7]);
    if (icmp[0] != (s->v6 ? kEchoReply6 : kEchoReply4) || id != s->id || seq >= s->sent_at.size()) {
        return 0;
    }
    {
        std::lock_guard lock(s->mutex);
        ++s->result.received;
        s->result.rtt_ms.push_back(static_cast<double>(now_ms() - s->sent_at[seq]));
    }
    s->changed.notify_all();
    pbuf_free(p);
    return 1;  // eaten: it was our reply
}

void send_next(void* arg) {
    auto* s = static_cast<Session*>(arg);
    const std::uint16_t seq = static_cast<std::uint16_t>(s->sent_at.size());
    constexpr u16_t kPayload = 56;  // the size ping(8) uses
    struct pbuf* p = pbuf_alloc(PBUF_IP, 8 + kPayload, PBUF_RAM);
    if (p == nullptr) return;
    auto* b = static_cast<std::uint8_t*>(p->payload);
    std::memset(b, 0, 8 + kPayload);
    b[0] = s->v6 ? kEchoRequest6 : kEchoRequest4;
    b[4] = static_cast<std::uint8_t>(s->id >> 8);
    b[5] = static_cast<std::uint8_t>(s->id);
    b[6] = static_cast<std::uint8_t>(seq >> 8);
    b[7] = static_cast<std::uint8_t>(seq);
    for (u16_t i = 0; i < kPayload; ++i) b[8 + i] = static_cast<std::uint8_t>(i);
    if (!s->v6) {
        const u16_t sum = inet_chksum(b, 8 + kPayload);
        std::memcpy(b + 2, &sum, 2);  // inet_chksum returns network order already
    }
    s->sent_at.push_back(now_ms());
    raw_sendto(s->pcb, p, &s->dst);
    pbuf_free(p);
    {
        std::lock_guard lock(s->mutex);
        ++s->result.sent;
    }
    s->changed.notify_all();
    if (static_cast<int>(s->sent_at.size()) < s->count) {
        sys_timeout(static_cast<u32_t>(s->interval.count()), send_next, s);
    }
}

}  // namespace

Expected<PingResult, std::string> ping(Node& node, const std::string& target, int count,
                                       std::chrono::milliseconds interval,
                                       std::chrono::milliseconds timeout) {
    Session s;
    s.node = &node;
    s.count = count;
    s.interval = interval;
    s.result.target = target;
    std::string addr = target;
    std::uint32_t zone_if = 0;
    if (auto pct = target.find('%'); pct != std::string::npos) {
        addr = target.substr(0, pct);
        try {
            zone_if = static_cast<std::uint32_t>(std::stoul(target.substr(pct + 1)));
        } catch (...) {
            return unexpected("bad zone in '" + target + "': use an ifIndex, e.g. fe80::2%1");
        }
    }
    if (ipaddr_aton(addr.c_str(), &s.dst) == 0) return unexpected("bad address '" + target + "'");
    s.v6 = IP_IS_V6(&s.dst);
    std::string error = node.loop().call([&](StackThread& t) -> std::string {
        if (s.v6) {
            struct ::netif* n = zone_if != 0 ? node.netif_of(zone_if, t) : nullptr;
            if (zone_if != 0 && n == nullptr) return "no interface with ifIndex " + std::to_string(zone_if);
            if (n != nullptr) {
                ip6_addr_set_zone(ip_2_ip6(&s.dst), netif_get_index(n));
            } else if (ip6_addr_lacks_zone(ip_2_ip6(&s.dst), IP6_UNICAST)) {
                return "a link-local target needs a zone: " + addr + "%<ifIndex>";
            }
        }
        s.pcb = raw_new_ip_type(s.v6 ? IPADDR_TYPE_V6 : IPADDR_TYPE_V4,
                                s.v6 ? IP6_NEXTH_ICMP6 : IP_PROTO_ICMP);
        if (s.pcb == nullptr) return "out of memory";
        if (s.v6) {
            // ICMPv6 carries a pseudo-header checksum: let lwIP fill it at offset 2.
            raw_set_flags(s.pcb, 0);
            s.pcb->chksum_reqd = 1;
            s.pcb->chksum_offset = 2;
        }
        // Not rand(): that would shift the random stream lwIP draws its delays from.
        static std::uint16_t next_id = 0x4300;
        s.id = next_id++;
        raw_recv(s.pcb, on_receive, &s);
        send_next(&s);
        return {};
    });
    if (!error.empty()) return unexpected(error);
    {
        std::unique_lock lock(s.mutex);
        const auto total = interval * (count - 1) + timeout;
        s.changed.wait_for(lock, total, [&] { return s.result.received >= count; });
    }
    node.loop().call([&](StackThread&) {
        sys_untimeout(send_next, &s);
        raw_remove(s.pcb);
        return 0;
    });
    std::lock_guard lock(s.mutex);
    return s.result;
}

}  // namespace caplnet::stack
