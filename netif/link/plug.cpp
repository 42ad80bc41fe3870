#include "netif/link/plug.hpp"

#include <poll.h>

#include <cerrno>
#include <vector>

namespace caplnet::netif {

namespace {

/// Moves what `from` has now to `to`. False once `from` has ended.
Expected<void, std::string> relay(Link& from, Link& to, FrameBatch& batch, PlugDirection& c) {
    auto got = from.receive(batch);
    if (!got) {
        if (got.error().kind == LinkError::Kind::WouldBlock) return {};
        return unexpected(from.url() + ": " + got.error().message);
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto sent = to.send(batch.frame(i));
        if (sent) {
            ++c.frames;
            c.bytes += batch.frame(i).size();
        } else if (sent.error().kind == LinkError::Kind::WouldBlock) {
            ++c.dropped_full;
        } else if (sent.error().kind == LinkError::Kind::Closed) {
            return unexpected(to.url() + ": " + sent.error().message);
        } else {
            ++c.dropped_error;
        }
    }
    return {};
}

}  // namespace

Expected<void, std::string> run_plug(Link& a, Link& b, const std::atomic<bool>& stop, PlugCounters& counters) {
    FrameBatch batch;
    while (!stop) {
        std::vector<pollfd> fds{{a.data_fd(), POLLIN, 0}, {b.data_fd(), POLLIN, 0}};
        if (a.control_fd() >= 0) fds.push_back({a.control_fd(), POLLIN, 0});
        if (b.control_fd() >= 0) fds.push_back({b.control_fd(), POLLIN, 0});
        const int n = ::poll(fds.data(), fds.size(), 100);
        if (n < 0 && errno != EINTR) return unexpected(std::string("poll failed"));
        if (n <= 0) continue;
        if (fds[0].revents != 0) {
            if (auto r = relay(a, b, batch, counters.a_to_b); !r) return r;
        }
        if (fds[1].revents != 0) {
            if (auto r = relay(b, a, batch, counters.b_to_a); !r) return r;
        }
        for (std::size_t i = 2; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            Link& l = fds[i].fd == a.control_fd() ? a : b;
            if (!l.check_control()) return unexpected(l.url() + ": the peer has gone");
        }
    }
    return {};
}

}  // namespace caplnet::netif
