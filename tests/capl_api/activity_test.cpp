// The socket activity a node reports: datagrams are counted per socket and per membership, a
// datagram after a leave is told apart, and closed sockets keep their counts.
#include <catch2/catch.hpp>

#include "capl_api/activity.hpp"

using caplnet::capl::detail::Activity;
namespace stack = caplnet::stack;

namespace {

stack::Datagram to_group(std::uint8_t last, std::uint32_t if_index) {
    stack::Datagram d;
    d.to = stack::IpAddress::v4({239, 0, 0, last});
    d.if_index = if_index;
    return d;
}

}  // namespace

TEST_CASE("Activity counts datagrams per socket and per membership", "[activity]") {
    Activity a;
    a.opened(1, stack::Family::V4);
    a.bound(1, {stack::IpAddress::any(stack::Family::V4), 40001});
    a.membership(1, 1, stack::IpAddress::v4({239, 0, 0, 1}), true);
    a.received(1, to_group(1, 1));
    a.received(1, to_group(1, 1));
    a.received(1, to_group(1, 2));  // another interface: not this membership
    a.received(1, to_group(9, 1));  // a group never joined (the Linux delivery rule)
    a.membership(1, 1, stack::IpAddress::v4({239, 0, 0, 1}), false);
    a.received(1, to_group(1, 1));  // after the leave
    a.sent(1, true);
    a.sent(1, false);

    const auto s = a.snapshot();
    REQUIRE(s.sockets.size() == 1);
    CHECK(s.sockets[0].received == 5);
    CHECK(s.sockets[0].sent == 1);
    CHECK(s.sockets[0].send_failed == 1);
    CHECK(s.sockets[0].local->port == 40001);
    REQUIRE(s.groups.size() == 1);
    CHECK(s.groups[0].joins == 1);
    CHECK(s.groups[0].leaves == 1);
    CHECK(s.groups[0].received == 2);
    CHECK(s.groups[0].received_after_leave == 1);
    CHECK_FALSE(s.groups[0].member);
}

TEST_CASE("Activity keeps closed sockets apart from a new socket with the same id", "[activity]") {
    Activity a;
    a.opened(3, stack::Family::V6);
    a.membership(3, 1, stack::IpAddress::v6({0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x23}, 1), true);
    stack::Datagram d;
    d.to = stack::IpAddress::v6({0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x23});
    d.if_index = 1;
    a.received(3, d);  // the joined address had a zone, the datagram has none: same group
    a.closed(3, 7);
    a.opened(3, stack::Family::V4);
    a.received(3, to_group(1, 1));

    const auto s = a.snapshot();
    REQUIRE(s.sockets.size() == 2);
    CHECK_FALSE(s.sockets[0].open);
    CHECK(s.sockets[0].received == 1);
    CHECK(s.sockets[0].queue_drops == 7);
    CHECK(s.sockets[1].open);
    CHECK(s.sockets[1].received == 1);
    REQUIRE(s.groups.size() == 1);
    CHECK(s.groups[0].received == 1);
    CHECK_FALSE(s.groups[0].member);
}
