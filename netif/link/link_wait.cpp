#include "netif/link/link_wait.hpp"

#include <poll.h>

namespace caplnet::netif {

bool wait_link_writable(const Link& link, int timeout_ms) {
    pollfd pfd{link.data_fd(), POLLOUT, 0};
    return ::poll(&pfd, 1, timeout_ms) > 0;
}

bool link_readable(const Link& link) {
    pollfd pfd{link.data_fd(), POLLIN, 0};
    return ::poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN) != 0;
}

}  // namespace caplnet::netif
