#pragma once
#include "netif/link/link.hpp"

namespace caplnet::netif {

/// Joins a VDE switch (caplnet's own or vdeplug4's) with the v3 `vde://` control protocol,
/// spoken natively: no libvdeplug, no dlopen (reference/vde.md §8). `port` 0 = any free port.
Expected<std::unique_ptr<Link>, LinkError> open_vde_link(const std::string& switch_dir, unsigned port,
                                                         const std::string& description,
                                                         const std::string& url);

}  // namespace caplnet::netif
