// `caplnet switch DIR`: the VLAN-aware VDE switch that nodes, vde_plug and QEMU join.

#include <atomic>
#include <cstdio>
#include <iostream>

#include "netif/switch/vde_switch.hpp"
#include "tools/commands.hpp"
#include "tools/stop_signals.hpp"
#include "tools/node_report.hpp"

namespace caplnet::tools {

namespace {

struct SwitchArgs {
    std::string dir;
    std::vector<std::string> ports;
    std::string capture;
    std::string capture_view = "port";
    bool capture_ingress_only = false;
    std::string report;
    std::size_t mac_table_size = 4096;
    int mac_aging_s = 300;
};

int run_switch(const SwitchArgs& args) {
    netif::SwitchOptions opts;
    opts.dir = args.dir;
    opts.capture_path = args.capture;
    opts.capture_client_view = args.capture_view == "client";
    opts.capture_egress = !args.capture_ingress_only;
    opts.mac_table_size = args.mac_table_size;
    opts.mac_aging = std::chrono::seconds(args.mac_aging_s);
    for (const auto& spec : args.ports) {
        auto port = netif::parse_port_config(spec);
        if (!port) {
            std::cerr << "error: " << port.error() << '\n';
            return 2;
        }
        if (!opts.ports.emplace(port->first, port->second).second) {
            std::cerr << "error: port " << port->first << " is configured twice\n";
            return 2;
        }
    }
    block_stop_signals();

    auto sw = netif::VdeSwitch::create(opts);
    if (!sw) {
        std::cerr << "error: " << sw.error() << '\n';
        return 2;
    }
    std::printf("switch ready at %s\n", (*sw)->dir().c_str());
    std::fflush(stdout);

    std::atomic<bool> stop{false};
    std::string failure;
    run_until_stop_signal(
        [&] {
            if (auto r = (*sw)->run_until(stop); !r) failure = r.error();
        },
        [&] { stop = true; });
    std::printf("%s", (*sw)->format_counters().c_str());
    std::fflush(stdout);
    if (!args.report.empty() && !write_json_file(args.report, switch_report((*sw)->stats()))) {
        std::cerr << "error: cannot write the report " << args.report << '\n';
        return 1;
    }
    if (!failure.empty()) {
        std::cerr << "error: " << failure << '\n';
        return 1;
    }
    return 0;
}

}  // namespace

void add_switch_command(CLI::App& app, int& status) {
    auto* cmd = app.add_subcommand(
        "switch", "Run a VLAN-aware VDE switch in DIR (join it with vde://DIR or vde://DIR[N])");
    auto args = std::make_shared<SwitchArgs>();
    cmd->add_option("dir", args->dir, "Private run directory (created 0700)")->required();
    cmd->add_option("--port", args->ports,
                    "Port N's VLANs: N:access=V | N:trunk=all | N:trunk=10,20-22[/untagged=drop|"
                    "/native=V]; unlisted ports are trunks of all VLANs; repeatable");
    cmd->add_option("--capture", args->capture, "Write every frame switched to this pcapng");
    cmd->add_option("--capture-view", args->capture_view,
                    "port: one capture interface per port, directions as the switch sees them; "
                    "client: one per client (node/adapter), directions as the client sees them")
        ->check(CLI::IsMember({"port", "client"}));
    cmd->add_flag("--capture-ingress-only", args->capture_ingress_only,
                  "Record each frame once, as it enters the switch (not every copy sent out)");
    cmd->add_option("--report", args->report, "At exit, write the per-port counters as JSON to this file");
    cmd->add_option("--mac-table-size", args->mac_table_size, "MAC table entries")
        ->check(CLI::Range(16, 1 << 24));
    cmd->add_option("--mac-aging", args->mac_aging_s, "Seconds a learned MAC stays")
        ->check(CLI::Range(1, 86400));
    cmd->callback([args, &status] { status = run_switch(*args); });
}

}  // namespace caplnet::tools
