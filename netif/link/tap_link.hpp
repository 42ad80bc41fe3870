#pragma once
#include "netif/link/link.hpp"

namespace caplnet::netif {

/// Attaches to the Linux TAP device `name` (IFF_TAP|IFF_NO_PI) through /dev/net/tun, creating it
/// if it does not exist (then it vanishes when the node exits).
Expected<std::unique_ptr<Link>, LinkError> open_tap_link(const std::string& name, const std::string& url);

}  // namespace caplnet::netif
