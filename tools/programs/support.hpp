#pragma once
// What the ready-made node programs (receiver.cpp, sender.cpp) share: parameter checking and result
// text. A scenario author sees only write() output, so every bad value is reported by parameter
// name and value, all of them in one run, and the program then stays idle instead of guessing.
#include <caplnet/capl.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <tl/expected.hpp>

namespace caplnet::programs {

/// A CAPL return value as written: "0", or "-1 (last error 10048)" when the value alone does not
/// say what went wrong.
inline std::string result_text(capl::capl_long result, capl::dword socket) {
    if (result != capl::wsa::kSocketError) return std::to_string(result);
    return std::to_string(result) + " (last error " +
           std::to_string(capl::IpGetLastSocketError(socket)) + ")";
}

/// One `ADDR:PORT[%IFINDEX]`, `[ADDR]:PORT[%IFINDEX]` or `PORT` item of a parameter.
struct EndpointText {
    capl::IP_Address address;  // 0.0.0.0 or :: when the item names no address
    std::uint16_t port = 0;
    std::optional<capl::dword> if_index;  // the `%IFINDEX` suffix
};

/// Decimal digits only: no sign, no white space, no hex, nothing after the number.
template <class T>
std::optional<T> parse_unsigned(std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

/// The whole item is the endpoint; the ifIndex goes after the port, not inside the brackets, so
/// that IPv4 and IPv6 entries read alike and a scope id never competes with it.
inline tl::expected<EndpointText, std::string> parse_endpoint(std::string_view text) {
    EndpointText out;
    const auto bracket = text.rfind(']');
    const auto percent = text.find('%', bracket == std::string_view::npos ? 0 : bracket);
    if (percent != std::string_view::npos) {
        const auto if_index = parse_unsigned<capl::dword>(text.substr(percent + 1));
        if (!if_index || *if_index == 0) {
            return tl::unexpected("ifIndex '" + std::string(text.substr(percent + 1)) +
                                  "' is not a number from 1");
        }
        out.if_index = if_index;
        text = text.substr(0, percent);
    }
    std::string_view address;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return tl::unexpected(std::string("an IPv6 entry is [ADDR]:PORT"));
        }
        address = text.substr(1, close - 1);
        port = text.substr(close + 2);
        if (address.find('%') != std::string_view::npos) {
            return tl::unexpected(std::string("no %scope inside the brackets"));
        }
        auto parsed = capl::IP_Address::parse(address);
        if (!parsed || parsed->IsIPv6Address() == 0) {
            return tl::unexpected("'" + std::string(address) + "' is not an IPv6 address");
        }
        out.address = *parsed;
    } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
        address = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (address.find(':') != std::string_view::npos) {
            return tl::unexpected(std::string("an IPv6 address needs brackets: [ADDR]:PORT"));
        }
        auto parsed = capl::IP_Address::parse(address);
        if (!parsed || parsed->IsIPv4Address() == 0) {
            return tl::unexpected("'" + std::string(address) + "' is not an IPv4 address");
        }
        out.address = *parsed;
    } else {
        if (!parse_unsigned<std::uint32_t>(text)) {
            return tl::unexpected(std::string("not ADDR:PORT, [ADDR]:PORT or PORT"));
        }
        port = text;
        out.address = capl::IP_Address(capl::dword{0});
    }
    const auto number = parse_unsigned<std::uint32_t>(port);
    if (!number || *number == 0 || *number > 65535) {
        return tl::unexpected("port '" + std::string(port) + "' is not a number from 1 to 65535");
    }
    out.port = static_cast<std::uint16_t>(*number);
    return out;
}

/// Reads one program's parameters; every problem is written as
///   PROGRAM: bad parameter NAME='VALUE': WHY
/// and makes ok() false. Names never asked for are written as ignored: a misspelt optional
/// parameter would otherwise pass silently with its default.
class ParamReader {
public:
    ParamReader(const capl::Program& program, std::string program_name)
        : program_(program), name_(std::move(program_name)) {}

    bool ok() const { return ok_; }
    bool has(const std::string& name) {
        known_.insert(name);
        return program_.parameters().contains(name);
    }
    std::optional<std::string> text(const std::string& name) {
        if (!has(name)) return std::nullopt;
        return program_.parameter(name);
    }
    std::optional<std::string> required(const std::string& name, const char* syntax) {
        auto value = text(name);
        if (!value) {
            capl::write("%s: missing parameter %s (%s)", name_.c_str(), name.c_str(), syntax);
            ok_ = false;
        }
        return value;
    }
    void bad(const std::string& name, const std::string& value, const std::string& why) {
        capl::write("%s: bad parameter %s='%s': %s", name_.c_str(), name.c_str(), value.c_str(),
                    why.c_str());
        ok_ = false;
    }

    std::uint64_t integer(const std::string& name, std::uint64_t fallback, std::uint64_t min,
                          std::uint64_t max) {
        const auto value = text(name);
        if (!value) return fallback;
        const auto n = parse_unsigned<std::uint64_t>(*value);
        if (!n || *n < min || *n > max) {
            bad(name, *value,
                "not a whole number from " + std::to_string(min) + " to " + std::to_string(max));
            return fallback;
        }
        return *n;
    }

    double number(const std::string& name, double fallback, double min, double max) {
        const auto value = text(name);
        if (!value) return fallback;
        double n = 0;
        const char* end = value->data() + value->size();
        const auto [stop, ec] = std::from_chars(value->data(), end, n);
        if (value->empty() || ec != std::errc{} || stop != end || !std::isfinite(n) || n < min ||
            n > max) {
            bad(name, *value, "not a number from " + shortest(min) + " to " + shortest(max));
            return fallback;
        }
        return n;
    }

    std::optional<char> key(const std::string& name, std::optional<char> fallback) {
        const auto value = text(name);
        if (!value) return fallback;
        // A newline never arrives as a key (caplnet node drops it from --stdin-keys).
        if (value->size() != 1 || (*value)[0] == '\n') {
            bad(name, *value, "a key is one character");
            return fallback;
        }
        return (*value)[0];
    }

    /// Keys that share a character would make one press do two things.
    void distinct_keys(std::initializer_list<std::pair<const char*, std::optional<char>>> keys) {
        for (auto a = keys.begin(); a != keys.end(); ++a) {
            for (auto b = a + 1; b != keys.end(); ++b) {
                if (a->second && b->second && *a->second == *b->second) {
                    bad(b->first, std::string(1, *b->second),
                        std::string("the same key as ") + a->first);
                }
            }
        }
    }

    void report_unknown() const {
        for (const auto& [name, value] : program_.parameters()) {
            if (!known_.contains(name)) {
                capl::write("%s: unknown parameter %s='%s' ignored", name_.c_str(), name.c_str(),
                            value.c_str());
            }
        }
    }

private:
    static std::string shortest(double v) {
        char text[32];
        const auto [end, ec] = std::to_chars(text, text + sizeof text, v, std::chars_format::fixed);
        return ec == std::errc{} ? std::string(text, end) : std::string("?");
    }

    const capl::Program& program_;
    std::string name_;
    std::set<std::string> known_;
    bool ok_ = true;
};

}  // namespace caplnet::programs
