#pragma once
// SIGINT/SIGTERM for the long-running commands (switch, plug, replay): the work runs on a thread
// of its own, the calling thread waits for the signal, and either end releases the other.
#include <functional>

namespace caplnet::tools {

/// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts later: call it
/// before starting any thread, so that only stop-signal waits see them.
void block_stop_signals();

/// Runs `work` on its own thread until it returns. A SIGINT or SIGTERM meanwhile calls `interrupt`,
/// which must make `work` return soon. Needs block_stop_signals() first.
void run_until_stop_signal(const std::function<void()>& work, const std::function<void()>& interrupt);

}  // namespace caplnet::tools
