// Return codes and last errors of the CAPL TCP/IP API, one table row per call (SPEC §2–§4).
// Each TEST_CASE is a real node (real lwIP, one per test process) on a `caplnet switch`, with
// two adapters, the first with one VLAN subinterface: ifIndex 1 = eth0, 2 = eth0.10, 3 = eth1.
//
// Every row says what the call returns, what IpGetLastError() reads afterwards and, where the
// call names a valid socket, what IpGetLastSocketError(socket) reads. "unchanged" means the value
// from just before the call. Before each row a primer call fails on purpose (with a code the row
// does not expect), so a row that expects a code proves the call stored it.
//
// Not here, because the API cannot express them yet: stack = "os" rows (caplnet::Node::start
// refuses OS-stack nodes), and the 10041 rows (no TCP sockets in the C++ API).
#include <array>
#include <catch2/catch.hpp>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "caplnet/capl.hpp"
#include "caplnet/node.hpp"
#include "tests/support/process.hpp"

namespace caplnet::capl {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::TempDir;

constexpr dword kUnknownHandle = 0x00ABCDEF;  // handles count from 1; this one is never issued
constexpr dword kNoSocket = 0;                // a row without a valid socket to check
constexpr dword kIfCount = 3;                 // eth0, eth0.10, eth1
constexpr dword kIfTooLarge = kIfCount + 1;
constexpr std::optional<capl_long> kUnchanged = std::nullopt;

// The primer's codes: WSAENOPROTOOPT for an unknown option, or 87 for a row that expects 10042.
constexpr capl_long kPrimerCode = wsa::kNoProtoOpt;
constexpr capl_long kOtherPrimerCode = wsa::kInvalidParameter;

std::string node_file(const std::string& extra) {
    return R"(
name = "rc"
seed = 7
)" + extra + R"(
[[adapter]]
name = "eth0"
link = "vde://sw"
mac = "02:00:00:00:00:01"
ipv4 = ["10.0.0.1/24"]
ipv6 = ["fd00::1/64"]
  [[adapter.vlan]]
  id = 10
  ipv4 = ["10.0.10.1/24"]
  ipv6 = ["fd00:10::1/64"]

[[adapter]]
name = "eth1"
link = "vde://sw"
mac = "02:00:00:00:00:02"
ipv4 = ["10.0.1.1/24"]
ipv6 = ["fd01::1/64"]
)";
}

/// The switch and the node of one TEST_CASE (destroyed in reverse: node, switch, directory).
struct Fixture {
    explicit Fixture(const std::string& extra = {})
        : sw({CAPLNET_BINARY, "switch", dir.file("sw")}), node(start(extra)) {}

    caplnet::Node start(const std::string& extra) {
        REQUIRE(sw.wait_for("switch ready", 10s));
        test::write_file(dir.file("n.toml"), node_file(extra));
        caplnet::NodeStartOptions options;
        options.run_dir = dir.path();
        return caplnet::Node::start(dir.file("n.toml"), options);
    }

    TempDir dir;
    ChildProcess sw;
    caplnet::Node node;
};

struct Row {
    Row(std::string what_, std::function<capl_long()> call_, capl_long result_,
        std::optional<capl_long> last_error_, dword socket_ = kNoSocket,
        std::optional<capl_long> socket_error_ = kUnchanged, bool prime_ = true)
        : what(std::move(what_)), call(std::move(call_)), result(result_),
          last_error(last_error_), socket(socket_), socket_error(socket_error_), prime(prime_) {}

    std::string what;
    std::function<capl_long()> call;
    capl_long result;
    std::optional<capl_long> last_error;    // IpGetLastError() afterwards; kUnchanged
    dword socket;                           // a valid socket the call names, or kNoSocket
    std::optional<capl_long> socket_error;  // IpGetLastSocketError(socket) afterwards; kUnchanged
    bool prime;                             // false: rows that read the last errors themselves
};

std::array<byte, 16> v6(const char* text) {
    std::array<byte, 16> a{};
    REQUIRE(IpGetAddressAsArray(text, a) == 0);
    return a;
}

dword v4(const char* text) { return IpGetAddressAsNumber(text); }

/// Leaves a code in the global last error (and `socket`'s) that `row` does not expect.
void prime(const Row& row, dword primer_socket) {
    const dword s = row.socket != kNoSocket ? row.socket : primer_socket;
    const bool avoid = row.last_error == kPrimerCode || row.socket_error == kPrimerCode;
    capl_long value = 0;
    if (!avoid) {
        REQUIRE(IpGetSocketOption(s, "NO_SUCH_LEVEL", "NO_SUCH_OPTION", value) == -1);
    } else {
        REQUIRE(IpJoinMulticastGroup(s, 0xFFFF, v4("239.255.0.1")) == 87);
    }
    const capl_long code = avoid ? kOtherPrimerCode : kPrimerCode;
    REQUIRE(IpGetLastError() == code);
    REQUIRE(IpGetLastSocketError(s) == code);
}

void run(const std::vector<Row>& rows, dword primer_socket) {
    REQUIRE(primer_socket != wsa::kInvalidSocket);
    for (const Row& row : rows) {
        INFO(row.what);
        if (row.prime) prime(row, primer_socket);
        const capl_long global_before = IpGetLastError();
        const capl_long socket_before =
            row.socket != kNoSocket ? IpGetLastSocketError(row.socket) : 0;

        CHECK(row.call() == row.result);
        CHECK(IpGetLastError() == row.last_error.value_or(global_before));
        if (row.socket != kNoSocket) {
            CHECK(IpGetLastSocketError(row.socket) == row.socket_error.value_or(socket_before));
        }
    }
}

/// Rows that check a UdpOpen: a handle (0) or INVALID_SOCKET (-1).
capl_long opened(dword handle) { return handle == wsa::kInvalidSocket ? -1 : 0; }

}  // namespace

TEST_CASE("Multicast membership calls return the codes of SPEC sections 2 and 4 in their order",
          "[capl][return_codes][multicast]") {
    Fixture f("[limits]\nmemberships_per_socket = 8\n");
    const dword primer = UdpOpen(0, 0);
    const dword s4 = UdpOpen(0, 40001);
    const dword s6 = UdpOpen(v6("::"), 40002);
    const dword lim = UdpOpen(0, 40003);
    const dword closed = UdpOpen(0, 40004);
    REQUIRE(s4 != wsa::kInvalidSocket);
    REQUIRE(s6 != wsa::kInvalidSocket);
    REQUIRE(lim != wsa::kInvalidSocket);
    REQUIRE(UdpClose(closed) == 0);
    UdpSocket m4 = UdpSocket::Open(0, 40005);
    UdpSocket m6 = UdpSocket::Open(v6("::"), 40006);
    UdpSocket never_opened;

    const dword g4 = v4("239.1.1.1");
    const dword g4b = v4("239.1.1.2");
    const dword unicast4 = v4("10.0.0.5");
    const auto g6 = v6("ff15::1:1");
    const auto g6b = v6("ff15::1:2");
    const auto unicast6 = v6("fd00::5");
    const std::array<byte, 4> four_bytes{239, 1, 1, 1};
    const IP_Address a4("239.1.2.1");
    const IP_Address a6("ff15::2:1");
    const IP_Address a4_unicast("10.0.0.5");
    const IP_Address a6_unicast("fd00::5");
    const IP_Address unset;

    // clang-format off
    const std::vector<Row> rows = {
        // --- IpJoinMulticastGroup, form 1 (dword IPv4)
        {"join dword: valid", [&] { return IpJoinMulticastGroup(s4, 1, g4); }, 0, kUnchanged, s4, kUnchanged},
        {"join dword: unknown handle", [&] { return IpJoinMulticastGroup(kUnknownHandle, 1, g4); }, 87, 87},
        {"join dword: closed handle", [&] { return IpJoinMulticastGroup(closed, 1, g4); }, 87, 87},
        {"join dword: ifIndex 0", [&] { return IpJoinMulticastGroup(s4, 0, g4b); }, 87, 87, s4, 87},
        {"join dword: ifIndex count+1", [&] { return IpJoinMulticastGroup(s4, kIfTooLarge, g4b); }, 87, 87, s4, 87},
        {"join dword: IPv4 group on an IPv6 socket", [&] { return IpJoinMulticastGroup(s6, 1, g4); }, -1, 10047, s6, 10047},
        {"join dword: non-multicast group", [&] { return IpJoinMulticastGroup(s4, 1, unicast4); }, -1, 10022, s4, 10022},
        {"join dword: double join", [&] { return IpJoinMulticastGroup(s4, 1, g4); }, -1, 10048, s4, 10048},
        {"join dword: same group on the VLAN interface", [&] { return IpJoinMulticastGroup(s4, 2, g4); }, 0, kUnchanged, s4, kUnchanged},
        {"join dword: same group on the last interface", [&] { return IpJoinMulticastGroup(s4, kIfCount, g4); }, 0, kUnchanged, s4, kUnchanged},
        {"join dword: 224.0.0.1 is a group like any", [&] { return IpJoinMulticastGroup(s4, 1, v4("224.0.0.1")); }, 0, kUnchanged, s4, kUnchanged},
        // --- form 2 (byte[16] IPv6)
        {"join bytes: valid", [&] { return IpJoinMulticastGroup(s6, 1, g6); }, 0, kUnchanged, s6, kUnchanged},
        {"join bytes: unknown handle", [&] { return IpJoinMulticastGroup(kUnknownHandle, 1, g6); }, 87, 87},
        {"join bytes: closed handle", [&] { return IpJoinMulticastGroup(closed, 1, g6); }, 87, 87},
        {"join bytes: ifIndex 0", [&] { return IpJoinMulticastGroup(s6, 0, g6b); }, 87, 87, s6, 87},
        {"join bytes: ifIndex count+1", [&] { return IpJoinMulticastGroup(s6, kIfTooLarge, g6b); }, 87, 87, s6, 87},
        {"join bytes: IPv6 group on an IPv4 socket", [&] { return IpJoinMulticastGroup(s4, 1, g6); }, -1, 10047, s4, 10047},
        {"join bytes: non-multicast group", [&] { return IpJoinMulticastGroup(s6, 1, unicast6); }, -1, 10022, s6, 10022},
        {"join bytes: double join", [&] { return IpJoinMulticastGroup(s6, 1, g6); }, -1, 10048, s6, 10048},
        {"join bytes: 4 bytes are no IPv6 group", [&] { return IpJoinMulticastGroup(s6, 1, four_bytes); }, -1, 10022, s6, 10022},
        {"join bytes: same group on the VLAN interface", [&] { return IpJoinMulticastGroup(s6, 2, g6); }, 0, kUnchanged, s6, kUnchanged},
        // --- form 3 (IP_Address)
        {"join IP_Address: valid IPv4", [&] { return IpJoinMulticastGroup(s4, 1, a4); }, 0, kUnchanged, s4, kUnchanged},
        {"join IP_Address: valid IPv6", [&] { return IpJoinMulticastGroup(s6, 1, a6); }, 0, kUnchanged, s6, kUnchanged},
        {"join IP_Address: unknown handle", [&] { return IpJoinMulticastGroup(kUnknownHandle, 1, a4); }, 87, 87},
        {"join IP_Address: closed handle", [&] { return IpJoinMulticastGroup(closed, 1, a4); }, 87, 87},
        {"join IP_Address: ifIndex 0", [&] { return IpJoinMulticastGroup(s4, 0, a4); }, 87, 87, s4, 87},
        {"join IP_Address: ifIndex count+1", [&] { return IpJoinMulticastGroup(s6, kIfTooLarge, a6); }, 87, 87, s6, 87},
        {"join IP_Address: IPv6 group on an IPv4 socket", [&] { return IpJoinMulticastGroup(s4, 1, a6); }, -1, 10047, s4, 10047},
        {"join IP_Address: IPv4 group on an IPv6 socket", [&] { return IpJoinMulticastGroup(s6, 1, a4); }, -1, 10047, s6, 10047},
        {"join IP_Address: non-multicast IPv4", [&] { return IpJoinMulticastGroup(s4, 1, a4_unicast); }, -1, 10022, s4, 10022},
        {"join IP_Address: non-multicast IPv6", [&] { return IpJoinMulticastGroup(s6, 1, a6_unicast); }, -1, 10022, s6, 10022},
        {"join IP_Address: unset address", [&] { return IpJoinMulticastGroup(s4, 1, unset); }, -1, 10022, s4, 10022},
        {"join IP_Address: double join IPv4", [&] { return IpJoinMulticastGroup(s4, 1, a4); }, -1, 10048, s4, 10048},
        {"join IP_Address: double join IPv6", [&] { return IpJoinMulticastGroup(s6, 1, a6); }, -1, 10048, s6, 10048},
        {"join IP_Address: the same group written as a dword is the same membership", [&] { return IpJoinMulticastGroup(s4, 1, v4("239.1.2.1")); }, -1, 10048, s4, 10048},
        // --- SPEC §4 order: handle -> ifIndex -> family -> multicast -> membership -> limits
        {"order: unknown handle before ifIndex 0", [&] { return IpJoinMulticastGroup(kUnknownHandle, 0, unicast4); }, 87, 87},
        {"order: ifIndex 0 before the family", [&] { return IpJoinMulticastGroup(s6, 0, g4); }, 87, 87, s6, 87},
        {"order: ifIndex before an unset address", [&] { return IpJoinMulticastGroup(s4, kIfTooLarge, unset); }, 87, 87, s4, 87},
        {"order: family before non-multicast", [&] { return IpJoinMulticastGroup(s6, 1, unicast4); }, -1, 10047, s6, 10047},
        {"order: family before membership (s4 holds this group)", [&] { return IpJoinMulticastGroup(s6, 1, a4); }, -1, 10047, s6, 10047},
        {"order: fill the socket's 8 memberships", [&] {
             for (int i = 1; i <= 8; ++i) {
                 const std::string g = "239.2.0." + std::to_string(i);
                 if (capl_long r = IpJoinMulticastGroup(lim, 1, v4(g.c_str())); r != 0) return r;
             }
             return 0;
         }, 0, kUnchanged, lim, kUnchanged},
        {"order: membership (10048) before the limit", [&] { return IpJoinMulticastGroup(lim, 1, v4("239.2.0.1")); }, -1, 10048, lim, 10048},
        {"order: the ninth membership hits the limit", [&] { return IpJoinMulticastGroup(lim, 1, v4("239.2.0.9")); }, -1, 10055, lim, 10055},
        {"order: the limit counts every interface", [&] { return IpJoinMulticastGroup(lim, 2, v4("239.2.0.1")); }, -1, 10055, lim, 10055},
        {"order: leave of a group not joined at the limit", [&] { return IpLeaveMulticastGroup(lim, 1, v4("239.2.0.9")); }, -1, 10049, lim, 10049},
        {"order: a leave makes room", [&] { return IpLeaveMulticastGroup(lim, 1, v4("239.2.0.8")); }, 0, kUnchanged, lim, kUnchanged},
        {"order: the ninth group joins after the leave", [&] { return IpJoinMulticastGroup(lim, 1, v4("239.2.0.9")); }, 0, kUnchanged, lim, kUnchanged},

        // --- IpLeaveMulticastGroup, form 1 (dword IPv4); s4 holds g4 on 1, 2 and 3
        {"leave dword: unknown handle", [&] { return IpLeaveMulticastGroup(kUnknownHandle, 1, g4); }, 87, 87},
        {"leave dword: closed handle", [&] { return IpLeaveMulticastGroup(closed, 1, g4); }, 87, 87},
        {"leave dword: ifIndex 0", [&] { return IpLeaveMulticastGroup(s4, 0, g4); }, 87, 87, s4, 87},
        {"leave dword: ifIndex count+1", [&] { return IpLeaveMulticastGroup(s4, kIfTooLarge, g4); }, 87, 87, s4, 87},
        {"leave dword: IPv4 group on an IPv6 socket", [&] { return IpLeaveMulticastGroup(s6, 1, g4); }, -1, 10047, s6, 10047},
        {"leave dword: non-multicast group", [&] { return IpLeaveMulticastGroup(s4, 1, unicast4); }, -1, 10022, s4, 10022},
        {"leave dword: valid", [&] { return IpLeaveMulticastGroup(s4, 1, g4); }, 0, kUnchanged, s4, kUnchanged},
        {"leave dword: second leave (not joined there any more)", [&] { return IpLeaveMulticastGroup(s4, 1, g4); }, -1, 10049, s4, 10049},
        {"leave dword: the group is still joined on the VLAN interface", [&] { return IpLeaveMulticastGroup(s4, 2, g4); }, 0, kUnchanged, s4, kUnchanged},
        {"leave dword: group never joined on any interface", [&] { return IpLeaveMulticastGroup(s4, 1, g4b); }, -1, 10049, s4, 10049},
        {"leave dword: group joined by another socket only", [&] { return IpLeaveMulticastGroup(s4, 1, v4("239.2.0.1")); }, -1, 10049, s4, 10049},
        {"leave dword: rejoin after the leave", [&] { return IpJoinMulticastGroup(s4, 1, g4); }, 0, kUnchanged, s4, kUnchanged},
        // --- form 2 (byte[16] IPv6); s6 holds g6 on 1 and 2
        {"leave bytes: unknown handle", [&] { return IpLeaveMulticastGroup(kUnknownHandle, 1, g6); }, 87, 87},
        {"leave bytes: closed handle", [&] { return IpLeaveMulticastGroup(closed, 1, g6); }, 87, 87},
        {"leave bytes: ifIndex 0", [&] { return IpLeaveMulticastGroup(s6, 0, g6); }, 87, 87, s6, 87},
        {"leave bytes: ifIndex count+1", [&] { return IpLeaveMulticastGroup(s6, kIfTooLarge, g6); }, 87, 87, s6, 87},
        {"leave bytes: IPv6 group on an IPv4 socket", [&] { return IpLeaveMulticastGroup(s4, 1, g6); }, -1, 10047, s4, 10047},
        {"leave bytes: non-multicast group", [&] { return IpLeaveMulticastGroup(s6, 1, unicast6); }, -1, 10022, s6, 10022},
        {"leave bytes: 4 bytes are no IPv6 group", [&] { return IpLeaveMulticastGroup(s6, 1, four_bytes); }, -1, 10022, s6, 10022},
        {"leave bytes: not joined on that interface", [&] { return IpLeaveMulticastGroup(s6, kIfCount, g6); }, -1, 10049, s6, 10049},
        {"leave bytes: valid", [&] { return IpLeaveMulticastGroup(s6, 1, g6); }, 0, kUnchanged, s6, kUnchanged},
        {"leave bytes: second leave", [&] { return IpLeaveMulticastGroup(s6, 1, g6); }, -1, 10049, s6, 10049},
        {"leave bytes: group never joined", [&] { return IpLeaveMulticastGroup(s6, 1, g6b); }, -1, 10049, s6, 10049},
        // --- form 3 (IP_Address); s4 holds a4 on 1, s6 holds a6 on 1
        {"leave IP_Address: unknown handle", [&] { return IpLeaveMulticastGroup(kUnknownHandle, 1, a4); }, 87, 87},
        {"leave IP_Address: closed handle", [&] { return IpLeaveMulticastGroup(closed, 1, a6); }, 87, 87},
        {"leave IP_Address: ifIndex 0", [&] { return IpLeaveMulticastGroup(s4, 0, a4); }, 87, 87, s4, 87},
        {"leave IP_Address: ifIndex count+1", [&] { return IpLeaveMulticastGroup(s6, kIfTooLarge, a6); }, 87, 87, s6, 87},
        {"leave IP_Address: IPv6 group on an IPv4 socket", [&] { return IpLeaveMulticastGroup(s4, 1, a6); }, -1, 10047, s4, 10047},
        {"leave IP_Address: non-multicast", [&] { return IpLeaveMulticastGroup(s4, 1, a4_unicast); }, -1, 10022, s4, 10022},
        {"leave IP_Address: unset address", [&] { return IpLeaveMulticastGroup(s6, 1, unset); }, -1, 10022, s6, 10022},
        {"leave IP_Address: not joined on that interface", [&] { return IpLeaveMulticastGroup(s4, 2, a4); }, -1, 10049, s4, 10049},
        {"leave IP_Address: valid IPv4", [&] { return IpLeaveMulticastGroup(s4, 1, a4); }, 0, kUnchanged, s4, kUnchanged},
        {"leave IP_Address: valid IPv6", [&] { return IpLeaveMulticastGroup(s6, 1, a6); }, 0, kUnchanged, s6, kUnchanged},
        {"leave IP_Address: second leave IPv6", [&] { return IpLeaveMulticastGroup(s6, 1, a6); }, -1, 10049, s6, 10049},
        // --- SPEC §4 order for leave: ifIndex, family and multicast before membership
        {"order leave: ifIndex 0 of a group never joined", [&] { return IpLeaveMulticastGroup(s4, 0, g4b); }, 87, 87, s4, 87},
        {"order leave: family before membership", [&] { return IpLeaveMulticastGroup(s6, 1, a4); }, -1, 10047, s6, 10047},

        // --- UdpSocket methods
        {"method join dword: valid", [&] { return m4.JoinMulticastGroup(1, g4); }, 0, kUnchanged, m4.handle(), kUnchanged},
        {"method join dword: double join", [&] { return m4.JoinMulticastGroup(1, g4); }, -1, 10048, m4.handle(), 10048},
        {"method join dword: ifIndex 0", [&] { return m4.JoinMulticastGroup(0, g4); }, 87, 87, m4.handle(), 87},
        {"method join dword: non-multicast", [&] { return m4.JoinMulticastGroup(1, unicast4); }, -1, 10022, m4.handle(), 10022},
        {"method join dword: socket never opened", [&] { return never_opened.JoinMulticastGroup(1, g4); }, 87, 87},
        {"method join bytes: valid", [&] { return m6.JoinMulticastGroup(1, g6); }, 0, kUnchanged, m6.handle(), kUnchanged},
        {"method join bytes: wrong family", [&] { return m4.JoinMulticastGroup(1, g6); }, -1, 10047, m4.handle(), 10047},
        {"method join bytes: ifIndex count+1", [&] { return m6.JoinMulticastGroup(kIfTooLarge, g6); }, 87, 87, m6.handle(), 87},
        {"method join IP_Address: valid", [&] { return m6.JoinMulticastGroup(2, a6); }, 0, kUnchanged, m6.handle(), kUnchanged},
        {"method join IP_Address: double join", [&] { return m6.JoinMulticastGroup(2, a6); }, -1, 10048, m6.handle(), 10048},
        {"method join IP_Address: socket never opened", [&] { return never_opened.JoinMulticastGroup(1, a4); }, 87, 87},
        {"method leave dword: valid", [&] { return m4.LeaveMulticastGroup(1, g4); }, 0, kUnchanged, m4.handle(), kUnchanged},
        {"method leave dword: not joined", [&] { return m4.LeaveMulticastGroup(1, g4); }, -1, 10049, m4.handle(), 10049},
        {"method leave dword: socket never opened", [&] { return never_opened.LeaveMulticastGroup(1, g4); }, 87, 87},
        {"method leave bytes: not joined on that interface", [&] { return m6.LeaveMulticastGroup(2, g6); }, -1, 10049, m6.handle(), 10049},
        {"method leave bytes: valid", [&] { return m6.LeaveMulticastGroup(1, g6); }, 0, kUnchanged, m6.handle(), kUnchanged},
        {"method leave IP_Address: valid", [&] { return m6.LeaveMulticastGroup(2, a6); }, 0, kUnchanged, m6.handle(), kUnchanged},
        {"method leave IP_Address: wrong family", [&] { return m6.LeaveMulticastGroup(2, a4); }, -1, 10047, m6.handle(), 10047},
        {"method leave IP_Address: ifIndex 0", [&] { return m6.LeaveMulticastGroup(0, a6); }, 87, 87, m6.handle(), 87},

        // --- IpSetMulticastInterface
        {"set interface: valid", [&] { return IpSetMulticastInterface(s4, 1); }, 0, kUnchanged, s4, kUnchanged},
        {"set interface: the VLAN interface", [&] { return IpSetMulticastInterface(s6, 2); }, 0, kUnchanged, s6, kUnchanged},
        {"set interface: the last interface", [&] { return IpSetMulticastInterface(s4, kIfCount); }, 0, kUnchanged, s4, kUnchanged},
        {"set interface: unknown handle", [&] { return IpSetMulticastInterface(kUnknownHandle, 1); }, 87, 87},
        {"set interface: closed handle", [&] { return IpSetMulticastInterface(closed, 1); }, 87, 87},
        {"set interface: ifIndex 0", [&] { return IpSetMulticastInterface(s4, 0); }, 87, 87, s4, 87},
        {"set interface: ifIndex count+1", [&] { return IpSetMulticastInterface(s4, kIfTooLarge); }, 87, 87, s4, 87},
        {"set interface: method, valid", [&] { return m4.SetMulticastInterface(2); }, 0, kUnchanged, m4.handle(), kUnchanged},
        {"set interface: method, socket never opened", [&] { return never_opened.SetMulticastInterface(1); }, 87, 87},

        // --- closing leaves every group: the handle is gone, the groups can be joined again
        {"close: a socket holding groups", [&] { return UdpClose(lim); }, 0, kUnchanged},
        {"close: leave on the closed socket", [&] { return IpLeaveMulticastGroup(lim, 1, v4("239.2.0.1")); }, 87, 87},
    };
    // clang-format on
    run(rows, primer);
}

TEST_CASE("Socket calls return the codes of SPEC section 2 and store both last errors",
          "[capl][return_codes][udp]") {
    Fixture f;
    const dword primer = UdpOpen(0, 0);
    const dword s4 = UdpOpen(0, 40001);
    const dword s6 = UdpOpen(v6("::"), 40002);
    const dword unbound4 = UdpOpen(0, 0);
    const dword unbound6 = UdpOpen(v6("::"), 0);
    const dword bind4 = UdpOpen(0, 0);
    const dword bind4b = UdpOpen(0, 0);
    const dword bind4c = UdpOpen(0, 0);
    const dword bind6 = UdpOpen(v6("::"), 0);
    const dword bind6b = UdpOpen(v6("::"), 0);
    const dword ep4 = UdpOpen(0, 0);
    const dword ep4b = UdpOpen(0, 0);
    const dword mc4 = UdpOpen(0, 40010);   // never given a multicast interface
    const dword mc6 = UdpOpen(v6("::"), 40011);
    const dword conn4 = UdpOpen(0, 0);
    const dword recv4 = UdpOpen(0, 40012);
    const dword to_close = UdpOpen(0, 40013);
    const dword fresh = UdpOpen(0, 40014);
    const dword closed = UdpOpen(0, 40015);
    for (dword s : {s4, s6, unbound4, unbound6, bind4, bind4b, bind4c, bind6, bind6b, ep4, ep4b,
                    mc4, mc6, conn4, recv4, to_close, fresh, closed}) {
        REQUIRE(s != wsa::kInvalidSocket);
    }
    REQUIRE(UdpClose(closed) == 0);
    UdpSocket sock = UdpSocket::Open(IP_Endpoint("0.0.0.0:40016"));
    UdpSocket never_opened;

    const dword peer4 = v4("10.0.0.2");
    const dword g4 = v4("239.1.1.1");
    const auto g6 = v6("ff15::1:1");
    const auto peer6 = v6("fd00::2");
    const auto any6 = v6("::");
    const std::array<byte, 4> four_bytes{10, 0, 0, 1};
    const char text[] = "hello";
    const byte data[] = {1, 2, 3, 4};
    struct Payload {
        std::uint16_t id;
        std::uint8_t value[6];
    } const payload{7, {1, 2, 3, 4, 5, 6}};
    char buffer[64] = {};
    char small[4] = {};
    capl_long option = 0;
    dword address = 0;
    dword port = 0;
    std::array<byte, 16> address6{};
    std::array<byte, 8> address6_short{};
    IP_Endpoint local;

    // clang-format off
    const std::vector<Row> rows = {
        // --- UdpOpen, three forms: failures are read with IpGetLastError (no socket yet)
        {"UdpOpen dword: wildcard, free port", [&] { return opened(UdpOpen(0, 40100)); }, 0, kUnchanged},
        {"UdpOpen dword: own address", [&] { return opened(UdpOpen(v4("10.0.0.1"), 40101)); }, 0, kUnchanged},
        {"UdpOpen dword: own VLAN address", [&] { return opened(UdpOpen(v4("10.0.10.1"), 40102)); }, 0, kUnchanged},
        {"UdpOpen dword: foreign address", [&] { return opened(UdpOpen(v4("10.9.9.9"), 40103)); }, -1, 10049},
        {"UdpOpen dword: port above 65535", [&] { return opened(UdpOpen(0, 70000)); }, -1, 10022},
        {"UdpOpen dword: foreign address, port 0 (no implicit bind)", [&] { return opened(UdpOpen(v4("10.9.9.9"), 0)); }, 0, kUnchanged},
        {"UdpOpen bytes: wildcard", [&] { return opened(UdpOpen(any6, 40104)); }, 0, kUnchanged},
        {"UdpOpen bytes: own address", [&] { return opened(UdpOpen(v6("fd00::1"), 40105)); }, 0, kUnchanged},
        {"UdpOpen bytes: foreign address", [&] { return opened(UdpOpen(v6("fd00::99"), 40106)); }, -1, 10049},
        {"UdpOpen bytes: 4 bytes are no IPv6 address", [&] { return opened(UdpOpen(four_bytes, 40107)); }, -1, 10022},
        {"UdpOpen bytes: port above 65535", [&] { return opened(UdpOpen(any6, 65536)); }, -1, 10022},
        {"UdpOpen IP_Endpoint: IPv4", [&] { return opened(UdpOpen(IP_Endpoint("10.0.0.1:40108"))); }, 0, kUnchanged},
        {"UdpOpen IP_Endpoint: IPv6", [&] { return opened(UdpOpen(IP_Endpoint("[fd01::1]:40109"))); }, 0, kUnchanged},
        {"UdpOpen IP_Endpoint: foreign IPv4", [&] { return opened(UdpOpen(IP_Endpoint("10.9.9.9:40110"))); }, -1, 10049},
        {"UdpOpen IP_Endpoint: foreign IPv6", [&] { return opened(UdpOpen(IP_Endpoint("[fd01::99]:40111"))); }, -1, 10049},
        {"UdpSocket::Open: valid", [&] { return opened(UdpSocket::Open(0, 40112).handle()); }, 0, kUnchanged},
        {"UdpSocket::Open: foreign address", [&] { return opened(UdpSocket::Open(v4("10.9.9.9"), 40113).handle()); }, -1, 10049},

        // --- UdpClose
        {"UdpClose: valid", [&] { return UdpClose(to_close); }, 0, kUnchanged},
        {"UdpClose: closed handle", [&] { return UdpClose(to_close); }, 87, 87},
        {"UdpClose: unknown handle", [&] { return UdpClose(kUnknownHandle); }, 87, 87},
        {"UdpClose: method, socket never opened", [&] { return never_opened.Close(); }, 87, 87},

        // --- IpBind, three forms
        {"IpBind dword: valid", [&] { return IpBind(bind4, 0, 40200); }, 0, kUnchanged, bind4, kUnchanged},
        {"IpBind dword: already bound", [&] { return IpBind(bind4, 0, 40201); }, -1, 10022, bind4, 10022},
        {"IpBind dword: foreign address", [&] { return IpBind(bind4b, v4("10.9.9.9"), 40202); }, -1, 10049, bind4b, 10049},
        {"IpBind dword: on an IPv6 socket", [&] { return IpBind(bind6, 0, 40203); }, -1, 10047, bind6, 10047},
        {"IpBind dword: unknown handle", [&] { return IpBind(kUnknownHandle, 0, 40204); }, 87, 87},
        {"IpBind dword: closed handle", [&] { return IpBind(closed, 0, 40205); }, 87, 87},
        {"IpBind bytes: valid", [&] { return IpBind(bind6, v6("fd00::1"), 40206); }, 0, kUnchanged, bind6, kUnchanged},
        {"IpBind bytes: foreign address", [&] { return IpBind(bind6b, v6("fd00::99"), 40207); }, -1, 10049, bind6b, 10049},
        {"IpBind bytes: on an IPv4 socket", [&] { return IpBind(bind4b, any6, 40208); }, -1, 10047, bind4b, 10047},
        {"IpBind bytes: 4 bytes are no IPv6 address", [&] { return IpBind(bind6b, four_bytes, 40209); }, -1, 10022, bind6b, 10022},
        {"IpBind bytes: unknown handle", [&] { return IpBind(kUnknownHandle, any6, 40210); }, 87, 87},
        {"IpBind IP_Endpoint: valid, VLAN address", [&] { return IpBind(ep4, IP_Endpoint("10.0.10.1:40211")); }, 0, kUnchanged, ep4, kUnchanged},
        {"IpBind IP_Endpoint: IPv6 endpoint on an IPv4 socket", [&] { return IpBind(ep4b, IP_Endpoint("[::]:40212")); }, -1, 10047, ep4b, 10047},
        {"IpBind IP_Endpoint: foreign address", [&] { return IpBind(ep4b, IP_Endpoint("10.0.1.9:40213")); }, -1, 10049, ep4b, 10049},
        {"IpBind IP_Endpoint: closed handle", [&] { return IpBind(closed, IP_Endpoint("0.0.0.0:40214")); }, 87, 87},
        {"IpBind method: valid", [&] { return UdpSocket(bind4c).Bind(v4("10.0.1.1"), 40215); }, 0, kUnchanged, bind4c, kUnchanged},
        {"IpBind method: socket never opened", [&] { return never_opened.Bind(0, 40216); }, 87, 87},

        // --- IpGetSocketName, three forms
        {"IpGetSocketName dword: valid", [&] { return IpGetSocketName(bind4, address, port); }, 0, kUnchanged, bind4, kUnchanged},
        {"IpGetSocketName dword: unbound socket", [&] { return IpGetSocketName(unbound4, address, port); }, -1, 10022, unbound4, 10022},
        {"IpGetSocketName dword: IPv6 socket", [&] { return IpGetSocketName(s6, address, port); }, -1, 10047, s6, 10047},
        {"IpGetSocketName dword: unknown handle", [&] { return IpGetSocketName(kUnknownHandle, address, port); }, 87, 87},
        {"IpGetSocketName dword: closed handle", [&] { return IpGetSocketName(closed, address, port); }, 87, 87},
        {"IpGetSocketName bytes: valid", [&] { return IpGetSocketName(bind6, address6, port); }, 0, kUnchanged, bind6, kUnchanged},
        {"IpGetSocketName bytes: IPv4 socket", [&] { return IpGetSocketName(s4, address6, port); }, -1, 10047, s4, 10047},
        {"IpGetSocketName bytes: array too short", [&] { return IpGetSocketName(s6, address6_short, port); }, -1, 10022, s6, 10022},
        {"IpGetSocketName bytes: unbound socket", [&] { return IpGetSocketName(unbound6, address6, port); }, -1, 10022, unbound6, 10022},
        {"IpGetSocketName bytes: unknown handle", [&] { return IpGetSocketName(kUnknownHandle, address6, port); }, 87, 87},
        {"IpGetSocketName IP_Endpoint: valid IPv4", [&] { return IpGetSocketName(ep4, local); }, 0, kUnchanged, ep4, kUnchanged},
        {"IpGetSocketName IP_Endpoint: valid IPv6", [&] { return IpGetSocketName(s6, local); }, 0, kUnchanged, s6, kUnchanged},
        {"IpGetSocketName IP_Endpoint: unbound socket", [&] { return IpGetSocketName(unbound4, local); }, -1, 10022, unbound4, 10022},
        {"IpGetSocketName IP_Endpoint: closed handle", [&] { return IpGetSocketName(closed, local); }, 87, 87},
        {"IpGetSocketName method: socket never opened", [&] { return never_opened.GetSocketName(local); }, 87, 87},

        // --- IpGetSocketAddressFamily: its page documents -1 for a bad handle (SPEC §2)
        {"IpGetSocketAddressFamily: IPv4", [&] { return IpGetSocketAddressFamily(s4); }, AF_INET_CAPL, kUnchanged, s4, kUnchanged},
        {"IpGetSocketAddressFamily: IPv6", [&] { return IpGetSocketAddressFamily(s6); }, AF_INET6_CAPL, kUnchanged, s6, kUnchanged},
        {"IpGetSocketAddressFamily: unbound IPv6", [&] { return IpGetSocketAddressFamily(unbound6); }, AF_INET6_CAPL, kUnchanged, unbound6, kUnchanged},
        {"IpGetSocketAddressFamily: unknown handle", [&] { return IpGetSocketAddressFamily(kUnknownHandle); }, -1, 87},
        {"IpGetSocketAddressFamily: closed handle", [&] { return IpGetSocketAddressFamily(closed); }, -1, 87},

        // --- IpSetSocketOption (numbers, text) and IpGetSocketOption
        {"IpSetSocketOption numbers: SO_BROADCAST", [&] { return IpSetSocketOption(s4, 0xFFFF, 0x0020, 1); }, 0, kUnchanged, s4, kUnchanged},
        {"IpSetSocketOption numbers: unknown option", [&] { return IpSetSocketOption(s4, 0xFFFF, 0x7777, 1); }, -1, 10042, s4, 10042},
        {"IpSetSocketOption numbers: IPv6 level on an IPv4 socket", [&] { return IpSetSocketOption(s4, 41, 10, 2); }, -1, 10047, s4, 10047},
        {"IpSetSocketOption numbers: unknown handle", [&] { return IpSetSocketOption(kUnknownHandle, 0xFFFF, 0x0020, 1); }, 87, 87},
        {"IpSetSocketOption numbers: closed handle", [&] { return IpSetSocketOption(closed, 0xFFFF, 0x0020, 1); }, 87, 87},
        {"IpSetSocketOption text: IP_MULTICAST_TTL", [&] { return IpSetSocketOption(s4, "IPPROTO_IP", "IP_MULTICAST_TTL", 5); }, 0, kUnchanged, s4, kUnchanged},
        {"IpSetSocketOption text: IPV6_MULTICAST_HOPS", [&] { return IpSetSocketOption(s6, "IPPROTO_IPV6", "IPV6_MULTICAST_HOPS", 3); }, 0, kUnchanged, s6, kUnchanged},
        {"IpSetSocketOption text: IPV6_MULTICAST_LOOP on an IPv4 socket", [&] { return IpSetSocketOption(s4, "IPPROTO_IPV6", "IPV6_MULTICAST_LOOP", 0); }, -1, 10047, s4, 10047},
        {"IpSetSocketOption text: IP_MULTICAST_IF ifIndex count+1", [&] { return IpSetSocketOption(s4, "IPPROTO_IP", "IP_MULTICAST_IF", static_cast<capl_long>(kIfTooLarge)); }, 87, 87, s4, 87},
        {"IpSetSocketOption text: unknown option", [&] { return IpSetSocketOption(s4, "SOL_SOCKET", "SO_NO_SUCH", 1); }, -1, 10042, s4, 10042},
        {"IpSetSocketOption text: unknown handle", [&] { return IpSetSocketOption(kUnknownHandle, "SOL_SOCKET", "SO_BROADCAST", 1); }, 87, 87},
        {"IpSetSocketOption method: socket never opened", [&] { return never_opened.SetSocketOption("SOL_SOCKET", "SO_BROADCAST", 1); }, 87, 87},
        {"IpGetSocketOption: IP_MULTICAST_TTL reads back", [&] {
             const capl_long r = IpGetSocketOption(s4, "IPPROTO_IP", "IP_MULTICAST_TTL", option);
             CHECK(option == 5);
             return r;
         }, 0, kUnchanged, s4, kUnchanged},
        {"IpGetSocketOption: IPv4 level on an IPv6 socket", [&] { return IpGetSocketOption(s6, "IPPROTO_IP", "IP_MULTICAST_TTL", option); }, -1, 10047, s6, 10047},
        {"IpGetSocketOption: unknown option", [&] { return IpGetSocketOption(s4, "IPPROTO_IP", "IP_NO_SUCH", option); }, -1, 10042, s4, 10042},
        {"IpGetSocketOption: unknown handle", [&] { return IpGetSocketOption(kUnknownHandle, "IPPROTO_IP", "IP_TTL", option); }, 87, 87},
        {"IpGetSocketOption: closed handle", [&] { return IpGetSocketOption(closed, "IPPROTO_IP", "IP_TTL", option); }, 87, 87},

        // --- UdpConnect and UdpSend
        {"UdpSend: not connected", [&] { return UdpSend(conn4, text, 5); }, -1, 10057, conn4, 10057},
        {"UdpConnect: valid", [&] { return UdpConnect(conn4, IP_Endpoint("10.0.0.2:40300")); }, 0, kUnchanged, conn4, kUnchanged},
        {"UdpConnect: IPv6 peer on an IPv4 socket", [&] { return UdpConnect(s4, IP_Endpoint("[fd00::2]:40300")); }, -1, 10047, s4, 10047},
        {"UdpConnect: port 0", [&] { return UdpConnect(s4, IP_Endpoint("10.0.0.2:0")); }, -1, 10022, s4, 10022},
        {"UdpConnect: unset address", [&] { return UdpConnect(s4, IP_Endpoint()); }, -1, 10022, s4, 10022},
        {"UdpConnect: unknown handle", [&] { return UdpConnect(kUnknownHandle, IP_Endpoint("10.0.0.2:40300")); }, 87, 87},
        {"UdpConnect: closed handle", [&] { return UdpConnect(closed, IP_Endpoint("10.0.0.2:40300")); }, 87, 87},
        {"UdpConnect method: socket never opened", [&] { return never_opened.Connect(IP_Endpoint("10.0.0.2:40300")); }, 87, 87},
        {"UdpSend char[]: connected", [&] { return UdpSend(conn4, text, 5); }, 0, kUnchanged, conn4, kUnchanged},
        {"UdpSend byte[]: connected", [&] { return UdpSend(conn4, data, sizeof data); }, 0, kUnchanged, conn4, kUnchanged},
        {"UdpSend struct: connected", [&] { return UdpSend(conn4, payload, sizeof payload); }, 0, kUnchanged, conn4, kUnchanged},
        {"UdpSend struct: size beyond the struct", [&] { return UdpSend(conn4, payload, sizeof payload + 1); }, -1, 10022, conn4, 10022},
        {"UdpSend: unknown handle", [&] { return UdpSend(kUnknownHandle, text, 5); }, 87, 87},
        {"UdpSend: closed handle", [&] { return UdpSend(closed, text, 5); }, 87, 87},
        {"UdpSend method: socket never opened", [&] { return never_opened.Send(text, 5); }, 87, 87},

        // --- UdpSendTo, the nine forms
        {"UdpSendTo 1 (dword, char[]): unicast", [&] { return UdpSendTo(s4, peer4, 40300, text, 5); }, 0, kUnchanged, s4, kUnchanged},
        {"UdpSendTo 1: unknown handle", [&] { return UdpSendTo(kUnknownHandle, peer4, 40300, text, 5); }, 87, 87},
        {"UdpSendTo 1: closed handle", [&] { return UdpSendTo(closed, peer4, 40300, text, 5); }, 87, 87},
        {"UdpSendTo 1: port 0", [&] { return UdpSendTo(s4, peer4, 0, text, 5); }, -1, 10022, s4, 10022},
        {"UdpSendTo 1: IPv4 peer on an IPv6 socket", [&] { return UdpSendTo(s6, peer4, 40300, text, 5); }, -1, 10047, s6, 10047},
        {"UdpSendTo 1: multicast without IpSetMulticastInterface", [&] { return UdpSendTo(mc4, g4, 40300, text, 5); }, -1, 10051, mc4, 10051},
        {"UdpSendTo 2 (bytes, char[]): unicast", [&] { return UdpSendTo(s6, peer6, 40300, text, 5); }, 0, kUnchanged, s6, kUnchanged},
        {"UdpSendTo 2: IPv6 peer on an IPv4 socket", [&] { return UdpSendTo(s4, peer6, 40300, text, 5); }, -1, 10047, s4, 10047},
        {"UdpSendTo 2: multicast without IpSetMulticastInterface", [&] { return UdpSendTo(mc6, g6, 40300, text, 5); }, -1, 10051, mc6, 10051},
        {"UdpSendTo 2: 4 bytes are no IPv6 address", [&] { return UdpSendTo(s6, four_bytes, 40300, text, 5); }, -1, 10022, s6, 10022},
        {"UdpSendTo 3 (dword, struct): unicast", [&] { return UdpSendTo(s4, peer4, 40300, payload, sizeof payload); }, 0, kUnchanged, s4, kUnchanged},
        {"UdpSendTo 3: size beyond the struct", [&] { return UdpSendTo(s4, peer4, 40300, payload, sizeof payload + 1); }, -1, 10022, s4, 10022},
        {"UdpSendTo 3: multicast without IpSetMulticastInterface", [&] { return UdpSendTo(mc4, g4, 40300, payload, sizeof payload); }, -1, 10051, mc4, 10051},
        {"UdpSendTo 4 (dword, byte[]): unicast", [&] { return UdpSendTo(s4, peer4, 40300, data, sizeof data); }, 0, kUnchanged, s4, kUnchanged},
        {"UdpSendTo 4: multicast without IpSetMulticastInterface", [&] { return UdpSendTo(mc4, g4, 40300, data, sizeof data); }, -1, 10051, mc4, 10051},
        {"UdpSendTo 5 (bytes, struct): unicast", [&] { return UdpSendTo(s6, peer6, 40300, payload, sizeof payload); }, 0, kUnchanged, s6, kUnchanged},
        {"UdpSendTo 5: multicast without IpSetMulticastInterface", [&] { return UdpSendTo(mc6, g6, 40300, payload, sizeof payload); }, -1, 10051, mc6, 10051},
        {"UdpSendTo 6 (bytes, byte[]): unicast", [&] { return UdpSendTo(s6, peer6, 40300, data, sizeof data); }, 0, kUnchanged, s6, kUnchanged},
        {"UdpSendTo 6: multicast without IpSetMulticastInterface", [&] { return UdpSendTo(mc6, g6, 40300, data, sizeof data); }, -1, 10051, mc6, 10051},
        {"UdpSendTo 7 (IP_Endpoint, char[]): unicast", [&] { return UdpSendTo(s4, IP_Endpoint("10.0.0.2:40300"), text, 5); }, 0, kUnchanged, s4, kUnchanged},
        {"UdpSendTo 7: multicast without IpSetMulticastInterface", [&] { return UdpSendTo(mc4, IP_Endpoint("239.1.1.1:40300"), text, 5); }, -1, 10051, mc4, 10051},
        {"UdpSendTo 7: IPv6 multicast without scope id", [&] { return UdpSendTo(mc6, IP_Endpoint("[ff15::1:1]:40300"), text, 5); }, -1, 10051, mc6, 10051},
        {"UdpSendTo 7: IPv6 multicast with a scope id naming the interface", [&] { return UdpSendTo(mc6, IP_Endpoint(IP_Address("ff15::1:1%1"), 40300), text, 5); }, 0, kUnchanged, mc6, kUnchanged},
        {"UdpSendTo 7: unset address", [&] { return UdpSendTo(s4, IP_Endpoint(), text, 5); }, -1, 10022, s4, 10022},
        {"UdpSendTo 7: unknown handle", [&] { return UdpSendTo(kUnknownHandle, IP_Endpoint("10.0.0.2:40300"), text, 5); }, 87, 87},
        {"UdpSendTo 8 (IP_Endpoint, byte[]): unicast", [&] { return UdpSendTo(s6, IP_Endpoint("[fd00::2]:40300"), data, sizeof data); }, 0, kUnchanged, s6, kUnchanged},
        {"UdpSendTo 8: IPv4 peer on an IPv6 socket", [&] { return UdpSendTo(s6, IP_Endpoint("10.0.0.2:40300"), data, sizeof data); }, -1, 10047, s6, 10047},
        {"UdpSendTo 9 (IP_Endpoint, struct): unicast", [&] { return UdpSendTo(s4, IP_Endpoint("10.0.0.2:40300"), payload, sizeof payload); }, 0, kUnchanged, s4, kUnchanged},
        {"UdpSendTo 9: closed handle", [&] { return UdpSendTo(closed, IP_Endpoint("10.0.0.2:40300"), payload, sizeof payload); }, 87, 87},
        {"UdpSendTo: multicast after IpSetMulticastInterface", [&] {
             const capl_long r = IpSetMulticastInterface(mc4, 1);
             return r != 0 ? r : UdpSendTo(mc4, g4, 40300, text, 5);
         }, 0, kUnchanged, mc4, kUnchanged},
        {"UdpSendTo: IPv6 multicast after IpSetMulticastInterface", [&] {
             const capl_long r = IpSetMulticastInterface(mc6, 2);
             return r != 0 ? r : UdpSendTo(mc6, g6, 40300, text, 5);
         }, 0, kUnchanged, mc6, kUnchanged},
        {"UdpSendTo: an unbound socket binds on its first send", [&] { return UdpSendTo(unbound4, peer4, 40300, text, 5); }, 0, kUnchanged, unbound4, kUnchanged},
        {"UdpSendTo method: valid", [&] { return sock.SendTo(peer4, 40300, text, 5); }, 0, kUnchanged, sock.handle(), kUnchanged},
        {"UdpSendTo method: multicast without IpSetMulticastInterface", [&] { return sock.SendTo(IP_Endpoint("239.1.1.1:40300"), data, sizeof data); }, -1, 10051, sock.handle(), 10051},
        {"UdpSendTo method: socket never opened", [&] { return never_opened.SendTo(peer4, 40300, text, 5); }, 87, 87},

        // --- UdpReceiveFrom, then the last-error readers on what it left
        {"UdpReceiveFrom: nothing queued", [&] { return UdpReceiveFrom(recv4, buffer, sizeof buffer); }, -1, 997, recv4, 997},
        {"IpGetLastError: reads the code the last failure stored", [&] { return IpGetLastError(); }, 997, kUnchanged, recv4, kUnchanged, false},
        {"IpGetLastSocketError: reads the socket's code", [&] { return IpGetLastSocketError(recv4); }, 997, kUnchanged, recv4, kUnchanged, false},
        {"IpGetLastSocketErrorAsString: the socket's code as text", [&] {
             const capl_long r = IpGetLastSocketErrorAsString(recv4, buffer, sizeof buffer);
             CHECK(std::string(buffer) == error_text(997));
             return r;
         }, 0, kUnchanged, recv4, kUnchanged, false},
        {"UdpReceiveFrom: unknown handle", [&] { return UdpReceiveFrom(kUnknownHandle, buffer, sizeof buffer); }, 87, 87},
        {"UdpReceiveFrom: closed handle", [&] { return UdpReceiveFrom(closed, buffer, sizeof buffer); }, 87, 87},
        {"UdpReceiveFrom method: nothing queued", [&] { return sock.ReceiveFrom(buffer, sizeof buffer); }, -1, 997, sock.handle(), 997},
        {"UdpReceiveFrom method: socket never opened", [&] { return never_opened.ReceiveFrom(buffer, sizeof buffer); }, 87, 87},

        // --- IpGetLastSocketError / IpGetLastSocketErrorAsString / IpGetLastError
        {"IpGetLastSocketError: a socket without failures reads 0", [&] { return IpGetLastSocketError(fresh); }, 0, kUnchanged, fresh, kUnchanged, false},
        {"IpGetLastSocketError: a failure on another socket leaves it alone", [&] {
             IpJoinMulticastGroup(s4, 0, g4);
             return IpGetLastSocketError(fresh);
         }, 0, 87, fresh, kUnchanged, false},
        {"IpGetLastSocketError: unknown handle", [&] { return IpGetLastSocketError(kUnknownHandle); }, 87, 87},
        {"IpGetLastSocketError: closed handle", [&] { return IpGetLastSocketError(closed); }, 87, 87},
        {"IpGetLastSocketError method: valid", [&] { return sock.GetLastSocketError(); }, 997, kUnchanged, sock.handle(), kUnchanged, false},
        {"IpGetLastSocketError method: socket never opened", [&] { return never_opened.GetLastSocketError(); }, 87, 87},
        {"IpGetLastSocketErrorAsString: after a 10022", [&] {
             IpJoinMulticastGroup(s4, 1, v4("10.0.0.5"));
             const capl_long r = IpGetLastSocketErrorAsString(s4, buffer, sizeof buffer);
             CHECK(std::string(buffer) == "Invalid argument");
             return r;
         }, 0, 10022, s4, 10022, false},
        {"IpGetLastSocketErrorAsString: text longer than the buffer", [&] { return IpGetLastSocketErrorAsString(s4, small, sizeof small); }, 0, kUnchanged, s4, kUnchanged, false},
        {"IpGetLastSocketErrorAsString: unknown handle", [&] { return IpGetLastSocketErrorAsString(kUnknownHandle, buffer, sizeof buffer); }, 87, 87},
        {"IpGetLastSocketErrorAsString: closed handle", [&] { return IpGetLastSocketErrorAsString(closed, buffer, sizeof buffer); }, 87, 87},
        {"IpGetLastSocketErrorAsString method: socket never opened", [&] { return never_opened.GetLastSocketErrorAsString(buffer, sizeof buffer); }, 87, 87},
        {"IpGetLastError: an 87 return is stored too", [&] {
             UdpClose(kUnknownHandle);
             return IpGetLastError();
         }, 87, 87, kNoSocket, kUnchanged, false},
    };
    // clang-format on
    run(rows, primer);
}

TEST_CASE("Adapter calls return the codes of SPEC sections 2 and 3 for every ifIndex",
          "[capl][return_codes][adapter]") {
    Fixture f;
    const dword primer = UdpOpen(0, 0);
    dword v4_list[4] = {};
    byte v6_list[4][16] = {};
    IP_Address addresses[8];
    dword count = 0;
    char text[64] = {};
    byte mac[6] = {};
    word vlan = 0;

    // clang-format off
    const std::vector<Row> rows = {
        // --- IpGetAdapterCount, IpGetAdapter, IpGetAdapterChannel: 0 is their failure value
        {"IpGetAdapterCount: two adapters and one VLAN", [&] { return static_cast<capl_long>(IpGetAdapterCount()); }, 3, kUnchanged},
        {"IpGetAdapter: channel 1", [&] { return static_cast<capl_long>(IpGetAdapter(1)); }, 1, kUnchanged},
        {"IpGetAdapter: channel 2", [&] { return static_cast<capl_long>(IpGetAdapter(2)); }, 3, kUnchanged},
        {"IpGetAdapter: channel 1, VLAN 10", [&] { return static_cast<capl_long>(IpGetAdapter(1, 10)); }, 2, kUnchanged},
        {"IpGetAdapter: channel 1, VLAN 0 is the untagged interface", [&] { return static_cast<capl_long>(IpGetAdapter(1, 0)); }, 1, kUnchanged},
        {"IpGetAdapter: channel 0", [&] { return static_cast<capl_long>(IpGetAdapter(0)); }, 0, 87},
        {"IpGetAdapter: channel 3 does not exist", [&] { return static_cast<capl_long>(IpGetAdapter(3)); }, 0, 87},
        {"IpGetAdapter: VLAN 99 does not exist", [&] { return static_cast<capl_long>(IpGetAdapter(1, 99)); }, 0, 87},
        {"IpGetAdapter: VLAN 10 on channel 2 does not exist", [&] { return static_cast<capl_long>(IpGetAdapter(2, 10)); }, 0, 87},
        {"IpGetAdapterChannel: ifIndex 1", [&] { return IpGetAdapterChannel(1); }, 1, kUnchanged},
        {"IpGetAdapterChannel: the VLAN interface", [&] { return IpGetAdapterChannel(2); }, 1, kUnchanged},
        {"IpGetAdapterChannel: ifIndex 3", [&] { return IpGetAdapterChannel(3); }, 2, kUnchanged},
        {"IpGetAdapterChannel: ifIndex 0", [&] { return IpGetAdapterChannel(0); }, 0, 87},
        {"IpGetAdapterChannel: ifIndex count+1", [&] { return IpGetAdapterChannel(kIfTooLarge); }, 0, 87},

        // --- IpGetAdapterAddress, three forms
        {"IpGetAdapterAddress dword: valid", [&] { return IpGetAdapterAddress(1, v4_list, 4); }, 0, kUnchanged},
        {"IpGetAdapterAddress dword: the VLAN interface", [&] { return IpGetAdapterAddress(2, v4_list, 4); }, 0, kUnchanged},
        {"IpGetAdapterAddress dword: array too small", [&] { return IpGetAdapterAddress(1, v4_list, 0); }, 8, 8},
        {"IpGetAdapterAddress dword: ifIndex 0", [&] { return IpGetAdapterAddress(0, v4_list, 4); }, 87, 87},
        {"IpGetAdapterAddress dword: ifIndex count+1", [&] { return IpGetAdapterAddress(kIfTooLarge, v4_list, 4); }, 87, 87},
        {"IpGetAdapterAddress bytes: valid (link-local and fd00::1)", [&] { return IpGetAdapterAddress(1, v6_list, 4); }, 0, kUnchanged},
        {"IpGetAdapterAddress bytes: array too small", [&] { return IpGetAdapterAddress(3, v6_list, 1); }, 8, 8},
        {"IpGetAdapterAddress bytes: ifIndex 0", [&] { return IpGetAdapterAddress(0, v6_list, 4); }, 87, 87},
        {"IpGetAdapterAddress bytes: ifIndex count+1", [&] { return IpGetAdapterAddress(kIfTooLarge, v6_list, 4); }, 87, 87},
        {"IpGetAdapterAddress IP_Address: valid, three addresses", [&] {
             count = 8;
             const capl_long r = IpGetAdapterAddress(1, addresses, count);
             CHECK(count == 3);
             return r;
         }, 0, kUnchanged},
        {"IpGetAdapterAddress IP_Address: array too small", [&] {
             count = 2;
             return IpGetAdapterAddress(2, addresses, count);
         }, 8, 8},
        {"IpGetAdapterAddress IP_Address: ifIndex 0", [&] {
             count = 8;
             return IpGetAdapterAddress(0, addresses, count);
         }, 87, 87},
        {"IpGetAdapterAddress IP_Address: ifIndex count+1", [&] {
             count = 8;
             return IpGetAdapterAddress(kIfTooLarge, addresses, count);
         }, 87, 87},

        // --- IpGetAdapterAddressAsString, IpGetAdapterAddressCount (-1 is its failure value)
        {"IpGetAdapterAddressAsString: valid", [&] {
             const capl_long r = IpGetAdapterAddressAsString(1, text, sizeof text);
             CHECK(std::string(text) == "10.0.0.1");
             return r;
         }, 0, kUnchanged},
        {"IpGetAdapterAddressAsString: buffer too small", [&] { return IpGetAdapterAddressAsString(1, text, 4); }, 8, 8},
        {"IpGetAdapterAddressAsString: ifIndex 0", [&] { return IpGetAdapterAddressAsString(0, text, sizeof text); }, 87, 87},
        {"IpGetAdapterAddressAsString: ifIndex count+1", [&] { return IpGetAdapterAddressAsString(kIfTooLarge, text, sizeof text); }, 87, 87},
        {"IpGetAdapterAddressCount: IPv4", [&] { return IpGetAdapterAddressCount(1, AF_INET_CAPL); }, 1, kUnchanged},
        {"IpGetAdapterAddressCount: IPv6 with the link-local", [&] { return IpGetAdapterAddressCount(2, AF_INET6_CAPL); }, 2, kUnchanged},
        {"IpGetAdapterAddressCount: ifIndex 0", [&] { return IpGetAdapterAddressCount(0, AF_INET_CAPL); }, -1, 87},
        {"IpGetAdapterAddressCount: ifIndex count+1", [&] { return IpGetAdapterAddressCount(kIfTooLarge, AF_INET6_CAPL); }, -1, 87},
        {"IpGetAdapterAddressCount: no such address family", [&] { return IpGetAdapterAddressCount(1, 99); }, -1, 10022},

        // --- IpGetAdapterMask, two forms
        {"IpGetAdapterMask dword: valid", [&] {
             const capl_long r = IpGetAdapterMask(1, v4_list, 4);
             CHECK(v4_list[0] == v4("255.255.255.0"));
             return r;
         }, 0, kUnchanged},
        {"IpGetAdapterMask dword: array too small", [&] { return IpGetAdapterMask(1, v4_list, 0); }, 8, 8},
        {"IpGetAdapterMask dword: ifIndex 0", [&] { return IpGetAdapterMask(0, v4_list, 4); }, 87, 87},
        {"IpGetAdapterMask dword: ifIndex count+1", [&] { return IpGetAdapterMask(kIfTooLarge, v4_list, 4); }, 87, 87},
        {"IpGetAdapterMask IP_Address: valid", [&] {
             count = 8;
             return IpGetAdapterMask(3, addresses, count);
         }, 0, kUnchanged},
        {"IpGetAdapterMask IP_Address: array too small", [&] {
             count = 1;
             return IpGetAdapterMask(3, addresses, count);
         }, 8, 8},
        {"IpGetAdapterMask IP_Address: ifIndex 0", [&] {
             count = 8;
             return IpGetAdapterMask(0, addresses, count);
         }, 87, 87},

        // --- IpGetAdapterMacId (two forms), IpGetAdapterVlanId, IpGetAdapterDescription
        {"IpGetAdapterMacId bytes: valid", [&] {
             const capl_long r = IpGetAdapterMacId(3, mac);
             CHECK(mac[5] == 0x02);
             return r;
         }, 0, kUnchanged},
        {"IpGetAdapterMacId bytes: the VLAN interface", [&] { return IpGetAdapterMacId(2, mac); }, 0, kUnchanged},
        {"IpGetAdapterMacId bytes: ifIndex 0", [&] { return IpGetAdapterMacId(0, mac); }, 87, 87},
        {"IpGetAdapterMacId bytes: ifIndex count+1", [&] { return IpGetAdapterMacId(kIfTooLarge, mac); }, 87, 87},
        {"IpGetAdapterMacId qword: valid", [&] { return IpGetAdapterMacId(1) == 0x020000000001ULL ? 0 : -1; }, 0, kUnchanged},
        {"IpGetAdapterMacId qword: ifIndex 0 gives 0", [&] { return IpGetAdapterMacId(0) == 0 ? 0 : -1; }, 0, 87},
        {"IpGetAdapterMacId qword: ifIndex count+1 gives 0", [&] { return IpGetAdapterMacId(kIfTooLarge) == 0 ? 0 : -1; }, 0, 87},
        {"IpGetAdapterVlanId: the VLAN interface", [&] {
             const capl_long r = IpGetAdapterVlanId(2, vlan);
             CHECK(vlan == 10);
             return r;
         }, 0, kUnchanged},
        {"IpGetAdapterVlanId: an untagged interface", [&] { return IpGetAdapterVlanId(1, vlan); }, 87, 87},
        {"IpGetAdapterVlanId: ifIndex 0", [&] { return IpGetAdapterVlanId(0, vlan); }, 87, 87},
        {"IpGetAdapterVlanId: ifIndex count+1", [&] { return IpGetAdapterVlanId(kIfTooLarge, vlan); }, 87, 87},
        {"IpGetAdapterDescription: valid", [&] { return IpGetAdapterDescription(2, text, sizeof text); }, 0, kUnchanged},
        {"IpGetAdapterDescription: buffer too small", [&] { return IpGetAdapterDescription(1, text, 2); }, 8, 8},
        {"IpGetAdapterDescription: ifIndex 0", [&] { return IpGetAdapterDescription(0, text, sizeof text); }, 87, 87},
        {"IpGetAdapterDescription: ifIndex count+1", [&] { return IpGetAdapterDescription(kIfTooLarge, text, sizeof text); }, 87, 87},
    };
    // clang-format on
    run(rows, primer);
}

}  // namespace caplnet::capl
