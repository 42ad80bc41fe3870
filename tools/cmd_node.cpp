// `caplnet node NODE.toml`: runs one node, and its program if one is given, until interrupted.
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <memory>
#include <thread>

#include "capl_api/runtime.hpp"
#include "caplnet/capl/program.hpp"
#include "stack/pinger.hpp"
#include "tools/commands.hpp"
#include "tools/node_report.hpp"

namespace caplnet::tools {

namespace {

struct NodeArgs {
    std::string node_file;
    std::string name;
    std::string capture;
    std::string run_dir;
    std::vector<std::string> ring_switches;
    std::string program;
    std::vector<std::string> params;
    std::vector<std::string> keys;
    bool stdin_keys = false;
    bool control = false;
    std::string report;
    double duration_s = 0;
    std::vector<std::string> pings;
    int count = 3;
    int interval_ms = 200;
    int ready_timeout_s = 20;
    bool exit_after = false;
};

void print_reports(const std::string& name, const std::vector<stack::AdapterReport>& reports) {
    for (const auto& r : reports) {
        // Every frame taken from the link is in exactly one of the three: rx = the sum.
        std::printf("adapter %s/%s link=%s %s: rx %llu (to stack %llu, to group engine %llu, dropped %llu) "
                    "tx %llu (dropped %llu)\n",
                    name.c_str(), r.name.c_str(), r.link.c_str(), r.link_up ? "up" : "down",
                    static_cast<unsigned long long>(r.counters.rx_frames),
                    static_cast<unsigned long long>(r.counters.rx_delivered),
                    static_cast<unsigned long long>(r.counters.rx_group_messages),
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

// The sockets that lost datagrams, counted: receive-queue overflow, and sends that had returned 0
// but that the stack refused when it ran them (they are in the socket's `sent` too).
void print_socket_losses(const std::string& name, const capl::detail::ActivitySnapshot& activity) {
    for (const auto& s : activity.sockets) {
        if (s.queue_drops == 0 && s.send_failures == 0) continue;
        std::printf("socket %s/%u: sent %llu (failed %llu, failed after returning 0 %llu) received %llu "
                    "(queue drops %llu)\n",
                    name.c_str(), static_cast<unsigned>(s.socket), static_cast<unsigned long long>(s.sent),
                    static_cast<unsigned long long>(s.send_failed), static_cast<unsigned long long>(s.send_failures),
                    static_cast<unsigned long long>(s.received), static_cast<unsigned long long>(s.queue_drops));
    }
}

// A program built with caplnet_add_program: its CAPLNET_PROGRAM entry point, resolved against the
// CAPL symbols this executable exports (no second copy of the runtime in the shared object).
bool load_program(const std::string& path, capl::Program& program) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        std::cerr << "error: program " << path << ": " << ::dlerror() << '\n';
        return false;
    }
    using Init = void (*)(capl::Program&);
    auto init = reinterpret_cast<Init>(::dlsym(handle, "caplnet_program_init"));
    if (init == nullptr) {
        std::cerr << "error: program " << path
                  << " has no entry point caplnet_program_init (define it with CAPLNET_PROGRAM)\n";
        return false;
    }
    init(program);
    return true;  // the library stays loaded for the life of the process
}

// "C@MS": key C pressed MS milliseconds after the start.
bool schedule_keys(const std::vector<std::string>& specs, std::vector<std::unique_ptr<capl::msTimer>>& timers,
                   capl::detail::Runtime& rt) {
    for (const auto& spec : specs) {
        const auto at = spec.find('@');
        long ms = -1;
        try {
            if (at == 1) ms = std::stol(spec.substr(2));
        } catch (...) {
        }
        if (at != 1 || ms < 0) {
            std::cerr << "error: --key wants C@MS (key C, MS milliseconds after start), not '" << spec << "'\n";
            return false;
        }
        const char key = spec[0];
        auto t = std::make_unique<capl::msTimer>([&rt, key] { rt.post_key(key); });
        capl::setTimer(*t, ms);
        timers.push_back(std::move(t));
    }
    return true;
}

// `--control`: one command per line on stdin, from `caplnet run` (or a person): `key C`,
// `link ADAPTER down|up`, `stop`. Every command is answered on stdout, so the sender can wait.
void serve_control(capl::detail::Runtime& rt) {
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream words(line);
        std::string verb, a, b;
        words >> verb >> a >> b;
        if (verb == "key" && a.size() == 1) {
            rt.post_key(a[0]);
            std::printf("control: key %s\n", a.c_str());
        } else if (verb == "link" && (b == "up" || b == "down")) {
            auto r = rt.node() != nullptr
                         ? rt.node()->set_link_up(a, b == "up")
                         : Expected<void, std::string>(unexpected(std::string("stack = \"os\" has no links")));
            std::printf("control: link %s %s: %s\n", a.c_str(), b.c_str(), r ? "ok" : r.error().c_str());
        } else if (verb == "stop") {
            std::printf("control: stop\n");
            std::fflush(stdout);
            rt.stop();
            return;
        } else if (!verb.empty()) {
            std::printf("control: unknown command '%s' (key C, link ADAPTER up|down, stop)\n", line.c_str());
        }
        std::fflush(stdout);
    }
}

int run_node(const NodeArgs& args) {
    stack::NodeConfig config;
    try {
        config = stack::load_node_config(args.node_file);
        if (!args.name.empty()) config.name = args.name;
    } catch (const stack::ConfigError& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 2;
    }
    capl::Parameters params;
    for (const auto& p : args.params) {
        const auto eq = p.find('=');
        if (eq == std::string::npos || eq == 0) {
            std::cerr << "error: --param wants NAME=VALUE, not '" << p << "'\n";
            return 2;
        }
        params[p.substr(0, eq)] = p.substr(eq + 1);
    }
    // Signals go to the signal thread only, never to the stack or program thread.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    auto started = capl::detail::Runtime::start(config, {args.run_dir, args.capture, args.ring_switches});
    if (!started) {
        std::cerr << "error: " << started.error() << '\n';
        return 2;
    }
    capl::detail::Runtime& rt = **started;
    rt.program().set_parameters(params);
    if (rt.node() != nullptr && !rt.node()->wait_ready(std::chrono::seconds(args.ready_timeout_s))) {
        std::cerr << "error: node " << config.name << " did not finish IPv6 DAD in time\n";
        capl::detail::Runtime::shutdown();
        return 2;
    }
    if (!args.program.empty() && !load_program(args.program, rt.program())) {
        capl::detail::Runtime::shutdown();
        return 2;
    }
    std::printf("node %s ready\n", config.name.c_str());
    std::fflush(stdout);

    int failed = 0;
    if (!args.pings.empty() && rt.node() == nullptr) {
        std::cerr << "error: --ping needs the embedded stack (stack = \"product\")\n";
        ++failed;
    }
    for (const auto& target : rt.node() != nullptr ? args.pings : std::vector<std::string>{}) {
        auto r = stack::ping(*rt.node(), target, args.count, std::chrono::milliseconds(args.interval_ms),
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
        std::vector<std::unique_ptr<capl::msTimer>> key_timers;
        if (!schedule_keys(args.keys, key_timers, rt)) {
            capl::detail::Runtime::shutdown();
            return 2;
        }
        std::atomic<bool> signalled = false;
        std::thread signals([&rt, &stop_signals, &signalled] {
            int sig = 0;
            sigwait(&stop_signals, &sig);
            signalled = true;
            rt.stop();
        });
        if (args.control) {
            std::thread([&rt] { serve_control(rt); }).detach();  // as --stdin-keys: stdin cannot be interrupted
        } else if (args.stdin_keys) {
            // Detached: a read on stdin cannot be interrupted, and the process ends anyway.
            std::thread([&rt] {
                int c;
                while ((c = std::getchar()) != EOF) {
                    if (c != '\n') rt.post_key(static_cast<char>(c));
                }
            }).detach();
        }
        const auto until = args.duration_s > 0
                               ? std::chrono::steady_clock::now() +
                                     std::chrono::milliseconds(static_cast<long>(args.duration_s * 1000))
                               : std::chrono::steady_clock::time_point::max();
        rt.run_until(until);
        if (!signalled) ::kill(::getpid(), SIGTERM);  // release the signal thread
        signals.join();
        rt.run_stop_handlers();
    }
    const auto activity = rt.activity();
    std::vector<stack::AdapterReport> adapters;
    if (rt.node() != nullptr) {
        rt.node()->stop();
        adapters = rt.node()->reports();
        print_reports(config.name, adapters);
    }
    print_socket_losses(config.name, activity);
    if (!args.report.empty() && !write_json_file(args.report, node_report(config.name, adapters, activity))) {
        std::cerr << "error: cannot write the report " << args.report << '\n';
        ++failed;
    }
    std::fflush(stdout);
    capl::detail::Runtime::shutdown();
    return failed == 0 ? 0 : 1;
}

}  // namespace

void add_node_command(CLI::App& app, int& status) {
    auto* cmd = app.add_subcommand("node", "Run one node (and its program) until interrupted (SIGINT/SIGTERM)");
    auto args = std::make_shared<NodeArgs>();
    cmd->add_option("node", args->node_file, "Node file (TOML)")->required();
    cmd->add_option("--name", args->name, "Name the node this, not as its file does");
    cmd->add_option("--capture", args->capture, "Write every frame of every adapter to this pcapng");
    cmd->add_option("--run-dir", args->run_dir, "Directory that relative link paths resolve against");
    cmd->add_option("--ring-switch", args->ring_switches,
                    "caplnet switch directory that vde:// links to it reach through ring:// (shared "
                    "memory) instead; repeatable (caplnet run passes its own switches)");
    cmd->add_option("--program", args->program,
                    "Node program: a shared object built with caplnet_add_program (CAPLNET_PROGRAM)");
    cmd->add_option("--param", args->params, "NAME=VALUE given to the program; repeatable");
    cmd->add_option("--key", args->keys, "C@MS: press key C MS milliseconds after start; repeatable");
    cmd->add_flag("--stdin-keys", args->stdin_keys, "Every character read from stdin is a key press");
    cmd->add_flag("--control", args->control,
                  "Read commands from stdin, one per line: key C, link ADAPTER up|down, stop")
        ->excludes("--stdin-keys");
    cmd->add_option("--report", args->report,
                    "At exit, write a JSON report (adapters, sockets, memberships) to this file");
    cmd->add_option("--duration", args->duration_s, "Seconds to run, then stop as on SIGTERM");
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
