#include "stack/node.hpp"

#include <cstdlib>
#include <cstring>

#include "netif/capture/pcapng_writer.hpp"
#include "netif/driver/adapter_driver.hpp"
#include "netif/driver/lwip.hpp"
#include "netif/link/link.hpp"

namespace caplnet::stack {

namespace {
// lwIP keeps its state in globals: one stack per process (DESIGN.md, process model).
std::atomic<bool> g_node_exists{false};

ip4_addr_t to_ip4(const std::array<std::uint8_t, 4>& a) {
    ip4_addr_t r;
    std::memcpy(&r.addr, a.data(), 4);
    return r;
}

ip4_addr_t netmask_of(std::uint8_t len) {
    ip4_addr_t m;
    const std::uint32_t host = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
    ip4_addr_set_u32(&m, lwip_htonl(host));
    return m;
}
}  // namespace

Node::Node(NodeConfig config, NodeOptions options)
    : config_(std::move(config)), options_(std::move(options)), table_(config_) {}

Expected<std::unique_ptr<Node>, std::string> Node::start(NodeConfig config, NodeOptions options) {
    if (config.stack != StackMode::Product) {
        return unexpected(std::string("stack = \"os\" nodes use the host's sockets and have no "
                                      "embedded stack to start"));
    }
    if (g_node_exists.exchange(true)) {
        return unexpected(std::string("a node is already running in this process (one lwIP stack "
                                      "per process)"));
    }
    std::unique_ptr<Node> node(new Node(std::move(config), std::move(options)));
    node->loop_ = std::make_unique<NodeLoop>();

    // Everything that can fail for reasons outside lwIP fails here, before the stack starts.
    if (!node->options_.capture_path.empty()) {
        auto w = netif::PcapngWriter::create(node->options_.capture_path);
        if (!w) return unexpected("capture " + node->options_.capture_path + ": " + w.error());
        node->capture_ = std::move(*w);
    }
    for (const AdapterConfig& a : node->config_.adapters) {
        netif::LinkOptions lo;
        lo.description = node->config_.name + "/" + a.name;
        lo.run_dir = node->options_.run_dir;
        lo.ring_switches = node->options_.ring_switches;
        auto link = netif::open_link(a.link, lo);
        if (!link) {
            return unexpected(node->config_.source + ": adapter '" + a.name + "': link " + a.link +
                              ": " + link.error().message);
        }
        netif::CaptureTarget target;
        if (node->capture_) {
            target.writer = node->capture_.get();
            target.interface_id = node->capture_->add_interface(node->config_.name + "/" + a.name, a.link);
            target.now_ns = [clock = &node->clock_] { return clock->wall_ns(); };
        }
        node->adapters_.push_back(std::make_unique<netif::AdapterDriver>(a.name, a.mac,
                                                                         std::move(*link), target));
    }

    Node* raw = node.get();
    node->loop_->set_after_turn([raw](StackThread& t) { raw->after_turn(t); });
    node->thread_ = std::thread([raw] {
        raw->loop_->run([raw](StackThread& t) {
            const bool ok = raw->bring_up(t);
            std::lock_guard lock(raw->mutex_);
            raw->started_ = true;
            raw->started_ok_ = ok;
            raw->changed_.notify_all();
            return ok;
        });
    });
    {
        std::unique_lock lock(node->mutex_);
        node->changed_.wait(lock, [&] { return node->started_; });
    }
    if (!node->start_error_.empty()) {
        std::string e = node->start_error_;
        node->stop();
        return unexpected(e);
    }
    return node;
}

bool Node::bring_up(StackThread& token) {
    token_ = &token;
    // srand before lwip_init: udp_init/tcp_init draw their first local ports, and IGMP/MLD their
    // report delays, from rand() (virtual-time.md Q3).
    std::srand(config_.seed);
    install_lwip_port(clock_, *loop_, token);
    lwip_init();
    if (sys_now_calls() == 0) {
        start_error_ = "lwIP does not call caplnet's sys_now(): the clock hook is not bound (is "
                       "the executable linked with hidden visibility?)";
        return false;
    }
    netifs_.assign(table_.size(), nullptr);
    for (const InterfaceEntry& e : table_.entries()) {
        netif::AdapterDriver& d = *adapters_[e.adapter];
        struct ::netif* n = d.add_subinterface({e.name, e.vlan, e.priority, e.mtu});
        if (n == nullptr) {
            start_error_ = "lwIP refused interface " + e.name;
            return false;
        }
        netifs_[e.if_index - 1] = n;
        if (!e.ipv4.empty()) {
            const ip4_addr_t addr = to_ip4(e.ipv4[0].address);
            const ip4_addr_t mask = netmask_of(e.ipv4[0].prefix_len);
            netif_set_addr(n, &addr, &mask, IP4_ADDR_ANY4);
        }
        netif_create_ip6_linklocal_address(n, 1);
        for (const Ipv6Prefix& p : e.ipv6) {
            ip6_addr_t a{};
            std::memcpy(a.addr, p.address.data(), 16);
            s8_t idx = -1;
            if (netif_add_ip6_address(n, &a, &idx) != ERR_OK) {
                start_error_ = "lwIP refused IPv6 address " + p.to_string() + " on " + e.name;
                return false;
            }
        }
        netif_set_up(n);
    }
    if (!netifs_.empty()) netif_set_default(netifs_[0]);
    // The group engine owns IGMP/MLD on the wire from the first frame: it must be in place
    // before the links come up (netif_set_link_up makes lwIP report its groups).
    GroupHost::Interfaces gifs;
    for (const auto& e : table_.entries()) gifs.settings.push_back(e.groups);
    gifs.netif_of = [this](std::uint32_t i) { return i == 0 || i > netifs_.size() ? nullptr : netifs_[i - 1]; };
    gifs.if_index_of = [this](const struct ::netif* n) { return if_index_of(n); };
    groups_ = std::make_unique<GroupHost>(std::move(gifs), config_.seed, token);
    for (auto& d : adapters_) {
        d->set_group_hooks({[this](struct ::netif* n, wire::Bytes ip) { groups_->on_received(n, ip); },
                            [this](struct ::netif* n, wire::Bytes ip) { groups_->on_lwip_sent(n, ip); }});
    }
    UdpService::Interfaces ifs;
    ifs.count = netifs_.size();
    ifs.netif_of = [this](std::uint32_t i) { return i == 0 || i > netifs_.size() ? nullptr : netifs_[i - 1]; };
    ifs.if_index_of = [this](const struct ::netif* n) { return if_index_of(n); };
    ifs.group_changed = [this](std::uint32_t i, const IpAddress& g, bool held) {
        groups_->sockets_hold(i, g, held, *token_);
    };
    udp_ = std::make_unique<UdpService>(std::move(ifs), config_.limits, config_.multicast_delivery, token);
    for (auto& d : adapters_) {
        d->set_multicast_input([this](struct ::netif* n, wire::Bytes ip) { return udp_->on_multicast(n, ip, *token_); });
    }
    for (auto& d : adapters_) {
        d->set_link_up(true);
        netif::AdapterDriver* drv = d.get();
        loop_->watch(drv->data_fd(), [drv](StackThread&) { drv->on_readable(); });
        if (drv->control_fd() >= 0) {
            loop_->watch(drv->control_fd(), [drv](StackThread&) { drv->on_control(); });
        }
    }
    return true;
}

std::uint32_t Node::if_index_of(const struct ::netif* n) const {
    for (std::size_t i = 0; i < netifs_.size(); ++i) {
        if (netifs_[i] == n) return static_cast<std::uint32_t>(i + 1);
    }
    return 0;
}

void Node::after_turn(StackThread& token) {
    if (groups_) groups_->after_turn(token);
    bool ready = true;
    for (auto* n : netifs_) {
        for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; ++i) {
            if (ip6_addr_istentative(netif_ip6_addr_state(n, i))) ready = false;
        }
        if (!ip6_addr_isvalid(netif_ip6_addr_state(n, 0))) ready = false;
    }
    bool closed = !adapters_.empty();
    for (auto& d : adapters_) closed = closed && d->link_closed();
    // A link that went up or down, by set_link_up or by itself (a switch gone): a send that
    // succeeded before may not now.
    links_up_.resize(adapters_.size(), true);
    for (std::size_t i = 0; i < adapters_.size(); ++i) {
        if (adapters_[i]->link_up() != links_up_[i]) {
            links_up_[i] = adapters_[i]->link_up();
            send_epoch_.fetch_add(1, std::memory_order_release);
        }
    }
    if (ready != ready_ || closed != links_closed_) {
        std::lock_guard lock(mutex_);
        ready_ = ready_ || ready;
        links_closed_ = closed;
        changed_.notify_all();
    }
}

bool Node::wait_ready(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return ready_; });
}

bool Node::wait_links_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return links_closed_; });
}

struct ::netif* Node::netif_of(std::uint32_t if_index, StackThread&) const {
    if (if_index == 0 || if_index > netifs_.size()) return nullptr;
    return netifs_[if_index - 1];
}

std::vector<AdapterReport> Node::collect_reports(StackThread&) const {
    std::vector<AdapterReport> r;
    for (std::size_t i = 0; i < adapters_.size(); ++i) {
        r.push_back({adapters_[i]->name(), adapters_[i]->link_url(), adapters_[i]->link_up(),
                     adapters_[i]->counters()});
    }
    return r;
}

Expected<void, std::string> Node::set_link_up(const std::string& adapter, bool up) {
    if (!thread_.joinable()) return unexpected(std::string("the node has stopped"));
    return loop_->call([&](StackThread&) -> Expected<void, std::string> {
        for (auto& d : adapters_) {
            if (d->name() != adapter) continue;
            if (d->link_closed()) return unexpected("adapter " + adapter + ": its link has ended");
            d->set_link_up(up);
            send_epoch_.fetch_add(1, std::memory_order_release);
            return {};
        }
        return unexpected("no adapter named '" + adapter + "'");
    });
}

std::vector<AdapterReport> Node::reports() {
    if (!thread_.joinable()) return final_reports_;
    return loop_->call([this](StackThread& t) { return collect_reports(t); });
}

void Node::stop() {
    if (thread_.joinable()) {
        if (started_ok_) {
            // Tear down on the stack thread: netif_remove is an lwIP call like any other.
            loop_->call([this](StackThread& t) {
                if (groups_) groups_->flush(t);  // the last leaves' reports, before the links close
                final_reports_ = collect_reports(t);
                loop_->clear_watches(t);
                udp_.reset();
                groups_.reset();
                netifs_.clear();
                adapters_.clear();
                return 0;
            });
        }
        loop_->stop();
        thread_.join();
        uninstall_lwip_port();
    }
    if (capture_) capture_->flush();
}

Node::~Node() {
    stop();
}

}  // namespace caplnet::stack
