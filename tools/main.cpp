// caplnet: the command line. Each subcommand lives in its own cmd_*.cpp.
#include <spdlog/spdlog.h>

#include "tools/commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"caplnet: CAPL TCP/IP nodes on embedded lwIP stacks, virtual Ethernet and VLANs"};
    app.require_subcommand(1);
    int status = 0;
    caplnet::tools::add_adapters_command(app, status);
    caplnet::tools::add_node_command(app, status);
    caplnet::tools::add_switch_command(app, status);
    caplnet::tools::add_replay_command(app, status);
    caplnet::tools::add_run_command(app, status);
    caplnet::tools::add_plug_command(app, status);
    spdlog::set_pattern("%^%l%$ %v");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return status;
}
