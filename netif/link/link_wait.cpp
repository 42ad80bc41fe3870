#include "netif/link/link_wait.hpp"

#include <poll.h>

namespace caplnet::netif {

bool Link::wait_writable(int timeout_ms) {
    pollfd pfd{data_fd(), POLLOUT, 0};
    return ::poll(&pfd, 1, timeout_ms) > 0;
}

bool Link::readable() {
    pollfd pfd{data_fd(), POLLIN, 0};
    return ::poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN) != 0;
}

bool wait_link_writable(Link& link, int timeout_ms) { return link.wait_writable(timeout_ms); }

bool link_readable(Link& link) { return link.readable(); }

}  // namespace caplnet::netif
