#pragma once
// ICMP / ICMPv6 echo from a node (lwIP raw API), for the demo, the CLI and reachability tests.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "netif/wire/wire_error.hpp"

namespace caplnet::stack {

class Node;

struct PingResult {
    std::string target;
    int sent = 0;
    int received = 0;
    std::vector<double> rtt_ms;
};

/// Sends `count` echo requests to `target` ("10.0.0.2", "fd00::2", "fe80::2%1" where the zone is
/// an ifIndex), `interval` apart, and waits up to `timeout` after the last one for the replies.
/// Runs the lwIP side on the node's stack thread and blocks the caller.
Expected<PingResult, std::string> ping(Node& node, const std::string& target, int count,
                                       std::chrono::milliseconds interval,
                                       std::chrono::milliseconds timeout);

}  // namespace caplnet::stack
