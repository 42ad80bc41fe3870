// TimerSet: the ordered timers behind GroupEngine::next_deadline and poll.
#include <catch2/catch.hpp>

#include <vector>

#include "stack/mcast/timer_set.hpp"

using namespace caplnet::stack;

TEST_CASE("TimerSet expires timers earliest first and forgets cancelled ones", "[engine]") {
    TimerSet<int> t;
    CHECK_FALSE(t.earliest());
    t.move(1, std::nullopt, 300);
    t.move(2, std::nullopt, 100);
    t.move(3, std::nullopt, 200);
    t.move(4, std::nullopt, 100);
    CHECK(t.earliest() == 100);
    CHECK(t.expired(99).empty());
    CHECK(t.expired(200) == std::vector<int>{2, 4, 3});

    t.move(2, 100, std::nullopt);  // cancel
    t.move(4, 100, 400);           // re-arm later
    CHECK(t.earliest() == 200);
    CHECK(t.expired(1000) == std::vector<int>{3, 1, 4});
    t.move(1, 300, 300);           // unchanged
    CHECK(t.size() == 3);
    for (auto [k, at] : {std::pair{1, 300}, std::pair{3, 200}, std::pair{4, 400}}) {
        t.move(k, at, std::nullopt);
    }
    CHECK(t.size() == 0);
    CHECK_FALSE(t.earliest());
}
