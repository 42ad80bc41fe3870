// `caplnet run`: the seed scenario passes with valid JSON and JUnit reports and a merged capture
// tshark reads; a failed expectation fails the run; a node killed mid-run is reported while the
// others finish; a replay's datagrams are counted per socket; link events reach the node; and
// whether the runner is stopped (SIGTERM) or killed (SIGKILL), nothing it started is left.
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/support/process.hpp"

using namespace caplnet::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kSeedScenario = std::string(CAPLNET_SEED_DIR) + "/scenario.toml";

nlohmann::json read_json(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in, nullptr, false);
}

/// `caplnet run` with the given arguments, started; its pids and run directory as it prints them.
struct Run {
    std::unique_ptr<ChildProcess> proc;
    std::map<std::string, pid_t> pids;  // "node rx" -> pid
    std::string run_dir;

    explicit Run(std::vector<std::string> args) {
        std::vector<std::string> argv{CAPLNET_BINARY, "run"};
        argv.insert(argv.end(), args.begin(), args.end());
        proc = std::make_unique<ChildProcess>(argv);
    }
    /// Reads the start-up lines up to "scenario ... running"; false if the run never got there.
    bool wait_running() {
        static const std::regex pid_line(R"(^(\w+ [\w.-]+): pid (\d+)$)");
        for (;;) {
            auto line = proc->read_line(60s);
            if (!line) return false;
            std::smatch m;
            if (std::regex_match(*line, m, pid_line)) pids[m[1]] = std::stoi(m[2]);
            if (line->rfind("run directory ", 0) == 0) run_dir = line->substr(14);
            if (line->find(" up, running ") != std::string::npos) return true;
        }
    }
};

/// Gone: no such process, or a zombie left for init to reap.
bool process_gone(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    const auto close = text.rfind(')');
    return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

/// The seed example's switch, receiver and sender, as the start of a scenario file.
std::string seed_network(double duration) {
    const std::string seed = CAPLNET_SEED_DIR;
    return "duration = " + std::to_string(duration) + R"(
[[switch]]
name = "switch"
[[node]]
file = ")" + seed + R"(/receiver.toml"
program = "seed_receiver"
[[node]]
file = ")" + seed + R"(/sender.toml"
program = "seed_sender"
)";
}

std::string victim_scenario(const TempDir& dir, double duration) {
    write_file(dir.file("s.toml"), "name = \"victim\"\n" + seed_network(duration) + R"(
[[node]]
name = "victim"
[node.config]
[[node.config.adapter]]
name = "eth0"
link = "vde://switch"
mac = "02:00:00:00:01:09"
ipv4 = ["192.168.1.9/24"]
[[expect]]
node = "receiver"
port = 40001
received = ">= 1"
)");
    return dir.file("s.toml");
}

}  // namespace

TEST_CASE("caplnet run passes the seed scenario with valid JSON and JUnit reports", "[run][oracle]") {
    TempDir dir;
    const std::string json = dir.file("r.json"), junit = dir.file("r.xml"), cap = dir.file("net.pcapng");
    Run run({kSeedScenario, "--json", json, "--junit", junit, "--capture", cap});
    REQUIRE(run.wait_running());
    const auto status = run.proc->wait(60s);
    INFO(run.proc->transcript());
    REQUIRE(status);
    CHECK(*status == 0);
    CHECK(run.proc->transcript().find("PASSED: 5/5 expectations met") != std::string::npos);
    CHECK_FALSE(fs::exists(run.run_dir));  // removed at the end

    const auto checked = run_command("/usr/bin/python3 " + std::string(CAPLNET_SOURCE_DIR) +
                                     "/tests/support/check_run_reports.py " + json + " " + junit);
    INFO(checked.output);
    CHECK(checked.status == 0);
    const auto r = read_json(json);
    REQUIRE_FALSE(r.is_discarded());
    CHECK(r["result"] == "passed");
    REQUIRE(r["expectations"].size() == 5);
    for (const auto& e : r["expectations"]) CHECK(e["passed"] == true);
    const auto& rx = r["nodes"][0];
    CHECK(rx["name"] == "receiver");
    REQUIRE(rx["groups"].size() == 1);
    CHECK(rx["groups"][0]["received"].get<int>() >= 50);
    CHECK(rx["groups"][0]["received_after_leave"] == 0);
    // The run's own switch is reached through shared memory, although the node file says vde://.
    for (const auto& node : r["nodes"]) CHECK(node["adapters"][0]["link"] == "ring://switch");
    CHECK(r["switches"][0]["report"]["ports"][0]["link"] == "ring");

    // One interface per node adapter, named node/adapter; every frame once, as its sender sent it.
    CHECK(tshark_problem_count(cap) == 0);
    std::map<std::string, int> per_if;
    for (const auto& row : tshark_fields(cap, "", {"frame.interface_name", "frame.packet_flags_direction"})) {
        REQUIRE(row.size() == 2);
        CHECK(row[1] == "0x00000002");  // outbound, from the node's side
        ++per_if[row[0]];
    }
    CHECK(per_if.size() == 2);
    CHECK(per_if["sender/eth0"] >= 300);
    CHECK(per_if["receiver/eth0"] >= 2);
    // The leave on the wire: IGMPv3 CHANGE_TO_INCLUDE {} for 239.0.0.123 from the receiver.
    const auto leaves = tshark_fields(cap, "frame.interface_name == \"receiver/eth0\" && igmp.record_type == 3",
                                      {"igmp.maddr"});
    REQUIRE_FALSE(leaves.empty());
    CHECK(leaves[0][0] == "239.0.0.123");
}

TEST_CASE("A switch with links = vde keeps the nodes on vde:// as their files say", "[run][oracle]") {
    TempDir dir;
    std::string text = "name = \"vde-links\"\n" + seed_network(1.5) + R"(
[[expect]]
node = "receiver"
port = 40001
received = ">= 1"
)";
    text.replace(text.find("name = \"switch\""), 15, "name = \"switch\"\nlinks = \"vde\"");
    write_file(dir.file("s.toml"), text);
    const std::string json = dir.file("r.json");
    Run run({dir.file("s.toml"), "--json", json});
    REQUIRE(run.wait_running());
    const auto status = run.proc->wait(60s);
    INFO(run.proc->transcript());
    REQUIRE(status);
    CHECK(*status == 0);
    const auto r = read_json(json);
    REQUIRE_FALSE(r.is_discarded());
    REQUIRE(r["nodes"].size() == 2);
    for (const auto& node : r["nodes"]) CHECK(node["adapters"][0]["link"] == "vde://switch");
    REQUIRE(r["switches"][0]["report"]["ports"].size() == 2);
    for (const auto& port : r["switches"][0]["report"]["ports"]) CHECK(port["link"] == "vde");
    CHECK(r["expectations"][0]["passed"] == true);
}

TEST_CASE("A failed expectation fails caplnet run and its JUnit report", "[run][oracle]") {
    TempDir dir;
    std::ifstream in(kSeedScenario);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text = std::regex_replace(text, std::regex(R"(file = ")"), "file = \"" + std::string(CAPLNET_SEED_DIR) + "/");
    text += "\n[[expect]]\nname = \"impossible\"\nnode = \"receiver\"\nport = 40001\nreceived = 0\n";
    write_file(dir.file("s.toml"), text);
    Run run({dir.file("s.toml"), "--json", dir.file("r.json"), "--junit", dir.file("r.xml")});
    const auto status = run.proc->wait(60s);
    INFO(run.proc->transcript());
    REQUIRE(status);
    CHECK(*status == 1);
    CHECK(run.proc->transcript().find("FAIL impossible") != std::string::npos);
    CHECK(run_command("/usr/bin/python3 " + std::string(CAPLNET_SOURCE_DIR) + "/tests/support/check_run_reports.py " +
                      dir.file("r.json") + " " + dir.file("r.xml"))
              .status == 0);
    const auto xml = run_command("cat " + dir.file("r.xml")).output;
    CHECK(xml.find("failures=\"1\"") != std::string::npos);
    CHECK(xml.find("<failure message=\"received is ") != std::string::npos);
    CHECK(read_json(dir.file("r.json"))["result"] == "failed");
}

TEST_CASE("A node killed during a run is reported by name and the others finish", "[run][oracle]") {
    TempDir dir;
    const std::string cap = dir.file("net.pcapng");
    Run run({victim_scenario(dir, 3), "--json", dir.file("r.json"), "--capture", cap});
    REQUIRE(run.wait_running());
    REQUIRE(run.pids.count("node victim") == 1);
    REQUIRE(::kill(run.pids["node victim"], SIGKILL) == 0);
    REQUIRE(run.proc->wait_for("node victim died: killed by signal 9", 10s));
    const auto status = run.proc->wait(60s);
    INFO(run.proc->transcript());
    REQUIRE(status);
    CHECK(*status == 1);
    const auto r = read_json(dir.file("r.json"));
    REQUIRE(r["nodes"].size() == 3);
    CHECK(r["nodes"][0]["status"] == "ran to the end");
    CHECK(r["nodes"][1]["status"] == "ran to the end");
    CHECK(r["nodes"][2]["died"] == true);
    CHECK(r["expectations"][0]["passed"] == true);  // the receiver kept receiving
    CHECK(tshark_problem_count(cap) == 0);
    CHECK(tshark_fields(cap, "frame.interface_name == \"sender/eth0\"", {"frame.number"}).size() > 50);
}

TEST_CASE("SIGTERM stops caplnet run and leaves no process or run directory behind", "[run][oracle]") {
    TempDir dir;
    Run run({victim_scenario(dir, 60), "--json", dir.file("r.json")});
    REQUIRE(run.wait_running());
    REQUIRE(run.pids.size() == 4);  // the switch and three nodes
    CHECK(fs::exists(run.run_dir));
    CHECK(run.proc->stop(SIGTERM, 30s) == 128 + SIGTERM);
    for (const auto& [name, pid] : run.pids) {
        INFO(name);
        CHECK(process_gone(pid));
    }
    CHECK_FALSE(fs::exists(run.run_dir));
    // The report is still written, and says why the run ended.
    const auto r = read_json(dir.file("r.json"));
    CHECK(r["interrupted"] == "SIGTERM");
    CHECK(r["nodes"][0]["status"] == "ran to the end");
}

TEST_CASE("Killing caplnet run with SIGKILL still removes its processes and run directory", "[run][oracle]") {
    TempDir dir;
    Run run({victim_scenario(dir, 60)});
    REQUIRE(run.wait_running());
    REQUIRE(run.pids.size() == 4);
    CHECK(run.proc->stop(SIGKILL, 10s) == 128 + SIGKILL);
    // The kernel (PR_SET_PDEATHSIG) and the runner's guardian clean up: no event announces it.
    CHECK(eventually([&] {
        for (const auto& [name, pid] : run.pids) {
            if (!process_gone(pid)) return false;
        }
        return !fs::exists(run.run_dir);
    }, 10s));
}

TEST_CASE("A replay in a scenario is counted per socket", "[run][oracle]") {
    TempDir dir;
    write_file(dir.file("s.toml"), R"(name = "replay"
duration = 3.5
[[switch]]
name = "switch"
[[node]]
name = "rx"
program = "test_mcast_receiver"
params = { groups = "239.0.0.123,239.0.0.124,239.0.0.123@40002", start = 1 }
[node.config]
[[node.config.adapter]]
name = "eth0"
link = "vde://switch"
mac = "02:00:00:00:0a:02"
ipv4 = ["192.0.2.20/24"]
[[replay]]
at = 0.2
capture = ")" + std::string(CAPLNET_SHARED_DIR) + R"(/captures/linux-udp-multicast-v4.pcap"
into = "switch"
[[expect]]
node = "rx"
port = 40001
group = "239.0.0.123"
received = 1000
[[expect]]
node = "rx"
port = 40001
group = "239.0.0.124"
received = 500
[[expect]]
node = "rx"
port = 40002
group = "239.0.0.123"
received = 300
)");
    Run run({dir.file("s.toml"), "--json", dir.file("r.json")});
    const auto status = run.proc->wait(60s);
    INFO(run.proc->transcript());
    REQUIRE(status);
    CHECK(*status == 0);
    const auto r = read_json(dir.file("r.json"));
    REQUIRE(r["replays"].size() == 1);
    CHECK(r["replays"][0]["status"] == "finished");
    CHECK(r["replays"][0]["report"]["injected"] == 1850);
    for (const auto& e : r["expectations"]) CHECK(e["passed"] == true);
}

TEST_CASE("Link events of a scenario take a node's link down and up again", "[run][oracle]") {
    TempDir dir;
    write_file(dir.file("s.toml"), seed_network(3) + R"(
[[event]]
at = 1
node = "receiver"
action = "link_down"
adapter = "eth0"
[[event]]
at = 2
node = "receiver"
action = "link_up"
adapter = "eth0"
[[expect]]
node = "receiver"
rx_dropped = ">= 20"
)");
    Run run({dir.file("s.toml"), "--json", dir.file("r.json")});
    const auto status = run.proc->wait(60s);
    INFO(run.proc->transcript());
    REQUIRE(status);
    CHECK(*status == 0);
    const auto r = read_json(dir.file("r.json"));
    const auto& eth0 = r["nodes"][0]["adapters"][0];
    CHECK(eth0["link_up"] == true);
    // About 100 datagrams arrive in the second the cable is out; none of them reach the node.
    CHECK(eth0["rx_drops"]["link-down"].get<int>() >= 50);
    CHECK(r["nodes"][0]["groups"][0]["received"].get<int>() >= 100);
}

TEST_CASE("A switch uplink puts a TAP device and the Linux host on the scenario's network", "[run][oracle]") {
    TempDir dir;
    NetNamespace ns("caplnet-run-" + std::to_string(::getpid()));
    write_file(dir.file("s.toml"), R"(name = "tap"
duration = 60
[[switch]]
name = "switch"
uplinks = ["tap://ctap0"]
[[node]]
name = "ecu"
[node.config]
[[node.config.adapter]]
name = "eth0"
link = "vde://switch"
mac = "02:00:00:00:09:02"
ipv4 = ["10.9.0.2/24"]
)");
    std::vector<std::string> args = ns.exec_prefix();
    args.insert(args.end(), {CAPLNET_BINARY, "run", dir.file("s.toml"), "--capture", dir.file("net.pcapng")});
    ChildProcess run(args);
    REQUIRE(run.wait_for(" up, running ", 60s));
    // The kernel side of the TAP device, in the namespace the runner runs in.
    const auto ping = ns.run("ip addr add 10.9.0.1/24 dev ctap0 && ip link set ctap0 up && ping -c 3 -W 2 10.9.0.2");
    INFO(ping.output << run.transcript());
    CHECK(ping.status == 0);
    CHECK(run.stop(SIGTERM, 30s) == 128 + SIGTERM);
    CHECK(ns.run("ip link show ctap0").status != 0);  // the TAP device went with the run
    const auto echoes = tshark_fields(dir.file("net.pcapng"), "icmp.type == 8", {"frame.interface_name"});
    REQUIRE(echoes.size() >= 3);
    CHECK(echoes[0][0] == "uplink tap://ctap0");
    CHECK(tshark_fields(dir.file("net.pcapng"), "icmp.type == 0", {"frame.interface_name"})[0][0] == "ecu/eth0");
}

TEST_CASE("The ready-made programs run an ECU network from a scenario alone", "[run][oracle]") {
    TempDir dir;
    Run run({std::string(CAPLNET_SOURCE_DIR) + "/examples/ecu_network/scenario.toml", "--json", dir.file("r.json"),
             "--capture", dir.file("net.pcapng")});
    const auto status = run.proc->wait(60s);
    INFO(run.proc->transcript());
    REQUIRE(status);
    CHECK(*status == 0);
    const auto r = read_json(dir.file("r.json"));
    for (const auto& e : r["expectations"]) {
        INFO(e.dump());
        CHECK(e["passed"] == true);
    }
    // The VLAN group's leave went out tagged with VLAN 10 and its priority.
    const auto leaves = tshark_fields(dir.file("net.pcapng"),
                                      "frame.interface_name == \"ecu/eth0\" && igmp.record_type == 3",
                                      {"vlan.id", "vlan.priority", "igmp.maddr"});
    REQUIRE_FALSE(leaves.empty());
    CHECK(leaves[0] == std::vector<std::string>{"10", "5", "239.1.1.1"});
    CHECK(tshark_problem_count(dir.file("net.pcapng")) == 0);
}
