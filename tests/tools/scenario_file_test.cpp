// Scenario files: what load_scenario() accepts, and that every mistake is named with FILE:LINE
// before anything starts.
#include <catch2/catch.hpp>

#include "tests/support/process.hpp"
#include "tools/scenario/scenario.hpp"

using namespace caplnet;
using caplnet::test::TempDir;
using caplnet::test::write_file;

namespace {

const tools::ProgramSearch kSearch{{std::string(CAPLNET_BUILD_DIR) + "/programs"}};

const char* kNodeFile = R"(name = "a"
[[adapter]]
name = "eth0"
link = "vde://switch"
mac = "02:00:00:00:07:01"
ipv4 = ["10.7.0.1/24"]
)";

std::string load_error(const TempDir& dir, const std::string& scenario) {
    write_file(dir.file("a.toml"), kNodeFile);
    write_file(dir.file("s.toml"), scenario);
    try {
        tools::load_scenario(dir.file("s.toml"), kSearch);
    } catch (const tools::ScenarioError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("A scenario with every kind of entry loads", "[scenario]") {
    TempDir dir;
    write_file(dir.file("a.toml"), kNodeFile);
    write_file(dir.file("s.toml"), R"(name = "all"
duration = 3.5
[[switch]]
name = "switch"
ports = ["1:access=10"]
[[node]]
file = "a.toml"
program = "seed_receiver"
params = { groups = "239.0.0.1", rate = 10, fast = true, ratio = 0.5 }
[[node]]
name = "b"
start = 1.5
[node.config]
name = "ignored"
[[node.config.adapter]]
name = "eth0"
link = "vde://switch"
mac = "02:00:00:00:07:02"
[[event]]
at = 2
node = "a"
key = "2"
[[event]]
at = 1
node = "a"
action = "link_down"
adapter = "eth0"
[[replay]]
at = 0.5
capture = ")" + std::string(CAPLNET_SHARED_DIR) + R"(/captures/vlan-mixed.pcap"
into = "a/eth0"
timing = "top"
[[expect]]
node = "a"
port = 40001
group = "239.0.0.1"
received = ">= 10"
received_after_leave = 0
)");
    const auto s = tools::load_scenario(dir.file("s.toml"), kSearch);
    CHECK(s.name == "all");
    CHECK(s.duration == 3.5);
    REQUIRE(s.nodes.size() == 2);
    CHECK(s.nodes[0].name == "a");
    CHECK(s.nodes[0].program == std::string(CAPLNET_BUILD_DIR) + "/programs/seed_receiver.so");
    CHECK(s.nodes[0].params.at("rate") == "10");
    CHECK(s.nodes[0].params.at("fast") == "true");
    CHECK(s.nodes[0].params.at("ratio") == "0.5");
    CHECK(s.nodes[1].name == "b");
    CHECK(s.nodes[1].config.name == "b");
    CHECK(s.nodes[1].start_at == 1.5);
    CHECK_FALSE(s.nodes[1].inline_toml.empty());
    REQUIRE(s.events.size() == 2);
    CHECK(s.events[0].kind == tools::ScenarioEvent::Kind::LinkDown);  // sorted by time
    CHECK(s.events[1].key == '2');
    REQUIRE(s.replays.size() == 1);
    CHECK(s.replays[0].timing == "top");
    REQUIRE(s.expectations.size() == 2);
    CHECK(s.expectations[0].metric == "received");
    CHECK(s.expectations[0].op == ">=");
    CHECK(s.expectations[0].value == 10);
    CHECK(s.expectations[1].metric == "received_after_leave");
    CHECK(s.expectations[1].op == "==");
}

TEST_CASE("Scenario file mistakes are named with file and line", "[scenario]") {
    TempDir dir;
    const std::string head = "duration = 2\n[[switch]]\n[[node]]\nfile = \"a.toml\"\n";  // node table: line 3
    struct Case {
        std::string text;
        std::string line;
        std::string words;
    };
    const std::vector<Case> cases{
        {"duration = 2\n[[node]]\nfile = \"a.toml\"\nfile2 = 1\n", ":4:", "unknown key 'file2'"},
        {"[[node]]\nfile = \"a.toml\"\n", ":", "needs a duration"},
        {"duration = 2\n[[node]]\nfile = \"missing.toml\"\n", ":2:", "missing.toml"},
        {"duration = 2\n[[node]]\nfile = \"a.toml\"\nprogram = \"no_such_program\"\n", ":4:", "no program named"},
        {head + "[[event]]\nat = 1\nnode = \"zz\"\nkey = \"a\"\n", ":7:", "no node named 'zz'"},
        {head + "[[event]]\nat = 1\nnode = \"a\"\nkey = \"ab\"\n", ":5:", "one character"},
        {head + "[[event]]\nat = 3\nnode = \"a\"\nkey = \"a\"\n", ":6:", "'at' = 3 is outside 0..2"},
        {head + "[[event]]\nat = 1\nnode = \"a\"\naction = \"link_down\"\nadapter = \"eth9\"\n", ":9:",
         "no adapter 'eth9'"},
        {head + "[[expect]]\nnode = \"a\"\nreceived = \"about 5\"\n", ":7:", "OP NUMBER"},
        {head + "[[expect]]\nnode = \"a\"\nleaves = 1\n", ":7:", "needs group"},
        {head + "[[expect]]\nnode = \"a\"\nreceivd = 1\n", ":7:", "unknown key 'receivd'"},
        {head + "[[replay]]\ncapture = \"none.pcap\"\n", ":6:", "does not exist"},
        {head + "[[node]]\nfile = \"a.toml\"\n", ":5:", "two nodes are named 'a'"},
        {"duration = 2\n[[node]]\nfile = \"a.toml\"\n[node\n", ":4:", ""},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        const std::string e = load_error(dir, c.text);
        CHECK(e.rfind(dir.file("s.toml") + c.line, 0) == 0);
        CHECK(e.find(c.words) != std::string::npos);
    }
}
