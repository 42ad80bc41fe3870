#pragma once
#include "netif/link/link.hpp"

namespace caplnet::netif {

/// Joins caplnet's own switch through shared-memory rings (DIR/ring, ring_handshake.hpp):
/// frames cross without a syscall while both sides are busy. `port` 0 = any free port.
Expected<std::unique_ptr<Link>, LinkError> open_ring_link(const std::string& switch_dir,
                                                          unsigned port,
                                                          const std::string& description,
                                                          const std::string& url);

}  // namespace caplnet::netif
