#pragma once
// Running a node from your own executable:
//   auto node = caplnet::Node::start("ecu.toml");
//   node.program().on_start([] { ... });
//   node.run_for(std::chrono::seconds(10));
// One node per process (one lwIP stack per process).
#include <chrono>
#include <string>

#include "caplnet/capl/program.hpp"

namespace caplnet {

namespace capl::detail {
class Runtime;
}

struct NodeStartOptions {
    std::string run_dir;        // relative link paths in the node file resolve against it
    std::string capture;        // pcapng of every frame of every adapter; empty: none
    capl::Parameters parameters;
    std::chrono::seconds ready_timeout{20};
};

class Node {
public:
    /// Starts the node of `node_file` and waits until it is ready (IPv6 DAD done). Throws
    /// std::runtime_error with the reason (bad node file, link that cannot open, ...).
    static Node start(const std::string& node_file, NodeStartOptions options = {});
    Node(Node&& other) noexcept;
    Node& operator=(Node&&) = delete;
    /// Runs the program's stop handlers and stops the node.
    ~Node();

    capl::Program& program();
    /// Runs `on start` (the first time), then the program's events and timers for `duration`
    /// or until stop().
    void run_for(std::chrono::milliseconds duration);
    /// `on key`: queued as an event of the program thread.
    void press_key(char key);
    /// Any thread: makes run_for return.
    void stop();

private:
    explicit Node(capl::detail::Runtime* rt) : rt_(rt) {}
    capl::detail::Runtime* rt_;
};

}  // namespace caplnet
