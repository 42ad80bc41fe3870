#include "tools/scenario/runner.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>

#include "tools/node_report.hpp"
#include "tools/scenario/child_process.hpp"
#include "tools/scenario/guardian.hpp"
#include "tools/scenario/run_result.hpp"

namespace caplnet::tools {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Proc {
    std::string name;  // as it appears in messages: "switch sw", "node ecu", "replay 1"
    std::unique_ptr<ChildProcess> child;
    std::ofstream log;
    std::string log_path;
    std::string ready_line;  // the line that says it is up; empty: nothing to wait for
    bool ready = false;
    bool stop_requested = false;
    bool exit_reported = false;
};

std::string iso_now() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

std::optional<nlohmann::json> read_json(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

class Runner {
public:
    Runner(const Scenario& s, const RunOptions& o) : s_(s), o_(o) {}

    int run() {
        result_.scenario = &s_;
        result_.started = iso_now();
        if (!guardian_.start()) {
            std::cerr << "error: cannot start the cleanup process\n";
            return 2;
        }
        sigset_t sigs;
        sigemptyset(&sigs);
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE}) sigaddset(&sigs, sig);
        pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
        sigfd_ = ::signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);

        char tmpl[] = "/tmp/caplnet-run-XXXXXX";  // mkdtemp makes it 0700
        if (::mkdtemp(tmpl) == nullptr) {
            std::cerr << "error: cannot create a run directory: " << std::strerror(errno) << '\n';
            return 2;
        }
        run_dir_ = tmpl;
        guardian_.watch_directory(run_dir_);
        std::printf("run directory %s\n", run_dir_.c_str());
        std::fflush(stdout);
        for (const char* sub : {"logs", "reports", "nodes"}) fs::create_directories(fs::path(run_dir_) / sub);

        const bool up = bring_up();
        const auto t0 = Clock::now();
        if (up) {
            for (Proc* p : all()) std::printf("%s: pid %d\n", p->name.c_str(), static_cast<int>(p->child->pid()));
            std::printf("scenario %s: %zu node(s) up, running %.3g s\n", s_.name.c_str(), nodes_.size(), s_.duration);
            std::fflush(stdout);
            run_schedule(t0);
        }
        result_.elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
        shut_down();
        collect();
        std::printf("%s", summary_text(result_).c_str());
        write_outputs();
        if (o_.keep) {
            std::printf("run directory kept: %s\n", run_dir_.c_str());
        } else {
            std::error_code ec;
            fs::remove_all(run_dir_, ec);
        }
        guardian_.done();
        if (interrupted_ != 0) return 128 + interrupted_;
        if (!up) return 2;
        return result_.passed() ? 0 : 1;
    }

private:
    // --- processes

    Proc* spawn(std::vector<Proc>& into, const std::string& name, const std::string& log_name,
                std::vector<std::string> argv, std::string ready_line) {
        Proc p;
        p.name = name;
        p.ready_line = std::move(ready_line);
        p.log_path = (fs::path(run_dir_) / "logs" / (log_name + ".log")).string();
        p.log.open(p.log_path, std::ios::app);
        p.child = std::make_unique<ChildProcess>();
        std::string error;
        if (!p.child->spawn(argv, error)) {
            result_.errors.push_back(name + ": cannot start: " + error);
            return nullptr;
        }
        guardian_.watch_process_group(p.child->pid());
        into.push_back(std::move(p));
        return &into.back();
    }

    std::vector<Proc*> all() {
        std::vector<Proc*> out;
        for (auto* list : {&switches_, &nodes_, &replays_}) {
            for (auto& p : *list) out.push_back(&p);
        }
        return out;
    }

    /// Waits up to `timeout_ms` for output, exits and signals, and handles what came.
    void pump(int timeout_ms) {
        std::vector<pollfd> fds{{sigfd_, POLLIN, 0}};
        std::vector<Proc*> owners{nullptr};
        for (Proc* p : all()) {
            if (p->child->output_fd() >= 0) {
                fds.push_back({p->child->output_fd(), POLLIN, 0});
                owners.push_back(p);
            }
        }
        if (::poll(fds.data(), fds.size(), std::max(timeout_ms, 0)) < 0 && errno != EINTR) return;
        if (fds[0].revents != 0) {
            signalfd_siginfo si;
            while (::read(sigfd_, &si, sizeof si) == sizeof si) {
                const int sig = static_cast<int>(si.ssi_signo);
                if (sig != SIGCHLD && sig != SIGPIPE && interrupted_ == 0) {
                    interrupted_ = sig;
                    result_.interrupted = std::string("SIG") + sigabbrev_np(sig);
                    std::fprintf(stderr, "caplnet run: %s, stopping\n", result_.interrupted.c_str());
                }
            }
        }
        for (std::size_t i = 1; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            Proc* p = owners[i];
            std::vector<std::string> lines;
            p->child->read_lines(lines);
            for (const auto& l : lines) {
                p->log << l << '\n';
                if (o_.verbose) std::printf("[%s] %s\n", p->name.c_str(), l.c_str());
                if (!p->ready && !p->ready_line.empty() && l.rfind(p->ready_line, 0) == 0) p->ready = true;
            }
            p->log.flush();
        }
        for (Proc* p : all()) reap(*p);
        if (o_.verbose) std::fflush(stdout);
    }

    void reap(Proc& p) {
        if (!p.child->poll_exit() || p.exit_reported) return;
        p.exit_reported = true;
        guardian_.forget_process_group(p.child->pid());
        if (!p.stop_requested && p.name.rfind("replay", 0) != 0) {
            // A node or switch that ends on its own has died; the others go on.
            std::fprintf(stderr, "caplnet run: %s died: %s (log: %s)\n", p.name.c_str(),
                         p.child->describe_exit().c_str(), (fs::path(run_dir_) / "logs").c_str());
        }
    }

    bool wait_for(const std::function<bool()>& done, Clock::time_point deadline) {
        while (!done()) {
            if (interrupted_ != 0 || Clock::now() >= deadline) return done();
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pump(static_cast<int>(std::min<long long>(left.count() + 1, 100)));
        }
        return true;
    }

    // --- bring-up

    std::string switch_capture(std::size_t i) const {
        if (o_.capture.empty()) return (fs::path(run_dir_) / ("capture-" + s_.switches[i].name + ".pcapng")).string();
        if (i == 0) return o_.capture;
        fs::path p(o_.capture);
        return (p.parent_path() / (p.stem().string() + "-" + s_.switches[i].name + p.extension().string())).string();
    }

    bool start_node(const ScenarioNode& n) {
        std::string file = n.file;
        if (!n.inline_toml.empty()) {
            file = (fs::path(run_dir_) / "nodes" / (n.name + ".toml")).string();
            std::ofstream(file) << n.inline_toml;
        }
        std::vector<std::string> argv{o_.self, "node", file, "--name", n.name, "--run-dir", run_dir_, "--control",
                                      "--report", report_path(n.name), "--ready-timeout",
                                      std::to_string(static_cast<int>(s_.ready_timeout))};
        if (!n.program.empty()) {
            argv.push_back("--program");
            argv.push_back(n.program);
        }
        for (const auto& [k, v] : n.params) {
            argv.push_back("--param");
            argv.push_back(k + "=" + v);
        }
        for (const auto& sw : s_.switches) {
            if (sw.ring_links) argv.insert(argv.end(), {"--ring-switch", (fs::path(run_dir_) / sw.name).string()});
        }
        // A restarted node keeps its entry: the old process has ended.
        std::erase_if(nodes_, [&](const Proc& p) { return p.name == "node " + n.name && !p.child->running(); });
        return spawn(nodes_, "node " + n.name, n.name, argv, "node " + n.name + " ready") != nullptr;
    }

    std::string report_path(const std::string& node) const {
        return (fs::path(run_dir_) / "reports" / (node + ".json")).string();
    }

    bool bring_up() {
        const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long>(s_.ready_timeout * 1000));
        for (std::size_t i = 0; i < s_.switches.size(); ++i) {
            const auto& sw = s_.switches[i];
            std::vector<std::string> argv{o_.self, "switch", (fs::path(run_dir_) / sw.name).string(), "--capture",
                                          switch_capture(i), "--capture-view", "client", "--capture-ingress-only",
                                          "--report",
                                          (fs::path(run_dir_) / "reports" / ("switch-" + sw.name + ".json")).string()};
            for (const auto& port : sw.ports) {
                argv.push_back("--port");
                argv.push_back(port);
            }
            if (spawn(switches_, "switch " + sw.name, "switch-" + sw.name, argv, "switch ready") == nullptr) return false;
        }
        auto all_ready = [&](std::vector<Proc>& list) {
            return [&list] {
                return std::all_of(list.begin(), list.end(), [](const Proc& p) { return p.ready; });
            };
        };
        auto any_dead = [&] {
            for (Proc* p : all()) {
                if (!p->child->running()) return true;
            }
            return false;
        };
        if (!wait_for([&] { return all_ready(switches_)() || any_dead(); }, deadline) || any_dead()) {
            result_.errors.push_back("the switches did not come up");
            return false;
        }
        // Uplinks join once their switch listens: a TAP device (a real host) or another segment.
        for (const auto& sw : s_.switches) {
            for (std::size_t k = 0; k < sw.uplinks.size(); ++k) {
                const std::string& url = sw.uplinks[k];
                std::vector<std::string> argv{o_.self, "plug", "vde://" + (fs::path(run_dir_) / sw.name).string(), url,
                                              "--description", "uplink " + url};
                if (spawn(switches_, "uplink " + url, "uplink-" + sw.name + "-" + std::to_string(k + 1), argv, "plug ready") == nullptr) return false;
            }
        }
        if (!wait_for([&] { return all_ready(switches_)() || any_dead(); }, deadline) || any_dead()) {
            for (Proc* p : all()) {
                if (!p->child->running()) {
                    result_.errors.push_back(p->name + " did not come up (" + p->child->describe_exit() +
                                             "); its log ends:\n" + log_tail(*p));
                }
            }
            return false;
        }
        for (const auto& n : s_.nodes) {
            if (n.start_at == 0 && !start_node(n)) return false;
        }
        if (!wait_for([&] { return all_ready(nodes_)() || any_dead(); }, deadline) || any_dead()) {
            for (Proc* p : all()) {
                if (!p->ready || !p->child->running()) {
                    result_.errors.push_back(p->name + " did not come up (" + p->child->describe_exit() +
                                             "); its log ends:\n" + log_tail(*p));
                }
            }
            return false;
        }
        return true;
    }

    std::string log_tail(const Proc& p) const {
        std::ifstream in(p.log_path);
        std::vector<std::string> lines;
        for (std::string l; std::getline(in, l);) lines.push_back(l);
        std::string out;
        for (std::size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i) out += "    " + lines[i] + "\n";
        return out;
    }

    // --- schedule

    Proc* node_proc(const std::string& name) {
        for (auto& p : nodes_) {
            if (p.name == "node " + name && p.child->running()) return &p;
        }
        return nullptr;
    }

    void fire(const ScenarioEvent& e) {
        using K = ScenarioEvent::Kind;
        if (e.kind == K::Start) {
            if (node_proc(e.node) != nullptr) {
                result_.errors.push_back(s_.source + ":" + std::to_string(e.line) + ": node " + e.node +
                                         " is already running");
                return;
            }
            for (const auto& n : s_.nodes) {
                if (n.name == e.node) start_node(n);
            }
            return;
        }
        Proc* p = node_proc(e.node);
        if (p == nullptr) {
            result_.errors.push_back(s_.source + ":" + std::to_string(e.line) + ": node " + e.node +
                                     " is not running at " + std::to_string(e.at) + " s");
            return;
        }
        std::string line;
        switch (e.kind) {
            case K::Key: line = std::string("key ") + e.key; break;
            case K::Stop: line = "stop"; p->stop_requested = true; break;
            case K::LinkDown: line = "link " + e.adapter + " down"; break;
            case K::LinkUp: line = "link " + e.adapter + " up"; break;
            case K::Start: break;
        }
        if (!p->child->send_line(line)) {
            result_.errors.push_back(s_.source + ":" + std::to_string(e.line) + ": node " + e.node +
                                     " did not take '" + line + "'");
        }
    }

    /// vde://DIR[N] → ring://DIR[N] when DIR is one of the run's switches with ring links.
    std::string ring_if_own(const std::string& url) const {
        if (url.rfind("vde://", 0) != 0) return url;
        std::string path = url.substr(6);
        if (const auto bracket = path.find('['); bracket != std::string::npos) path.resize(bracket);
        for (const auto& sw : s_.switches) {
            if (sw.ring_links && fs::path(path).lexically_normal() == (fs::path(run_dir_) / sw.name).lexically_normal()) {
                return "ring://" + url.substr(6);
            }
        }
        return url;
    }

    void start_replay(std::size_t index) {
        const ScenarioReplay& r = s_.replays[index];
        std::string into = r.into;
        std::string dst_mac = r.dst_mac;
        if (const auto slash = r.into.find('/'); slash != std::string::npos) {
            for (const auto& n : s_.nodes) {
                if (n.name != r.into.substr(0, slash)) continue;
                for (const auto& a : n.config.adapters) {
                    if (a.name != r.into.substr(slash + 1)) continue;
                    into = a.link;
                    if (dst_mac.empty()) dst_mac = a.mac.to_string();
                }
            }
        } else {
            into = "vde://" + r.into;
        }
        if (into.rfind("vde://", 0) == 0 && into.size() > 6 && into[6] != '/') {
            into = "vde://" + (fs::path(run_dir_) / into.substr(6)).string();
        }
        into = ring_if_own(into);
        const std::string json = (fs::path(run_dir_) / "reports" / ("replay-" + std::to_string(index + 1) + ".json")).string();
        std::vector<std::string> argv{o_.self, "replay", r.capture, "--into", into, "--timing", r.timing, "--json", json};
        if (r.speed != 1) argv.insert(argv.end(), {"--speed", std::to_string(r.speed)});
        if (r.loops != 1) argv.insert(argv.end(), {"--loop", std::to_string(r.loops)});
        if (!r.filter.empty()) argv.insert(argv.end(), {"--filter", r.filter});
        if (r.vlan_add) argv.insert(argv.end(), {"--vlan-add", std::to_string(*r.vlan_add)});
        if (r.vlan_strip) argv.push_back("--vlan-strip");
        for (const auto& m : r.vlan_map) argv.insert(argv.end(), {"--vlan-map", m});
        if (!dst_mac.empty()) argv.insert(argv.end(), {"--dst-mac", dst_mac});
        replay_index_.push_back(index);
        if (spawn(replays_, "replay " + std::to_string(index + 1), "replay-" + std::to_string(index + 1), argv, {}) ==
            nullptr) {
            replay_index_.pop_back();
        }
    }

    void run_schedule(Clock::time_point t0) {
        auto at = [&](double s) { return t0 + std::chrono::microseconds(static_cast<long long>(s * 1e6)); };
        std::vector<ScenarioEvent> events = s_.events;
        for (const auto& n : s_.nodes) {
            if (n.start_at > 0) events.push_back({n.start_at, ScenarioEvent::Kind::Start, n.name, 0, {}, 0});
        }
        std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
        std::vector<std::size_t> replays(s_.replays.size());
        for (std::size_t i = 0; i < replays.size(); ++i) replays[i] = i;
        std::stable_sort(replays.begin(), replays.end(),
                         [&](auto a, auto b) { return s_.replays[a].at < s_.replays[b].at; });
        std::size_t next_event = 0, next_replay = 0;
        const auto end = at(s_.duration);
        while (interrupted_ == 0) {
            const auto now = Clock::now();
            while (next_event < events.size() && at(events[next_event].at) <= now) fire(events[next_event++]);
            while (next_replay < replays.size() && at(s_.replays[replays[next_replay]].at) <= now) {
                start_replay(replays[next_replay++]);
            }
            if (now >= end) break;
            if (s_.end_when_nodes_exit && next_event == events.size() &&
                std::none_of(nodes_.begin(), nodes_.end(), [](const Proc& p) { return p.child->running(); })) {
                break;
            }
            auto wake = end;
            if (next_event < events.size()) wake = std::min(wake, at(events[next_event].at));
            if (next_replay < replays.size()) wake = std::min(wake, at(s_.replays[replays[next_replay]].at));
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()).count();
            pump(static_cast<int>(std::clamp<long long>(ms, 0, 1000)));
        }
    }

    // --- shut-down

    void stop_all(std::vector<Proc>& list, const std::function<void(Proc&)>& ask, std::chrono::seconds grace) {
        for (auto& p : list) {
            if (!p.child->running()) continue;
            p.stop_requested = true;
            ask(p);
        }
        const auto deadline = Clock::now() + grace;
        auto all_gone = [&] {
            return std::none_of(list.begin(), list.end(), [](const Proc& p) { return p.child->running(); });
        };
        // An interrupt does not cut the grace short: the children still get to write their reports.
        while (!all_gone() && Clock::now() < deadline) pump(50);
        for (auto& p : list) {
            if (p.child->running()) {
                std::fprintf(stderr, "caplnet run: %s did not stop in time, killing it\n", p.name.c_str());
                p.child->signal(SIGKILL);
            }
        }
        while (!all_gone()) pump(50);
    }

    void shut_down() {
        stop_all(nodes_, [](Proc& p) {
            if (!p.child->send_line("stop")) p.child->signal(SIGTERM);
        }, std::chrono::seconds(15));
        stop_all(replays_, [](Proc& p) { p.child->signal(SIGTERM); }, std::chrono::seconds(5));
        stop_all(switches_, [](Proc& p) { p.child->signal(SIGTERM); }, std::chrono::seconds(5));
    }

    // --- results

    void collect() {
        for (const auto& n : s_.nodes) {
            NodeOutcome o;
            o.name = n.name;
            for (const auto& a : n.config.adapters) o.macs.push_back(a.mac.to_string());
            const Proc* p = nullptr;
            for (const auto& q : nodes_) {
                if (q.name == "node " + n.name) p = &q;
            }
            if (p == nullptr) {
                o.status = "never started";
                o.died = n.start_at == 0;
            } else {
                o.pid = p->child->pid();
                const auto st = p->child->status();
                if (st && WIFEXITED(*st)) o.exit_code = WEXITSTATUS(*st);
                const bool clean = st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0;
                if (!p->stop_requested || !clean) {
                    o.died = true;
                    o.status = "died: " + p->child->describe_exit();
                } else {
                    o.status = "ran to the end";
                }
                o.report = read_json(report_path(n.name));
            }
            result_.nodes.push_back(std::move(o));
        }
        for (std::size_t i = 0; i < s_.switches.size(); ++i) {
            nlohmann::json sw{{"name", s_.switches[i].name}, {"capture", switch_capture(i)}};
            auto rep = read_json((fs::path(run_dir_) / "reports" / ("switch-" + s_.switches[i].name + ".json")).string());
            sw["report"] = rep ? *rep : nlohmann::json();
            result_.switches.push_back(sw);
        }
        for (std::size_t k = 0; k < replays_.size(); ++k) {
            const std::size_t i = replay_index_[k];
            const auto& r = s_.replays[i];
            const auto st = replays_[k].child->status();
            const bool ok = st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0;
            nlohmann::json j{{"capture", r.capture}, {"into", r.into}, {"at", r.at},
                             {"status", ok ? "finished" : replays_[k].child->describe_exit()}};
            auto rep = read_json((fs::path(run_dir_) / "reports" / ("replay-" + std::to_string(i + 1) + ".json")).string());
            j["report"] = rep ? *rep : nlohmann::json();
            if (!ok && interrupted_ == 0) {
                result_.errors.push_back("replay of " + r.capture + " " + replays_[k].child->describe_exit());
            }
            result_.replays.push_back(j);
        }
        if (!s_.switches.empty()) {
            result_.capture_path = switch_capture(0);
            result_.capture_kept = !o_.capture.empty() || o_.keep;
            auto facts = read_capture_facts(result_.capture_path);
            if (facts) {
                result_.capture = *facts;
            } else {
                result_.errors.push_back("capture: " + facts.error());
            }
        }
        result_.expectations = evaluate(s_, result_);
    }

    void write_outputs() {
        if (!o_.json.empty() && !write_json_file(o_.json, report_json(result_))) {
            std::cerr << "error: cannot write " << o_.json << '\n';
        }
        if (!o_.junit.empty()) {
            std::ofstream out(o_.junit);
            out << junit_xml(result_);
            if (!out.flush()) std::cerr << "error: cannot write " << o_.junit << '\n';
        }
    }

    const Scenario& s_;
    const RunOptions& o_;
    Guardian guardian_;
    int sigfd_ = -1;
    int interrupted_ = 0;
    std::string run_dir_;
    std::vector<Proc> switches_, nodes_, replays_;
    std::vector<std::size_t> replay_index_;  // scenario replay of each replays_ entry
    RunResult result_;
};

}  // namespace

int run_scenario(const Scenario& scenario, const RunOptions& options) { return Runner(scenario, options).run(); }

}  // namespace caplnet::tools
