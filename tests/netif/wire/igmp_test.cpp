#include "netif/wire/igmp.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "netif/wire/ethernet.hpp"
#include "netif/wire/ipv4.hpp"
#include "pcap_file.hpp"

namespace caplnet::wire {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

template <class... T>
std::vector<std::uint8_t> bytes(T... v) {
    return {static_cast<std::uint8_t>(v)...};
}

Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

// Reports and leaves are from shared/captures (Linux 6.1); the queries were built by hand, their
// checksums computed independently with Python (RFC 1071 sum).
// clang-format off
const auto kV2Report = bytes(0x16,                    // type: v2 Membership Report
                             0x00,                    // max resp time (0 in reports)
                             0xfa, 0x83,              // checksum
                             0xef, 0x00, 0x00, 0x7b); // group 239.0.0.123  (linux-igmpv2, frame 1)
const auto kLeave = bytes(0x17,                       // type: Leave Group
                          0x00,                       // max resp time (unused)
                          0xf9, 0x83,                 // checksum
                          0xef, 0x00, 0x00, 0x7b);    // group 239.0.0.123  (linux-igmpv2, frame 5)
const auto kV1Report = bytes(0x12,                    // type: v1 Membership Report
                             0x00,                    // unused
                             0xfc, 0xfa,              // checksum
                             0xef, 0x01, 0x02, 0x03); // group 239.1.2.3
const auto kV1Query = bytes(0x11,                     // type: Membership Query
                            0x00,                     // max resp code 0 -> IGMPv1
                            0xee, 0xff,               // checksum
                            0x00, 0x00, 0x00, 0x00);  // group 0.0.0.0: general
const auto kV2Query = bytes(0x11,                     // type: Membership Query
                            0x64,                     // max resp time 100 = 10 s
                            0xee, 0x9b,               // checksum
                            0x00, 0x00, 0x00, 0x00);  // group 0.0.0.0: general
const auto kV2GroupQuery = bytes(0x11,                     // type: Membership Query
                                 0x0a,                     // max resp time 10 = 1 s
                                 0xfd, 0xf0,               // checksum
                                 0xef, 0x01, 0x02, 0x03);  // group 239.1.2.3
const auto kV3Query = bytes(0x11,                     // type: Membership Query
                            0x8f,                     // max resp code: exp 0, mant 15 -> 248 = 24.8 s
                            0x6e, 0xe8,               // checksum
                            0xef, 0x01, 0x02, 0x03,   // group 239.1.2.3
                            0x0a,                     // resv 0, S 1, QRV 2
                            0x7d,                     // QQIC 125 s
                            0x00, 0x02,               // number of sources
                            0xc0, 0x00, 0x02, 0x01,   // source 192.0.2.1
                            0xc0, 0x00, 0x02, 0x02);  // source 192.0.2.2
const auto kV3Report = bytes(0x22,                    // type: v3 Membership Report
                             0x00,                    // reserved
                             0xea, 0x82,              // checksum
                             0x00, 0x00,              // reserved
                             0x00, 0x01,              // number of group records
                             0x04,                    // record type CHANGE_TO_EXCLUDE (join)
                             0x00,                    // aux data len
                             0x00, 0x00,              // number of sources
                             0xef, 0x00, 0x00, 0x7b); // group 239.0.0.123  (linux-igmpv3, frame 1)
const auto kV3Report2 = bytes(0x22,                    // type: v3 Membership Report
                              0x00,                    // reserved
                              0x76, 0x71,              // checksum
                              0x00, 0x00,              // reserved
                              0x00, 0x02,              // number of group records
                              0x05,                    // record 1: ALLOW_NEW_SOURCES
                              0x01,                    //   aux data len: 1 word
                              0x00, 0x02,              //   number of sources
                              0xe8, 0x01, 0x01, 0x01,  //   group 232.1.1.1
                              0xc0, 0x00, 0x02, 0x01,  //   source 192.0.2.1
                              0xc0, 0x00, 0x02, 0x02,  //   source 192.0.2.2
                              0x01, 0x02, 0x03, 0x04,  //   aux data
                              0x02,                    // record 2: MODE_IS_EXCLUDE
                              0x00,                    //   aux data len
                              0x00, 0x00,              //   number of sources
                              0xef, 0x00, 0x00, 0x7b); //   group 239.0.0.123
// clang-format on

IgmpV3Report v3_report2() {
    return IgmpV3Report{{
        IgmpGroupRecord{RecordType::AllowNewSources,
                        ip("232.1.1.1"),
                        {ip("192.0.2.1"), ip("192.0.2.2")},
                        {0x01, 0x02, 0x03, 0x04}},
        IgmpGroupRecord{RecordType::ModeIsExclude, ip("239.0.0.123"), {}, {}},
    }};
}

/// Emits `m` into a 0xA5-filled buffer one octet longer than size(): the result must be the
/// expected bytes and the extra octet untouched; a buffer one octet short must give 0.
template <class M>
void check_emit(const M& m, const std::vector<std::uint8_t>& expected) {
    REQUIRE(m.size() == expected.size());
    std::vector<std::uint8_t> out(expected.size() + 1, 0xa5);
    REQUIRE(m.emit(out) == expected.size());
    CHECK(std::vector<std::uint8_t>(out.begin(), out.end() - 1) == expected);
    CHECK(out.back() == 0xa5);
    std::vector<std::uint8_t> small(expected.size() - 1, 0xa5);
    CHECK(m.emit(small) == 0);
}

}  // namespace

// ---- Exponential codes ------------------------------------------------------------------------

TEST_CASE("IGMPv3 8-bit codes decode per RFC 3376 section 4.1.1", "[wire][igmp]") {
    CHECK(decode_exp_code8(0) == 0);
    CHECK(decode_exp_code8(127) == 127);
    CHECK(decode_exp_code8(0x80) == 128);    // exp 0, mant 0: 0x10 << 3
    CHECK(decode_exp_code8(0x8f) == 248);    // exp 0, mant 15: 0x1f << 3
    CHECK(decode_exp_code8(0x90) == 256);    // exp 1, mant 0: 0x10 << 4
    CHECK(decode_exp_code8(0xff) == 31744);  // exp 7, mant 15: 0x1f << 10
    CHECK(igmp_v3_max_resp_time(100) == milliseconds{10'000});
    CHECK(igmp_v3_max_resp_time(0xff) == milliseconds{3'174'400});
    CHECK(qqi_from_qqic(125) == seconds{125});
    CHECK(qqi_from_qqic(0x8c) == seconds{224});
}

TEST_CASE("Every IGMPv3 8-bit code round-trips and encoding rounds down", "[wire][igmp]") {
    std::uint32_t previous = 0;
    for (unsigned c = 0; c < 256; ++c) {
        const auto code = static_cast<std::uint8_t>(c);
        const std::uint32_t v = decode_exp_code8(code);
        INFO("code " << c << " value " << v);
        CHECK(encode_exp_code8(v) == code);
        if (c > 0) {
            CHECK(v > previous);  // strictly increasing, so each value has one code
        }
        previous = v;
        // Through the duration helpers as well.
        CHECK(igmp_v3_max_resp_code(igmp_v3_max_resp_time(code)) == code);
        CHECK(qqic_from_qqi(qqi_from_qqic(code)) == code);
    }
    // encode(v) is the largest code whose value is <= v, for every v up to past the maximum.
    for (std::uint32_t v = 0; v <= 40'000; ++v) {
        const std::uint8_t c = encode_exp_code8(v);
        INFO("value " << v << " code " << unsigned{c});
        REQUIRE(decode_exp_code8(c) <= v);
        if (c < 0xff) {
            REQUIRE(decode_exp_code8(static_cast<std::uint8_t>(c + 1)) > v);
        }
    }
    CHECK(encode_exp_code8(0xffffffffU) == 0xff);
    CHECK(igmp_v3_max_resp_code(milliseconds{-5}) == 0);
    CHECK(igmp_v3_max_resp_code(milliseconds{199}) == 1);  // rounded down to 1/10 s
    CHECK(igmp_v3_max_resp_code(std::chrono::hours{24}) == 0xff);
}

// ---- v2 Report, Leave, v1 Report ---------------------------------------------------------------

TEST_CASE("IGMPv2 Report view reads the fields of a Linux frame", "[wire][igmp]") {
    const auto v = IgmpView::of(kV2Report);
    REQUIRE(v);
    CHECK(v->type() == IgmpType::V2MembershipReport);
    CHECK(v->max_resp_code() == 0);
    CHECK(v->checksum() == 0xfa83);
    CHECK(v->checksum_valid());
    CHECK(v->group_address() == ip("239.0.0.123"));
    CHECK(v->number_of_group_records() == 0);
    CHECK(v->number_of_sources() == 0);
    CHECK(v->bytes().size() == 8);
}

TEST_CASE("IGMPv2 Report parses and emits from a 0xA5 fill", "[wire][igmp]") {
    const auto v = IgmpView::of(kV2Report);
    REQUIRE(v);
    const auto m = IgmpV2Report::parse(*v);
    REQUIRE(m);
    CHECK(m->group_address == ip("239.0.0.123"));
    check_emit(*m, kV2Report);
    const auto any = IgmpMessage::parse(kV2Report);
    REQUIRE(any);
    CHECK(any->type() == IgmpType::V2MembershipReport);
    REQUIRE(any->get_if<IgmpV2Report>() != nullptr);
    CHECK(*any->get_if<IgmpV2Report>() == *m);
    check_emit(*any, kV2Report);
}

TEST_CASE("IGMPv2 Leave parses from wire bytes and emits them", "[wire][igmp]") {
    const auto v = IgmpView::of(kLeave);
    REQUIRE(v);
    CHECK(v->type() == IgmpType::LeaveGroup);
    CHECK(v->checksum() == 0xf983);
    CHECK(v->group_address() == ip("239.0.0.123"));
    const auto m = IgmpV2Leave::parse(*v);
    REQUIRE(m);
    CHECK(*m == IgmpV2Leave{ip("239.0.0.123")});
    check_emit(*m, kLeave);
    CHECK(IgmpMessage::parse(kLeave)->type() == IgmpType::LeaveGroup);
}

TEST_CASE("IGMPv1 Report parses from wire bytes and emits them", "[wire][igmp]") {
    const auto v = IgmpView::of(kV1Report);
    REQUIRE(v);
    CHECK(v->type() == IgmpType::V1MembershipReport);
    CHECK(v->checksum() == 0xfcfa);
    const auto m = IgmpV1Report::parse(*v);
    REQUIRE(m);
    CHECK(m->group_address == ip("239.1.2.3"));
    check_emit(*m, kV1Report);
    check_emit(IgmpMessage(*m), kV1Report);
}

TEST_CASE("IGMP message parse takes only its own type", "[wire][igmp]") {
    const auto report = IgmpView::of(kV2Report);
    CHECK(IgmpV2Leave::parse(*report).error() == WireError::BadField);
    CHECK(IgmpV1Report::parse(*report).error() == WireError::BadField);
    CHECK(IgmpQuery::parse(*report).error() == WireError::BadField);
    CHECK(IgmpV3Report::parse(*report).error() == WireError::BadField);
    CHECK(IgmpV2Report::parse(*IgmpView::of(kLeave)).error() == WireError::BadField);
}

// ---- Queries ----------------------------------------------------------------------------------

TEST_CASE("IGMP query version follows RFC 3376 section 7.1", "[wire][igmp]") {
    SECTION("8 octets and code 0 is IGMPv1") {
        const auto v = IgmpView::of(kV1Query);
        REQUIRE(v);
        CHECK(v->query_version() == IgmpVersion::V1);
        const auto q = IgmpQuery::parse(*v);
        REQUIRE(q);
        CHECK(q->version == IgmpVersion::V1);
        CHECK(q->max_resp_time == milliseconds{0});
        CHECK(q->response_interval() == milliseconds{10'000});  // RFC 2236 §4
        CHECK(q->is_general());
        check_emit(*q, kV1Query);
    }
    SECTION("8 octets and a code is IGMPv2, 1/10 s literal") {
        const auto v = IgmpView::of(kV2Query);
        REQUIRE(v);
        CHECK(v->query_version() == IgmpVersion::V2);
        CHECK(v->max_resp_code() == 100);
        CHECK(v->s_flag() == false);  // no v3 fields in 8 octets
        CHECK(v->qrv() == 0);
        CHECK(v->qqic() == 0);
        const auto q = IgmpQuery::parse(*v);
        REQUIRE(q);
        CHECK(q->version == IgmpVersion::V2);
        CHECK(q->max_resp_time == milliseconds{10'000});
        CHECK(q->response_interval() == milliseconds{10'000});
        CHECK(q->is_general());
        check_emit(*q, kV2Query);
    }
    SECTION("an IGMPv2 code >= 128 is literal, not floating point") {
        auto b = kV2Query;
        b[1] = 0xc8;  // 200 = 20 s
        b[2] = 0xee;  // checksum (Python)
        b[3] = 0x37;
        const auto q = IgmpMessage::parse(b);
        REQUIRE(q);
        CHECK(q->get_if<IgmpQuery>()->max_resp_time == milliseconds{20'000});
    }
    SECTION("IGMPv2 Group-Specific Query") {
        const auto q = IgmpMessage::parse(kV2GroupQuery);
        REQUIRE(q);
        const IgmpQuery* gq = q->get_if<IgmpQuery>();
        REQUIRE(gq != nullptr);
        CHECK(gq->version == IgmpVersion::V2);
        CHECK(gq->group_address == ip("239.1.2.3"));
        CHECK_FALSE(gq->is_general());
        CHECK(gq->max_resp_time == milliseconds{1'000});
        check_emit(*q, kV2GroupQuery);
    }
    SECTION("9 to 11 octets must be ignored") {
        for (std::size_t n = 9; n <= 11; ++n) {
            auto b = kV3Query;
            b.resize(n);
            CHECK(IgmpView::of(b).error() == WireError::BadField);
        }
    }
    SECTION("12 octets or more is IGMPv3") {
        auto b = kV3Query;
        b.resize(12);
        b[10] = 0;  // no sources
        b[11] = 0;
        const auto v = IgmpView::of(b);
        REQUIRE(v);
        CHECK(v->query_version() == IgmpVersion::V3);
    }
}

TEST_CASE("IGMPv3 Group-and-Source-Specific Query view reads every field", "[wire][igmp]") {
    const auto v = IgmpView::of(kV3Query);
    REQUIRE(v);
    CHECK(v->type() == IgmpType::MembershipQuery);
    CHECK(v->query_version() == IgmpVersion::V3);
    CHECK(v->max_resp_code() == 0x8f);
    CHECK(v->checksum() == 0x6ee8);
    CHECK(v->checksum_valid());
    CHECK(v->group_address() == ip("239.1.2.3"));
    CHECK(v->s_flag());
    CHECK(v->qrv() == 2);
    CHECK(v->qqic() == 125);
    REQUIRE(v->number_of_sources() == 2);
    CHECK(v->source_address(0) == ip("192.0.2.1"));
    CHECK(v->source_address(1) == ip("192.0.2.2"));
}

TEST_CASE("IGMPv3 Query parses and emits from a 0xA5 fill", "[wire][igmp]") {
    const auto q = IgmpQuery::parse(*IgmpView::of(kV3Query));
    REQUIRE(q);
    const IgmpQuery expected{IgmpVersion::V3,
                             milliseconds{24'800},
                             ip("239.1.2.3"),
                             true,
                             2,
                             seconds{125},
                             {ip("192.0.2.1"), ip("192.0.2.2")}};
    CHECK(*q == expected);
    check_emit(expected, kV3Query);
    check_emit(IgmpMessage(expected), kV3Query);
}

TEST_CASE("IGMPv3 Query keeps extra octets in the checksum and otherwise ignores them",
          "[wire][igmp]") {
    // RFC 3376 §4.1.10: additional data after the sources is checksummed, then ignored.
    auto b = kV3Query;
    b.push_back(0x00);
    b.push_back(0x00);  // zeros leave the one's complement sum unchanged
    const auto q = IgmpMessage::parse(b);
    REQUIRE(q);
    CHECK(q->get_if<IgmpQuery>()->source_addresses.size() == 2);
    b.back() = 0x01;
    CHECK(IgmpMessage::parse(b).error() == WireError::BadChecksum);
}

TEST_CASE("IGMP query emit encodes the time per version", "[wire][igmp]") {
    IgmpQuery q;
    q.version = IgmpVersion::V2;
    q.max_resp_time = milliseconds{99'999};  // beyond 25.5 s: clamped to 255
    std::vector<std::uint8_t> out(8);
    REQUIRE(q.emit(out) == 8);
    CHECK(out[1] == 255);
    q.version = IgmpVersion::V1;
    REQUIRE(q.emit(out) == 8);
    CHECK(out[1] == 0);
    q.version = IgmpVersion::V3;
    q.max_resp_time = milliseconds{99'999};  // 999 tenths -> largest code <= 999: 0xaf = 992
    q.qqi = seconds{1000};                   // -> 0xaf = 31 << 5 = 992 s
    q.qrv = 9;                               // only 3 bits go out
    out.assign(12, 0xa5);
    REQUIRE(q.emit(out) == 12);
    CHECK(out[1] == 0xaf);
    CHECK(out[8] == 0x01);
    CHECK(out[9] == 0xaf);
    const auto back = IgmpQuery::parse(*IgmpView::of(out));
    REQUIRE(back);
    CHECK(back->max_resp_time == milliseconds{99'200});
    CHECK(back->qqi == seconds{992});
}

// ---- v3 Report --------------------------------------------------------------------------------

TEST_CASE("IGMPv3 Report view reads the record of a Linux join", "[wire][igmp]") {
    const auto v = IgmpView::of(kV3Report);
    REQUIRE(v);
    CHECK(v->type() == IgmpType::V3MembershipReport);
    CHECK(v->checksum() == 0xea82);
    CHECK(v->checksum_valid());
    REQUIRE(v->number_of_group_records() == 1);
    const auto records = v->group_records();
    REQUIRE(records.size() == 1);
    CHECK(records[0].record_type() == RecordType::ChangeToExclude);
    CHECK(records[0].aux_data_len() == 0);
    CHECK(records[0].number_of_sources() == 0);
    CHECK(records[0].multicast_address() == ip("239.0.0.123"));
    CHECK(records[0].auxiliary_data().empty());
    CHECK(records[0].size() == 8);
}

TEST_CASE("IGMPv3 Report parses and emits from a 0xA5 fill", "[wire][igmp]") {
    const auto m = IgmpV3Report::parse(*IgmpView::of(kV3Report));
    REQUIRE(m);
    const IgmpV3Report join{
        {IgmpGroupRecord{RecordType::ChangeToExclude, ip("239.0.0.123"), {}, {}}}};
    CHECK(*m == join);
    check_emit(join, kV3Report);
}

TEST_CASE("IGMPv3 Report with sources and auxiliary data reads, parses and emits", "[wire][igmp]") {
    const auto v = IgmpView::of(kV3Report2);
    REQUIRE(v);
    const auto records = v->group_records();
    REQUIRE(records.size() == 2);
    CHECK(records[0].record_type() == RecordType::AllowNewSources);
    CHECK(records[0].aux_data_len() == 1);
    REQUIRE(records[0].number_of_sources() == 2);
    CHECK(records[0].source_address(1) == ip("192.0.2.2"));
    CHECK(records[0].auxiliary_data().size() == 4);
    CHECK(records[0].size() == 20);
    CHECK(records[1].record_type() == RecordType::ModeIsExclude);
    CHECK(records[1].multicast_address() == ip("239.0.0.123"));
    const auto m = IgmpV3Report::parse(*v);
    REQUIRE(m);
    CHECK(*m == v3_report2());
    check_emit(v3_report2(), kV3Report2);
}

TEST_CASE("IGMPv3 Report emit refuses what its fields cannot hold", "[wire][igmp]") {
    std::vector<std::uint8_t> out(4096);
    auto r = v3_report2();
    r.group_records[0].auxiliary_data.push_back(0);  // not whole words
    CHECK(r.emit(out) == 0);
    r = v3_report2();
    r.group_records[0].auxiliary_data.assign(1024, 0);  // 256 words
    out.resize(r.size());
    CHECK(r.emit(out) == 0);
}

TEST_CASE("IGMP emit then parse gives the message back", "[wire][igmp]") {
    const std::vector<IgmpMessage> messages = {
        IgmpQuery{IgmpVersion::V1, milliseconds{0}, ip("0.0.0.0"), false, 2, seconds{125}, {}},
        IgmpQuery{
            IgmpVersion::V2, milliseconds{25'500}, ip("239.9.9.9"), false, 2, seconds{125}, {}},
        IgmpQuery{
            IgmpVersion::V3, milliseconds{3'174'400}, ip("0.0.0.0"), false, 7, seconds{31'744}, {}},
        IgmpQuery{IgmpVersion::V3,
                  milliseconds{12'800},
                  ip("232.0.0.1"),
                  true,
                  0,
                  seconds{0},
                  {ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.3")}},
        IgmpV1Report{ip("224.1.1.1")},
        IgmpV2Report{ip("239.255.255.255")},
        IgmpV2Leave{ip("224.0.0.251")},
        IgmpV3Report{},
        v3_report2(),
    };
    for (const IgmpMessage& m : messages) {
        std::vector<std::uint8_t> out(m.size(), 0xa5);
        REQUIRE(m.emit(out) == m.size());
        const auto back = IgmpMessage::parse(out);
        INFO(to_string(m.type()));
        REQUIRE(back);
        CHECK(*back == m);
    }
}

// ---- Rejections -------------------------------------------------------------------------------

TEST_CASE("IGMP parse rejects truncated, corrupt and unknown messages", "[wire][igmp]") {
    SECTION("fewer than 8 octets") {
        CHECK(IgmpView::of(Bytes(kV2Report).first(7)).error() == WireError::Truncated);
        CHECK(IgmpMessage::parse(Bytes{}).error() == WireError::Truncated);
    }
    SECTION("v3 query sources past the end") {
        auto b = kV3Query;
        b.resize(b.size() - 1);
        CHECK(IgmpView::of(b).error() == WireError::Truncated);
    }
    SECTION("v3 report records past the end") {
        CHECK(IgmpView::of(Bytes(kV3Report).first(15)).error() == WireError::Truncated);
        CHECK(IgmpView::of(Bytes(kV3Report2).first(kV3Report2.size() - 1)).error() ==
              WireError::Truncated);
        auto b = kV3Report;
        b[7] = 2;  // two records announced, one present
        CHECK(IgmpView::of(b).error() == WireError::Truncated);
    }
    SECTION("bad checksum") {
        auto b = kV2Report;
        b[7] ^= 0x01;
        const auto v = IgmpView::of(b);
        REQUIRE(v);  // the view does not judge the checksum
        CHECK_FALSE(v->checksum_valid());
        CHECK(IgmpMessage::parse(*v).error() == WireError::BadChecksum);
        CHECK(IgmpV2Report::parse(*v).error() == WireError::BadChecksum);
    }
    SECTION("unknown type with a good checksum") {
        // DVMRP (0x13) keeps the IGMP header; checksum 0xeeff - 0x0200 for type 0x13.
        const auto b = bytes(0x13, 0x00, 0xec, 0xff, 0x00, 0x00, 0x00, 0x00);
        const auto v = IgmpView::of(b);
        REQUIRE(v);
        CHECK(v->checksum_valid());
        CHECK(to_string(v->type()) == "0x13");
        CHECK(IgmpMessage::parse(*v).error() == WireError::Unsupported);
    }
    SECTION("a report for a non-multicast group") {
        IgmpV1Report r{ip("192.0.2.1")};
        std::vector<std::uint8_t> out(8);
        REQUIRE(r.emit(out) == 8);
        CHECK(IgmpMessage::parse(out).error() == WireError::BadField);
        IgmpV3Report v3{{IgmpGroupRecord{RecordType::ChangeToExclude, ip("10.0.0.1"), {}, {}}}};
        out.resize(v3.size());
        REQUIRE(v3.emit(out) == out.size());
        CHECK(IgmpMessage::parse(out).error() == WireError::BadField);
    }
    SECTION("a query for a unicast group") {
        IgmpQuery q;
        q.group_address = ip("10.1.2.3");
        std::vector<std::uint8_t> out(q.size());
        REQUIRE(q.emit(out) == out.size());
        CHECK(IgmpMessage::parse(out).error() == WireError::BadField);
    }
}

TEST_CASE("IgmpType prints its name or its value", "[wire][igmp]") {
    CHECK(to_string(IgmpType::MembershipQuery) == "membership-query");
    CHECK(to_string(IgmpType::V3MembershipReport) == "v3-membership-report");
    CHECK(to_string(static_cast<IgmpType>(0x1e)) == "0x1e");
}

// ---- Real captures ----------------------------------------------------------------------------

namespace {

struct Seen {
    std::string ip_dst;
    IgmpMessage message;
};

std::vector<Seen> igmp_in_capture(const std::string& name) {
    const auto recs = test::read_pcap(test::shared_capture_path(name));
    REQUIRE(recs.has_value());
    std::vector<Seen> out;
    for (const auto& r : *recs) {
        const auto eth = EthernetView::of(r.data);
        REQUIRE(eth);
        if (eth->ethertype() != ethertype::kIpv4) {
            continue;
        }
        const auto ipv = Ipv4View::of(eth->payload());
        REQUIRE(ipv);
        if (ipv->protocol() != ip_protocol::kIgmp) {
            continue;
        }
        const auto m = IgmpMessage::parse(ipv->payload());
        REQUIRE(m);
        // Linux's bytes are what this code emits, octet for octet.
        std::vector<std::uint8_t> again(m->size());
        REQUIRE(m->emit(again) == again.size());
        CHECK(again == std::vector<std::uint8_t>(ipv->payload().begin(), ipv->payload().end()));
        out.push_back({ipv->destination().to_string(), *m});
    }
    return out;
}

}  // namespace

TEST_CASE("Every IGMP message of linux-igmpv2-join-leave.pcap parses as the README says",
          "[wire][igmp][pcap]") {
    const auto seen = igmp_in_capture("linux-igmpv2-join-leave.pcap");
    // captures/README.md: ip.dst, igmp.type, igmp.maddr.
    const std::vector<std::tuple<std::string, IgmpType, std::string>> expected = {
        {"239.0.0.123", IgmpType::V2MembershipReport, "239.0.0.123"},
        {"239.0.0.123", IgmpType::V2MembershipReport, "239.0.0.123"},
        {"239.1.2.3", IgmpType::V2MembershipReport, "239.1.2.3"},
        {"239.1.2.3", IgmpType::V2MembershipReport, "239.1.2.3"},
        {"224.0.0.2", IgmpType::LeaveGroup, "239.0.0.123"},
        {"224.0.0.2", IgmpType::LeaveGroup, "239.1.2.3"},
    };
    REQUIRE(seen.size() == expected.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
        INFO("message " << i);
        const auto& [dst, type, group] = expected[i];
        CHECK(seen[i].ip_dst == dst);
        CHECK(seen[i].message.type() == type);
        if (const auto* r = seen[i].message.get_if<IgmpV2Report>()) {
            CHECK(r->group_address.to_string() == group);
        } else if (const auto* l = seen[i].message.get_if<IgmpV2Leave>()) {
            CHECK(l->group_address.to_string() == group);
        } else {
            FAIL("not a v2 report or leave");
        }
    }
}

TEST_CASE("Every IGMP message of linux-igmpv3-join-leave.pcap parses as the README says",
          "[wire][igmp][pcap]") {
    const auto seen = igmp_in_capture("linux-igmpv3-join-leave.pcap");
    // captures/README.md: 224.0.0.22 0x22, one record each: type, group, 0 sources.
    const std::vector<std::pair<RecordType, std::string>> expected = {
        {RecordType::ChangeToExclude, "239.0.0.123"}, {RecordType::ChangeToExclude, "239.0.0.123"},
        {RecordType::ChangeToExclude, "239.1.2.3"},   {RecordType::ChangeToExclude, "239.1.2.3"},
        {RecordType::ChangeToInclude, "239.0.0.123"}, {RecordType::ChangeToInclude, "239.0.0.123"},
        {RecordType::ChangeToInclude, "239.1.2.3"},   {RecordType::ChangeToInclude, "239.1.2.3"},
    };
    REQUIRE(seen.size() == expected.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
        INFO("message " << i);
        CHECK(seen[i].ip_dst == "224.0.0.22");
        const auto* r = seen[i].message.get_if<IgmpV3Report>();
        REQUIRE(r != nullptr);
        REQUIRE(r->group_records.size() == 1);
        CHECK(r->group_records[0].record_type == expected[i].first);
        CHECK(r->group_records[0].multicast_address.to_string() == expected[i].second);
        CHECK(r->group_records[0].source_addresses.empty());
        CHECK(r->group_records[0].auxiliary_data.empty());
    }
}

}  // namespace caplnet::wire
