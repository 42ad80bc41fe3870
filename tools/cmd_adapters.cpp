// `caplnet adapters NODE.toml`: the ifIndex table exactly as the node will number it.
#include <cstdio>
#include <string>
#include <iostream>

#include "stack/config/node_config.hpp"
#include "stack/interface_table.hpp"
#include "tools/commands.hpp"

namespace caplnet::tools {

namespace {

int print_adapters(const std::string& path) {
    stack::NodeConfig config;
    try {
        config = stack::load_node_config(path);
    } catch (const stack::ConfigError& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 2;
    }
    if (config.stack == stack::StackMode::Os) {
        std::cout << "node " << config.name
                  << " uses the operating-system stack: its interfaces are the host's, in the "
                     "order the OS lists them (loopback included)\n";
        return 0;
    }
    stack::InterfaceTable table(config);
    std::printf("%-7s %-12s %-7s %-5s %-4s %-17s %s\n", "ifIndex", "name", "channel", "vlan", "prio",
                "mac", "addresses");
    for (const auto& e : table.entries()) {
        std::string addrs;
        for (const auto& a : e.ipv4) addrs += a.to_string() + " ";
        addrs += stack::format_ipv6(stack::link_local_of(e.mac)) + "/64 ";
        for (const auto& a : e.ipv6) addrs += a.to_string() + " ";
        std::printf("%-7u %-12s %-7u %-5s %-4s %-17s %s\n", e.if_index, e.name.c_str(), e.channel,
                    e.vlan ? std::to_string(*e.vlan).c_str() : "-",
                    e.vlan ? std::to_string(e.priority).c_str() : "-", e.mac.to_string().c_str(),
                    addrs.c_str());
    }
    return 0;
}

}  // namespace

void add_adapters_command(CLI::App& app, int& status) {
    auto* cmd = app.add_subcommand("adapters", "Print a node's interfaces in ifIndex order");
    auto path = std::make_shared<std::string>();
    cmd->add_option("node", *path, "Node file (TOML)")->required();
    cmd->callback([path, &status] { status = print_adapters(*path); });
}

}  // namespace caplnet::tools
