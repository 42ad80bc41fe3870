#include "netif/wire/group_packet.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "netif/wire/ethernet.hpp"
#include "netif/wire/frame_check.hpp"
#include "netif/wire/mac_address.hpp"
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
Ipv6Address ip6(const char* s) { return *Ipv6Address::parse(s); }

const Ipv4Address kHost4 = ip("192.0.2.10");  // the captures' host
const Ipv6Address kHost6 = ip6("fe80::ff:fe00:a01");
const MacAddress kHostMac{{0x02, 0x00, 0x00, 0x00, 0x0a, 0x01}};

// Hand-written expectation for igmp_packet(192.0.2.10, 239.0.0.123, v2 Report 239.0.0.123).
// Linux sends the same bytes except DF (0x40 in octet 6) and so the header checksum (0x3292).
// Header checksum computed independently with Python.
// clang-format off
const auto kIgmpV2ReportPacket = bytes(
    0x46, 0xc0, 0x00, 0x20,   // version 4, IHL 6; TOS 0xc0; total length 32
    0x00, 0x00, 0x00, 0x00,   // identification 0; DF/MF clear, offset 0
    0x01, 0x02, 0x72, 0x92,   // TTL 1; protocol 2 (IGMP); header checksum
    0xc0, 0x00, 0x02, 0x0a,   // source 192.0.2.10
    0xef, 0x00, 0x00, 0x7b,   // destination 239.0.0.123
    0x94, 0x04, 0x00, 0x00,   // Router Alert (RFC 2113): type 148, length 4, value 0
    0x16, 0x00, 0xfa, 0x83,   // IGMP: v2 Report, max resp 0, checksum
    0xef, 0x00, 0x00, 0x7b);  //       group 239.0.0.123
const auto kIgmpV3ReportPacket = bytes(
    0x46, 0xc0, 0x00, 0x28,   // version 4, IHL 6; TOS 0xc0; total length 40
    0x12, 0x34, 0x00, 0x00,   // identification 0x1234; DF/MF clear, offset 0
    0x01, 0x02, 0x6f, 0xbb,   // TTL 1; protocol 2 (IGMP); header checksum
    0xc0, 0x00, 0x02, 0x0a,   // source 192.0.2.10
    0xe0, 0x00, 0x00, 0x16,   // destination 224.0.0.22
    0x94, 0x04, 0x00, 0x00,   // Router Alert
    0x22, 0x00, 0xea, 0x82,   // IGMP: v3 Report, reserved, checksum
    0x00, 0x00, 0x00, 0x01,   //       reserved, 1 group record
    0x04, 0x00, 0x00, 0x00,   //       CHANGE_TO_EXCLUDE, aux 0, 0 sources
    0xef, 0x00, 0x00, 0x7b);  //       group 239.0.0.123
// clang-format on

std::vector<std::uint8_t> frame_for(const MacAddress& dst, std::uint16_t type,
                                    const std::vector<std::uint8_t>& packet) {
    std::vector<std::uint8_t> f(kEthernetHeaderLen + packet.size());
    emit_ethernet_header(f, dst, kHostMac, type);
    std::copy(packet.begin(), packet.end(), f.begin() + kEthernetHeaderLen);
    return f;
}

std::vector<std::uint8_t> igmp_frame(const IgmpMessage& m, const Ipv4Address& src = kHost4) {
    const Ipv4Address dst = igmp_destination(m);
    return frame_for(dst.multicast_mac(), ethertype::kIpv4, igmp_packet(src, dst, m));
}

std::vector<std::uint8_t> mld_frame(const MldMessage& m, const Ipv6Address& src = kHost6) {
    const Ipv6Address dst = mld_destination(m);
    return frame_for(dst.multicast_mac(), ethertype::kIpv6, mld_packet(src, dst, m));
}

/// Frames of every message type, as the tshark oracle and check_frame see them.
std::vector<std::vector<std::uint8_t>> all_frames() {
    const Ipv4Address g4 = ip("239.1.2.3");
    const Ipv6Address g6 = ip6("ff15::123");
    return {
        igmp_frame(IgmpV1Report{g4}),
        igmp_frame(IgmpV2Report{g4}),
        igmp_frame(IgmpV2Leave{g4}),
        igmp_frame(IgmpQuery{IgmpVersion::V1, milliseconds{0}, {}, false, 2, seconds{125}, {}}),
        igmp_frame(
            IgmpQuery{IgmpVersion::V2, milliseconds{10'000}, g4, false, 2, seconds{125}, {}}),
        igmp_frame(IgmpQuery{IgmpVersion::V3,
                             milliseconds{24'800},
                             g4,
                             true,
                             2,
                             seconds{125},
                             {ip("192.0.2.1"), ip("192.0.2.2")}}),
        igmp_frame(
            IgmpV3Report{
                {IgmpGroupRecord{RecordType::ChangeToExclude, g4, {}, {}},
                 IgmpGroupRecord{
                     RecordType::AllowNewSources, ip("232.1.1.1"), {ip("192.0.2.1")}, {}}}},
            Ipv4Address{}),  // RFC 3376 §4.2.13: 0.0.0.0 before an address is configured
        mld_frame(MldV1Report{g6}),
        mld_frame(MldV1Done{g6}),
        mld_frame(MldQuery{MldVersion::V1, milliseconds{10'000}, {}, false, 2, seconds{125}, {}},
                  ip6("fe80::1")),
        mld_frame(MldQuery{MldVersion::V2,
                           milliseconds{35'096},
                           g6,
                           true,
                           2,
                           seconds{224},
                           {ip6("2001:db8::1")}},
                  ip6("fe80::1")),
        mld_frame(MldV2Report{
            {MldAddressRecord{RecordType::ChangeToInclude, g6, {}, {}},
             MldAddressRecord{
                 RecordType::BlockOldSources, ip6("ff14::4:0"), {ip6("2001:db8::1")}, {}}}}),
        mld_frame(MldV2Report{{MldAddressRecord{RecordType::ChangeToExclude, g6, {}, {}}}},
                  Ipv6Address{}),  // RFC 3810 §5.2.13: :: before a link-local address exists
    };
}

/// Record `index` (0-based) of a shared capture: a whole Ethernet frame.
std::vector<std::uint8_t> capture_frame(const std::string& name, std::size_t index) {
    const auto recs = test::read_pcap(test::shared_capture_path(name));
    REQUIRE(recs.has_value());
    REQUIRE(index < recs->size());
    return (*recs)[index].data;
}

std::vector<std::uint8_t> l3_of(const std::vector<std::uint8_t>& frame) {
    return {frame.begin() + kEthernetHeaderLen, frame.end()};
}

}  // namespace

TEST_CASE("Group destinations and their MAC addresses are the RFC values", "[wire][group_packet]") {
    CHECK(kAllSystemsV4.to_string() == "224.0.0.1");
    CHECK(kAllRoutersV4.to_string() == "224.0.0.2");
    CHECK(kAllIgmpV3RoutersV4.to_string() == "224.0.0.22");
    CHECK(kAllNodesV6.to_string() == "ff02::1");
    CHECK(kAllRoutersV6.to_string() == "ff02::2");
    CHECK(kAllMldV2RoutersV6.to_string() == "ff02::16");
    // shared/reference/multicast-rfc.md §12.1.
    CHECK(kAllSystemsV4.multicast_mac().to_string() == "01:00:5e:00:00:01");
    CHECK(kAllRoutersV4.multicast_mac().to_string() == "01:00:5e:00:00:02");
    CHECK(kAllIgmpV3RoutersV4.multicast_mac().to_string() == "01:00:5e:00:00:16");
    CHECK(ip("239.129.2.3").multicast_mac().to_string() == "01:00:5e:01:02:03");
    CHECK(kAllNodesV6.multicast_mac().to_string() == "33:33:00:00:00:01");
    CHECK(kAllRoutersV6.multicast_mac().to_string() == "33:33:00:00:00:02");
    CHECK(kAllMldV2RoutersV6.multicast_mac().to_string() == "33:33:00:00:00:16");
}

TEST_CASE("Each message goes to its RFC destination", "[wire][group_packet]") {
    const Ipv4Address g4 = ip("239.1.2.3");
    const Ipv6Address g6 = ip6("ff15::123");
    CHECK(igmp_destination(IgmpV1Report{g4}) == g4);
    CHECK(igmp_destination(IgmpV2Report{g4}) == g4);
    CHECK(igmp_destination(IgmpV2Leave{g4}) == kAllRoutersV4);
    CHECK(igmp_destination(IgmpV3Report{}) == kAllIgmpV3RoutersV4);
    CHECK(igmp_destination(IgmpQuery{}) == kAllSystemsV4);
    IgmpQuery gsq;
    gsq.group_address = g4;
    CHECK(igmp_destination(gsq) == g4);
    CHECK(mld_destination(MldV1Report{g6}) == g6);
    CHECK(mld_destination(MldV1Done{g6}) == kAllRoutersV6);
    CHECK(mld_destination(MldV2Report{}) == kAllMldV2RoutersV6);
    CHECK(mld_destination(MldQuery{}) == kAllNodesV6);
    MldQuery masq;
    masq.multicast_address = g6;
    CHECK(mld_destination(masq) == g6);
}

TEST_CASE("igmp_packet builds the IPv4 header of RFC 2236 and RFC 3376", "[wire][group_packet]") {
    SECTION("v2 Report") {
        const auto p = igmp_packet(kHost4, ip("239.0.0.123"), IgmpV2Report{ip("239.0.0.123")});
        CHECK(p == kIgmpV2ReportPacket);
        // Linux's packet differs in DF and the header checksum only.
        auto linux_packet = l3_of(capture_frame("linux-igmpv2-join-leave.pcap", 0));
        REQUIRE(linux_packet.size() == p.size());
        CHECK(linux_packet[6] == 0x40);
        linux_packet[6] = 0x00;
        linux_packet[10] = 0x72;
        CHECK(linux_packet == p);
    }
    SECTION("v3 Report with an identification") {
        const IgmpV3Report join{
            {IgmpGroupRecord{RecordType::ChangeToExclude, ip("239.0.0.123"), {}, {}}}};
        CHECK(igmp_packet(kHost4, kAllIgmpV3RoutersV4, join, 0x1234) == kIgmpV3ReportPacket);
    }
    SECTION("fields read back through Ipv4View") {
        const auto p = igmp_packet(kHost4, kAllRoutersV4, IgmpV2Leave{ip("239.0.0.123")});
        const auto v = Ipv4View::of(p);
        REQUIRE(v);
        CHECK(v->ihl() == 6);
        CHECK(v->tos() == 0xc0);
        CHECK_FALSE(v->dont_fragment());
        CHECK_FALSE(v->is_fragment());
        CHECK(v->ttl() == 1);
        CHECK(v->protocol() == ip_protocol::kIgmp);
        CHECK(v->header_checksum_valid());
        CHECK(v->options_well_formed());
        CHECK(std::vector<std::uint8_t>(v->options().begin(), v->options().end()) ==
              bytes(0x94, 0x04, 0x00, 0x00));
        CHECK(v->destination() == kAllRoutersV4);
    }
}

TEST_CASE("mld_packet matches Linux's MLD packets octet for octet", "[wire][group_packet]") {
    // Linux 6.1 builds MLD exactly as multicast-rfc.md §12.4 says: traffic class 0, flow label 0,
    // Hop-by-Hop with Router Alert 0 and PadN, hop limit 1.
    const Ipv6Address g = ip6("ff15::123");
    SECTION("MLDv1 Report") {
        CHECK(mld_packet(kHost6, g, MldV1Report{g}) ==
              l3_of(capture_frame("linux-mldv1-join-leave.pcap", 0)));
    }
    SECTION("MLDv1 Done") {
        CHECK(mld_packet(kHost6, kAllRoutersV6, MldV1Done{g}) ==
              l3_of(capture_frame("linux-mldv1-join-leave.pcap", 4)));
    }
    SECTION("MLDv2 Report") {
        const MldV2Report join{{MldAddressRecord{RecordType::ChangeToExclude, g, {}, {}}}};
        CHECK(mld_packet(kHost6, kAllMldV2RoutersV6, join) ==
              l3_of(capture_frame("linux-mldv2-join-leave.pcap", 0)));
    }
    SECTION("the header octets") {
        const auto p = mld_packet(kHost6, g, MldV1Report{g});
        REQUIRE(p.size() == 40 + 8 + 24);
        // clang-format off
        CHECK(std::vector<std::uint8_t>(p.begin(), p.begin() + 8) ==
              bytes(0x60, 0x00, 0x00, 0x00,     // version 6, traffic class 0, flow label 0
                    0x00, 0x20,                 // payload length 32
                    0x00,                       // next header 0: Hop-by-Hop
                    0x01));                     // hop limit 1
        CHECK(std::vector<std::uint8_t>(p.begin() + 40, p.begin() + 48) ==
              bytes(0x3a,                       // next header 58: ICMPv6
                    0x00,                       // Hdr Ext Len 0: 8 octets
                    0x05, 0x02, 0x00, 0x00,     // Router Alert, length 2, value 0 (MLD)
                    0x01, 0x00));               // PadN, length 0
        // clang-format on
    }
}

TEST_CASE("Built packets pass frame_check and match the Linux frames", "[wire][group_packet]") {
    for (const auto& f : all_frames()) {
        const auto info = check_frame(f);
        INFO("frame of " << f.size() << " octets");
        REQUIRE(info);
        CHECK(info->l3_length == f.size() - kEthernetHeaderLen);
        REQUIRE(info->transport_protocol);
        CHECK((*info->transport_protocol == ip_protocol::kIgmp ||
               *info->transport_protocol == ip_protocol::kIcmpv6));
    }
    // Whole frames, Ethernet header included, equal Linux's for MLD.
    CHECK(mld_frame(MldV1Report{ip6("ff15::123")}) ==
          capture_frame("linux-mldv1-join-leave.pcap", 0));
    CHECK(mld_frame(MldV2Report{
              {MldAddressRecord{RecordType::ChangeToInclude, ip6("ff14::4:0"), {}, {}}}}) ==
          capture_frame("linux-mldv2-join-leave.pcap", 6));
}

TEST_CASE("parse_igmp_packet reads back what igmp_packet built", "[wire][group_packet]") {
    const IgmpMessage m =
        IgmpV3Report{{IgmpGroupRecord{RecordType::ChangeToInclude, ip("239.0.0.123"), {}, {}}}};
    const auto p = igmp_packet(kHost4, kAllIgmpV3RoutersV4, m, 7);
    const auto r = parse_igmp_packet(p);
    REQUIRE(r);
    CHECK(r->source == kHost4);
    CHECK(r->destination == kAllIgmpV3RoutersV4);
    CHECK(r->ttl == 1);
    CHECK(r->tos == 0xc0);
    CHECK(r->router_alert);
    CHECK(r->message == m);

    SECTION("every Linux IGMP packet parses, with Router Alert") {
        for (const char* name : {"linux-igmpv2-join-leave.pcap", "linux-igmpv3-join-leave.pcap"}) {
            const auto recs = test::read_pcap(test::shared_capture_path(name));
            REQUIRE(recs);
            for (const auto& rec : *recs) {
                const auto lp = parse_igmp_packet(l3_of(rec.data));
                REQUIRE(lp);
                CHECK(lp->router_alert);
                CHECK(lp->ttl == 1);
                CHECK(lp->source == kHost4);
            }
        }
    }
    SECTION("no Router Alert") {
        Ipv4Header h;
        h.ttl = 1;
        h.protocol = ip_protocol::kIgmp;
        h.source = kHost4;
        h.destination = ip("239.0.0.123");
        h.payload_length = 8;
        std::vector<std::uint8_t> q(28);
        REQUIRE(h.emit(q) == 20);
        REQUIRE(IgmpV2Report{ip("239.0.0.123")}.emit(MutableBytes(q).subspan(20)) == 8);
        const auto nr = parse_igmp_packet(q);
        REQUIRE(nr);
        CHECK_FALSE(nr->router_alert);
    }
    SECTION("rejections") {
        auto bad = p;
        bad[10] ^= 0x01;  // header checksum
        CHECK(parse_igmp_packet(bad).error() == WireError::BadChecksum);
        CHECK(parse_igmp_packet(Bytes(p).first(19)).error() == WireError::Truncated);
        bad = p;
        bad[p.size() - 1] ^= 0x01;  // IGMP checksum
        CHECK(parse_igmp_packet(bad).error() == WireError::BadChecksum);
        Ipv4Header h = Ipv4Header::parse(*Ipv4View::of(p));
        h.protocol = ip_protocol::kUdp;
        bad = p;
        REQUIRE(h.emit(bad) == 24);
        CHECK(parse_igmp_packet(bad).error() == WireError::Unsupported);
        h.protocol = ip_protocol::kIgmp;
        h.more_fragments = true;
        REQUIRE(h.emit(bad) == 24);
        CHECK(parse_igmp_packet(bad).error() == WireError::Unsupported);
    }
}

TEST_CASE("parse_mld_packet reads back what mld_packet built", "[wire][group_packet]") {
    const MldMessage m = MldV1Done{ip6("ff15::123")};
    const auto p = mld_packet(kHost6, kAllRoutersV6, m);
    const auto r = parse_mld_packet(p);
    REQUIRE(r);
    CHECK(r->source == kHost6);
    CHECK(r->destination == kAllRoutersV6);
    CHECK(r->hop_limit == 1);
    CHECK(r->router_alert);
    CHECK(r->message == m);

    SECTION("every Linux MLD packet parses, with Router Alert") {
        for (const char* name : {"linux-mldv1-join-leave.pcap", "linux-mldv2-join-leave.pcap"}) {
            const auto recs = test::read_pcap(test::shared_capture_path(name));
            REQUIRE(recs);
            for (const auto& rec : *recs) {
                const auto lp = parse_mld_packet(l3_of(rec.data));
                REQUIRE(lp);
                CHECK(lp->router_alert);
                CHECK(lp->hop_limit == 1);
            }
        }
    }
    SECTION("ICMPv6 without Hop-by-Hop: no Router Alert") {
        Ipv6Header h;
        h.next_header = ip_protocol::kIcmpv6;
        h.hop_limit = 1;
        h.source = kHost6;
        h.destination = kAllRoutersV6;
        h.payload_length = 24;
        std::vector<std::uint8_t> q(64);
        REQUIRE(h.emit(q) == 40);
        REQUIRE(MldV1Done{ip6("ff15::123")}.emit(MutableBytes(q).subspan(40), kHost6,
                                                 kAllRoutersV6) == 24);
        const auto nr = parse_mld_packet(q);
        REQUIRE(nr);
        CHECK_FALSE(nr->router_alert);
        CHECK(nr->message == m);
    }
    SECTION("rejections") {
        CHECK(parse_mld_packet(Bytes(p).first(39)).error() == WireError::Truncated);
        auto bad = p;
        bad[40] = ip_protocol::kUdp;  // Hop-by-Hop followed by UDP
        CHECK(parse_mld_packet(bad).error() == WireError::Unsupported);
        bad = p;
        bad[41] = 9;  // Hop-by-Hop of 80 octets in a 32-octet payload
        CHECK(parse_mld_packet(bad).error() == WireError::Truncated);
        bad = p;
        bad[43] = 0x10;  // Router Alert option length runs past the header
        CHECK(parse_mld_packet(bad).error() == WireError::Truncated);
        bad = p;
        bad.back() ^= 0x01;
        CHECK(parse_mld_packet(bad).error() == WireError::BadChecksum);
    }
}

TEST_CASE("tshark decodes the built IGMP and MLD frames without warnings",
          "[wire][group_packet][oracle]") {
    if (!test::have_tshark()) {
        WARN("tshark not installed; oracle skipped");
        return;
    }
    std::mt19937_64 rng{std::random_device{}()};
    const auto path = std::filesystem::temp_directory_path() /
                      ("caplnet-group-packet-" + std::to_string(rng()) + ".pcap");
    const auto frames = all_frames();
    REQUIRE(test::write_pcap(path.string(), frames));
    const std::string base = "tshark -o ip.check_checksum:TRUE -r '" + path.string() + "'";
    const std::string problem_filter =
        " -Y '_ws.malformed || _ws.expert.severity >= warning' -T fields -e frame.number"
        " 2>/dev/null";

    const auto problems = test::run_capture_stdout(base + problem_filter);
    REQUIRE(problems.has_value());
    CHECK(*problems == "");

    // Negative control: the same filter flags frames 2 and 8 once their checksums are broken.
    auto broken = frames;
    broken[1].back() ^= 0x01;  // IGMP checksum
    broken[7].back() ^= 0x01;  // ICMPv6 checksum
    REQUIRE(test::write_pcap(path.string(), broken));
    CHECK(test::run_capture_stdout(base + problem_filter) == std::optional<std::string>("2\n8\n"));
    REQUIRE(test::write_pcap(path.string(), frames));

    const auto fields = test::run_capture_stdout(
        base + " -T fields -E separator=';' -e igmp.type -e igmp.version -e igmp.checksum.status" +
        " -e icmpv6.type -e icmpv6.checksum.status -e ip.ttl -e ipv6.hlim" +
        " -e ip.opt.type -e ipv6.opt.router_alert 2>/dev/null");
    std::filesystem::remove(path);
    REQUIRE(fields.has_value());
    std::vector<std::string> rows;
    std::istringstream in(*fields);
    for (std::string line; std::getline(in, line);) {
        rows.push_back(line);
    }
    // igmp.type; igmp.version; igmp.checksum.status (1 = good); icmpv6.type;
    // icmpv6.checksum.status; ip.ttl; ipv6.hlim; ip.opt.type (148 = Router Alert);
    // ipv6.opt.router_alert (0 = MLD)
    const std::vector<std::string> expected = {
        "0x12;1;1;;;1;;148;",  // v1 Report
        "0x16;2;1;;;1;;148;",  // v2 Report
        "0x17;2;1;;;1;;148;",  // Leave Group
        "0x11;1;1;;;1;;148;",  // v1 Query
        "0x11;2;1;;;1;;148;",  // v2 Query
        "0x11;3;1;;;1;;148;",  // v3 Query
        "0x22;3;1;;;1;;148;",  // v3 Report
        ";;;131;1;;1;;0",      // MLDv1 Report
        ";;;132;1;;1;;0",      // MLDv1 Done
        ";;;130;1;;1;;0",      // MLDv1 Query
        ";;;130;1;;1;;0",      // MLDv2 Query
        ";;;143;1;;1;;0",      // MLDv2 Report
        ";;;143;1;;1;;0",      // MLDv2 Report from ::
    };
    CHECK(rows == expected);
}

}  // namespace caplnet::wire
