// The group engine against the Linux kernel, message for message: the same sequence (join two
// groups, leave one, answer a general query, leave the other) is run once by a node and once by
// the kernel in a network namespace, with the version forced on both (force_igmp_version /
// force_mld_version, igmp_version / mld_version in the node file). tshark watches both wires
// live; each step waits for its messages, so the order is exact. Compared per group: message
// types, destinations, record types.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "netif/wire/ethernet.hpp"
#include "netif/wire/group_packet.hpp"
#include "netif/wire/igmp.hpp"
#include "netif/wire/mld.hpp"
#include "tests/support/process.hpp"

using namespace caplnet;
using namespace caplnet::test;
using namespace std::chrono_literals;

namespace {

struct Protocol {
    bool v6;
    int version;
    std::string g1, g2;
};

/// IGMP/MLD messages seen on one wire, as "kind record destination" per group.
struct Wire {
    std::unique_ptr<ChildProcess> tshark;
    std::map<std::string, std::vector<std::string>> events;

    Wire(const NetNamespace& ns, const std::string& iface) {
        auto argv = ns.exec_prefix();
        argv.insert(argv.end(), {"tshark", "-i", iface, "-l", "-n", "-Y", "igmp || icmpv6.type in {131,132,143}", "-T",
                                 "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
                                 "-e", "ip.dst", "-e", "ipv6.dst", "-e", "igmp.type", "-e", "igmp.record_type", "-e",
                                 "igmp.maddr", "-e", "icmpv6.type", "-e", "icmpv6.mld.multicast_address", "-e",
                                 "icmpv6.mldr.mar.record_type", "-e", "icmpv6.mldr.mar.multicast_address"});
        tshark = std::make_unique<ChildProcess>(argv);
        REQUIRE(tshark->wait_for("Capturing on", 20s));
    }

    static std::vector<std::string> split(const std::string& s, char sep) {
        std::vector<std::string> out;
        std::stringstream ss(s);
        for (std::string item; std::getline(ss, item, sep);) out.push_back(item);
        return out;
    }

    void add(const std::string& line) {
        auto f = split(line, '\t');
        f.resize(9);
        const std::string dst = !f[0].empty() ? f[0] : f[1];
        auto note = [&](const std::string& group, const std::string& what) {
            events[group].push_back(what + " " + (dst == group ? std::string("to-group") : dst));
        };
        if (f[2] == "0x16") note(f[4], "report-v2");
        if (f[2] == "0x17") note(f[4], "leave-v2");
        if (f[2] == "0x22") {
            const auto types = split(f[3], ',');
            const auto groups = split(f[4], ',');
            for (std::size_t i = 0; i < types.size() && i < groups.size(); ++i) note(groups[i], "v3-record-" + types[i]);
        }
        if (f[5] == "131") note(f[6], "report-mldv1");
        if (f[5] == "132") note(f[6], "done-mldv1");
        if (f[5] == "143") {
            const auto types = split(f[7], ',');
            const auto groups = split(f[8], ',');
            for (std::size_t i = 0; i < types.size() && i < groups.size(); ++i) note(groups[i], "mldv2-record-" + types[i]);
        }
    }

    /// Reads the wire until `group` has `n` events.
    bool wait(const std::string& group, std::size_t n) {
        const auto end = std::chrono::steady_clock::now() + 20s;
        while (events[group].size() < n) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            auto line = tshark->read_line(left);
            if (!line) return false;
            add(*line);
        }
        return true;
    }
};

std::string hex(const std::vector<std::uint8_t>& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (auto x : b) {
        s += d[x >> 4];
        s += d[x & 15];
    }
    return s;
}

/// A general query of the protocol's version, as an Ethernet frame, hex.
std::string general_query(const Protocol& p) {
    const auto src_mac = *wire::MacAddress::parse("02:00:00:00:99:99");
    std::vector<std::uint8_t> ip;
    wire::MacAddress dst_mac;
    std::uint16_t type;
    if (!p.v6) {
        wire::IgmpQuery q;
        q.version = p.version == 3 ? wire::IgmpVersion::V3 : wire::IgmpVersion::V2;
        q.max_resp_time = 1000ms;
        ip = wire::igmp_packet(*wire::Ipv4Address::parse("0.0.0.0"), wire::kAllSystemsV4, q);
        dst_mac = wire::kAllSystemsV4.multicast_mac();
        type = wire::ethertype::kIpv4;
    } else {
        wire::MldQuery q;
        q.version = p.version == 2 ? wire::MldVersion::V2 : wire::MldVersion::V1;
        q.max_resp_delay = 1000ms;
        ip = wire::mld_packet(*wire::Ipv6Address::parse("fe80::99"), wire::kAllNodesV6, q);
        dst_mac = wire::kAllNodesV6.multicast_mac();
        type = wire::ethertype::kIpv6;
    }
    std::vector<std::uint8_t> frame(wire::kEthernetHeaderLen);
    wire::emit_ethernet_header(frame, dst_mac, src_mac, type);
    frame.insert(frame.end(), ip.begin(), ip.end());
    return hex(frame);
}

/// The sequence of the issue, on one side. `act(cmd, group)` joins or leaves; `inject()` sends the query.
template <class Act, class Inject>
void run_sequence(const Protocol& p, Wire& w, Act act, Inject inject) {
    const bool newest = p.v6 ? p.version == 2 : p.version == 3;
    // Robustness 2: every state change twice in v3/MLDv2, every join twice and every leave once
    // in v2/MLDv1 (RFC 3376 §5.1, RFC 2236 §3, and the kernel's own behaviour in captures/).
    const std::size_t join = 2, leave = newest ? 2 : 1;
    act("join", p.g1);
    REQUIRE(w.wait(p.g1, join));
    act("join", p.g2);
    REQUIRE(w.wait(p.g2, join));
    act("leave", p.g1);
    REQUIRE(w.wait(p.g1, join + leave));
    inject();
    REQUIRE(w.wait(p.g2, join + 1));
    act("leave", p.g2);
    REQUIRE(w.wait(p.g2, join + 1 + leave));
}

void compare_with_kernel(const Protocol& p) {
    NetNamespace ns("caplnet-cmp-" + std::to_string(::getpid()));
    TempDir dir;
    const std::string family = p.v6 ? "mld" : "igmp";
    const std::string force = p.v6 ? "sysctl -qw net.ipv6.conf.kv0.force_mld_version=" + std::to_string(p.version)
                                   : "sysctl -qw net.ipv4.conf.kv0.force_igmp_version=" + std::to_string(p.version);
    REQUIRE(ns.run("ip link add kv0 type veth peer name kv1 && ip tuntap add dev ctap0 mode tap && "
                   "sysctl -qw net.ipv6.conf.kv1.disable_ipv6=1 && sysctl -qw net.ipv6.conf.ctap0.disable_ipv6=1 && "
                   "sysctl -qw net.ipv6.conf.kv0.accept_dad=0 && sysctl -qw net.ipv6.conf.kv0.router_solicitations=0 && "
                   "sysctl -qw net.ipv4.conf.kv0.igmpv2_unsolicited_report_interval=1000 && "
                   "sysctl -qw net.ipv4.conf.kv0.igmpv3_unsolicited_report_interval=1000 && "
                   "sysctl -qw net.ipv6.conf.kv0.mldv1_unsolicited_report_interval=1000 && "
                   "sysctl -qw net.ipv6.conf.kv0.mldv2_unsolicited_report_interval=1000 && " + force + " && "
                   "ip addr add 192.168.2.1/24 dev kv0 && ip link set kv0 up && ip link set kv1 up && ip link set ctap0 up")
                .status == 0);
    write_file(dir.file("n.toml"), std::string("name = \"n\"\n[[adapter]]\nlink = \"tap://ctap0\"\nmac = \"02:00:00:00:01:01\"\n"
                                               "ipv4 = [\"192.168.1.1/24\"]\nunsolicited_report_interval = 1000\n") +
                                       (p.v6 ? "mld_version = " : "igmp_version = ") + std::to_string(p.version) + "\n");
    Wire node_wire(ns, "ctap0");
    Wire kernel_wire(ns, "kv1");

    auto kargv = ns.exec_prefix();
    kargv.insert(kargv.end(), {"/usr/bin/python3", std::string(CAPLNET_SOURCE_DIR) + "/tests/support/kernel_member.py"});
    ChildProcess kernel(kargv);
    auto nargv = ns.exec_prefix();
    nargv.insert(nargv.end(), {CAPLNET_BINARY, "node", dir.file("n.toml"), "--program", CAPLNET_TEST_RECEIVER,
                               "--param", "groups=" + p.g1 + "," + p.g2, "--param", "start=0", "--stdin-keys"});
    ChildProcess node(nargv);
    REQUIRE(node.wait_for("started", 30s));

    run_sequence(p, node_wire, [&](const std::string& what, const std::string& g) {
        const char key = static_cast<char>((g == p.g1 ? 'a' : 'b') - (what == "leave" ? 32 : 0));
        node.send(std::string(1, key) + "\n");
        REQUIRE(node.wait_for((what == "join" ? "joined " : "left ") + g + ": 0", 10s));
    }, [&] {
        kernel.send("inject ctap0 " + general_query(p) + "\n");
        REQUIRE(kernel.wait_for("ok inject", 10s));
    });
    run_sequence(p, kernel_wire, [&](const std::string& what, const std::string& g) {
        kernel.send(what + (p.v6 ? "6 " : "4 ") + g + (p.v6 ? " kv0" : " 192.168.2.1") + "\n");
        const auto reply = kernel.wait_for(what, 10s);
        REQUIRE(reply);
        REQUIRE_THAT(*reply, Catch::StartsWith("ok"));
    }, [&] {
        kernel.send("inject kv1 " + general_query(p) + "\n");
        REQUIRE(kernel.wait_for("ok inject", 10s));
    });

    for (const auto& g : {p.g1, p.g2}) {
        INFO("group " << g);
        CHECK(node_wire.events[g] == kernel_wire.events[g]);
    }
    CHECK(node.stop(SIGTERM) == 0);
}

}  // namespace

TEST_CASE("IGMPv2: the node sends what the Linux kernel sends", "[oracle][mcast][kernel]") {
    compare_with_kernel({false, 2, "239.0.0.123", "239.1.2.3"});
}
TEST_CASE("IGMPv3: the node sends what the Linux kernel sends", "[oracle][mcast][kernel]") {
    compare_with_kernel({false, 3, "239.0.0.123", "239.1.2.3"});
}
TEST_CASE("MLDv1: the node sends what the Linux kernel sends", "[oracle][mcast][kernel]") {
    compare_with_kernel({true, 1, "ff15::123", "ff14::4:0"});
}
TEST_CASE("MLDv2: the node sends what the Linux kernel sends", "[oracle][mcast][kernel]") {
    compare_with_kernel({true, 2, "ff15::123", "ff14::4:0"});
}
