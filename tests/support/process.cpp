#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace caplnet::test {

using Clock = std::chrono::steady_clock;

ChildProcess::ChildProcess(std::vector<std::string> argv) {
    int fds[2];
    int in[2];
    if (::pipe2(fds, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
        ::dup2(in[0], 0);
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::setpgid(0, 0);  // its own group: a signal to us never hits the test runner
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "exec %s failed\n", args[0]);
        ::_exit(127);
    }
    ::close(fds[1]);
    ::close(in[0]);
    out_fd_ = fds[0];
    in_fd_ = in[1];
}

ChildProcess::~ChildProcess() {
    if (!status_ && pid_ > 0) stop(SIGKILL, std::chrono::seconds(5));
    if (out_fd_ >= 0) ::close(out_fd_);
    if (in_fd_ >= 0) ::close(in_fd_);
}

void ChildProcess::send(const std::string& text) {
    if (in_fd_ >= 0) [[maybe_unused]] auto n = ::write(in_fd_, text.data(), text.size());
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            transcript_ += line + "\n";
            return line;
        }
        if (out_fd_ < 0) return std::nullopt;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd p{out_fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        const ssize_t n = ::read(out_fd_, buf, sizeof buf);
        if (n <= 0) {
            ::close(out_fd_);
            out_fd_ = -1;
            if (!buffer_.empty()) buffer_ += '\n';
            continue;
        }
        buffer_.append(buf, static_cast<std::size_t>(n));
    }
}

std::optional<std::string> ChildProcess::wait_for(const std::string& text,
                                                  std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        auto line = read_line(left);
        if (!line) return std::nullopt;
        if (line->find(text) != std::string::npos) return line;
    }
    return std::nullopt;
}

void ChildProcess::drain(std::chrono::milliseconds timeout) {
    while (read_line(timeout)) {
    }
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (status_) return status_;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        int st = 0;
        const pid_t r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            drain(std::chrono::milliseconds(2000));
            return status_;
        }
        if (Clock::now() >= deadline) return std::nullopt;
        // Reading the pipe is the wait: a process that exits closes it.
        read_line(std::chrono::milliseconds(50));
    }
}

int ChildProcess::stop(int sig, std::chrono::milliseconds timeout) {
    if (status_) return *status_;
    ::kill(pid_, sig);
    if (auto s = wait(timeout)) return *s;
    ::kill(pid_, SIGKILL);
    return wait(std::chrono::seconds(10)).value_or(-1);
}

bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (!cond()) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

CommandResult run_command(const std::string& command) {
    std::string full = command + " 2>&1";
    FILE* p = ::popen(full.c_str(), "r");
    if (p == nullptr) return {-1, "popen failed"};
    std::string out;
    std::array<char, 4096> buf;
    while (std::fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
    const int st = ::pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

TempDir::TempDir() {
    char tmpl[] = "/tmp/caplnet-test-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
}

std::vector<std::vector<std::string>> tshark_fields(const std::string& capture,
                                                    const std::string& filter,
                                                    const std::vector<std::string>& fields) {
    std::string cmd = "tshark -n -r '" + capture + "'";
    if (!filter.empty()) cmd += " -Y '" + filter + "'";
    cmd += " -T fields -E separator=/t -E occurrence=a -E aggregator=,";
    for (const auto& f : fields) cmd += " -e " + f;
    const std::string full = cmd + " 2>/dev/null";
    FILE* p = ::popen(full.c_str(), "r");
    std::vector<std::vector<std::string>> rows;
    if (p == nullptr) return rows;
    std::array<char, 8192> buf;
    while (std::fgets(buf.data(), buf.size(), p) != nullptr) {
        std::string line(buf.data());
        if (!line.empty() && line.back() == '\n') line.pop_back();
        std::vector<std::string> row;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, '\t')) row.push_back(cell);
        row.resize(fields.size());
        rows.push_back(row);
    }
    ::pclose(p);
    return rows;
}

std::vector<unsigned long> report_frames(const std::string& capture, const std::string& filter, int record_type,
                                         const std::string& group) {
    auto split = [](const std::string& list) {
        std::vector<std::string> items;
        std::stringstream ss(list);
        std::string item;
        while (std::getline(ss, item, ',')) items.push_back(item);
        return items;
    };
    std::vector<unsigned long> frames;
    const std::string reports = "(igmp.type == 0x22 || icmpv6.type == 143)";
    for (const auto& row : tshark_fields(capture, filter.empty() ? reports : "(" + filter + ") && " + reports,
                                         {"frame.number", "igmp.record_type", "igmp.maddr",
                                          "icmpv6.mldr.mar.record_type", "icmpv6.mldr.mar.multicast_address"})) {
        const bool v6 = row[1].empty();
        const auto types = split(v6 ? row[3] : row[1]);
        const auto groups = split(v6 ? row[4] : row[2]);
        for (std::size_t i = 0; i < std::min(types.size(), groups.size()); ++i) {
            if (std::stoi(types[i]) == record_type && groups[i] == group) {
                frames.push_back(std::stoul(row[0]));
                break;
            }
        }
    }
    return frames;
}

int tshark_problem_count(const std::string& capture) {
    return static_cast<int>(
        tshark_fields(capture, "_ws.malformed || _ws.expert.severity >= warning", {"frame.number"})
            .size()) + rfc_violation_count(capture);
}

int rfc_violation_count(const std::string& capture) {
    // reference/multicast-rfc.md §14: each must match no frame.
    static const char* const kChecks[] = {
        "igmp && (ip.ttl != 1 || !(ip.opt.type == 148))",
        "igmp.type == 0x17 && ip.dst != 224.0.0.2",
        "igmp.type == 0x16 && ip.dst != igmp.maddr",
        "igmp.type == 0x22 && ip.dst != 224.0.0.22",
        "icmpv6.type in {131,132,143} && (ipv6.hlim != 1 || !(ipv6.opt.router_alert == 0) || "
        "!(ipv6.src == fe80::/10 || ipv6.src == ::))",
        "icmpv6.type == 132 && ipv6.dst != ff02::2",
        "icmpv6.type == 143 && ipv6.dst != ff02::16",
        "icmpv6.type in {131,132} && (icmpv6.mld.multicast_address == ff02::1 || "
        "icmpv6.mld.multicast_address == ff01::/16)",
        "igmp && igmp.maddr == 224.0.0.1 && igmp.type != 0x11",
    };
    std::string any;
    for (const char* c : kChecks) any += std::string(any.empty() ? "" : " || ") + "(" + c + ")";
    return static_cast<int>(tshark_fields(capture, any, {"frame.number"}).size());
}

NetNamespace::NetNamespace(const std::string& name) : name_(name) {
    run_command("ip netns del " + name_);
    auto r = run_command("ip netns add " + name_ + " && ip -n " + name_ + " link set lo up");
    if (r.status != 0) throw std::runtime_error("ip netns add " + name_ + ": " + r.output);
}

NetNamespace::~NetNamespace() { run_command("ip netns del " + name_); }

CommandResult NetNamespace::run(const std::string& command) const {
    return run_command("ip netns exec " + name_ + " sh -c '" + command + "'");
}

std::vector<std::string> NetNamespace::exec_prefix() const {
    return {"ip", "netns", "exec", name_};
}

}  // namespace caplnet::test
