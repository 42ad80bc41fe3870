#include "netif/switch/port_config.hpp"

#include <charconv>
#include <vector>

namespace caplnet::netif {

PortConfig PortConfig::access(std::uint16_t vlan) {
    PortConfig c;
    c.mode = Mode::Access;
    c.members.set(vlan & 0xfffU);
    c.pvid = static_cast<LanId>(vlan & 0xfffU);
    return c;
}

PortConfig PortConfig::trunk_all() {
    PortConfig c;
    c.mode = Mode::Trunk;
    c.members.set();
    c.members.reset(wire::kMaxVlanId + 1);  // VID 4095 is reserved (802.1Q Table 9-2)
    c.pvid = kUntaggedLan;
    return c;
}

IngressVerdict PortConfig::classify(const std::optional<wire::VlanTci>& tag, LanId& lan) const {
    // 802.1Q: VID 0 means "priority-tagged, no VLAN"; such a frame is classified like an untagged
    // one. VID 4095 is reserved and must not appear on the wire.
    if (tag && tag->vlan_id != 0) {
        if (tag->vlan_id > wire::kMaxVlanId) {
            return IngressVerdict::ReservedVid;
        }
        if (mode == Mode::Access) {
            return IngressVerdict::TaggedOnAccess;
        }
        if (!members.test(tag->vlan_id)) {
            return IngressVerdict::VlanNotAllowed;
        }
        lan = tag->vlan_id;
        return IngressVerdict::Accept;
    }
    if (!pvid) {
        return IngressVerdict::UntaggedNotAllowed;
    }
    lan = *pvid;
    return IngressVerdict::Accept;
}

std::string PortConfig::to_string() const {
    if (mode == Mode::Access) {
        return "access=" + std::to_string(pvid.value_or(0));
    }
    std::string out = "trunk=";
    bool all = true;
    for (std::size_t v = 1; v <= wire::kMaxVlanId; ++v) {
        all = all && members.test(v);
    }
    if (all) {
        out += "all";
    } else {
        bool first = true;
        for (std::size_t v = 1; v <= wire::kMaxVlanId; ++v) {
            if (!members.test(v) || (v > 1 && members.test(v - 1))) {
                continue;
            }
            std::size_t end = v;
            while (end + 1 <= wire::kMaxVlanId && members.test(end + 1)) {
                ++end;
            }
            out += (first ? "" : ",") + std::to_string(v);
            if (end != v) {
                out += "-" + std::to_string(end);
            }
            first = false;
        }
        if (first) {
            out += "none";
        }
    }
    if (!pvid) {
        out += "/untagged=drop";
    } else if (*pvid != kUntaggedLan) {
        out += "/native=" + std::to_string(*pvid);
    }
    return out;
}

namespace {

std::optional<unsigned> parse_uint(std::string_view s) {
    unsigned v = 0;
    if (s.empty()) {
        return std::nullopt;
    }
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

Expected<std::uint16_t, std::string> parse_vid(std::string_view s) {
    auto v = parse_uint(s);
    if (!v || *v < 1 || *v > wire::kMaxVlanId) {
        return unexpected("VLAN id '" + std::string(s) + "' is not a number in 1..4094");
    }
    return static_cast<std::uint16_t>(*v);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        auto pos = s.find(sep);
        out.push_back(s.substr(0, pos));
        if (pos == std::string_view::npos) {
            return out;
        }
        s.remove_prefix(pos + 1);
    }
}

}  // namespace

Expected<std::pair<unsigned, PortConfig>, std::string> parse_port_config(std::string_view spec) {
    const std::string where = "port spec '" + std::string(spec) + "': ";
    const auto colon = spec.find(':');
    if (colon == std::string_view::npos) {
        return unexpected(where + "expected N:access=V or N:trunk=LIST");
    }
    auto port = parse_uint(spec.substr(0, colon));
    if (!port || *port < 1 || *port > 65535) {
        return unexpected(where + "port number must be in 1..65535");
    }
    auto parts = split(spec.substr(colon + 1), '/');
    const std::string_view mode = parts[0];
    PortConfig cfg;
    if (mode.rfind("access=", 0) == 0) {
        auto v = parse_vid(mode.substr(7));
        if (!v) {
            return unexpected(where + v.error());
        }
        cfg = PortConfig::access(*v);
        if (parts.size() > 1) {
            return unexpected(where + "an access port takes no options");
        }
        return std::make_pair(*port, cfg);
    }
    if (mode.rfind("trunk=", 0) != 0) {
        return unexpected(where + "mode must be access=V or trunk=LIST");
    }
    const std::string_view list = mode.substr(6);
    if (list == "all") {
        cfg = PortConfig::trunk_all();
    } else {
        cfg = PortConfig::trunk(std::vector<int>{});
        for (auto item : split(list, ',')) {
            const auto dash = item.find('-');
            auto lo = parse_vid(item.substr(0, dash));
            if (!lo) {
                return unexpected(where + lo.error());
            }
            std::uint16_t hi = *lo;
            if (dash != std::string_view::npos) {
                auto h = parse_vid(item.substr(dash + 1));
                if (!h) {
                    return unexpected(where + h.error());
                }
                if (*h < *lo) {
                    return unexpected(where + "empty VLAN range '" + std::string(item) + "'");
                }
                hi = *h;
            }
            for (unsigned v = *lo; v <= hi; ++v) {
                cfg.members.set(v);
            }
        }
    }
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::string_view opt = parts[i];
        if (opt == "untagged=drop") {
            cfg.members.reset(kUntaggedLan);
            cfg.pvid.reset();
        } else if (opt == "untagged=lan") {
            cfg.members.set(kUntaggedLan);
            cfg.pvid = kUntaggedLan;
        } else if (opt.rfind("native=", 0) == 0) {
            auto v = parse_vid(opt.substr(7));
            if (!v) {
                return unexpected(where + v.error());
            }
            cfg.members.reset(kUntaggedLan);
            cfg.members.set(*v);
            cfg.pvid = *v;
        } else {
            return unexpected(where + "unknown trunk option '" + std::string(opt) +
                              "' (untagged=drop, untagged=lan, native=V)");
        }
    }
    return std::make_pair(*port, cfg);
}

}  // namespace caplnet::netif
