// Ready-made sender: numbered datagrams to one group or unicast address at a fixed rate. The
// parameters are in README.md next to this file. The payload is the one of the shared test
// captures (captures/README.md), so a receiver or tshark can tell streams and gaps apart:
//   0..3 "CPLN" | 4 stream | 5 0 | 6..7 0 | 8..11 sequence (uint32 BE, from 0) | 12..15 the same
//   | 16.. byte i = i & 0xff
#include <algorithm>
#include <caplnet/capl.hpp>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tools/programs/support.hpp"

using namespace caplnet::capl;
using caplnet::programs::ParamReader;
using caplnet::programs::result_text;

namespace {

// The stack's UDP limit with a 1500-byte MTU: 1500 - 20 (IPv4) or 40 (IPv6) - 8 (UDP).
constexpr std::uint64_t kMaxPayloadV4 = 1472;
constexpr std::uint64_t kMaxPayloadV6 = 1452;
constexpr std::uint64_t kMinPayload = 16;  // the header of the payload format
// A tick that is behind sends at most this many at once, so keys and stop still get the program
// thread between bursts; the rest follows at the next tick, which comes at once.
constexpr std::uint64_t kMaxBurst = 1000;
// The 10-µs timeNow() wraps after 11.9 h; a tick at least this often (ms) never misses a wrap.
constexpr std::uint64_t kMaxTickMs = 60000;

UdpSocket gSocket;
IP_Endpoint gTo;
std::vector<char> gPayload;
double gRate = 100;
std::uint64_t gCount = 0;  // 0: unlimited
msTimer gTick;
msTimer gStartTimer;
msTimer gStopTimer;
bool gSending = false;
bool gOpen = false;
std::uint64_t gAttempts = 0;  // the next sequence number; failed sends use theirs up too
std::uint64_t gSent = 0;
std::set<capl_long> gReportedErrors;

// Pacing on absolute time: datagram k after a (re)start is due at gEpochUs + k / rate, so a late
// timer or a slow send is caught up on the next tick instead of shifting every later datagram.
std::uint64_t gEpochUs = 0;
std::uint64_t gEpochAttempts = 0;

/// timeNow() widened to 64 bits; called at least every kMaxTickMs while sending.
std::uint64_t now_us() {
    static dword last = timeNow();
    static std::uint64_t total = 0;
    const dword now = timeNow();
    total += dword(now - last);  // modulo 2^32: right across one wrap
    last = now;
    return total * 10;
}

void put_u32(std::size_t at, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) {
        gPayload[at + i] = static_cast<char>(v >> (24 - 8 * i));
    }
}

bool done() { return gCount != 0 && gAttempts >= gCount; }

void report() { write("sent %llu", static_cast<unsigned long long>(gSent)); }

void send_one() {
    const auto sequence = static_cast<std::uint32_t>(gAttempts);
    put_u32(8, sequence);
    put_u32(12, sequence);
    ++gAttempts;
    if (gSocket.SendTo(gTo, gPayload.data(), static_cast<dword>(gPayload.size())) == 0) {
        ++gSent;
        return;
    }
    const capl_long code = gSocket.GetLastSocketError();
    if (gReportedErrors.insert(code).second) write("send failed: %d", code);
}

void tick() {
    if (!gSending) return;
    const std::uint64_t now = now_us();
    const double elapsed_s = static_cast<double>(now - gEpochUs) / 1e6;
    // The epsilon keeps a datagram due exactly now from rounding down to "not yet".
    std::uint64_t due =
        gEpochAttempts + static_cast<std::uint64_t>(std::floor(elapsed_s * gRate + 1e-9)) + 1;
    if (gCount != 0) due = std::min(due, gCount);
    const std::uint64_t burst_end = std::min(due, gAttempts + kMaxBurst);
    while (gAttempts < burst_end) send_one();
    if (done()) {
        gSending = false;
        write("done %llu", static_cast<unsigned long long>(gAttempts));
        report();
        return;
    }
    if (gAttempts < due) {
        setTimer(gTick, 0);
        return;
    }
    const double next_s = static_cast<double>(gAttempts - gEpochAttempts) / gRate;
    const auto next_us = gEpochUs + static_cast<std::uint64_t>(std::ceil(next_s * 1e6));
    const std::uint64_t wait_ms = next_us > now ? (next_us - now + 999) / 1000 : 0;
    setTimer(gTick, static_cast<capl_long>(std::min(wait_ms, kMaxTickMs)));
}

void start_sending() {
    if (gSending || !gOpen || done()) return;
    gSending = true;
    // A new epoch: after a pause the sender goes on at its rate, with no burst for the gap.
    gEpochUs = now_us();
    gEpochAttempts = gAttempts;
    write("sending to %s %u", gTo.Address().to_string().c_str(), unsigned{gTo.port()});
    tick();
}

void stop_sending() {
    if (!gSending) return;
    gSending = false;
    cancelTimer(gTick);
    write("paused");
    report();
}

/// The socket options that depend on the destination, each result written as CAPL returns it.
void configure(dword if_index, std::optional<capl_long> ttl) {
    const bool v6 = gTo.Address().IsIPv6Address() != 0;
    const bool multicast = gTo.Address().IsMulticast() != 0;
    if (multicast) {
        // Without it a multicast send fails with 10051 (SPEC §4).
        write("multicast interface ifIndex %u: %s", if_index,
              result_text(gSocket.SetMulticastInterface(if_index), gSocket.handle()).c_str());
    } else if (!v6) {
        // The stack refuses 255.255.255.255 without SO_BROADCAST; for any other address it is moot.
        gSocket.SetSocketOption("SOL_SOCKET", "SO_BROADCAST", 1);
    }
    if (ttl) {
        const char* level = v6 ? "IPPROTO_IPV6" : "IPPROTO_IP";
        const char* name = v6 ? (multicast ? "IPV6_MULTICAST_HOPS" : "IPV6_UNICAST_HOPS")
                              : (multicast ? "IP_MULTICAST_TTL" : "IP_TTL");
        write("%s %d: %s", name, *ttl,
              result_text(gSocket.SetSocketOption(level, name, *ttl), gSocket.handle()).c_str());
    }
}

}  // namespace

CAPLNET_PROGRAM(program) {
    ParamReader params(program, "sender");
    if (const auto to = params.required("to", "ADDR:PORT or [ADDR]:PORT")) {
        const auto parsed = caplnet::programs::parse_endpoint(*to);
        if (!parsed) {
            params.bad("to", *to, parsed.error());
        } else if (parsed->if_index) {
            params.bad("to", *to, "no %IFINDEX here: the interface is the if_index parameter");
        } else if (parsed->address.is_unspecified()) {
            params.bad("to", *to, "needs an address: ADDR:PORT or [ADDR]:PORT");
        } else {
            gTo = IP_Endpoint(parsed->address, parsed->port);
        }
    }
    const bool v6 = gTo.Address().IsIPv6Address() != 0;
    gRate = params.number("rate", 100, 1e-3, 1e6);
    gCount = params.integer("count", 0, 0, 0xffffffff);
    const auto size = params.integer("size", 64, kMinPayload, v6 ? kMaxPayloadV6 : kMaxPayloadV4);
    const auto stream = params.integer("stream", 1, 0, 255);
    const dword adapters = IpGetAdapterCount();
    const auto if_index =
        static_cast<dword>(params.integer("if_index", 1, 1, adapters > 0 ? adapters : 1));
    std::optional<capl_long> ttl;
    if (params.has("ttl")) ttl = static_cast<capl_long>(params.integer("ttl", 1, 0, 255));
    const bool timed_start = params.has("start_at_ms");
    const auto start_at = params.integer("start_at_ms", 0, 0, 0x7fffffff);
    const bool timed_stop = params.has("stop_at_ms");
    const auto stop_at = params.integer("stop_at_ms", 0, 0, 0x7fffffff);
    const auto start_key = params.key("start_key", std::nullopt);
    const auto stop_key = params.key("stop_key", std::nullopt);
    const auto report_key = params.key("report_key", 'n');
    params.distinct_keys(
        {{"report_key", report_key}, {"start_key", start_key}, {"stop_key", stop_key}});
    params.report_unknown();
    if (!params.ok()) return;  // no handlers: the node runs on, idle, and the error lines say why

    // A link-local unicast peer is reachable only through a named interface.
    if (v6 && gTo.Address().IsMulticast() == 0 && gTo.Address().ipv6().octets[0] == 0xfe &&
        (gTo.Address().ipv6().octets[1] & 0xc0) == 0x80) {
        gTo.Address().SetScopeID(if_index);
    }
    gPayload.assign(size, 0);
    for (std::size_t i = kMinPayload; i < gPayload.size(); ++i) {
        gPayload[i] = static_cast<char>(i & 0xff);
    }
    gPayload[0] = 'C';
    gPayload[1] = 'P';
    gPayload[2] = 'L';
    gPayload[3] = 'N';
    gPayload[4] = static_cast<char>(stream);

    // A start key alone means "start when I say so"; start_at_ms keeps a timed start as well.
    const bool start_at_start = timed_start ? start_at == 0 : !start_key;
    program.on_start([=] {
        gSocket = UdpSocket::Open(IP_Endpoint(v6 ? "[::]:0" : "0.0.0.0:0"));
        if (gSocket.handle() == wsa::kInvalidSocket) {
            write("open failed: %d", IpGetLastError());
            return;
        }
        gOpen = true;
        configure(if_index, ttl);
        gTick.on_elapsed(tick);
        if (start_at_start) start_sending();
        if (timed_start && start_at > 0) {
            gStartTimer.on_elapsed(start_sending);
            setTimer(gStartTimer, static_cast<capl_long>(start_at));
        }
        if (timed_stop) {
            gStopTimer.on_elapsed(stop_sending);
            setTimer(gStopTimer, static_cast<capl_long>(stop_at));
        }
    });
    if (start_key) program.on_key(*start_key, start_sending);
    if (stop_key) program.on_key(*stop_key, stop_sending);
    if (report_key) program.on_key(*report_key, report);
    program.on_stop(report);
}
