// `caplnet node NODE.toml`: runs one node until interrupted.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <iostream>

#include "stack/node.hpp"
#include "stack/pinger.hpp"
#include "tools/commands.hpp"

namespace caplnet::tools {

namespace {

struct NodeArgs {
    std::string node_file;
    std::string capture;
    std::string run_dir;
    std::vector<std::string> pings;
    int count = 3;
    int interval_ms = 200;
    int ready_timeout_s = 20;
    bool exit_after = false;
};

void print_reports(const std::string& name, const std::vector<stack::AdapterReport>& reports) {
    for (const auto& r : reports) {
        std::printf("adapter %s/%s link=%s %s: rx %llu (to stack %llu, dropped %llu) tx %llu (dropped %llu)\n",
                    name.c_str(), r.name.c_str(), r.link.c_str(), r.link_up ? "up" : "down",
                    static_cast<unsigned long long>(r.counters.rx_frames),
                    static_cast<unsigned long long>(r.counters.rx_delivered),
                    static_cast<unsigned long long>(r.counters.rx_dropped()),
                    static_cast<unsigned long long>(r.counters.tx_frames),
                    static_cast<unsigned long long>(r.counters.tx_dropped()));
        for (const auto& [reason, n] : r.counters.rx_drops) {
            std::printf("  rx drop %-24s %llu\n", reason.c_str(), static_cast<unsigned long long>(n));
        }
        for (const auto& [reason, n] : r.counters.tx_drops) {
            std::printf("  tx drop %-24s %llu\n", reason.c_str(), static_cast<unsigned long long>(n));
        }
    }
}

int run_node(const NodeArgs& args) {
    stack::NodeConfig config;
    try {
        config = stack::load_node_config(args.node_file);
    } catch (const stack::ConfigError& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 2;
    }
    // Signals go to this thread only (sigwait below), never to the stack thread.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    auto node = stack::Node::start(config, {args.run_dir, args.capture});
    if (!node) {
        std::cerr << "error: " << node.error() << '\n';
        return 2;
    }
    if (!(*node)->wait_ready(std::chrono::seconds(args.ready_timeout_s))) {
        std::cerr << "error: node " << config.name << " did not finish IPv6 DAD in time\n";
        return 2;
    }
    std::printf("node %s ready\n", config.name.c_str());
    std::fflush(stdout);

    int failed = 0;
    for (const auto& target : args.pings) {
        auto r = stack::ping(**node, target, args.count, std::chrono::milliseconds(args.interval_ms),
                             std::chrono::milliseconds(1000));
        if (!r) {
            std::cerr << "error: ping " << target << ": " << r.error() << '\n';
            ++failed;
            continue;
        }
        std::printf("ping %s: %d/%d replies\n", target.c_str(), r->received, r->sent);
        std::fflush(stdout);
        if (r->received == 0) ++failed;
    }
    if (!args.exit_after) {
        int sig = 0;
        sigwait(&stop_signals, &sig);
    }
    (*node)->stop();
    print_reports(config.name, (*node)->reports());
    std::fflush(stdout);
    return failed == 0 ? 0 : 1;
}

}  // namespace

void add_node_command(CLI::App& app, int& status) {
    auto* cmd = app.add_subcommand("node", "Run one node until interrupted (SIGINT/SIGTERM)");
    auto args = std::make_shared<NodeArgs>();
    cmd->add_option("node", args->node_file, "Node file (TOML)")->required();
    cmd->add_option("--capture", args->capture, "Write every frame of every adapter to this pcapng");
    cmd->add_option("--run-dir", args->run_dir, "Directory that relative link paths resolve against");
    cmd->add_option("--ping", args->pings,
                    "Once ready, ping this address (IPv4, IPv6, or fe80::x%ifIndex); repeatable");
    cmd->add_option("--count", args->count, "Echo requests per --ping target")->check(CLI::Range(1, 10000));
    cmd->add_option("--interval", args->interval_ms, "Milliseconds between echo requests")
        ->check(CLI::Range(1, 60000));
    cmd->add_option("--ready-timeout", args->ready_timeout_s, "Seconds to wait for DAD")
        ->check(CLI::Range(1, 600));
    cmd->add_flag("--exit", args->exit_after, "Exit after the pings instead of running on");
    cmd->callback([args, &status] { status = run_node(*args); });
}

}  // namespace caplnet::tools
