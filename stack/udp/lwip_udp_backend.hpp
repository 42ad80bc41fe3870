#pragma once
// Product mode: the node's UdpService on its stack thread, each call marshalled there.
#include "stack/node.hpp"
#include "stack/udp/udp_backend.hpp"

namespace caplnet::stack {

class LwipUdpBackend final : public UdpBackend {
public:
    explicit LwipUdpBackend(Node& node);

    // UdpBackend
    void set_sink(Sink sink) override;
    Expected<SocketId, Error> open(Family family) override;
    Expected<void, Error> bind(SocketId s, Endpoint local) override;
    Expected<void, Error> connect(SocketId s, Endpoint remote) override;
    Expected<void, Error> close(SocketId s) override;
    Expected<void, Error> send(SocketId s, std::optional<Endpoint> to,
                               std::span<const std::uint8_t> data) override;
    Expected<void, Error> join(SocketId s, std::uint32_t if_index, const IpAddress& group) override;
    Expected<void, Error> leave(SocketId s, std::uint32_t if_index, const IpAddress& group) override;
    Expected<void, Error> set_multicast_interface(SocketId s, std::uint32_t if_index) override;
    Expected<void, Error> set_option(SocketId s, SocketOption o, int value) override;
    Expected<int, Error> option(SocketId s, SocketOption o) override;
    Expected<std::optional<Datagram>, Error> receive(SocketId s) override;
    Expected<SocketInfo, Error> info(SocketId s) override;
    const std::vector<AdapterInfo>& adapters() const override { return adapters_; }
    bool product_stack() const override { return true; }

private:
    template <class F>
    auto on_stack(F&& fn) {
        return node_.loop().call([this, &fn](StackThread& t) { return fn(node_.udp(t), t); });
    }
    Node& node_;
    std::vector<AdapterInfo> adapters_;
};

}  // namespace caplnet::stack
