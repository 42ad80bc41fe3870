// `caplnet run SCENARIO.toml`: a whole network of nodes, its schedule and its verdict.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "tools/commands.hpp"
#include "tools/scenario/runner.hpp"

namespace caplnet::tools {

namespace {

struct RunArgs {
    std::string scenario;
    std::vector<std::string> program_dirs;
    RunOptions options;
    bool check_only = false;
};

std::string self_path() {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : p.string();
}

int run(RunArgs& args) {
    args.options.self = self_path();
    if (args.options.self.empty()) {
        std::cerr << "error: cannot find this executable (/proc/self/exe)\n";
        return 2;
    }
    // Program names resolve in --programs folders, $CAPLNET_PROGRAM_PATH, then next to this
    // executable: build/programs in the tree, lib/caplnet/programs when installed.
    ProgramSearch search;
    search.dirs = args.program_dirs;
    if (const char* env = std::getenv("CAPLNET_PROGRAM_PATH")) {
        std::istringstream in(env);
        for (std::string d; std::getline(in, d, ':');) {
            if (!d.empty()) search.dirs.push_back(d);
        }
    }
    const auto bin = std::filesystem::path(args.options.self).parent_path();
    for (const char* rel : {"../programs", "../lib/caplnet/programs"}) {
        search.dirs.push_back((bin / rel).lexically_normal().string());
    }
    Scenario s;
    try {
        s = load_scenario(args.scenario, search);
    } catch (const ScenarioError& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 2;
    }
    if (args.check_only) {
        std::cout << "scenario " << s.name << ": " << s.switches.size() << " switch(es), " << s.nodes.size()
                  << " node(s), " << s.events.size() << " event(s), " << s.replays.size() << " replay(s), "
                  << s.expectations.size() << " expectation(s)\n";
        return 0;
    }
    return run_scenario(s, args.options);
}

}  // namespace

void add_run_command(CLI::App& app, int& status) {
    auto* cmd = app.add_subcommand("run", "Run a scenario: switches, nodes and their programs, a schedule, expectations");
    auto args = std::make_shared<RunArgs>();
    cmd->add_option("scenario", args->scenario, "Scenario file (TOML, docs/scenario.md)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--capture", args->options.capture,
                    "Keep the merged pcapng of the network (one interface per node/adapter)");
    cmd->add_option("--json", args->options.json, "Write the run's report as JSON to this file");
    cmd->add_option("--junit", args->options.junit, "Write JUnit XML (one test case per expectation) to this file");
    cmd->add_option("--programs", args->program_dirs, "Folder to look for program NAME.so in; repeatable");
    cmd->add_flag("--keep", args->options.keep, "Keep the run directory (logs, node reports) and print where");
    cmd->add_flag("--verbose,-v", args->options.verbose, "Echo every process's output, prefixed with its name");
    cmd->add_flag("--check", args->check_only, "Only read and check the scenario file");
    cmd->callback([args, &status] { status = run(*args); });
}

}  // namespace caplnet::tools
