#include "netif/driver/adapter_driver.hpp"

#include <algorithm>
#include <cstring>

#include <absl/container/flat_hash_map.h>
#include <spdlog/spdlog.h>

#include "netif/driver/lwip.hpp"
#include "netif/wire/ethernet.hpp"
#include "netif/wire/frame_check.hpp"

namespace caplnet::netif {

struct AdapterDriver::Subinterface {
    struct ::netif nif {};
    AdapterDriver* owner = nullptr;
    SubinterfaceSpec spec;
    // Multicast MACs lwIP asked for through its filter callbacks, with a use count: several
    // groups share one MAC (32 IPv4 groups per MAC, RFC 1112 §6.4). Open addressing: a join, a
    // leave and every received multicast frame look here (BENCHMARKS.md, figure 3).
    absl::flat_hash_map<std::uint64_t, int> multicast_filter;
};

namespace {

std::uint64_t mac_key(const wire::MacAddress& m) {
    std::uint64_t k = 0;
    for (auto o : m.octets) k = (k << 8) | o;
    return k;
}

wire::MacAddress ipv4_multicast_mac(const ip4_addr_t* group) {
    // RFC 1112 §6.4: 01:00:5e + the low 23 bits of the group.
    const auto* b = reinterpret_cast<const std::uint8_t*>(&group->addr);
    return wire::MacAddress{{0x01, 0x00, 0x5e, static_cast<std::uint8_t>(b[1] & 0x7f), b[2], b[3]}};
}

wire::MacAddress ipv6_multicast_mac(const ip6_addr_t* group) {
    // RFC 2464 §7: 33:33 + the low 32 bits of the group.
    const auto* b = reinterpret_cast<const std::uint8_t*>(group->addr);
    return wire::MacAddress{{0x33, 0x33, b[12], b[13], b[14], b[15]}};
}

void adjust_filter(AdapterDriver::Subinterface* sub, const wire::MacAddress& mac,
                   enum netif_mac_filter_action action) {
    auto& count = sub->multicast_filter[mac_key(mac)];
    count += action == NETIF_ADD_MAC_FILTER ? 1 : -1;
    if (count <= 0) sub->multicast_filter.erase(mac_key(mac));
}

}  // namespace

// lwIP's C callbacks, kept in one place; each recovers its Subinterface from netif->state.
struct DriverCallbacks {
    static AdapterDriver::Subinterface* sub(struct ::netif* n) {
        return static_cast<AdapterDriver::Subinterface*>(n->state);
    }

    static err_t init(struct ::netif* n) {
        auto* s = sub(n);
        n->name[0] = 'e';
        n->name[1] = 'n';
        n->hwaddr_len = ETH_HWADDR_LEN;
        std::copy(s->owner->mac_.octets.begin(), s->owner->mac_.octets.end(), n->hwaddr);
        n->mtu = s->spec.mtu;
#if LWIP_ND6_ALLOW_RA_UPDATES
        n->mtu6 = s->spec.mtu;
#endif
        // NETIF_FLAG_IGMP must be set here: netif_add runs igmp_start right after init.
        n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP |
                   NETIF_FLAG_MLD6;
        n->output = etharp_output;
        n->output_ip6 = ethip6_output;
        n->linkoutput = linkoutput;
        n->igmp_mac_filter = igmp_filter;
        n->mld_mac_filter = mld_filter;
        // A simulated ECU keeps the addresses of its node file: no SLAAC from stray RAs.
        netif_set_ip6_autoconfig_enabled(n, 0);
        // lwIP never asks the driver for all-nodes ff02::1, yet every IPv6 host listens to it.
        ip6_addr_t all_nodes;
        ip6_addr_set_allnodes_linklocal(&all_nodes);
        adjust_filter(s, ipv6_multicast_mac(&all_nodes), NETIF_ADD_MAC_FILTER);
        return ERR_OK;
    }

    static err_t igmp_filter(struct ::netif* n, const ip4_addr_t* group,
                             enum netif_mac_filter_action action) {
        adjust_filter(sub(n), ipv4_multicast_mac(group), action);
        return ERR_OK;
    }

    static err_t mld_filter(struct ::netif* n, const ip6_addr_t* group,
                            enum netif_mac_filter_action action) {
        adjust_filter(sub(n), ipv6_multicast_mac(group), action);
        return ERR_OK;
    }

    static err_t linkoutput(struct ::netif* n, struct pbuf* p) {
        auto* s = sub(n);
        AdapterDriver& d = *s->owner;
        const std::size_t len = p->tot_len;
        if (len + wire::kVlanTagLen > d.tx_buffer_.size() || len < wire::kEthernetHeaderLen) {
            ++d.counters_.tx_drops["oversized"];
            return ERR_OK;
        }
        // The untagged frame goes in after room for a tag, so tagging is one move of 12 bytes.
        std::uint8_t* frame = d.tx_buffer_.data() + wire::kVlanTagLen;
        pbuf_copy_partial(p, frame, static_cast<u16_t>(len), 0);
        const wire::Bytes untagged{frame, len};
        if (d.group_hooks_.lwip_sent && is_group_message(untagged)) {
            // lwIP's own IGMPv2/MLDv1 never reach the wire: the group engine speaks for the node.
            ++d.counters_.tx_group_messages_replaced;
            d.group_hooks_.lwip_sent(n, untagged.subspan(wire::kEthernetHeaderLen));
            return ERR_OK;
        }
        d.transmit(*s, len);
        return ERR_OK;
    }

    /// IGMP (IPv4 protocol 2) or MLD (ICMPv6 130, 131, 132, 143 after a Hop-by-Hop header).
    static bool is_group_message(wire::Bytes frame) {
        auto eth = wire::EthernetView::of(frame);
        if (!eth) return false;
        const wire::Bytes ip = eth->payload();
        if (eth->ethertype() == wire::ethertype::kIpv4) return ip.size() > 9 && ip[9] == 2;
        if (eth->ethertype() != wire::ethertype::kIpv6 || ip.size() < 48 || ip[6] != 0) return false;
        const std::size_t icmp = 40 + (static_cast<std::size_t>(ip[41]) + 1) * 8;
        if (ip[40] != 58 || ip.size() <= icmp) return false;
        const std::uint8_t type = ip[icmp];
        return type == 130 || type == 131 || type == 132 || type == 143;
    }
};

void AdapterDriver::transmit(Subinterface& s, std::size_t len) {
    if (!link_up_) {
        // lwIP does not gate output on link state (lwip-notes.md, pitfall 6).
        ++counters_.tx_drops["link-down"];
        return;
    }
    std::uint8_t* out = tx_buffer_.data();
    std::size_t frame_len = len;
    // Real NICs pad to the 60-byte minimum; lwIP does not (ETH_PAD_SIZE 0).
    if (frame_len < wire::kMinFrameLen) {
        std::fill(out + wire::kVlanTagLen + frame_len, out + wire::kVlanTagLen + wire::kMinFrameLen, std::uint8_t{0});
        frame_len = wire::kMinFrameLen;
    }
    if (s.spec.vlan) {
        // 802.1Q: the tag goes between the source MAC and the ethertype.
        std::memmove(out, out + wire::kVlanTagLen, 12);
        wire::write_be16({out, 16}, 12, wire::ethertype::kVlan);
        wire::write_be16({out, 16}, 14, wire::VlanTci{s.spec.priority, false, *s.spec.vlan}.to_u16());
        frame_len += wire::kVlanTagLen;
    } else {
        out += wire::kVlanTagLen;
    }
    const wire::Bytes frame{out, frame_len};
    capture(frame, Direction::Outbound);
    auto sent = link_->send(frame);
    if (!sent) {
        ++counters_.tx_drops[sent.error().kind == LinkError::Kind::WouldBlock ? "link-queue-full" : "link-error"];
        return;
    }
    ++counters_.tx_frames;
}

AdapterDriver& AdapterDriver::of(struct ::netif* n) { return *DriverCallbacks::sub(n)->owner; }

void AdapterDriver::hold_multicast_mac(struct ::netif* n, const wire::MacAddress& mac, bool held) {
    adjust_filter(DriverCallbacks::sub(n), mac, held ? NETIF_ADD_MAC_FILTER : NETIF_DEL_MAC_FILTER);
}

void AdapterDriver::send_ip(struct ::netif* n, const wire::MacAddress& dst, std::uint16_t ethertype,
                            wire::Bytes ip_packet) {
    Subinterface& s = *DriverCallbacks::sub(n);
    const std::size_t len = wire::kEthernetHeaderLen + ip_packet.size();
    if (len + wire::kVlanTagLen > tx_buffer_.size()) {
        ++counters_.tx_drops["oversized"];
        return;
    }
    std::uint8_t* frame = tx_buffer_.data() + wire::kVlanTagLen;
    wire::emit_ethernet_header({frame, wire::kEthernetHeaderLen}, dst, mac_, ethertype);
    std::copy(ip_packet.begin(), ip_packet.end(), frame + wire::kEthernetHeaderLen);
    transmit(s, len);
}

std::uint64_t AdapterCounters::rx_dropped() const {
    std::uint64_t n = 0;
    for (const auto& [k, v] : rx_drops) n += v;
    return n;
}

std::uint64_t AdapterCounters::tx_dropped() const {
    std::uint64_t n = 0;
    for (const auto& [k, v] : tx_drops) n += v;
    return n;
}

AdapterDriver::AdapterDriver(std::string name, wire::MacAddress mac, std::unique_ptr<Link> link,
                             CaptureTarget capture)
    : name_(std::move(name)),
      mac_(mac),
      link_(std::move(link)),
      capture_(std::move(capture)),
      batch_(32),
      tx_buffer_(kMaxFrameLen + wire::kVlanTagLen) {}

AdapterDriver::~AdapterDriver() {
    for (auto* n : netifs_) netif_remove(n);
}

struct ::netif* AdapterDriver::add_subinterface(const SubinterfaceSpec& spec) {
    auto sub = std::make_unique<Subinterface>();
    sub->owner = this;
    sub->spec = spec;
    struct ::netif* n = &sub->nif;
    if (netif_add(n, nullptr, nullptr, nullptr, sub.get(), DriverCallbacks::init, ethernet_input) ==
        nullptr) {
        return nullptr;
    }
    max_frame_len_ = std::max<std::size_t>(max_frame_len_, wire::kEthernetHeaderLen + spec.mtu);
    netifs_.push_back(n);
    subinterfaces_.push_back(std::move(sub));
    return n;
}

void AdapterDriver::capture(wire::Bytes frame, Direction dir) {
    if (capture_.writer != nullptr) {
        capture_.writer->write(capture_.interface_id, capture_.now_ns(), frame, dir);
    }
}

void AdapterDriver::set_link_up(bool up) {
    if (up != link_up_) spdlog::info("adapter {}: link {} ({})", name_, up ? "up" : "down", link_->url());
    link_up_ = up;
    for (auto* n : netifs_) {
        if (up) {
            netif_set_link_up(n);
        } else {
            netif_set_link_down(n);
        }
    }
}

void AdapterDriver::on_control() {
    if (!link_->check_control()) {
        link_closed_ = true;
        set_link_up(false);
    }
}

void AdapterDriver::on_readable() {
    auto got = link_->receive(batch_);
    if (!got) {
        if (got.error().kind == LinkError::Kind::Closed) {
            link_closed_ = true;
            set_link_up(false);
        } else if (got.error().kind != LinkError::Kind::WouldBlock) {
            drop_rx("link-error");
        }
        return;
    }
    for (std::size_t i = 0; i < batch_.size(); ++i) {
        ++counters_.rx_frames;
        if (!link_up_) {
            // A pulled cable: the switch still queues frames to us, the node must not see them.
            drop_rx("link-down");
            continue;
        }
        capture(batch_.frame(i), Direction::Inbound);
        deliver(batch_.frame(i));
    }
}

AdapterDriver::Subinterface* AdapterDriver::subinterface_for(std::optional<std::uint16_t> vid) {
    for (auto& s : subinterfaces_) {
        if (s->spec.vlan == vid) return s.get();
    }
    return nullptr;
}

namespace {

// lwIP has IP forwarding compiled in (IP_FORWARD, LWIP_IPV6_FORWARD: multicast-rfc.md F4) and no
// switch to turn it off, so a unicast packet that is not addressed to the receiving interface
// must never reach it: lwIP would route it out of another netif or answer Time Exceeded.
bool ipv4_for_us(const struct ::netif* n, wire::Bytes ip) {
    std::uint32_t dst;  // NOTE(bounds): check_frame validated a full IPv4 header
    std::memcpy(&dst, ip.data() + 16, 4);
    const std::uint8_t first = ip[16];
    if (first >= 224) return true;                  // multicast and limited broadcast
    if (dst == ip4_addr_get_u32(netif_ip4_addr(n))) return !ip4_addr_isany_val(*netif_ip4_addr(n));
    ip4_addr_t a;
    ip4_addr_set_u32(&a, dst);
    return ip4_addr_isbroadcast(&a, n) != 0;        // subnet broadcast of this interface
}

bool ipv6_for_us(const struct ::netif* n, wire::Bytes ip) {
    if (ip[24] == 0xff) return true;  // multicast: the MAC filter already decided
    ip6_addr_t dst;  // NOTE(bounds): check_frame validated a full IPv6 header
    std::memcpy(dst.addr, ip.data() + 24, 16);
    ip6_addr_clear_zone(&dst);
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; ++i) {
        if (ip6_addr_isvalid(netif_ip6_addr_state(n, i)) || ip6_addr_istentative(netif_ip6_addr_state(n, i))) {
            const ip6_addr_t* mine = netif_ip6_addr(n, i);
            if (std::memcmp(mine->addr, dst.addr, 16) == 0) return true;
        }
    }
    return false;
}

}  // namespace

void AdapterDriver::deliver(wire::Bytes frame) {
    auto checked = wire::check_frame(frame, max_frame_len_);
    if (!checked) {
        drop_rx(wire::to_string(checked.error()));
        return;
    }
    auto eth = wire::EthernetView::of(frame);  // check_frame accepted it, so this holds
    const auto tci = eth->vlan();
    // VID 0 is a priority tag: the frame belongs to the untagged interface (802.1Q §9.6).
    const std::optional<std::uint16_t> vid =
        tci && tci->vlan_id != 0 ? std::optional<std::uint16_t>(tci->vlan_id) : std::nullopt;
    Subinterface* sub = subinterface_for(vid);
    if (sub == nullptr) {
        drop_rx("unknown-vlan");
        return;
    }
    const wire::MacAddress dst = eth->destination();
    if (dst.is_multicast()) {
        if (!dst.is_broadcast() && !sub->multicast_filter.contains(mac_key(dst))) {
            drop_rx("multicast-not-joined");
            return;
        }
    } else if (dst != mac_) {
        drop_rx("not-our-mac");
        return;
    }
    if (frame.size() - eth->header_len() > sub->spec.mtu) {
        drop_rx("oversized");
        return;
    }
    struct ::netif* n = &sub->nif;
    if (!dst.is_multicast()) {
        const auto type = eth->ethertype();
        if ((type == wire::ethertype::kIpv4 && !ipv4_for_us(n, eth->payload())) ||
            (type == wire::ethertype::kIpv6 && !ipv6_for_us(n, eth->payload()))) {
            drop_rx("not-our-ip");
            return;
        }
    }
    if (group_hooks_.received && DriverCallbacks::is_group_message(frame)) {
        group_hooks_.received(n, eth->payload());
        ++counters_.rx_group_messages;
        return;
    }
    const bool ip = checked->ethertype == wire::ethertype::kIpv4 || checked->ethertype == wire::ethertype::kIpv6;
    if (ip && dst.is_multicast() && !dst.is_broadcast() && multicast_input_ &&
        multicast_input_(n, checked->l3(frame))) {
        ++counters_.rx_delivered;
        return;
    }
    const std::size_t len = frame.size() - (tci ? wire::kVlanTagLen : 0);
    // PBUF_RAM, not PBUF_POOL: in Debian's liblwip a pool pbuf's buffer is smaller than what
    // pbuf_alloc hands out for one pool element (616-byte elements, yet a 1042-byte frame came
    // back as one pbuf: found by AddressSanitizer replaying malformed.pcap), so any frame over
    // ~590 bytes would overrun the heap. PBUF_RAM allocates exactly the frame.
    struct pbuf* p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(len), PBUF_RAM);
    if (p == nullptr) {
        drop_rx("out-of-memory");
        return;
    }
    if (tci) {
        // Untag: lwIP is built without VLAN support (multicast-rfc.md F12) and drops tagged frames.
        pbuf_take(p, frame.data(), 12);
        pbuf_take_at(p, frame.data() + 16, static_cast<u16_t>(len - 12), 12);
    } else {
        pbuf_take(p, frame.data(), static_cast<u16_t>(len));
    }
    if (n->input(p, n) != ERR_OK) {
        pbuf_free(p);
        drop_rx("stack-refused");
        return;
    }
    ++counters_.rx_delivered;
}

}  // namespace caplnet::netif
