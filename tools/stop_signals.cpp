#include "tools/stop_signals.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace caplnet::tools {

namespace {

sigset_t stop_set() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    return s;
}

}  // namespace

void block_stop_signals() {
    const sigset_t s = stop_set();
    pthread_sigmask(SIG_BLOCK, &s, nullptr);
}

void run_until_stop_signal(const std::function<void()>& work, const std::function<void()>& interrupt) {
    std::atomic<bool> done{false};
    std::thread worker([&] {
        work();
        done = true;
        // Work that ends on its own must not leave the signal wait hanging; the signal is blocked
        // everywhere, so it only ends that wait.
        ::kill(::getpid(), SIGTERM);
    });
    const sigset_t s = stop_set();
    int sig = 0;
    sigwait(&s, &sig);
    if (!done) interrupt();
    worker.join();
}

}  // namespace caplnet::tools
