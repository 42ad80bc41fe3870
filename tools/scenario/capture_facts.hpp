#pragma once
// What the merged capture of a run shows, for expectations on the wire: per sending MAC and
// group, the IGMP/MLD messages that announce a membership (joins) and that end one (leaves).
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "netif/wire/wire_error.hpp"

namespace caplnet::tools {

struct MembershipOnWire {
    std::uint64_t joins = 0;   // v1/v2 reports, v3 IS_EX/TO_EX/ALLOW records
    std::uint64_t leaves = 0;  // v2 Leave, MLDv1 Done, v3 TO_IN{} and BLOCK records
};

struct CaptureFacts {
    std::uint64_t frames = 0;
    std::string unreadable;  // why the file ended early, if it did
    /// (source MAC text, group text) -> messages.
    std::map<std::pair<std::string, std::string>, MembershipOnWire> membership;
};

Expected<CaptureFacts, std::string> read_capture_facts(const std::string& path);

}  // namespace caplnet::tools
