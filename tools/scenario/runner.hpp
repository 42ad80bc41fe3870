#pragma once
// `caplnet run`: brings up a scenario's network in a private run directory, runs its schedule,
// stops everything in order, and judges the expectations (docs/scenario.md).
#include <string>

#include "tools/scenario/scenario.hpp"

namespace caplnet::tools {

struct RunOptions {
    std::string self;     // this executable, started again as switch, node and replay
    std::string capture;  // merged capture to keep; empty: only in the run directory
    std::string json;
    std::string junit;
    bool keep = false;     // keep the run directory (logs, reports) and print where it is
    bool verbose = false;  // echo every child's output, prefixed with its name
};

/// Runs the scenario; 0 if every node ran to the end and every expectation held, 1 if not, 2 if
/// the network could not be brought up, 128+N if signal N interrupted the run.
int run_scenario(const Scenario& scenario, const RunOptions& options);

}  // namespace caplnet::tools
