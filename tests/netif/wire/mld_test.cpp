#include "netif/wire/mld.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "netif/wire/ethernet.hpp"
#include "netif/wire/ipv6.hpp"
#include "pcap_file.hpp"

namespace caplnet::wire {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

template <class... T>
std::vector<std::uint8_t> bytes(T... v) {
    return {static_cast<std::uint8_t>(v)...};
}

Ipv6Address ip6(const char* s) { return *Ipv6Address::parse(s); }

const Ipv6Address kLinux = ip6("fe80::ff:fe00:a01");  // the captures' host
const Ipv6Address kRouter = ip6("fe80::1");
const Ipv6Address kAllNodes = ip6("ff02::1");
const Ipv6Address kAllRouters = ip6("ff02::2");
const Ipv6Address kMldv2Routers = ip6("ff02::16");
const Ipv6Address kGroup = ip6("ff15::123");

// Reports and Done are from shared/captures (Linux 6.1); the queries and the two-record report
// were built by hand, their checksums (over the IPv6 pseudo-header) computed independently with
// Python.
// clang-format off
const auto kV1Report = bytes(0x83,                    // type 131: Multicast Listener Report
                             0x00,                    // code
                             0x74, 0xb9,              // checksum, fe80::ff:fe00:a01 -> ff15::123
                             0x00, 0x00,              // maximum response delay (0 in reports)
                             0x00, 0x00,              // reserved
                             0xff, 0x15, 0, 0, 0, 0, 0, 0,
                             0, 0, 0, 0, 0, 0, 0x01, 0x23);  // ff15::123  (linux-mldv1, frame 1)
const auto kV1Done = bytes(0x84,                      // type 132: Multicast Listener Done
                           0x00,                      // code
                           0x74, 0xed,                // checksum, fe80::ff:fe00:a01 -> ff02::2
                           0x00, 0x00,                // maximum response delay
                           0x00, 0x00,                // reserved
                           0xff, 0x15, 0, 0, 0, 0, 0, 0,
                           0, 0, 0, 0, 0, 0, 0x01, 0x23);    // ff15::123  (linux-mldv1, frame 5)
const auto kV1GeneralQuery = bytes(0x82,              // type 130: Multicast Listener Query
                                   0x00,              // code
                                   0x59, 0x17,        // checksum, fe80::1 -> ff02::1
                                   0x27, 0x10,        // maximum response delay 10000 ms
                                   0x00, 0x00,        // reserved
                                   0, 0, 0, 0, 0, 0, 0, 0,
                                   0, 0, 0, 0, 0, 0, 0, 0);  // :: (general)
const auto kV1SpecificQuery = bytes(0x82,             // type 130: Multicast Listener Query
                                    0x00,             // code
                                    0x7a, 0xd1,       // checksum, fe80::1 -> ff15::123
                                    0x03, 0xe8,       // maximum response delay 1000 ms
                                    0x00, 0x00,       // reserved
                                    0xff, 0x15, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0x01, 0x23);  // ff15::123
const auto kV2Query = bytes(0x82,                     // type 130: Multicast Listener Query
                            0x00,                     // code
                            0xc5, 0x3a,               // checksum, fe80::1 -> ff15::123
                            0x81, 0x23,               // max resp code: exp 0, mant 0x123 -> 35096 ms
                            0x00, 0x00,               // reserved
                            0xff, 0x15, 0, 0, 0, 0, 0, 0,
                            0, 0, 0, 0, 0, 0, 0x01, 0x23,  // ff15::123
                            0x0a,                     // resv 0, S 1, QRV 2
                            0x8c,                     // QQIC: exp 0, mant 12 -> 224 s
                            0x00, 0x01,               // number of sources
                            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                            0, 0, 0, 0, 0, 0, 0, 0x01);  // source 2001:db8::1
const auto kV2Report = bytes(0x8f,                    // type 143: Version 2 Multicast Listener Report
                             0x00,                    // reserved
                             0x65, 0xd4,              // checksum, fe80::ff:fe00:a01 -> ff02::16
                             0x00, 0x00,              // reserved
                             0x00, 0x01,              // nr of mcast address records
                             0x04,                    // record type CHANGE_TO_EXCLUDE (join)
                             0x00,                    // aux data len
                             0x00, 0x00,              // number of sources
                             0xff, 0x15, 0, 0, 0, 0, 0, 0,
                             0, 0, 0, 0, 0, 0, 0x01, 0x23);  // ff15::123  (linux-mldv2, frame 1)
const auto kV2Report2 = bytes(0x8f,                   // type 143
                              0x00,                   // reserved
                              0x23, 0xc7,             // checksum, fe80::ff:fe00:a01 -> ff02::16
                              0x00, 0x00,             // reserved
                              0x00, 0x02,             // nr of mcast address records
                              0x06,                   // record 1: BLOCK_OLD_SOURCES
                              0x01,                   //   aux data len: 1 word
                              0x00, 0x01,             //   number of sources
                              0xff, 0x15, 0, 0, 0, 0, 0, 0,
                              0, 0, 0, 0, 0, 0, 0x01, 0x24,  //   ff15::124
                              0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                              0, 0, 0, 0, 0, 0, 0, 0x01,     //   source 2001:db8::1
                              0x09, 0x08, 0x07, 0x06,        //   aux data
                              0x03,                   // record 2: CHANGE_TO_INCLUDE (leave)
                              0x00,                   //   aux data len
                              0x00, 0x00,             //   number of sources
                              0xff, 0x14, 0, 0, 0, 0, 0, 0,
                              0, 0, 0, 0, 0, 0x04, 0, 0);    //   ff14::4:0
// clang-format on

MldV2Report v2_report2() {
    return MldV2Report{{
        MldAddressRecord{RecordType::BlockOldSources,
                         ip6("ff15::124"),
                         {ip6("2001:db8::1")},
                         {0x09, 0x08, 0x07, 0x06}},
        MldAddressRecord{RecordType::ChangeToInclude, ip6("ff14::4:0"), {}, {}},
    }};
}

/// Emits `m` for `src` -> `dst` into a 0xA5-filled buffer one octet longer than size(): the
/// result must be the expected bytes and the extra octet untouched; one octet short gives 0.
template <class M>
void check_emit(const M& m, const Ipv6Address& src, const Ipv6Address& dst,
                const std::vector<std::uint8_t>& expected) {
    REQUIRE(m.size() == expected.size());
    std::vector<std::uint8_t> out(expected.size() + 1, 0xa5);
    REQUIRE(m.emit(out, src, dst) == expected.size());
    CHECK(std::vector<std::uint8_t>(out.begin(), out.end() - 1) == expected);
    CHECK(out.back() == 0xa5);
    std::vector<std::uint8_t> small(expected.size() - 1, 0xa5);
    CHECK(m.emit(small, src, dst) == 0);
}

}  // namespace

// ---- Exponential code -------------------------------------------------------------------------

TEST_CASE("MLDv2 16-bit codes decode per RFC 3810 section 5.1.3", "[wire][mld]") {
    CHECK(decode_exp_code16(0) == 0);
    CHECK(decode_exp_code16(32767) == 32767);
    CHECK(decode_exp_code16(0x8000) == 32768);    // exp 0, mant 0: 0x1000 << 3
    CHECK(decode_exp_code16(0x8123) == 35096);    // exp 0, mant 0x123: 0x1123 << 3
    CHECK(decode_exp_code16(0x9000) == 65536);    // exp 1, mant 0: 0x1000 << 4
    CHECK(decode_exp_code16(0xffff) == 8387584);  // exp 7, mant 0xfff: 0x1fff << 10
    CHECK(mld_v2_max_resp_delay(10'000) == milliseconds{10'000});
}

TEST_CASE("Every MLDv2 16-bit code round-trips and encoding rounds down", "[wire][mld]") {
    std::uint32_t previous = 0;
    for (std::uint32_t c = 0; c < 65536; ++c) {
        const auto code = static_cast<std::uint16_t>(c);
        const std::uint32_t v = decode_exp_code16(code);
        if (encode_exp_code16(v) != code || (c > 0 && v <= previous) ||
            mld_v2_max_resp_code(mld_v2_max_resp_delay(code)) != code) {
            FAIL("code " << c << " value " << v);
        }
        previous = v;
    }
    // encode(v) is the largest code whose value is <= v, for every v up to past the maximum.
    for (std::uint32_t v = 0; v <= 8'500'000; ++v) {
        const std::uint16_t c = encode_exp_code16(v);
        if (decode_exp_code16(c) > v ||
            (c < 0xffff && decode_exp_code16(static_cast<std::uint16_t>(c + 1)) <= v)) {
            FAIL("value " << v << " code " << c);
        }
    }
    CHECK(encode_exp_code16(0xffffffffU) == 0xffff);
    CHECK(mld_v2_max_resp_code(milliseconds{-1}) == 0);
    CHECK(mld_v2_max_resp_code(std::chrono::hours{24}) == 0xffff);
}

TEST_CASE("MLDv2 QQIC uses the IGMPv3 8-bit code", "[wire][mld]") {
    // RFC 3810 §5.1.9: the same format as RFC 3376 §4.1.7.
    CHECK(qqi_from_qqic(0x8c) == seconds{224});
    CHECK(qqic_from_qqi(seconds{224}) == 0x8c);
}

// ---- v1 Report and Done -----------------------------------------------------------------------

TEST_CASE("MLDv1 Report view reads the fields of a Linux frame", "[wire][mld]") {
    const auto v = MldView::of(kV1Report);
    REQUIRE(v);
    CHECK(v->type() == MldType::V1Report);
    CHECK(v->code() == 0);
    CHECK(v->checksum() == 0x74b9);
    CHECK(v->checksum_valid(kLinux, kGroup));
    CHECK_FALSE(v->checksum_valid(kLinux, kAllRouters));  // the pseudo-header counts
    CHECK(v->max_resp_code() == 0);
    CHECK(v->multicast_address() == kGroup);
    CHECK(v->number_of_sources() == 0);
    CHECK(v->number_of_multicast_address_records() == 0);
}

TEST_CASE("MLDv1 Report parses and emits from a 0xA5 fill", "[wire][mld]") {
    const auto m = MldV1Report::parse(*MldView::of(kV1Report), kLinux, kGroup);
    REQUIRE(m);
    CHECK(m->multicast_address == kGroup);
    check_emit(*m, kLinux, kGroup, kV1Report);
    const auto any = MldMessage::parse(kV1Report, kLinux, kGroup);
    REQUIRE(any);
    CHECK(any->type() == MldType::V1Report);
    CHECK(*any->get_if<MldV1Report>() == *m);
    check_emit(*any, kLinux, kGroup, kV1Report);
}

TEST_CASE("MLDv1 Done parses from wire bytes and emits them", "[wire][mld]") {
    const auto v = MldView::of(kV1Done);
    REQUIRE(v);
    CHECK(v->type() == MldType::V1Done);
    CHECK(v->checksum() == 0x74ed);
    CHECK(v->checksum_valid(kLinux, kAllRouters));
    CHECK(v->multicast_address() == kGroup);
    const auto m = MldV1Done::parse(*v, kLinux, kAllRouters);
    REQUIRE(m);
    CHECK(*m == MldV1Done{kGroup});
    check_emit(*m, kLinux, kAllRouters, kV1Done);
    // The checksum binds the destination: the same octets to the group do not verify.
    CHECK(MldV1Done::parse(*v, kLinux, kGroup).error() == WireError::BadChecksum);
}

TEST_CASE("MLD message parse takes only its own type", "[wire][mld]") {
    const auto v = MldView::of(kV1Report);
    CHECK(MldV1Done::parse(*v, kLinux, kGroup).error() == WireError::BadField);
    CHECK(MldQuery::parse(*v, kLinux, kGroup).error() == WireError::BadField);
    CHECK(MldV2Report::parse(*v, kLinux, kGroup).error() == WireError::BadField);
}

// ---- Queries ----------------------------------------------------------------------------------

TEST_CASE("MLD query version follows RFC 3810 section 8.1", "[wire][mld]") {
    SECTION("24 octets is an MLDv1 General Query, delay literal in ms") {
        const auto v = MldView::of(kV1GeneralQuery);
        REQUIRE(v);
        CHECK(v->type() == MldType::Query);
        CHECK(v->query_version() == MldVersion::V1);
        CHECK(v->max_resp_code() == 10'000);
        CHECK(v->multicast_address().is_unspecified());
        CHECK_FALSE(v->s_flag());
        CHECK(v->qrv() == 0);
        const auto q = MldQuery::parse(*v, kRouter, kAllNodes);
        REQUIRE(q);
        CHECK(q->version == MldVersion::V1);
        CHECK(q->max_resp_delay == milliseconds{10'000});
        CHECK(q->is_general());
        check_emit(*q, kRouter, kAllNodes, kV1GeneralQuery);
    }
    SECTION("an MLDv1 delay >= 32768 is literal, not floating point") {
        MldQuery q;
        q.version = MldVersion::V1;
        q.max_resp_delay = milliseconds{40'000};
        std::vector<std::uint8_t> out(q.size());
        REQUIRE(q.emit(out, kRouter, kAllNodes) == 24);
        CHECK(read_be16(out, 4) == 40'000);
        const auto back = MldQuery::parse(*MldView::of(out), kRouter, kAllNodes);
        REQUIRE(back);
        CHECK(back->max_resp_delay == milliseconds{40'000});
    }
    SECTION("MLDv1 Multicast-Address-Specific Query") {
        const auto q = MldMessage::parse(kV1SpecificQuery, kRouter, kGroup);
        REQUIRE(q);
        const MldQuery* sq = q->get_if<MldQuery>();
        REQUIRE(sq != nullptr);
        CHECK(sq->version == MldVersion::V1);
        CHECK(sq->multicast_address == kGroup);
        CHECK(sq->max_resp_delay == milliseconds{1'000});
        check_emit(*q, kRouter, kGroup, kV1SpecificQuery);
    }
    SECTION("25 to 27 octets must be ignored") {
        for (std::size_t n = 25; n <= 27; ++n) {
            auto b = kV2Query;
            b.resize(n);
            CHECK(MldView::of(b).error() == WireError::BadField);
        }
    }
    SECTION("28 octets or more is MLDv2") {
        auto b = kV2Query;
        b.resize(28);
        b[26] = 0;
        b[27] = 0;
        const auto v = MldView::of(b);
        REQUIRE(v);
        CHECK(v->query_version() == MldVersion::V2);
    }
}

TEST_CASE("MLDv2 Multicast-Address-and-Source-Specific Query view reads every field",
          "[wire][mld]") {
    const auto v = MldView::of(kV2Query);
    REQUIRE(v);
    CHECK(v->type() == MldType::Query);
    CHECK(v->query_version() == MldVersion::V2);
    CHECK(v->checksum() == 0xc53a);
    CHECK(v->checksum_valid(kRouter, kGroup));
    CHECK(v->max_resp_code() == 0x8123);
    CHECK(v->multicast_address() == kGroup);
    CHECK(v->s_flag());
    CHECK(v->qrv() == 2);
    CHECK(v->qqic() == 0x8c);
    REQUIRE(v->number_of_sources() == 1);
    CHECK(v->source_address(0) == ip6("2001:db8::1"));
}

TEST_CASE("MLDv2 Query parses and emits from a 0xA5 fill", "[wire][mld]") {
    const auto q = MldQuery::parse(*MldView::of(kV2Query), kRouter, kGroup);
    REQUIRE(q);
    const MldQuery expected{MldVersion::V2, milliseconds{35'096}, kGroup, true, 2,
                            seconds{224},   {ip6("2001:db8::1")}};
    CHECK(*q == expected);
    check_emit(expected, kRouter, kGroup, kV2Query);
    check_emit(MldMessage(expected), kRouter, kGroup, kV2Query);
}

// ---- v2 Report --------------------------------------------------------------------------------

TEST_CASE("MLDv2 Report view reads the record of a Linux join", "[wire][mld]") {
    const auto v = MldView::of(kV2Report);
    REQUIRE(v);
    CHECK(v->type() == MldType::V2Report);
    CHECK(v->checksum() == 0x65d4);
    CHECK(v->checksum_valid(kLinux, kMldv2Routers));
    CHECK(v->max_resp_code() == 0);                  // not a field of this type
    CHECK(v->multicast_address().is_unspecified());  // ditto
    REQUIRE(v->number_of_multicast_address_records() == 1);
    const auto records = v->multicast_address_records();
    REQUIRE(records.size() == 1);
    CHECK(records[0].record_type() == RecordType::ChangeToExclude);
    CHECK(records[0].aux_data_len() == 0);
    CHECK(records[0].number_of_sources() == 0);
    CHECK(records[0].multicast_address() == kGroup);
    CHECK(records[0].size() == 20);
}

TEST_CASE("MLDv2 Report parses and emits from a 0xA5 fill", "[wire][mld]") {
    const auto m = MldV2Report::parse(*MldView::of(kV2Report), kLinux, kMldv2Routers);
    REQUIRE(m);
    const MldV2Report join{{MldAddressRecord{RecordType::ChangeToExclude, kGroup, {}, {}}}};
    CHECK(*m == join);
    check_emit(join, kLinux, kMldv2Routers, kV2Report);
}

TEST_CASE("MLDv2 Report with sources and auxiliary data reads, parses and emits", "[wire][mld]") {
    const auto v = MldView::of(kV2Report2);
    REQUIRE(v);
    const auto records = v->multicast_address_records();
    REQUIRE(records.size() == 2);
    CHECK(records[0].record_type() == RecordType::BlockOldSources);
    CHECK(records[0].aux_data_len() == 1);
    REQUIRE(records[0].number_of_sources() == 1);
    CHECK(records[0].source_address(0) == ip6("2001:db8::1"));
    CHECK(records[0].auxiliary_data().size() == 4);
    CHECK(records[0].size() == 40);
    CHECK(records[1].multicast_address() == ip6("ff14::4:0"));
    const auto m = MldV2Report::parse(*v, kLinux, kMldv2Routers);
    REQUIRE(m);
    CHECK(*m == v2_report2());
    check_emit(v2_report2(), kLinux, kMldv2Routers, kV2Report2);
}

TEST_CASE("MLD emit then parse gives the message back", "[wire][mld]") {
    const std::vector<MldMessage> messages = {
        MldQuery{MldVersion::V1, milliseconds{65'535}, Ipv6Address{}, false, 2, seconds{125}, {}},
        MldQuery{MldVersion::V2,
                 milliseconds{8'387'584},
                 ip6("ff05::1:3"),
                 false,
                 7,
                 seconds{31'744},
                 {}},
        MldQuery{MldVersion::V2,
                 milliseconds{0},
                 Ipv6Address{},
                 true,
                 0,
                 seconds{0},
                 {ip6("2001:db8::1"), ip6("2001:db8::2")}},
        MldV1Report{ip6("ff0e::1")},
        MldV1Done{ip6("ff02::1:ff00:1")},
        MldV2Report{},
        v2_report2(),
    };
    for (const MldMessage& m : messages) {
        std::vector<std::uint8_t> out(m.size(), 0xa5);
        REQUIRE(m.emit(out, kRouter, kAllNodes) == m.size());
        INFO(to_string(m.type()));
        const auto back = MldMessage::parse(out, kRouter, kAllNodes);
        REQUIRE(back);
        CHECK(*back == m);
    }
}

// ---- Rejections -------------------------------------------------------------------------------

TEST_CASE("MLD parse rejects truncated, corrupt and non-MLD messages", "[wire][mld]") {
    SECTION("short messages") {
        CHECK(MldView::of(Bytes{}).error() == WireError::Truncated);
        CHECK(MldView::of(Bytes(kV1Report).first(23)).error() == WireError::Truncated);
        CHECK(MldView::of(Bytes(kV1Done).first(8)).error() == WireError::Truncated);
        CHECK(MldView::of(Bytes(kV1GeneralQuery).first(23)).error() == WireError::Truncated);
        CHECK(MldView::of(Bytes(kV2Report).first(7)).error() == WireError::Truncated);
    }
    SECTION("v2 query sources past the end") {
        CHECK(MldView::of(Bytes(kV2Query).first(kV2Query.size() - 1)).error() ==
              WireError::Truncated);
    }
    SECTION("v2 report records past the end") {
        CHECK(MldView::of(Bytes(kV2Report).first(27)).error() == WireError::Truncated);
        CHECK(MldView::of(Bytes(kV2Report2).first(kV2Report2.size() - 1)).error() ==
              WireError::Truncated);
        auto b = kV2Report;
        b[7] = 2;
        CHECK(MldView::of(b).error() == WireError::Truncated);
    }
    SECTION("other ICMPv6 types are not MLD") {
        const auto echo = bytes(0x80, 0x00, 0x99, 0xb8, 0x12, 0x34, 0x00, 0x01);
        CHECK(MldView::of(echo).error() == WireError::Unsupported);
        CHECK(MldMessage::parse(echo, kLinux, kGroup).error() == WireError::Unsupported);
    }
    SECTION("bad checksum") {
        auto b = kV1Report;
        b.back() ^= 0x01;
        const auto v = MldView::of(b);
        REQUIRE(v);
        CHECK_FALSE(v->checksum_valid(kLinux, kGroup));
        CHECK(MldMessage::parse(*v, kLinux, kGroup).error() == WireError::BadChecksum);
    }
    SECTION("a report for a unicast address") {
        const MldV1Report r{ip6("2001:db8::5")};
        std::vector<std::uint8_t> out(r.size());
        REQUIRE(r.emit(out, kLinux, kGroup) == out.size());
        CHECK(MldMessage::parse(out, kLinux, kGroup).error() == WireError::BadField);
        const MldV2Report r2{{MldAddressRecord{RecordType::ChangeToExclude, kLinux, {}, {}}}};
        out.resize(r2.size());
        REQUIRE(r2.emit(out, kLinux, kMldv2Routers) == out.size());
        CHECK(MldMessage::parse(out, kLinux, kMldv2Routers).error() == WireError::BadField);
    }
    SECTION("emit refuses auxiliary data that is not whole words") {
        auto r = v2_report2();
        r.multicast_address_records[0].auxiliary_data.pop_back();
        std::vector<std::uint8_t> out(r.size());
        CHECK(r.emit(out, kLinux, kMldv2Routers) == 0);
    }
}

TEST_CASE("MldType prints its name or its value", "[wire][mld]") {
    CHECK(to_string(MldType::Query) == "multicast-listener-query");
    CHECK(to_string(MldType::V2Report) == "v2-multicast-listener-report");
    CHECK(to_string(static_cast<MldType>(128)) == "128");
}

// ---- Real captures ----------------------------------------------------------------------------

namespace {

struct Seen {
    std::string ip_dst;
    MldMessage message;
};

/// MLD inside IPv6 with one Hop-by-Hop header, as Linux sends it.
std::vector<Seen> mld_in_capture(const std::string& name) {
    const auto recs = test::read_pcap(test::shared_capture_path(name));
    REQUIRE(recs.has_value());
    std::vector<Seen> out;
    for (const auto& r : *recs) {
        const auto eth = EthernetView::of(r.data);
        REQUIRE(eth);
        if (eth->ethertype() != ethertype::kIpv6) {
            continue;
        }
        const auto ipv = Ipv6View::of(eth->payload());
        REQUIRE(ipv);
        REQUIRE(ipv->next_header() == ip_protocol::kHopByHop);
        const Bytes hbh = ipv->payload();
        REQUIRE(hbh.size() >= 8);
        REQUIRE(hbh[0] == ip_protocol::kIcmpv6);
        const Bytes icmp = hbh.subspan((std::size_t{hbh[1]} + 1) * 8);
        const auto m = MldMessage::parse(icmp, ipv->source(), ipv->destination());
        REQUIRE(m);
        std::vector<std::uint8_t> again(m->size());
        REQUIRE(m->emit(again, ipv->source(), ipv->destination()) == again.size());
        CHECK(again == std::vector<std::uint8_t>(icmp.begin(), icmp.end()));
        out.push_back({ipv->destination().to_string(), *m});
    }
    return out;
}

}  // namespace

TEST_CASE("Every MLD message of linux-mldv1-join-leave.pcap parses as the README says",
          "[wire][mld][pcap]") {
    const auto seen = mld_in_capture("linux-mldv1-join-leave.pcap");
    // captures/README.md: ipv6.dst, icmpv6.type, icmpv6.mld.multicast_address.
    const std::vector<std::tuple<std::string, MldType, std::string>> expected = {
        {"ff15::123", MldType::V1Report, "ff15::123"},
        {"ff15::123", MldType::V1Report, "ff15::123"},
        {"ff14::4:0", MldType::V1Report, "ff14::4:0"},
        {"ff14::4:0", MldType::V1Report, "ff14::4:0"},
        {"ff02::2", MldType::V1Done, "ff15::123"},
        {"ff02::2", MldType::V1Done, "ff14::4:0"},
    };
    REQUIRE(seen.size() == expected.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
        INFO("message " << i);
        const auto& [dst, type, group] = expected[i];
        CHECK(seen[i].ip_dst == dst);
        CHECK(seen[i].message.type() == type);
        if (const auto* r = seen[i].message.get_if<MldV1Report>()) {
            CHECK(r->multicast_address.to_string() == group);
        } else if (const auto* d = seen[i].message.get_if<MldV1Done>()) {
            CHECK(d->multicast_address.to_string() == group);
        } else {
            FAIL("not an MLDv1 report or done");
        }
    }
}

TEST_CASE("Every MLD message of linux-mldv2-join-leave.pcap parses as the README says",
          "[wire][mld][pcap]") {
    const auto seen = mld_in_capture("linux-mldv2-join-leave.pcap");
    // captures/README.md: ff02::16 143, one record each: type, group.
    const std::vector<std::pair<RecordType, std::string>> expected = {
        {RecordType::ChangeToExclude, "ff15::123"}, {RecordType::ChangeToExclude, "ff15::123"},
        {RecordType::ChangeToExclude, "ff14::4:0"}, {RecordType::ChangeToExclude, "ff14::4:0"},
        {RecordType::ChangeToInclude, "ff15::123"}, {RecordType::ChangeToInclude, "ff15::123"},
        {RecordType::ChangeToInclude, "ff14::4:0"}, {RecordType::ChangeToInclude, "ff14::4:0"},
    };
    REQUIRE(seen.size() == expected.size());
    for (std::size_t i = 0; i < seen.size(); ++i) {
        INFO("message " << i);
        CHECK(seen[i].ip_dst == "ff02::16");
        const auto* r = seen[i].message.get_if<MldV2Report>();
        REQUIRE(r != nullptr);
        REQUIRE(r->multicast_address_records.size() == 1);
        CHECK(r->multicast_address_records[0].record_type == expected[i].first);
        CHECK(r->multicast_address_records[0].multicast_address.to_string() == expected[i].second);
        CHECK(r->multicast_address_records[0].source_addresses.empty());
    }
}

}  // namespace caplnet::wire
