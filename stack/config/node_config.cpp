#include "stack/config/node_config.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "netif/driver/lwip.hpp"
#include "stack/config/toml_reader.hpp"

namespace caplnet::stack {

namespace {

// lwIP keeps 6 IPv6 addresses per netif (LWIP_IPV6_NUM_ADDRESSES in Debian's lwipopts.h);
// slot 0 is the automatic link-local one.
constexpr std::size_t kMaxIpv6PerInterface = LWIP_IPV6_NUM_ADDRESSES - 1;
constexpr std::uint16_t kMinMtu = 576;   // IPv4 minimum reassembly size; lwIP works below, hosts don't
constexpr std::uint16_t kMaxMtu = 9216;  // VDE_MAXMTU: the largest frame a VDE switch carries

class Reader : public TomlReader {
public:
    using TomlReader::TomlReader;

    template <class F>
    void string_list(const toml::table& t, std::string_view key, F&& each) const {
        const toml::node* n = t.get(key);
        if (n == nullptr) return;
        if (const auto* s = n->as_string()) {  // a single address may be written without brackets
            each(std::string(**s), n);
            return;
        }
        const auto* arr = n->as_array();
        if (arr == nullptr) fail(n, "'" + std::string(key) + "' must be a list of strings");
        for (const auto& e : *arr) {
            if (!e.is_string()) fail(&e, "'" + std::string(key) + "' entries must be strings");
            each(std::string(**e.as_string()), &e);
        }
    }

    std::pair<std::string, int> split_prefix(const std::string& text, const toml::node* at,
                                             int max_len) const {
        const auto slash = text.find('/');
        if (slash == std::string::npos) {
            fail(at, "address '" + text + "' needs a prefix length (e.g. /24)");
        }
        int len = -1;
        const char* b = text.data() + slash + 1;
        const char* e = text.data() + text.size();
        auto [p, ec] = std::from_chars(b, e, len);
        if (ec != std::errc{} || p != e || b == e || len < 0 || len > max_len) {
            fail(at, "bad prefix length in '" + text + "' (0.." + std::to_string(max_len) + ")");
        }
        return {text.substr(0, slash), len};
    }

    Ipv4Prefix ipv4(const std::string& text, const toml::node* at) const {
        auto [addr, len] = split_prefix(text, at, 32);
        ip4_addr_t a;
        if (addr.find_first_not_of("0123456789.") != std::string::npos ||
            ip4addr_aton(addr.c_str(), &a) == 0 || std::count(addr.begin(), addr.end(), '.') != 3) {
            fail(at, "bad IPv4 address '" + addr + "'");
        }
        Ipv4Prefix p;
        std::memcpy(p.address.data(), &a.addr, 4);
        p.prefix_len = static_cast<std::uint8_t>(len);
        if (p.address[0] == 0 || p.address[0] == 127 || p.address[0] >= 224) {
            fail(at, "'" + addr + "' cannot be an interface address (zero, loopback, multicast or reserved)");
        }
        if (len == 0 || len > 30) fail(at, "prefix length of '" + text + "' must be 1..30 for an interface");
        return p;
    }

    Ipv6Prefix ipv6(const std::string& text, const toml::node* at) const {
        auto [addr, len] = split_prefix(text, at, 128);
        ip6_addr_t a;
        if (addr.find('%') != std::string::npos || ip6addr_aton(addr.c_str(), &a) == 0) {
            fail(at, "bad IPv6 address '" + addr + "'");
        }
        Ipv6Prefix p;
        std::memcpy(p.address.data(), a.addr, 16);
        p.prefix_len = static_cast<std::uint8_t>(len);
        if (p.address[0] == 0xff) fail(at, "'" + addr + "' is a multicast address");
        if (p.address[0] == 0xfe && (p.address[1] & 0xc0) == 0x80) {
            fail(at, "'" + addr + "': the link-local address is automatic (from the MAC)");
        }
        if (std::all_of(p.address.begin(), p.address.end() - 1, [](auto b) { return b == 0; })) {
            fail(at, "'" + addr + "' cannot be an interface address");
        }
        return p;
    }

    template <class T>
    void addresses(const toml::table& t, T& iface) const {
        string_list(t, "ipv4", [&](const std::string& s, const toml::node* n) {
            if (!iface.ipv4.empty()) {
                fail(n, "at most one IPv4 address per interface (an lwIP netif holds one); "
                        "use a VLAN subinterface for another subnet");
            }
            iface.ipv4.push_back(ipv4(s, n));
        });
        string_list(t, "ipv6", [&](const std::string& s, const toml::node* n) {
            if (iface.ipv6.size() == kMaxIpv6PerInterface) {
                fail(n, "at most " + std::to_string(kMaxIpv6PerInterface) +
                            " IPv6 addresses per interface (lwIP's limit, besides link-local)");
            }
            iface.ipv6.push_back(ipv6(s, n));
        });
        if (auto m = integer(t, "mtu", kMinMtu, kMaxMtu)) iface.mtu = static_cast<std::uint16_t>(*m);
        group_settings(t, iface.groups);
    }

    // "auto" or a number, for igmp_version / mld_version.
    void version(const toml::table& t, std::string_view key, int lo, int hi, int& into) const {
        const toml::node* n = t.get(key);
        if (n == nullptr) return;
        if (n->is_string() && **n->as_string() == "auto") {
            into = 0;
            return;
        }
        if (!n->is_integer() || **n->as_integer() < lo || **n->as_integer() > hi) {
            fail(n, "'" + std::string(key) + "' must be \"auto\" or " + std::to_string(lo) + ".." + std::to_string(hi));
        }
        into = static_cast<int>(**n->as_integer());
    }

    void group_settings(const toml::table& t, GroupProtocolConfig& g) const {
        version(t, "igmp_version", 1, 3, g.igmp_version);
        version(t, "mld_version", 1, 2, g.mld_version);
        if (auto v = integer(t, "robustness", 1, 10)) g.robustness = static_cast<int>(*v);
        if (auto v = integer(t, "unsolicited_report_interval", 1, 3'600'000)) {
            g.unsolicited_report_interval_ms = static_cast<std::uint32_t>(*v);
            g.unsolicited_interval_set = true;
        }
        if (auto v = integer(t, "query_interval", 1, 3'600'000)) g.query_interval_ms = static_cast<std::uint32_t>(*v);
        if (auto v = integer(t, "query_response_interval", 1, 3'600'000)) {
            g.query_response_interval_ms = static_cast<std::uint32_t>(*v);
        }
    }

    VlanConfig vlan(const toml::table& t, const AdapterConfig& parent) const {
        only_keys(t, {"id", "priority", "name", "ipv4", "ipv6", "mtu", "igmp_version", "mld_version",
                      "robustness", "unsolicited_report_interval", "query_interval",
                      "query_response_interval"},
                  "a [[adapter.vlan]] table");
        VlanConfig v;
        auto id = integer(t, "id", 1, 4094);
        if (!id) fail(&t, "a VLAN subinterface needs 'id' (1..4094)");
        v.id = static_cast<std::uint16_t>(*id);
        if (auto p = integer(t, "priority", 0, 7)) v.priority = static_cast<std::uint8_t>(*p);
        v.name = string(t, "name").value_or(parent.name + "." + std::to_string(v.id));
        v.mtu = parent.mtu;
        v.groups = parent.groups;  // a VLAN subinterface inherits its adapter's settings
        addresses(t, v);
        return v;
    }

    AdapterConfig adapter(const toml::table& t, std::size_t position) const {
        only_keys(t, {"name", "channel", "link", "mac", "ipv4", "ipv6", "mtu", "vlan", "igmp_version",
                      "mld_version", "robustness", "unsolicited_report_interval", "query_interval",
                      "query_response_interval"},
                  "an [[adapter]] table");
        AdapterConfig a;
        a.name = string(t, "name").value_or("eth" + std::to_string(position));
        a.channel = static_cast<std::uint32_t>(
            integer(t, "channel", 1, 65535).value_or(static_cast<std::int64_t>(position + 1)));
        auto link = string(t, "link");
        if (!link || link->empty()) fail(&t, "adapter '" + a.name + "' needs a 'link' URL");
        a.link = *link;
        auto mac_text = string(t, "mac");
        if (!mac_text) fail(&t, "adapter '" + a.name + "' needs a 'mac'");
        auto mac = wire::MacAddress::parse(*mac_text);
        if (!mac) fail(t.get("mac"), "bad MAC address '" + *mac_text + "'");
        if (!mac->is_unicast() || mac->is_zero()) {
            fail(t.get("mac"), "MAC " + *mac_text + " is not unicast (the I/G bit is set or it is zero)");
        }
        a.mac = *mac;
        addresses(t, a);
        if (const toml::node* vl = t.get("vlan")) {
            const auto* arr = vl->as_array();
            if (arr == nullptr) fail(vl, "'vlan' must be an array of tables ([[adapter.vlan]])");
            std::set<std::uint16_t> seen;
            for (const auto& e : *arr) {
                const auto* vt = e.as_table();
                if (vt == nullptr) fail(&e, "'vlan' entries must be tables");
                VlanConfig v = vlan(*vt, a);
                if (!seen.insert(v.id).second) {
                    fail(vt->get("id"), "duplicate VLAN id " + std::to_string(v.id) + " on adapter '" +
                                            a.name + "'");
                }
                a.vlans.push_back(std::move(v));
            }
        }
        return a;
    }

    NodeConfig node(const toml::table& root) const {
        only_keys(root, {"name", "stack", "seed", "multicast_delivery", "limits", "adapter"},
                  "the node file");
        NodeConfig c;
        c.source = source();
        auto name = string(root, "name");
        if (!name || name->empty()) fail(nullptr, "the node needs a 'name'");
        c.name = *name;
        if (auto s = string(root, "stack")) {
            if (*s == "product") {
                c.stack = StackMode::Product;
            } else if (*s == "os") {
                c.stack = StackMode::Os;
            } else {
                fail(root.get("stack"), "stack must be \"product\" or \"os\", not \"" + *s + "\"");
            }
        }
        if (auto s = integer(root, "seed", 0, 0xffffffffLL)) c.seed = static_cast<std::uint32_t>(*s);
        if (auto s = string(root, "multicast_delivery")) {
            if (*s == "per-socket") {
                c.multicast_delivery = MulticastDelivery::PerSocket;
            } else if (*s == "linux") {
                c.multicast_delivery = MulticastDelivery::Linux;
            } else {
                fail(root.get("multicast_delivery"),
                     "multicast_delivery must be \"per-socket\" or \"linux\", not \"" + *s + "\"");
            }
        }
        if (const toml::node* l = root.get("limits")) {
            const auto* t = l->as_table();
            if (t == nullptr) fail(l, "'limits' must be a table ([limits])");
            only_keys(*t, {"sockets", "memberships_per_socket", "memberships", "receive_queue"},
                      "the [limits] table");
            auto limit = [&](std::string_view key, std::uint32_t& into) {
                if (auto v = integer(*t, key, 1, 100'000'000)) into = static_cast<std::uint32_t>(*v);
            };
            limit("sockets", c.limits.sockets);
            limit("memberships_per_socket", c.limits.memberships_per_socket);
            limit("memberships", c.limits.memberships);
            limit("receive_queue", c.limits.receive_queue);
        }
        const toml::node* ad = root.get("adapter");
        if (ad != nullptr) {
            const auto* arr = ad->as_array();
            if (arr == nullptr) fail(ad, "'adapter' must be an array of tables ([[adapter]])");
            for (const auto& e : *arr) {
                const auto* t = e.as_table();
                if (t == nullptr) fail(&e, "'adapter' entries must be tables");
                c.adapters.push_back(adapter(*t, c.adapters.size()));
            }
        }
        if (c.stack == StackMode::Product && c.adapters.empty()) {
            fail(nullptr, "a product-stack node needs at least one [[adapter]]");
        }
        check_unique(root, c);
        return c;
    }

    void check_unique(const toml::table& root, const NodeConfig& c) const {
        std::set<std::string> names;
        std::set<std::uint32_t> channels;
        std::set<wire::MacAddress> macs;
        const auto* arr = root.get("adapter") ? root.get("adapter")->as_array() : nullptr;
        for (std::size_t i = 0; i < c.adapters.size(); ++i) {
            const auto& a = c.adapters[i];
            const toml::node* at = arr != nullptr ? arr->get(i) : nullptr;
            if (!names.insert(a.name).second) fail(at, "duplicate interface name '" + a.name + "'");
            for (const auto& v : a.vlans) {
                if (!names.insert(v.name).second) fail(at, "duplicate interface name '" + v.name + "'");
            }
            if (!channels.insert(a.channel).second) {
                fail(at, "duplicate channel " + std::to_string(a.channel));
            }
            if (!macs.insert(a.mac).second) fail(at, "duplicate MAC " + a.mac.to_string());
        }
    }
};

std::string format_prefix(const std::string& addr, std::uint8_t len) {
    return addr + "/" + std::to_string(len);
}

}  // namespace

std::string Ipv4Prefix::to_string() const {
    return format_prefix(std::to_string(address[0]) + "." + std::to_string(address[1]) + "." +
                             std::to_string(address[2]) + "." + std::to_string(address[3]),
                         prefix_len);
}

std::string format_ipv6(const std::array<std::uint8_t, 16>& address) {
    ip6_addr_t a{};
    std::memcpy(a.addr, address.data(), 16);
    char buf[64];
    ip6addr_ntoa_r(&a, buf, sizeof buf);
    std::string text(buf);
    // lwIP prints upper case; RFC 5952 §4.3 asks for lower case.
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::array<std::uint8_t, 16> link_local_of(const wire::MacAddress& m) {
    // Modified EUI-64 (RFC 4291 appendix A), as netif_create_ip6_linklocal_address(n, 1) forms it.
    return {0xfe, 0x80, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(m.octets[0] ^ 0x02), m.octets[1],
            m.octets[2], 0xff, 0xfe, m.octets[3], m.octets[4], m.octets[5]};
}

std::string Ipv6Prefix::to_string() const { return format_prefix(format_ipv6(address), prefix_len); }

NodeConfig parse_node_config(std::string_view toml_text, const std::string& source) {
    Reader r(source);
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << source << ':' << e.source().begin.line << ": " << e.description();
        throw ConfigError(os.str());
    }
    return r.node(root);
}

NodeConfig load_node_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ConfigError(path + ": cannot open the node file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_node_config(text.str(), path);
}

}  // namespace caplnet::stack
