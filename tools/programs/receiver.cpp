// Ready-made receiver: joins multicast groups, counts the datagrams of each, and prints the counts
// on a key and at the end. The parameters are in README.md next to this file; in CAPL terms:
//
//   on start  { foreach entry: s = UdpSocket::Open(IP_Endpoint(group:port));
//               s.JoinMulticastGroup(ifIndex, group); s.ReceiveFrom(buffer, elcount(buffer)); }
//   OnUdpReceiveFrom(...) { ++count; s.ReceiveFrom(...); }     // re-armed after every datagram
//   on key 'n', on stopMeasurement { write("count %s %d %d", ...); }
#include <caplnet/capl.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "tools/programs/support.hpp"

using namespace caplnet::capl;
using caplnet::programs::ParamReader;

namespace {

struct Entry {
    IP_Address group;  // 0.0.0.0 or :: for a socket without a group
    bool has_group = false;
    std::uint16_t port = 0;
    dword if_index = 1;
    std::string text;  // the address as printed: normalised, "*" without a group
    UdpSocket socket;
    std::uint64_t count = 0;
    std::set<capl_long> reported_errors;
    char buffer[2048] = {};
};

// unique_ptr: an armed receive holds the entry's buffer, so entries never move.
std::vector<std::unique_ptr<Entry>> gEntries;
std::map<dword, Entry*> gBySocket;
std::optional<char> gJoinKey;
std::optional<char> gLeaveKey;
msTimer gJoinTimer;
msTimer gLeaveTimer;

/// Once per (socket, code): a receive that fails does so on every datagram.
void report_error(Entry& e, const char* what, capl_long code) {
    if (e.reported_errors.insert(code).second) {
        write("%s %s %u failed: %d", what, e.text.c_str(), unsigned{e.port}, code);
    }
}

void arm(Entry& e) {
    if (e.socket.ReceiveFrom(e.buffer, sizeof e.buffer) == 0) return;
    const capl_long code = e.socket.GetLastSocketError();
    if (code != wsa::kIoPending) report_error(e, "receive on", code);
}

void OnReceive(dword socket, capl_long result, IP_Endpoint /*remote*/, char /*buffer*/[],
               dword /*size*/) {
    const auto it = gBySocket.find(socket);
    if (it == gBySocket.end()) return;
    Entry& e = *it->second;
    // 10040: the datagram was longer than the buffer and arrived cut; it still arrived.
    if (result == wsa::kSuccess || result == wsa::kMsgSize) {
        ++e.count;
    } else {
        report_error(e, "receive on", result);
    }
    arm(e);
}

void write_result(const char* verb, const Entry& e, capl_long result) {
    write("%s %s %u ifIndex %u: %s", verb, e.text.c_str(), unsigned{e.port}, e.if_index,
          caplnet::programs::result_text(result, e.socket.handle()).c_str());
}

void join_all() {
    for (auto& e : gEntries) {
        if (e->has_group) {
            write_result("joined", *e, e->socket.JoinMulticastGroup(e->if_index, e->group));
        }
    }
}

void leave_all() {
    for (auto& e : gEntries) {
        if (e->has_group) {
            write_result("left", *e, e->socket.LeaveMulticastGroup(e->if_index, e->group));
        }
    }
}

void report() {
    for (const auto& e : gEntries) {
        write("count %s %u %llu", e->text.c_str(), unsigned{e->port},
              static_cast<unsigned long long>(e->count));
    }
}

void open_all() {
    for (auto& e : gEntries) {
        // Bound to the group address rather than the wildcard: the socket then takes only its own
        // group, whatever else arrives on the port (unicast, other groups under the node's
        // multicast_delivery = "linux"), so each count belongs to exactly one entry (SPEC §4).
        e->socket = UdpSocket::Open(IP_Endpoint(e->group, e->port));
        if (e->socket.handle() == wsa::kInvalidSocket) {
            report_error(*e, "open", IpGetLastError());
            continue;
        }
        gBySocket[e->socket.handle()] = e.get();
        if (!e->has_group && e->group.IsIPv4Address() != 0) {
            // Without SO_BROADCAST the stack hands a broadcast to no socket.
            if (e->socket.SetSocketOption("SOL_SOCKET", "SO_BROADCAST", 1) != 0) {
                report_error(*e, "SO_BROADCAST on", e->socket.GetLastSocketError());
            }
        }
        arm(*e);
    }
}

/// `groups`: ENTRY[,ENTRY...]; see README.md.
bool read_groups(ParamReader& params, dword default_if_index) {
    const auto groups = params.required("groups", "ADDR:PORT[%IFINDEX],... or [ADDR]:PORT or PORT");
    if (!groups) return false;
    const dword adapters = IpGetAdapterCount();
    std::set<std::tuple<IP_Address, std::uint16_t, dword>> seen;
    std::stringstream list(*groups);
    bool ok = true;
    auto bad = [&](const std::string& item, const std::string& why) {
        params.bad("groups", *groups, "entry '" + item + "': " + why);
        ok = false;
    };
    if (groups->empty()) bad("", "empty");
    for (std::string item; std::getline(list, item, ',');) {
        const auto parsed = caplnet::programs::parse_endpoint(item);
        if (!parsed) {
            bad(item, parsed.error());
            continue;
        }
        auto e = std::make_unique<Entry>();
        e->group = parsed->address;
        e->has_group = !parsed->address.is_unspecified();
        e->port = parsed->port;
        e->if_index = parsed->if_index.value_or(default_if_index);
        if (e->has_group && e->group.IsMulticast() == 0) {
            bad(item, "not a multicast group (0.0.0.0:PORT, [::]:PORT or PORT for none)");
            continue;
        }
        if (!e->has_group && parsed->if_index) {
            bad(item, "%IFINDEX belongs to a group; a socket without one takes every interface");
            continue;
        }
        if (e->has_group && e->if_index > adapters) {
            bad(item, "ifIndex " + std::to_string(e->if_index) +
                          " is not an interface of this node (1.." + std::to_string(adapters) +
                          ")");
            continue;
        }
        if (!seen.emplace(e->group, e->port, e->has_group ? e->if_index : 0).second) {
            bad(item, "listed twice");
            continue;
        }
        e->text = e->has_group ? e->group.to_string() : "*";
        gEntries.push_back(std::move(e));
    }
    if (!groups->empty() && groups->back() == ',') bad("", "empty (a ',' too many)");
    return ok;
}

}  // namespace

CAPLNET_PROGRAM(program) {
    ParamReader params(program, "receiver");
    const dword adapters = IpGetAdapterCount();
    const auto if_index =
        static_cast<dword>(params.integer("if_index", 1, 1, adapters > 0 ? adapters : 1));
    read_groups(params, if_index);
    const bool timed_join = params.has("join_at_ms");
    const auto join_at = params.integer("join_at_ms", 0, 0, 0x7fffffff);
    const bool timed_leave = params.has("leave_at_ms");
    const auto leave_at = params.integer("leave_at_ms", 0, 0, 0x7fffffff);
    gJoinKey = params.key("join_key", std::nullopt);
    gLeaveKey = params.key("leave_key", std::nullopt);
    const auto report_key = params.key("report_key", 'n');
    params.distinct_keys(
        {{"report_key", report_key}, {"join_key", gJoinKey}, {"leave_key", gLeaveKey}});
    params.report_unknown();
    if (!params.ok()) {
        gEntries.clear();
        return;  // no handlers: the node runs on, idle, and the error lines say why
    }

    // A join key alone means "join when I say so"; join_at_ms keeps a timed join as well.
    const bool join_at_start = timed_join ? join_at == 0 : !gJoinKey;
    program.on_start([=] {
        open_all();
        if (join_at_start) join_all();
        if (timed_join && join_at > 0) {
            gJoinTimer.on_elapsed(join_all);
            setTimer(gJoinTimer, static_cast<capl_long>(join_at));
        }
        if (timed_leave) {
            gLeaveTimer.on_elapsed(leave_all);
            setTimer(gLeaveTimer, static_cast<capl_long>(leave_at));
        }
    });
    program.OnUdpReceiveFrom(OnReceive);
    if (gJoinKey) program.on_key(*gJoinKey, join_all);
    if (gLeaveKey) program.on_key(*gLeaveKey, leave_all);
    if (report_key) program.on_key(*report_key, report);
    program.on_stop(report);
}
