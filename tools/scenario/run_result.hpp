#pragma once
// What a run produced: each node's fate and report, the switches' and replays' reports, the
// capture, and the verdict on every expectation. run_report.cpp turns it into the summary, the
// JSON report and JUnit XML.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/scenario/capture_facts.hpp"
#include "tools/scenario/scenario.hpp"

namespace caplnet::tools {

struct NodeOutcome {
    std::string name;
    pid_t pid = -1;
    bool died = false;     // ended before the runner asked it to stop, or not cleanly
    std::string status;    // "ran to the end", "died: killed by signal 9 (SIGKILL)", ...
    std::optional<int> exit_code;
    std::optional<nlohmann::json> report;  // the node's own --report
    std::vector<std::string> macs;         // its adapters', for the capture
};

struct ExpectationResult {
    const ScenarioExpectation* expectation = nullptr;
    std::optional<long long> actual;
    bool passed = false;
    std::string message;
};

struct RunResult {
    const Scenario* scenario = nullptr;
    std::string started;  // ISO 8601, UTC
    double elapsed_s = 0;
    std::string interrupted;  // the signal that cut the run short, if one did
    std::vector<std::string> errors;
    std::vector<NodeOutcome> nodes;
    nlohmann::json switches = nlohmann::json::array();
    nlohmann::json replays = nlohmann::json::array();
    std::string capture_path;
    bool capture_kept = false;  // false: it went with the run directory
    std::optional<CaptureFacts> capture;
    std::vector<ExpectationResult> expectations;

    bool passed() const;
};

/// Every expectation of the scenario against the nodes' reports and the capture.
std::vector<ExpectationResult> evaluate(const Scenario& s, const RunResult& r);

std::string summary_text(const RunResult& r);
nlohmann::json report_json(const RunResult& r);
std::string junit_xml(const RunResult& r);

}  // namespace caplnet::tools
