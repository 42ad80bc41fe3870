#include <catch2/catch.hpp>

#include "stack/config/node_config.hpp"
#include "stack/interface_table.hpp"

using namespace caplnet::stack;

TEST_CASE("ifIndex numbers each adapter followed by its VLAN subinterfaces (SPEC 3)", "[ifindex]") {
    const auto config = parse_node_config(R"(
name = "n"
[[adapter]]
name = "a"
link = "vde://s"
mac = "02:00:00:00:00:01"
  [[adapter.vlan]]
  id = 20
  [[adapter.vlan]]
  id = 10
[[adapter]]
name = "b"
channel = 5
link = "vde://s"
mac = "02:00:00:00:00:02"
  [[adapter.vlan]]
  id = 30
)",
                                          "n.toml");
    const InterfaceTable table(config);
    REQUIRE(table.size() == 5);
    struct Row {
        std::uint32_t if_index;
        const char* name;
        std::uint32_t channel;
        std::optional<std::uint16_t> vlan;
    };
    const Row expected[] = {{1, "a", 1, {}}, {2, "a.20", 1, 20}, {3, "a.10", 1, 10},
                            {4, "b", 5, {}}, {5, "b.30", 5, 30}};
    for (const auto& row : expected) {
        const InterfaceEntry* e = table.find(row.if_index);
        REQUIRE(e != nullptr);
        CHECK(e->name == row.name);
        CHECK(e->channel == row.channel);
        CHECK(e->vlan == row.vlan);
    }
    CHECK(table.find(0) == nullptr);
    CHECK(table.find(6) == nullptr);
    CHECK(table.if_index_of(1) == 1);
    CHECK(table.if_index_of(1, 10) == 3);
    CHECK(table.if_index_of(5, 30) == 5);
    CHECK(table.if_index_of(5, 20) == 0);
    CHECK(table.if_index_of(2) == 0);
}
