#pragma once
// The processes `caplnet run` starts (switches, nodes, replays): each in its own process group
// (a Ctrl-C on the terminal reaches the runner only, which stops them in order), killed by the
// kernel if the runner dies (PR_SET_PDEATHSIG), with stdin as a command pipe and stdout+stderr
// as one pipe the runner reads line by line.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace caplnet::tools {

class ChildProcess {
public:
    /// Starts argv[0] (a path) with argv; false and `error` set if it cannot start.
    bool spawn(const std::vector<std::string>& argv, std::string& error);
    ~ChildProcess();

    pid_t pid() const { return pid_; }
    bool running() const { return pid_ > 0 && !status_; }
    /// The output pipe (non-blocking), -1 once it reached EOF.
    int output_fd() const { return out_fd_; }
    /// Reads what the pipe has; complete lines go to `lines`. Returns false at EOF.
    bool read_lines(std::vector<std::string>& lines);
    /// Writes one line to the child's stdin; false if the child is gone.
    bool send_line(const std::string& line);
    void signal(int sig) const;
    /// Reaps the child if it has exited (waitpid WNOHANG); true once it has.
    bool poll_exit();
    /// The wait status, once exited.
    std::optional<int> status() const { return status_; }
    /// "exited with status N" / "killed by signal N (NAME)".
    std::string describe_exit() const;

private:
    pid_t pid_ = -1;
    int in_fd_ = -1;
    int out_fd_ = -1;
    std::string partial_;
    std::optional<int> status_;
};

}  // namespace caplnet::tools
