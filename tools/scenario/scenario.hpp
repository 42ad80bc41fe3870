#pragma once
// A scenario file (`caplnet run SCENARIO.toml`): the network (switches), the nodes with their
// programs, a schedule of events and replays, how long to run, and what to expect at the end.
// docs/scenario.md is the reference; load_scenario() checks everything before anything starts.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stack/config/node_config.hpp"

namespace caplnet::tools {

struct ScenarioSwitch {
    std::string name;                // the switch's directory in the run directory: vde://NAME
    std::vector<std::string> ports;  // `caplnet switch --port` specs
    std::vector<std::string> uplinks;  // link URLs plugged into the switch (tap://, vxvde://, ...)
    /// `links = "ring"` (default): the run's nodes and replays join through ring:// (shared
    /// memory), also where their files say vde://NAME; "vde": as written.
    bool ring_links = true;
};

struct ScenarioNode {
    std::string name;
    std::string file;          // node file (absolute); for an inline [node.config], written into the run dir
    std::string inline_toml;   // the inline node file's text, if given inline
    stack::NodeConfig config;  // as loaded and checked
    std::string program;       // shared object (absolute path), empty: none
    std::map<std::string, std::string> params;
    double start_at = 0;       // seconds after the schedule starts; 0 = up before it starts
    int line = 0;
};

struct ScenarioEvent {
    enum class Kind { Key, Start, Stop, LinkDown, LinkUp };
    double at = 0;
    Kind kind = Kind::Key;
    std::string node;
    char key = 0;
    std::string adapter;
    int line = 0;
};

struct ScenarioReplay {
    double at = 0;
    std::string capture;  // absolute
    std::string into;     // a switch name or NODE/ADAPTER
    std::string timing = "recorded";
    double speed = 1;
    int loops = 1;
    std::string filter;
    std::optional<int> vlan_add;
    bool vlan_strip = false;
    std::vector<std::string> vlan_map;
    std::string dst_mac;
    int line = 0;
};

/// One check at the end: the metric of the selected rows (summed) compared with a value.
struct ScenarioExpectation {
    std::string name;
    std::string node;
    std::optional<int> port;
    std::optional<std::string> group;
    std::optional<int> if_index;
    std::string metric;
    std::string op = "==";
    long long value = 0;
    int line = 0;
    std::string describe() const;
};

struct Scenario {
    std::string source;  // the file, for messages
    std::string dir;     // relative paths resolve against it
    std::string name;
    double duration = 0;
    bool end_when_nodes_exit = false;
    double ready_timeout = 30;
    std::vector<ScenarioSwitch> switches;
    std::vector<ScenarioNode> nodes;
    std::vector<ScenarioEvent> events;  // sorted by time, stable
    std::vector<ScenarioReplay> replays;
    std::vector<ScenarioExpectation> expectations;
};

/// A mistake in the scenario file (or a node file it names), as `FILE:LINE: what`.
using ScenarioError = stack::ConfigError;

/// Where program names are looked for: the scenario's folder, then these (in order).
struct ProgramSearch {
    std::vector<std::string> dirs;
};

/// Reads and checks a scenario file; errors read `FILE:LINE: reason`.
Scenario load_scenario(const std::string& path, const ProgramSearch& search);

/// The metrics an expectation may name (docs/scenario.md).
const std::vector<std::string>& expectation_metrics();

}  // namespace caplnet::tools
