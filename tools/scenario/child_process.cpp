#include "tools/scenario/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace caplnet::tools {

bool ChildProcess::spawn(const std::vector<std::string>& argv, std::string& error) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return false;
    }
    if (::pipe2(out, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        ::close(in[0]);
        ::close(in[1]);
        return false;
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        error = std::string("fork: ") + std::strerror(errno);
        for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
        return false;
    }
    if (pid == 0) {
        // Only async-signal-safe calls from here to exec.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);  // the runner died before prctl took effect
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(out[1], 2);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::setpgid(pid, pid);  // also here: no race with a signal to the group right after fork
    ::close(in[0]);
    ::close(out[1]);
    in_fd_ = in[1];
    out_fd_ = out[0];
    ::fcntl(out_fd_, F_SETFL, ::fcntl(out_fd_, F_GETFL) | O_NONBLOCK);
    pid_ = pid;
    return true;
}

ChildProcess::~ChildProcess() {
    if (running()) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (in_fd_ >= 0) ::close(in_fd_);
    if (out_fd_ >= 0) ::close(out_fd_);
}

bool ChildProcess::read_lines(std::vector<std::string>& lines) {
    if (out_fd_ < 0) return false;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(out_fd_, buf, sizeof buf);
        if (n > 0) {
            partial_.append(buf, static_cast<std::size_t>(n));
            std::size_t nl;
            while ((nl = partial_.find('\n')) != std::string::npos) {
                lines.push_back(partial_.substr(0, nl));
                partial_.erase(0, nl + 1);
            }
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return true;
        if (!partial_.empty()) lines.push_back(std::move(partial_));
        partial_.clear();
        ::close(out_fd_);
        out_fd_ = -1;
        return false;
    }
}

bool ChildProcess::send_line(const std::string& line) {
    if (in_fd_ < 0 || !running()) return false;
    const std::string text = line + "\n";
    // SIGPIPE is blocked in the runner, so a dead reader is EPIPE here, not a signal.
    return ::write(in_fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

void ChildProcess::signal(int sig) const {
    if (running()) ::kill(-pid_, sig);
}

bool ChildProcess::poll_exit() {
    if (status_) return true;
    if (pid_ <= 0) return false;
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) status_ = st;
    return status_.has_value();
}

std::string ChildProcess::describe_exit() const {
    if (!status_) return "running";
    if (WIFEXITED(*status_)) return "exited with status " + std::to_string(WEXITSTATUS(*status_));
    if (WIFSIGNALED(*status_)) {
        const int sig = WTERMSIG(*status_);
        const char* name = sigabbrev_np(sig);
        return "killed by signal " + std::to_string(sig) + (name ? std::string(" (SIG") + name + ")" : "");
    }
    return "ended";
}

}  // namespace caplnet::tools
