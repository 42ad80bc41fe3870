// The ready-made programs (tools/programs): receiver and sender nodes on a `caplnet switch`,
// driven only by --param and keys, as a scenario drives them.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

using namespace caplnet::test;
using namespace std::chrono_literals;

namespace {

struct NodeSpec {
    std::string name;
    std::string mac;
    std::string ipv4;
    std::string ipv6;  // empty: none besides the link-local one
};

void write_node(const TempDir& dir, const NodeSpec& n) {
    std::string toml = "name = \"" + n.name + "\"\n[[adapter]]\nlink = \"vde://sw\"\nmac = \"" + n.mac +
                       "\"\nipv4 = [\"" + n.ipv4 + "\"]\n";
    if (!n.ipv6.empty()) toml += "ipv6 = [\"" + n.ipv6 + "\"]\n";
    write_file(dir.file(n.name + ".toml"), toml);
}

std::vector<std::string> node_argv(const TempDir& dir, const NodeSpec& n, const char* program,
                                   const std::vector<std::string>& params, std::vector<std::string> extra = {}) {
    write_node(dir, n);
    std::vector<std::string> argv{CAPLNET_BINARY, "node", dir.file(n.name + ".toml"), "--run-dir", dir.path(),
                                  "--program", program, "--stdin-keys"};
    for (const auto& p : params) {
        argv.push_back("--param");
        argv.push_back(p);
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

/// Presses the report key and reads the `count ADDR PORT N` lines: "ADDR PORT" -> N.
std::map<std::string, unsigned long> counts(ChildProcess& rx, std::size_t entries) {
    rx.send("n");
    std::map<std::string, unsigned long> out;
    for (std::size_t i = 0; i < entries; ++i) {
        const auto line = rx.wait_for("] count ", 10s);
        if (!line) break;
        char addr[64] = {};
        unsigned port = 0;
        unsigned long n = 0;
        if (std::sscanf(line->c_str() + line->find("] count ") + 8, "%63s %u %lu", addr, &port, &n) == 3) {
            out[std::string(addr) + " " + std::to_string(port)] = n;
        }
    }
    return out;
}

/// Presses the report key of a sender and reads its `sent N`.
unsigned long sent(ChildProcess& tx) {
    tx.send("n");
    const auto line = tx.wait_for("] sent ", 10s);
    return line ? std::stoul(line->substr(line->find("] sent ") + 7)) : 0;
}

/// The counts a receiver printed at stop: the last `entries` count lines of its transcript.
std::map<std::string, unsigned long> final_counts(const std::string& transcript, std::size_t entries) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while ((pos = transcript.find("] count ", pos)) != std::string::npos) {
        pos += 8;
        lines.push_back(transcript.substr(pos, transcript.find('\n', pos) - pos));
    }
    std::map<std::string, unsigned long> out;
    for (std::size_t i = lines.size() >= entries ? lines.size() - entries : 0; i < lines.size(); ++i) {
        const auto last_space = lines[i].rfind(' ');
        out[lines[i].substr(0, last_space)] = std::stoul(lines[i].substr(last_space + 1));
    }
    return out;
}

/// The payload the sender's format gives datagram `sequence` of stream 1 with `size` bytes, as hex.
std::string payload_hex(unsigned sequence, std::size_t size) {
    std::string hex = "43504c4e";  // "CPLN"
    hex += "01";                    // stream
    hex += "00" "0000";
    char seq[9];
    std::snprintf(seq, sizeof seq, "%08x", sequence);
    hex += seq;
    hex += seq;
    for (std::size_t i = 16; i < size; ++i) {
        char b[3];
        std::snprintf(b, sizeof b, "%02x", static_cast<unsigned>(i & 0xff));
        hex += b;
    }
    return hex;
}

std::string strip_colons(std::string s) {
    std::erase(s, ':');
    return s;
}

}  // namespace

TEST_CASE("The ready-made receiver counts each joined group apart and the sender sends count datagrams",
          "[oracle][programs]") {
    TempDir dir;
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("sw")});
    REQUIRE(sw.wait_for("switch ready", 10s));
    // One port, four sockets: two groups, and the port alone for unicast.
    ChildProcess rx(node_argv(dir, {"rx", "02:00:00:00:07:01", "192.168.7.1/24", ""}, CAPLNET_PROGRAM_RECEIVER,
                              {"groups=239.1.1.1:40001,239.1.1.2:40001%1,40001"}));
    REQUIRE(rx.wait_for("joined 239.1.1.1 40001 ifIndex 1: 0", 30s));
    REQUIRE(rx.wait_for("joined 239.1.1.2 40001 ifIndex 1: 0", 10s));

    // tx1 to a joined group; tx2 to a group on the same port that the receiver did not join;
    // tx3 unicast to the receiver (after a ping, so that no datagram waits for ARP).
    ChildProcess tx1(node_argv(dir, {"tx1", "02:00:00:00:07:02", "192.168.7.2/24", ""}, CAPLNET_PROGRAM_SENDER,
                               {"to=239.1.1.1:40001", "rate=1000", "count=300", "start_key=s"},
                               {"--capture", dir.file("tx1.pcapng")}));
    ChildProcess tx2(node_argv(dir, {"tx2", "02:00:00:00:07:03", "192.168.7.3/24", ""}, CAPLNET_PROGRAM_SENDER,
                               {"to=239.1.1.3:40001", "rate=1000", "count=300", "start_key=s", "stream=2"}));
    ChildProcess tx3(node_argv(dir, {"tx3", "02:00:00:00:07:04", "192.168.7.4/24", ""}, CAPLNET_PROGRAM_SENDER,
                               {"to=192.168.7.1:40001", "rate=1000", "count=100", "start_key=s", "stream=3"},
                               {"--ping", "192.168.7.1", "--count", "1"}));
    REQUIRE(tx1.wait_for("multicast interface ifIndex 1: 0", 30s));
    REQUIRE(tx2.wait_for("multicast interface ifIndex 1: 0", 30s));
    REQUIRE(tx3.wait_for("ping 192.168.7.1: 1/1 replies", 30s));
    for (auto* tx : {&tx1, &tx2, &tx3}) tx->send("s");
    CHECK(tx1.wait_for("done 300", 30s));
    CHECK(tx2.wait_for("done 300", 30s));
    CHECK(tx3.wait_for("done 100", 30s));
    CHECK(sent(tx1) == 300);
    CHECK(sent(tx3) == 100);

    // The last datagrams may still be on their way through the switch: ask until they are in.
    std::map<std::string, unsigned long> got;
    const bool arrived = eventually(
        [&] {
            got = counts(rx, 3);
            return got["239.1.1.1 40001"] >= 300 && got["* 40001"] >= 100;
        },
        20s);
    INFO(rx.transcript());
    CHECK(arrived);
    CHECK(got["239.1.1.1 40001"] == 300);
    CHECK(got["239.1.1.2 40001"] == 0);  // joined, but nobody sends to it
    CHECK(got["* 40001"] == 100);        // neither group's datagrams, only the unicast ones
    for (auto* tx : {&tx1, &tx2, &tx3}) CHECK(tx->stop(SIGTERM) == 0);
    CHECK(rx.stop(SIGTERM) == 0);
    const auto last = final_counts(rx.transcript(), 3);
    CHECK(last.at("239.1.1.1 40001") == 300);
    CHECK(last.at("239.1.1.2 40001") == 0);
    CHECK(last.at("* 40001") == 100);
    sw.stop(SIGTERM);

    // The payload format, datagram by datagram, and the pace: 300 at 1000/s take 299 ms at least.
    const auto frames = tshark_fields(dir.file("tx1.pcapng"), "ip.src == 192.168.7.2 && udp.dstport == 40001",
                                      {"frame.time_relative", "udp.payload", "ip.dst"});
    REQUIRE(frames.size() == 300);
    for (unsigned i = 0; i < frames.size(); i += 299) {
        INFO(i);
        CHECK(strip_colons(frames[i][1]) == payload_hex(i, 64));
        CHECK(frames[i][2] == "239.1.1.1");
    }
    const double span = std::stod(frames.back()[0]) - std::stod(frames.front()[0]);
    CHECK(span >= 0.298);
    CHECK(span < 3.0);
}

TEST_CASE("The ready-made receiver and sender work over IPv6 with a hop limit", "[oracle][programs]") {
    TempDir dir;
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("sw")});
    REQUIRE(sw.wait_for("switch ready", 10s));
    ChildProcess rx(node_argv(dir, {"rx", "02:00:00:00:08:01", "192.168.8.1/24", "fd00:8::1/64"},
                              CAPLNET_PROGRAM_RECEIVER, {"groups=[ff15::123]:40002,[FF15::0124]:40002%1"}));
    REQUIRE(rx.wait_for("joined ff15::123 40002 ifIndex 1: 0", 30s));
    REQUIRE(rx.wait_for("joined ff15::124 40002 ifIndex 1: 0", 10s));  // printed normalised
    ChildProcess tx(node_argv(dir, {"tx", "02:00:00:00:08:02", "192.168.8.2/24", "fd00:8::2/64"},
                              CAPLNET_PROGRAM_SENDER,
                              {"to=[ff15::123]:40002", "rate=1000", "count=300", "start_key=s", "ttl=5", "size=1452"},
                              {"--capture", dir.file("tx.pcapng")}));
    REQUIRE(tx.wait_for("multicast interface ifIndex 1: 0", 30s));
    REQUIRE(tx.wait_for("IPV6_MULTICAST_HOPS 5: 0", 10s));
    tx.send("s");
    REQUIRE(tx.wait_for("done 300", 30s));
    std::map<std::string, unsigned long> got;
    const bool arrived = eventually(
        [&] {
            got = counts(rx, 2);
            return got["ff15::123 40002"] >= 300;
        },
        20s);
    INFO(rx.transcript());
    CHECK(arrived);
    CHECK(got["ff15::123 40002"] == 300);
    CHECK(got["ff15::124 40002"] == 0);
    CHECK(tx.stop(SIGTERM) == 0);
    CHECK(rx.stop(SIGTERM) == 0);
    sw.stop(SIGTERM);
    const auto frames = tshark_fields(dir.file("tx.pcapng"), "ipv6.src == fd00:8::2 || ipv6.src == fe80::/10",
                                      {"ipv6.hlim", "udp.length"});
    std::size_t datagrams = 0;
    for (const auto& f : frames) {
        if (f[1] != "1460") continue;  // 1452 bytes of payload + 8 of UDP header
        ++datagrams;
        CHECK(f[0] == "5");
    }
    CHECK(datagrams == 300);
}

TEST_CASE("The ready-made receiver joins on its join key and counts nothing after its leave key",
          "[oracle][programs]") {
    TempDir dir;
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("sw")});
    REQUIRE(sw.wait_for("switch ready", 10s));
    ChildProcess rx(node_argv(dir, {"rx", "02:00:00:00:09:01", "192.168.9.1/24", ""}, CAPLNET_PROGRAM_RECEIVER,
                              {"groups=239.1.1.9:40009", "join_key=j", "leave_key=l"}));
    ChildProcess tx(node_argv(dir, {"tx", "02:00:00:00:09:02", "192.168.9.2/24", ""}, CAPLNET_PROGRAM_SENDER,
                              {"to=239.1.1.9:40009", "rate=1000"}));
    REQUIRE(rx.wait_for("node rx ready", 30s));
    REQUIRE(tx.wait_for("sending to 239.1.1.9 40009", 30s));
    // A join key and no join_at_ms: no join at start, so nothing arrives however much is sent.
    REQUIRE(eventually([&] { return sent(tx) >= 100; }, 20s));
    CHECK(counts(rx, 1)["239.1.1.9 40009"] == 0);
    CHECK_THAT(rx.transcript(), !Catch::Contains("] joined"));

    rx.send("j");
    REQUIRE(rx.wait_for("joined 239.1.1.9 40009 ifIndex 1: 0", 10s));
    REQUIRE(eventually([&] { return counts(rx, 1)["239.1.1.9 40009"] >= 100; }, 20s));
    rx.send("l");
    REQUIRE(rx.wait_for("left 239.1.1.9 40009 ifIndex 1: 0", 10s));
    // SPEC §4: after a leave returns, not one more datagram of the group, queued ones included.
    const unsigned long at_leave = counts(rx, 1)["239.1.1.9 40009"];
    const unsigned long sent_at_leave = sent(tx);
    REQUIRE(eventually([&] { return sent(tx) >= sent_at_leave + 300; }, 20s));
    CHECK(counts(rx, 1)["239.1.1.9 40009"] == at_leave);
    // A second leave has nothing to leave: CAPL's answer, not a crash.
    rx.send("l");
    CHECK(rx.wait_for("left 239.1.1.9 40009 ifIndex 1: -1 (last error 10049)", 10s));
    CHECK(tx.stop(SIGTERM) == 0);
    CHECK(rx.stop(SIGTERM) == 0);
    INFO(rx.transcript());
    CHECK(final_counts(rx.transcript(), 1).at("239.1.1.9 40009") == at_leave);
    sw.stop(SIGTERM);
}

TEST_CASE("The ready-made programs name each bad parameter and stay idle without crashing",
          "[oracle][programs]") {
    TempDir dir;
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("sw")});
    REQUIRE(sw.wait_for("switch ready", 10s));
    ChildProcess missing(node_argv(dir, {"rx1", "02:00:00:00:0a:01", "192.168.10.1/24", ""},
                                   CAPLNET_PROGRAM_RECEIVER, {}));
    ChildProcess rx(node_argv(dir, {"rx2", "02:00:00:00:0a:02", "192.168.10.2/24", ""}, CAPLNET_PROGRAM_RECEIVER,
                              {"groups=239.1.1.1:40001,x", "join_key=jj", "leave_key=n", "grups=1"}));
    ChildProcess tx(node_argv(dir, {"tx", "02:00:00:00:0a:03", "192.168.10.3/24", ""}, CAPLNET_PROGRAM_SENDER,
                              {"to=239.1.1.1", "rate=fast", "size=8", "count=-1"}));
    ChildProcess rx_range(node_argv(dir, {"rx3", "02:00:00:00:0a:04", "192.168.10.4/24", ""},
                                    CAPLNET_PROGRAM_RECEIVER,
                                    {"groups=10.0.0.1:1,239.1.1.1:70000,[ff15::1%1]:5,ff15::1:5,239.1.1.1:5%9,"
                                     "239.1.1.1:5,239.1.1.1:5"}));

    CHECK(missing.wait_for("receiver: missing parameter groups", 30s));
    CHECK(rx.wait_for("receiver: bad parameter groups='239.1.1.1:40001,x': entry 'x': not ADDR:PORT", 30s));
    CHECK(rx.wait_for("receiver: bad parameter join_key='jj'", 10s));
    CHECK(rx.wait_for("receiver: bad parameter leave_key='n': the same key as report_key", 10s));
    CHECK(rx.wait_for("receiver: unknown parameter grups='1' ignored", 10s));
    CHECK(tx.wait_for("sender: bad parameter to='239.1.1.1': not ADDR:PORT", 30s));
    CHECK(tx.wait_for("sender: bad parameter rate='fast': not a number from 0.001 to 1000000", 10s));
    CHECK(tx.wait_for("sender: bad parameter count='-1'", 10s));
    CHECK(tx.wait_for("sender: bad parameter size='8': not a whole number from 16 to 1472", 10s));
    for (const char* why : {"entry '10.0.0.1:1': not a multicast group", "entry '239.1.1.1:70000': port '70000'",
                            "entry '[ff15::1%1]:5': no %scope inside the brackets",
                            "entry 'ff15::1:5': an IPv6 address needs brackets",
                            "entry '239.1.1.1:5%9': ifIndex 9 is not an interface", "entry '239.1.1.1:5': listed twice"}) {
        CHECK(rx_range.wait_for(why, 30s));
    }
    // Each node runs on: it comes up, takes keys, and stops cleanly when told to.
    for (auto* p : {&missing, &rx, &tx, &rx_range}) {
        CHECK(p->wait_for(" ready", 30s));
        p->send("nsj");
    }
    for (auto* p : {&missing, &rx, &tx, &rx_range}) {
        CHECK(p->stop(SIGTERM) == 0);
        INFO(p->transcript());
        CHECK_THAT(p->transcript(), !Catch::Contains("] count ") && !Catch::Contains("] sent ") &&
                                        !Catch::Contains("] joined") && !Catch::Contains("] sending to"));
    }
    sw.stop(SIGTERM);
}

TEST_CASE("The ready-made sender keeps 10000 datagrams per second on a millisecond timer",
          "[oracle][programs][paced]") {
    TempDir dir;
    ChildProcess sw({CAPLNET_BINARY, "switch", dir.file("sw")});
    REQUIRE(sw.wait_for("switch ready", 10s));
    ChildProcess tx(node_argv(dir, {"tx", "02:00:00:00:0b:02", "192.168.11.2/24", ""}, CAPLNET_PROGRAM_SENDER,
                              {"to=239.1.1.11:40011", "rate=10000", "count=2000", "size=16", "start_key=s"},
                              {"--capture", dir.file("tx.pcapng")}));
    REQUIRE(tx.wait_for("multicast interface ifIndex 1: 0", 30s));
    tx.send("s");
    REQUIRE(tx.wait_for("done 2000", 30s));
    CHECK(tx.wait_for("sent 2000", 10s));
    CHECK(tx.stop(SIGTERM) == 0);
    sw.stop(SIGTERM);
    const auto frames = tshark_fields(dir.file("tx.pcapng"), "udp.dstport == 40011", {"frame.time_relative"});
    REQUIRE(frames.size() == 2000);
    // One datagram per timer tick would take 2 s; the schedule says 199.9 ms.
    const double span = std::stod(frames.back()[0]) - std::stod(frames.front()[0]);
    CHECK(span >= 0.199);
    CHECK(span < 1.5);
}
