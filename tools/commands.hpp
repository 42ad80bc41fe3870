#pragma once
#include <CLI/CLI.hpp>

namespace caplnet::tools {

// Each command registers itself as a subcommand; the callback's exit code is stored in `status`.
void add_adapters_command(CLI::App& app, int& status);
void add_node_command(CLI::App& app, int& status);
void add_switch_command(CLI::App& app, int& status);
void add_replay_command(CLI::App& app, int& status);
void add_run_command(CLI::App& app, int& status);
void add_plug_command(CLI::App& app, int& status);

}  // namespace caplnet::tools
