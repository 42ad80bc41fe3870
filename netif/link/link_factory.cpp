#include <filesystem>

#include "netif/link/link.hpp"
#include "netif/link/pcap_link.hpp"
#include "netif/link/ring_link.hpp"
#include "netif/link/tap_link.hpp"
#include "netif/link/vde_link.hpp"
#include "netif/link/vdeplug_link.hpp"

namespace caplnet::netif {

namespace {

struct VdeTarget {
    std::string dir;
    unsigned port = 0;
};

// vdeplug4's syntax: "vde://PATH[N]" asks for port N; ring:// uses the same.
Expected<VdeTarget, LinkError> parse_vde_path(std::string_view rest, std::string_view scheme) {
    VdeTarget t;
    auto open = rest.find('[');
    if (open == std::string_view::npos) {
        t.dir = std::string(rest);
    } else {
        auto close = rest.find(']', open);
        if (close == std::string_view::npos || close + 1 != rest.size()) {
            return unexpected(LinkError{LinkError::Kind::BadUrl, "unterminated '[' in " + std::string(scheme) + ":// URL"});
        }
        std::string_view num = rest.substr(open + 1, close - open - 1);
        if (num.empty() || num.size() > 5 ||
            num.find_first_not_of("0123456789") != std::string_view::npos) {
            return unexpected(
                LinkError{LinkError::Kind::BadUrl, "port in " + std::string(scheme) + "://PATH[N] must be a number"});
        }
        t.port = static_cast<unsigned>(std::stoul(std::string(num)));
        t.dir = std::string(rest.substr(0, open));
    }
    if (t.dir.empty()) {
        return unexpected(LinkError{LinkError::Kind::BadUrl, std::string(scheme) + ":// needs a path"});
    }
    return t;
}

bool same_dir(const std::filesystem::path& a, const std::filesystem::path& b) {
    std::error_code ec1;
    std::error_code ec2;
    auto na = std::filesystem::absolute(a, ec1).lexically_normal();
    auto nb = std::filesystem::absolute(b, ec2).lexically_normal();
    if (ec1 || ec2) return false;
    // "DIR/" and "DIR" name the same switch.
    if (!na.has_filename()) na = na.parent_path();
    if (!nb.has_filename()) nb = nb.parent_path();
    return na == nb;
}

}  // namespace

Expected<std::unique_ptr<Link>, LinkError> open_link(std::string_view url, const LinkOptions& opts) {
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) {
        return unexpected(LinkError{LinkError::Kind::BadUrl,
                                    "link URL needs a scheme (vde://, tap://, pcap://, ...): '" +
                                        std::string(url) + "'"});
    }
    const std::string_view scheme = url.substr(0, sep);
    const std::string_view rest = url.substr(sep + 3);
    const std::string full(url);
    if (scheme == "vde" || scheme == "ring") {
        auto target = parse_vde_path(rest, scheme);
        if (!target) return unexpected(target.error());
        std::filesystem::path dir(target->dir);
        if (dir.is_relative() && !opts.run_dir.empty()) dir = std::filesystem::path(opts.run_dir) / dir;
        if (scheme == "ring") {
            return open_ring_link(dir.string(), target->port, opts.description, full);
        }
        for (const auto& ring_dir : opts.ring_switches) {
            std::filesystem::path r(ring_dir);
            if (r.is_relative() && !opts.run_dir.empty()) r = std::filesystem::path(opts.run_dir) / r;
            if (same_dir(r, dir)) {
                return open_ring_link(dir.string(), target->port, opts.description,
                                      "ring://" + std::string(rest));
            }
        }
        return open_vde_link(dir.string(), target->port, opts.description, full);
    }
    if (scheme == "tap") {
        if (rest.empty() || rest.size() > 15) {
            return unexpected(LinkError{LinkError::Kind::BadUrl,
                                        "tap:// needs an interface name of 1..15 characters"});
        }
        return open_tap_link(std::string(rest), full);
    }
    if (scheme == "pcap") {
        std::filesystem::path file{std::string(rest)};
        if (file.is_relative() && !opts.run_dir.empty()) file = std::filesystem::path(opts.run_dir) / file;
        return open_pcap_link(file.string(), full);
    }
#ifdef CAPLNET_WITH_VDEPLUG
    return open_vdeplug_link(full);
#else
    return unexpected(LinkError{LinkError::Kind::Unavailable,
                                "'" + std::string(scheme) +
                                    "://' needs libvdeplug, which this build leaves out (sanitizer "
                                    "build); use vde://, tap:// or pcap://"});
#endif
}

}  // namespace caplnet::netif
