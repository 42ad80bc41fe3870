#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "caplnet/capl/types.hpp"

namespace caplnet::capl {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Strips a `TCP:` / `UDP:` tag (any case: CAPL identifiers are case-insensitive).
TransportProtocol take_transport(std::string_view& t) {
    if (t.size() < 4 || t[3] != ':') {
        return TransportProtocol::Unknown;
    }
    const std::string tag{lower(t[0]), lower(t[1]), lower(t[2])};
    TransportProtocol tp = TransportProtocol::Unknown;
    if (tag == "tcp") {
        tp = TransportProtocol::Tcp;
    } else if (tag == "udp") {
        tp = TransportProtocol::Udp;
    } else {
        return tp;
    }
    t.remove_prefix(4);
    return tp;
}

// 1..5 decimal digits, 0..65535. No sign.
std::optional<std::uint16_t> parse_port(std::string_view s) {
    if (s.empty() || s.size() > 5) {
        return std::nullopt;
    }
    std::uint32_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (v > 0xFFFF) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(v);
}

}  // namespace

IP_Endpoint::IP_Endpoint(std::string_view text) {
    if (auto e = parse(text)) {
        *this = *e;
    }
}

IP_Endpoint::IP_Endpoint(const IP_Address& address, std::uint16_t port, TransportProtocol transport)
    : address_(address), port_(port), transport_(transport) {}

// Grammar (reference §3.4): [TCP:|UDP:] then `<ipv4>[:<port>]`, `'[' <ipv6>[%scope] ']'[:<port>]`
// or a bare `<ipv6>[%scope]` without a port. A bare IPv6 never takes a port: in `ff::1:6000`
// the last group is part of the address, so a port after IPv6 needs the brackets.
std::optional<IP_Endpoint> IP_Endpoint::parse(std::string_view text) {
    std::string_view t = c_string_view(text);
    const TransportProtocol tp = take_transport(t);

    std::string_view addr_text;
    std::string_view port_text;
    bool has_port = false;
    if (!t.empty() && t.front() == '[') {
        const std::size_t close = t.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        addr_text = t.substr(0, close + 1);
        const std::string_view rest = t.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                return std::nullopt;
            }
            port_text = rest.substr(1);
            has_port = true;
        }
    } else if (t.find(':') == std::string_view::npos) {
        addr_text = t;  // IPv4 without a port
    } else if (const auto a = IP_Address::parse(t); a && a->IsIPv6Address()) {
        return IP_Endpoint(*a, 0, tp);  // bare IPv6
    } else {
        const std::size_t colon = t.rfind(':');
        addr_text = t.substr(0, colon);
        port_text = t.substr(colon + 1);
        has_port = true;
        if (addr_text.find(':') != std::string_view::npos) {
            return std::nullopt;  // an IPv6 with a port outside brackets
        }
    }

    const auto a = IP_Address::parse(addr_text);
    if (!a) {
        return std::nullopt;
    }
    std::uint16_t port = 0;
    if (has_port) {
        const auto p = parse_port(port_text);
        if (!p) {
            return std::nullopt;
        }
        port = *p;
    }
    return IP_Endpoint(*a, port, tp);
}

capl_long IP_Endpoint::SetToTCP() {
    transport_ = TransportProtocol::Tcp;
    return 0;
}

capl_long IP_Endpoint::SetToUDP() {
    transport_ = TransportProtocol::Udp;
    return 0;
}

capl_long IP_Endpoint::SetTransportProtocolToUnknown() {
    transport_ = TransportProtocol::Unknown;
    return 0;
}

capl_long IP_Endpoint::MatchesEndpoint(const IP_Endpoint& other) const {
    return MatchesEndpoint(other, 128);
}

capl_long IP_Endpoint::MatchesEndpoint(const IP_Endpoint& other, capl_long prefix) const {
    if (transport_ != TransportProtocol::Unknown &&
        other.transport_ != TransportProtocol::Unknown && transport_ != other.transport_) {
        return 0;
    }
    if (port_ != 0 && other.port_ != 0 && port_ != other.port_) {
        return 0;
    }
    return address_.MatchesAddress(other.address_, prefix);
}

capl_long IP_Endpoint::ParseEndpointFromString(std::string_view text) {
    const auto e = parse(text);
    if (!e) {
        return 1;
    }
    *this = *e;
    return 0;
}

capl_long IP_Endpoint::PrintEndpointToString(std::span<char> out) const {
    return copy_c_string(to_string(), out) ? 0 : 1;
}

std::string IP_Endpoint::to_string() const {
    std::string s;
    switch (transport_) {
        case TransportProtocol::Unknown:
            break;
        case TransportProtocol::Tcp:
            s = "TCP:";
            break;
        case TransportProtocol::Udp:
            s = "UDP:";
            break;
    }
    if (address_.IsIPv6Address() != 0) {
        s += '[';
        s += address_.to_string();
        s += ']';
    } else if (address_.is_unset()) {
        s += "0.0.0.0";
    } else {
        s += address_.to_string();
    }
    s += ':';
    s += std::to_string(port_);
    return s;
}

}  // namespace caplnet::capl
