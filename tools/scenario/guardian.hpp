#pragma once
// Cleans up after `caplnet run` whatever way it ends. A process forked at the start keeps a pipe
// from the runner and a list of what the runner made (process groups, directories); if the pipe
// closes without "done" — the runner crashed or was killed with SIGKILL — it kills those groups
// and removes those directories. A clean run tells it "done" after cleaning up itself.
#include <sys/types.h>

#include <string>

namespace caplnet::tools {

class Guardian {
public:
    /// Forks the guardian; call before any thread starts. False if it cannot.
    bool start();
    ~Guardian();
    void watch_process_group(pid_t pgid);
    void forget_process_group(pid_t pgid);
    void watch_directory(const std::string& path);
    /// Everything is cleaned up: the guardian exits without touching anything.
    void done();

private:
    void send(const std::string& line);
    int fd_ = -1;
    pid_t pid_ = -1;
};

}  // namespace caplnet::tools
