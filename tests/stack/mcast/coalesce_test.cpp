// coalesce_reports: the reports that waited together, one per interface (STYLE.md: pure code,
// asserted on its output).
#include <catch2/catch.hpp>

#include "stack/mcast/coalesce.hpp"

using namespace caplnet::stack;

namespace {

using Out = Outgoing<IpAddress>;
IpAddress g(std::uint8_t last) { return IpAddress::v4({239, 0, 0, last}); }
Out change(std::uint32_t if_index, RecordType t, std::uint8_t last) {
    return Out{if_index, Out::Kind::Report, {}, {{t, g(last)}}};
}

}  // namespace

TEST_CASE("Changes that waited together leave in one report per interface, each group once", "[engine]") {
    std::vector<Out> pending{change(1, RecordType::ChangeToExclude, 1), change(1, RecordType::ChangeToExclude, 2),
                             change(2, RecordType::ChangeToExclude, 1), change(1, RecordType::ChangeToInclude, 1),
                             change(1, RecordType::ChangeToExclude, 3)};
    const auto out = coalesce_reports(pending);
    CHECK(pending.empty());
    REQUIRE(out.size() == 2);
    CHECK(out[0].if_index == 1);
    using R = std::pair<RecordType, IpAddress>;
    // 239.0.0.1 keeps its place and takes its latest record: left, as Linux's timer reports it.
    CHECK(out[0].records == std::vector<R>{{RecordType::ChangeToInclude, g(1)}, {RecordType::ChangeToExclude, g(2)},
                                           {RecordType::ChangeToExclude, g(3)}});
    CHECK(out[1].if_index == 2);
    CHECK(out[1].records == std::vector<R>{{RecordType::ChangeToExclude, g(1)}});
}

TEST_CASE("Old-version messages keep their order beside the coalesced report", "[engine]") {
    std::vector<Out> pending{Out{1, Out::Kind::OldReport, g(5), {}}, change(1, RecordType::ChangeToExclude, 1),
                             Out{1, Out::Kind::OldLeave, g(5), {}}, change(1, RecordType::ChangeToExclude, 2)};
    const auto out = coalesce_reports(pending);
    REQUIRE(out.size() == 3);
    CHECK(out[0].kind == Out::Kind::OldReport);
    CHECK(out[1].kind == Out::Kind::Report);
    CHECK(out[1].records.size() == 2);
    CHECK(out[2].kind == Out::Kind::OldLeave);
    CHECK(out[2].group == g(5));
}
