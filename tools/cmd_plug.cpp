// `caplnet plug URL_A URL_B`: relays frames between two links until interrupted, e.g. a TAP
// device onto a switch (`caplnet plug vde://DIR tap://ctap0`), as `vde_plug A B` does.

#include <atomic>
#include <cstdio>
#include <iostream>

#include "netif/link/plug.hpp"
#include "tools/commands.hpp"
#include "tools/stop_signals.hpp"

namespace caplnet::tools {

namespace {

struct PlugArgs {
    std::string a, b, description = "caplnet plug";
};

void print(const char* from, const char* to, const netif::PlugDirection& c) {
    std::printf("plug %s -> %s: %llu frames, %llu bytes, dropped %llu (queue full) %llu (refused)\n", from, to,
                static_cast<unsigned long long>(c.frames), static_cast<unsigned long long>(c.bytes),
                static_cast<unsigned long long>(c.dropped_full), static_cast<unsigned long long>(c.dropped_error));
}

int run_plug(const PlugArgs& args) {
    block_stop_signals();
    netif::LinkOptions opts;
    opts.description = args.description;
    auto a = netif::open_link(args.a, opts);
    if (!a) {
        std::cerr << "error: " << args.a << ": " << a.error().message << '\n';
        return 2;
    }
    auto b = netif::open_link(args.b, opts);
    if (!b) {
        std::cerr << "error: " << args.b << ": " << b.error().message << '\n';
        return 2;
    }
    std::printf("plug ready: %s <-> %s\n", args.a.c_str(), args.b.c_str());
    std::fflush(stdout);
    std::atomic<bool> stop{false};
    netif::PlugCounters counters;
    std::string failure;
    run_until_stop_signal(
        [&] {
            if (auto r = netif::run_plug(**a, **b, stop, counters); !r) failure = r.error();
        },
        [&] { stop = true; });
    print("a", "b", counters.a_to_b);
    print("b", "a", counters.b_to_a);
    if (!failure.empty()) {
        std::cerr << "error: " << failure << '\n';
        return 1;
    }
    return 0;
}

}  // namespace

void add_plug_command(CLI::App& app, int& status) {
    auto* cmd = app.add_subcommand("plug", "Relay frames between two links (a TAP device or vxvde:// onto a switch)");
    auto args = std::make_shared<PlugArgs>();
    cmd->add_option("a", args->a, "First link URL (vde://DIR[N], tap://NAME, vxvde://..., ...)")->required();
    cmd->add_option("b", args->b, "Second link URL")->required();
    cmd->add_option("--description", args->description, "How this plug names itself to a switch");
    cmd->callback([args, &status] { status = run_plug(*args); });
}

}  // namespace caplnet::tools
