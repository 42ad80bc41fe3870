#include <stdexcept>

#include "capl_api/runtime.hpp"
#include "caplnet/node.hpp"

namespace caplnet {

Node Node::start(const std::string& node_file, NodeStartOptions options) {
    stack::NodeConfig config;
    try {
        config = stack::load_node_config(node_file);
    } catch (const stack::ConfigError& e) {
        throw std::runtime_error(e.what());
    }
    auto rt = capl::detail::Runtime::start(std::move(config), {options.run_dir, options.capture, {}});
    if (!rt) throw std::runtime_error(rt.error());
    (*rt)->program().set_parameters(std::move(options.parameters));
    if ((*rt)->node() != nullptr && !(*rt)->node()->wait_ready(options.ready_timeout)) {
        capl::detail::Runtime::shutdown();
        throw std::runtime_error(node_file + ": the node did not finish IPv6 DAD in time");
    }
    return Node(*rt);
}

Node::Node(Node&& other) noexcept : rt_(other.rt_) { other.rt_ = nullptr; }

Node::~Node() {
    if (rt_ == nullptr) return;
    rt_->run_stop_handlers();
    capl::detail::Runtime::shutdown();
}

capl::Program& Node::program() { return rt_->program(); }

void Node::run_for(std::chrono::milliseconds duration) {
    rt_->run_until(std::chrono::steady_clock::now() + duration);
}

void Node::press_key(char key) { rt_->post_key(key); }

void Node::stop() { rt_->stop(); }

}  // namespace caplnet
