#include "tools/scenario/guardian.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <vector>

namespace caplnet::tools {

namespace {

[[noreturn]] void guard(int fd) {
    // The terminal's Ctrl-C reaches the whole foreground group; the guardian outlives it on
    // purpose and acts only when the runner is gone.
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    std::set<pid_t> groups;
    std::vector<std::string> dirs;
    bool done = false;
    std::string buffer;
    char chunk[512];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buffer.append(chunk, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = buffer.find('\n')) != std::string::npos) {
            const std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            if (line.rfind("pid ", 0) == 0) groups.insert(std::stoi(line.substr(4)));
            if (line.rfind("unpid ", 0) == 0) groups.erase(std::stoi(line.substr(6)));
            if (line.rfind("dir ", 0) == 0) dirs.push_back(line.substr(4));
            if (line == "done") done = true;
        }
    }
    if (!done) {
        for (pid_t g : groups) ::kill(-g, SIGKILL);
        std::error_code ec;
        for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
        std::fprintf(stderr, "caplnet run: the runner ended abruptly; its processes and run directory are removed\n");
    }
    ::_exit(0);
}

}  // namespace

bool Guardian::start() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return false;
    const pid_t pid = ::fork();
    if (pid < 0) return false;
    if (pid == 0) {
        ::close(p[1]);
        guard(p[0]);
    }
    ::close(p[0]);
    fd_ = p[1];
    pid_ = pid;
    return true;
}

Guardian::~Guardian() {
    if (fd_ >= 0) ::close(fd_);
    if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
}

void Guardian::send(const std::string& line) {
    if (fd_ < 0) return;
    const std::string text = line + "\n";
    (void)!::write(fd_, text.data(), text.size());
}

void Guardian::watch_process_group(pid_t pgid) { send("pid " + std::to_string(pgid)); }
void Guardian::forget_process_group(pid_t pgid) { send("unpid " + std::to_string(pgid)); }
void Guardian::watch_directory(const std::string& path) { send("dir " + path); }
void Guardian::done() { send("done"); }

}  // namespace caplnet::tools
