#pragma once
// Two links joined back to back, frames relayed both ways: what `vde_plug A B` does, with any
// pair of caplnet links. It puts a TAP device (a real Linux host) or a vxvde:// segment on a
// `caplnet switch`.
#include <atomic>
#include <cstdint>
#include <string>

#include "netif/link/link.hpp"

namespace caplnet::netif {

struct PlugDirection {
    std::uint64_t frames = 0;
    std::uint64_t bytes = 0;
    std::uint64_t dropped_full = 0;   // the far side's queue was full: a relay cannot hold frames back
    std::uint64_t dropped_error = 0;  // the far side refused the frame (too large for a TAP, ...)
};

struct PlugCounters {
    PlugDirection a_to_b;
    PlugDirection b_to_a;
};

/// Relays until `stop` becomes true (checked at least every 100 ms) or a link ends; the error
/// says which link ended or failed. Counters are updated as it goes.
Expected<void, std::string> run_plug(Link& a, Link& b, const std::atomic<bool>& stop, PlugCounters& counters);

}  // namespace caplnet::netif
