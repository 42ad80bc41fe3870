#pragma once
// Child processes for integration tests: spawn, read stdout lines with a deadline, stop.
// Waiting for a printed line is how tests synchronise with a process: no sleeps.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace caplnet::test {

class ChildProcess {
public:
    /// Starts argv[0] (a path) with stdout piped to us and stderr captured too.
    explicit ChildProcess(std::vector<std::string> argv);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// The next line of output (stdout and stderr merged), or nullopt at EOF or timeout.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);
    /// Reads lines until one contains `text`; returns it, or nullopt (EOF or timeout).
    std::optional<std::string> wait_for(const std::string& text, std::chrono::milliseconds timeout);
    /// Writes `text` to the process's standard input.
    void send(const std::string& text);
    /// Every line read so far, for failure messages.
    const std::string& transcript() const { return transcript_; }

    /// Sends `sig` and waits for the exit; returns the exit status (or 128+signal).
    int stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Waits for the process to exit on its own and reads the rest of its output.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    pid_t pid() const { return pid_; }

private:
    void drain(std::chrono::milliseconds timeout);
    pid_t pid_ = -1;
    int out_fd_ = -1;
    int in_fd_ = -1;
    std::string buffer_;
    std::string transcript_;
    std::optional<int> status_;
};

/// Polls `cond` until it holds or `limit` passes: only for state that announces no event
/// (a counter inside another thread, a child's exit status).
bool eventually(const std::function<bool()>& cond,
                std::chrono::milliseconds limit = std::chrono::milliseconds(5000));

/// Runs a shell command, returns its exit status and (merged) output.
struct CommandResult {
    int status;
    std::string output;
};
CommandResult run_command(const std::string& command);

/// A fresh private directory under /tmp, removed with its contents at the end.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

void write_file(const std::string& path, const std::string& text);

/// `tshark -r FILE -Y FILTER -T fields -e F1 -e F2 ...`: one row per frame, one column per field.
std::vector<std::vector<std::string>> tshark_fields(const std::string& capture,
                                                    const std::string& filter,
                                                    const std::vector<std::string>& fields);
/// The frame numbers of the IGMPv3/MLDv2 reports matching `filter` that hold a record of
/// `record_type` for `group`. A report carries several records, so a filter on
/// `igmp.maddr == G && igmp.record_type == T` alone also matches G's TO_IN next to another group's TO_EX.
std::vector<unsigned long> report_frames(const std::string& capture, const std::string& filter, int record_type,
                                         const std::string& group);
/// Frames tshark flags as malformed or with expert info of warning severity or worse, plus
/// rfc_violation_count().
int tshark_problem_count(const std::string& capture);
/// Frames matching one of the IGMP/MLD RFC checks of reference/multicast-rfc.md §14.
int rfc_violation_count(const std::string& capture);

/// A network namespace made by the test and deleted by name at the end.
class NetNamespace {
public:
    explicit NetNamespace(const std::string& name);
    ~NetNamespace();
    const std::string& name() const { return name_; }
    /// Runs a shell command inside the namespace.
    CommandResult run(const std::string& command) const;
    /// The argv prefix that runs a program inside the namespace.
    std::vector<std::string> exec_prefix() const;

private:
    std::string name_;
};

}  // namespace caplnet::test
