#pragma once
// Waiting on a link's data fd without reading or writing it: for senders that must not drop a
// frame when the peer's queue is full (`caplnet replay`).
#include "netif/link/link.hpp"

namespace caplnet::netif {

/// Waits up to `timeout_ms` for the link to accept a send (Link::wait_writable). Returns true
/// when it does (or reports an error the next send will tell), false on timeout or EINTR.
bool wait_link_writable(Link& link, int timeout_ms);

/// True if the link has received frames waiting (Link::readable, no wait).
bool link_readable(Link& link);

}  // namespace caplnet::netif
