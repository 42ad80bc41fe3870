#include "netif/wire/frame_check.hpp"

#include <catch2/catch.hpp>

#include "tests/netif/wire/pcap_file.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "netif/wire/checksum.hpp"
#include "netif/wire/ethernet.hpp"
#include "netif/wire/icmp.hpp"
#include "netif/wire/ipv4.hpp"
#include "netif/wire/ipv6.hpp"

namespace Catch {
template <>
struct StringMaker<std::optional<caplnet::wire::DropReason>> {
    static std::string convert(const std::optional<caplnet::wire::DropReason>& r) {
        return r ? caplnet::wire::to_string(*r) : "pass";
    }
};
template <>
struct StringMaker<caplnet::wire::DropReason> {
    static std::string convert(caplnet::wire::DropReason r) { return caplnet::wire::to_string(r); }
};
}  // namespace Catch

namespace caplnet::wire {
namespace {

template <class... T>
std::vector<std::uint8_t> bytes(T... v) {
    return {static_cast<std::uint8_t>(v)...};
}

using test::PcapRecord;
using test::read_pcap;

std::vector<PcapRecord> shared_capture(const std::string& name) {
    const auto recs = read_pcap(std::string(CAPLNET_SHARED_DIR) + "/captures/" + name);
    REQUIRE(recs.has_value());
    return *recs;
}

std::optional<DropReason> verdict(const std::vector<std::uint8_t>& f,
                                  std::size_t max = kDefaultMaxFrameLen) {
    const auto r = check_frame(f, max);
    if (r) {
        return std::nullopt;
    }
    return r.error();
}

// A valid frame: 02:00:00:00:0a:01 192.0.2.10:50000 -> 239.0.0.123:40001, 16-byte payload,
// as gen_malformed.py's udp4() builds it.
std::vector<std::uint8_t> udp4_frame() {
    // clang-format off
    auto f = bytes(0x01, 0x00, 0x5e, 0x00, 0x00, 0x7b,  // dst 01:00:5e:00:00:7b
                   0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,  // src 02:00:00:00:0a:01
                   0x08, 0x00,                          // EtherType IPv4
                   0x45, 0x00, 0x00, 0x2c,              // v4 IHL 5, TOS 0, total length 44
                   0x12, 0x34, 0x40, 0x00,              // id 0x1234, DF
                   0x01, 0x11, 0x00, 0x00,              // TTL 1, UDP, checksum (filled below)
                   0xc0, 0x00, 0x02, 0x0a,              // 192.0.2.10
                   0xef, 0x00, 0x00, 0x7b,              // 239.0.0.123
                   0xc3, 0x50, 0x9c, 0x41,              // ports 50000 -> 40001
                   0x00, 0x18, 0x00, 0x00);             // UDP length 24, checksum (filled below)
    // clang-format on
    for (int i = 0; i < 16; ++i) {
        f.push_back(static_cast<std::uint8_t>(i));
    }
    const MutableBytes ip(f.data() + 14, f.size() - 14);
    write_be16(ip, 10, internet_checksum(ip.first(20)));
    write_be16(ip, 26,
               ipv4_upper_layer_checksum(*Ipv4Address::parse("192.0.2.10"),
                                         *Ipv4Address::parse("239.0.0.123"), 17, ip.subspan(20)));
    return f;
}

}  // namespace

TEST_CASE("Every DropReason has a distinct kebab-case name", "[wire][frame_check]") {
    std::map<std::string, int> seen;
    for (const DropReason r : kAllDropReasons) {
        const std::string s = to_string(r);
        CHECK(s != "unknown");
        for (const char c : s) {
            CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'));
        }
        ++seen[s];
    }
    CHECK(seen.size() == kDropReasonCount);
    CHECK(std::string(to_string(DropReason::BadIpv4Checksum)) == "bad-ipv4-checksum");
    CHECK(static_cast<std::size_t>(DropReason::BadArp) + 1 == kDropReasonCount);
}

TEST_CASE("A valid IPv4 UDP frame passes and describes itself", "[wire][frame_check]") {
    const auto f = udp4_frame();
    const auto info = check_frame(f);
    REQUIRE(info);
    CHECK(info->destination.to_string() == "01:00:5e:00:00:7b");
    CHECK(info->source.to_string() == "02:00:00:00:0a:01");
    CHECK_FALSE(info->vlan.has_value());
    CHECK(info->ethertype == ethertype::kIpv4);
    CHECK(info->l3_offset == 14);
    CHECK(info->l3_length == 44);
    CHECK(info->transport_protocol == std::optional<std::uint8_t>{17});
    CHECK_FALSE(info->fragment);
    CHECK(info->l3(f).size() == 44);
}

TEST_CASE("Ethernet padding after the IP datagram is ignored", "[wire][frame_check]") {
    auto f = udp4_frame();
    f.resize(f.size() + 20, 0x00);  // trailer bytes a padder or a switch might leave
    const auto info = check_frame(f);
    REQUIRE(info);
    CHECK(info->l3_length == 44);
}

TEST_CASE("A tagged frame reports its TCI and L3 offset", "[wire][frame_check]") {
    const auto plain = udp4_frame();
    std::vector<std::uint8_t> f(plain.size() + 4);
    REQUIRE(emit_tagged(plain, VlanTci{3, false, 10}, f) == f.size());
    const auto info = check_frame(f);
    REQUIRE(info);
    REQUIRE(info->vlan.has_value());
    CHECK(info->vlan->vlan_id == 10);
    CHECK(info->vlan->priority == 3);
    CHECK(info->ethertype == ethertype::kIpv4);
    CHECK(info->l3_offset == 18);
}

TEST_CASE("Ethernet and 802.1Q defects map to their reasons", "[wire][frame_check]") {
    const auto good = udp4_frame();
    std::vector<std::uint8_t> tagged(good.size() + 4);
    emit_tagged(good, VlanTci{0, false, 10}, tagged);

    SECTION("short frames") {
        CHECK(verdict({}) == DropReason::TruncatedEthernet);
        CHECK(verdict({good.begin(), good.begin() + 13}) == DropReason::TruncatedEthernet);
        CHECK(verdict({good.begin(), good.begin() + 14}) == DropReason::TruncatedIpv4);
        CHECK(verdict({tagged.begin(), tagged.begin() + 17}) == DropReason::TruncatedVlanTag);
    }
    SECTION("stacked and S-tags") {
        auto f = tagged;
        f[12] = 0x88;
        f[13] = 0xa8;
        CHECK(verdict(f) == DropReason::StackedVlanTag);
        f = tagged;
        f[16] = 0x81;
        f[17] = 0x00;
        CHECK(verdict(f) == DropReason::StackedVlanTag);
        f = tagged;
        f[12] = 0x91;
        f[13] = 0x00;
        CHECK(verdict(f) == DropReason::StackedVlanTag);
    }
    SECTION("VID 4095 is reserved, VID 0 is a priority tag") {
        auto f = tagged;
        f[14] = 0x6f;
        f[15] = 0xff;
        CHECK(verdict(f) == DropReason::ReservedVlanId);
        f[14] = 0x60;
        f[15] = 0x00;
        CHECK(verdict(f) == std::nullopt);
    }
    SECTION("802.3 length field") {
        auto f = good;
        f[12] = 0x00;
        f[13] = 0x30;
        CHECK(verdict(f) == DropReason::LlcFrame);
    }
    SECTION("oversize, with 4 extra bytes allowed for the tag") {
        CHECK(verdict(good, good.size()) == std::nullopt);
        CHECK(verdict(good, good.size() - 1) == DropReason::Oversized);
        CHECK(verdict(tagged, good.size()) == std::nullopt);
        CHECK(verdict(tagged, good.size() - 1) == DropReason::Oversized);
    }
    SECTION("unknown EtherTypes pass") {
        auto f = bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0x0a, 0x01, 0x88, 0xcc);
        CHECK(verdict(f) == std::nullopt);
    }
}

TEST_CASE("IPv4 header defects map to their reasons", "[wire][frame_check]") {
    const auto good = udp4_frame();
    const auto recsum = [](std::vector<std::uint8_t> f, std::size_t hlen = 20) {
        const MutableBytes ip(f.data() + 14, f.size() - 14);
        write_be16(ip, 10, 0);
        write_be16(ip, 10, internet_checksum(ip.first(hlen)));
        return f;
    };
    auto f = good;
    f[14] = 0x65;
    CHECK(verdict(recsum(f)) == DropReason::BadIpv4Version);
    f = good;
    f[14] = 0x44;
    CHECK(verdict(recsum(f)) == DropReason::BadIpv4HeaderLength);
    f = good;
    f[14] = 0x4f;
    CHECK(verdict(recsum(f)) == DropReason::BadIpv4HeaderLength);
    f = good;
    f[17] = 10;
    CHECK(verdict(recsum(f)) == DropReason::BadIpv4TotalLength);
    f = good;
    f[16] = 0x03;
    CHECK(verdict(recsum(f)) == DropReason::TruncatedIpv4);
    f = good;
    f[24] ^= 0x5a;
    CHECK(verdict(f) == DropReason::BadIpv4Checksum);
    f = good;
    f[26] = 239;  // source 239.0.2.10
    CHECK(verdict(recsum(f)) == DropReason::BadIpv4Source);
    f = good;
    f[5] = 0x7c;  // MAC of 239.0.0.124
    CHECK(verdict(f) == DropReason::MulticastMacMismatch);
}

TEST_CASE("IPv4 options are walked safely", "[wire][frame_check]") {
    // clang-format off
    const auto frame_with_option = [](std::uint8_t a, std::uint8_t b, std::uint8_t c,
                                      std::uint8_t d) {
        auto f = bytes(0x01, 0x00, 0x5e, 0x00, 0x00, 0x7b,  // dst
                       0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,  // src
                       0x08, 0x00,                          // IPv4
                       0x46, 0x00, 0x00, 0x18,              // IHL 6, total length 24
                       0x00, 0x00, 0x00, 0x00,              // id, flags
                       0x01, 0xfd, 0x00, 0x00,              // TTL 1, protocol 253 (experimental)
                       0xc0, 0x00, 0x02, 0x0a,              // 192.0.2.10
                       0xef, 0x00, 0x00, 0x7b,              // 239.0.0.123
                       a, b, c, d);                         // option area
        // clang-format on
        write_be16(MutableBytes(f.data() + 14, 24), 10,
                   internet_checksum(Bytes(f.data() + 14, 24)));
        return f;
    };
    CHECK(verdict(frame_with_option(0x94, 0x04, 0x00, 0x00)) == std::nullopt);  // Router Alert
    CHECK(verdict(frame_with_option(0x01, 0x01, 0x00, 0x42)) == std::nullopt);  // NOP NOP EOL
    CHECK(verdict(frame_with_option(0x94, 0x00, 0x00, 0x00)) == DropReason::BadIpv4Options);
    CHECK(verdict(frame_with_option(0x07, 0x28, 0x04, 0x00)) == DropReason::BadIpv4Options);
    CHECK(verdict(frame_with_option(0x01, 0x01, 0x01, 0x07)) == DropReason::BadIpv4Options);
}

TEST_CASE("IPv4 fragments skip transport checks but not fragment sanity", "[wire][frame_check]") {
    auto f = udp4_frame();
    f[40] ^= 0xff;  // UDP checksum now wrong, which only reassembly could tell
    const auto set_frag = [](std::vector<std::uint8_t> g, std::uint16_t v) {
        const MutableBytes ip(g.data() + 14, g.size() - 14);
        write_be16(ip, 6, v);
        write_be16(ip, 10, 0);
        write_be16(ip, 10, internet_checksum(ip.first(20)));
        return g;
    };
    CHECK(verdict(f) == DropReason::BadUdpChecksum);
    const auto first = check_frame(set_frag(f, 0x2000));  // MF, 24 payload octets
    REQUIRE(first);
    CHECK(first->fragment);
    CHECK(verdict(set_frag(f, 0x0010)) == std::nullopt);                  // last, offset 128
    CHECK(verdict(set_frag(f, 0x1fff)) == DropReason::BadIpv4Fragment);  // 65528 + 24 > 65535
    auto odd = f;
    odd[17] = 43;  // total length 43: 23 payload octets in a non-last fragment
    CHECK(verdict(set_frag(odd, 0x2000)) == DropReason::BadIpv4Fragment);
}

TEST_CASE("UDP over IPv4 length and checksum rules", "[wire][frame_check]") {
    const auto good = udp4_frame();
    auto f = good;
    f[40] = 0;
    f[41] = 0;
    CHECK(verdict(f) == std::nullopt);  // RFC 768: zero = no checksum
    f = good;
    f[41] ^= 0x01;
    CHECK(verdict(f) == DropReason::BadUdpChecksum);
    for (const std::uint16_t len : {0, 4, 7, 25, 1000}) {
        f = good;
        write_be16(MutableBytes(f), 38, len);
        CHECK(verdict(f) == DropReason::BadUdpLength);
    }
}

TEST_CASE("ICMP, IGMP and TCP over IPv4 are checksummed", "[wire][frame_check]") {
    // Real frame from linux-udp-multicast-v4.pcap: ICMP port unreachable quoting the UDP header.
    // clang-format off
    const auto icmp = bytes(
        0x02, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x02,  // MACs
        0x08, 0x00,                                                              // IPv4
        0x45, 0xc0, 0x00, 0x58, 0x5e, 0xb1, 0x00, 0x00,  // IHL 5, TOS 0xc0, len 88, id
        0x40, 0x01, 0x97, 0x15,                          // TTL 64, ICMP, checksum
        0xc0, 0x00, 0x02, 0x14, 0xc0, 0x00, 0x02, 0x0a,  // 192.0.2.20 -> 192.0.2.10
        0x03, 0x03, 0x81, 0x55, 0x00, 0x00, 0x00, 0x00,  // type 3 code 3, checksum, unused
        0x45, 0x00, 0x00, 0x3c, 0x0e, 0xc0, 0x40, 0x00,  // quoted IPv4 header ...
        0x40, 0x11, 0xa7, 0xd2, 0xc0, 0x00, 0x02, 0x0a,
        0xc0, 0x00, 0x02, 0x14,
        0xc3, 0x50, 0x9c, 0x49, 0x00, 0x28, 0xd2, 0xd0,  // ... quoted UDP header
        0x43, 0x50, 0x4c, 0x4e, 0x00, 0x01, 0x00, 0x00,  // quoted payload
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb4,
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
        0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f);
    // Real frame from linux-igmpv2-join-leave.pcap: v2 Report 239.0.0.123 with Router Alert.
    const auto igmp = bytes(
        0x01, 0x00, 0x5e, 0x00, 0x00, 0x7b, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,  // MACs
        0x08, 0x00,                                                              // IPv4
        0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00,  // IHL 6, TOS 0xc0, len 32, DF
        0x01, 0x02, 0x32, 0x92,                          // TTL 1, IGMP, checksum
        0xc0, 0x00, 0x02, 0x0a, 0xef, 0x00, 0x00, 0x7b,  // 192.0.2.10 -> 239.0.0.123
        0x94, 0x04, 0x00, 0x00,                          // Router Alert
        0x16, 0x00, 0xfa, 0x83,                          // v2 Report, checksum
        0xef, 0x00, 0x00, 0x7b);                         // group 239.0.0.123
    // clang-format on
    CHECK(verdict(icmp) == std::nullopt);
    auto f = icmp;
    f.back() ^= 0x01;
    CHECK(verdict(f) == DropReason::BadIcmpChecksum);
    CHECK(verdict(igmp) == std::nullopt);
    f = igmp;
    f[40] ^= 0xff;
    CHECK(verdict(f) == DropReason::BadIgmpChecksum);

    // A TCP SYN 192.0.2.10:50000 -> 192.0.2.20:80 built here.
    auto tcp = bytes(0x02, 0, 0, 0, 0x0a, 0x02, 0x02, 0, 0, 0, 0x0a, 0x01, 0x08, 0x00);
    Ipv4Header h;
    h.protocol = 6;
    h.source = *Ipv4Address::parse("192.0.2.10");
    h.destination = *Ipv4Address::parse("192.0.2.20");
    h.payload_length = 20;
    tcp.resize(14 + 40);
    h.emit(MutableBytes(tcp).subspan(14));
    // clang-format off
    const auto seg = bytes(0xc3, 0x50, 0x00, 0x50,  // ports
                           0, 0, 0, 1, 0, 0, 0, 0,  // seq, ack
                           0x50, 0x02, 0xff, 0xff,  // data offset 5, SYN, window
                           0, 0, 0, 0);             // checksum, urgent pointer
    // clang-format on
    std::copy(seg.begin(), seg.end(), tcp.begin() + 34);
    write_be16(MutableBytes(tcp), 50,
               ipv4_upper_layer_checksum(h.source, h.destination, 6, Bytes(tcp).subspan(34)));
    CHECK(verdict(tcp) == std::nullopt);
    f = tcp;
    f[46] = 0x40;  // data offset 4
    CHECK(verdict(f) == DropReason::BadTcpHeaderLength);
    f = tcp;
    f[40] ^= 0x01;
    CHECK(verdict(f) == DropReason::BadTcpChecksum);
}

TEST_CASE("IPv6 with Hop-by-Hop and MLD is checked through the pseudo-header",
          "[wire][frame_check]") {
    // Real frame from linux-mldv1-join-leave.pcap: MLDv1 Report ff15::123.
    // clang-format off
    const auto mld = bytes(
        0x33, 0x33, 0x00, 0x00, 0x01, 0x23, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,  // MACs
        0x86, 0xdd,                                                              // IPv6
        0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x01,  // payload 32, Hop-by-Hop, hop limit 1
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0x00, 0x0a, 0x01,  // fe80::ff:fe00:a01
        0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x23,           // ff15::123
        0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00,  // HbH: ICMPv6, len 0, RA 0, PadN
        0x83, 0x00, 0x74, 0xb9,                          // MLD Report, checksum
        0x00, 0x00, 0x00, 0x00,                          // max delay, reserved
        0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x23);          // ff15::123
    // clang-format on
    const auto info = check_frame(mld);
    REQUIRE(info);
    CHECK(info->ethertype == ethertype::kIpv6);
    CHECK(info->l3_length == 72);
    CHECK(info->transport_protocol == std::optional<std::uint8_t>{58});

    auto f = mld;
    f[64] ^= 0xff;
    CHECK(verdict(f) == DropReason::BadIcmpv6Checksum);
    f = mld;
    f[55] = 10;  // Hop-by-Hop length 88 in a 32-byte payload
    CHECK(verdict(f) == DropReason::BadIpv6ExtensionHeader);
    f = mld;
    f[61] = 0x09;  // PadN claims 9 octets
    CHECK(verdict(f) == DropReason::BadIpv6ExtensionHeader);
    f = mld;
    f[5] = 0x00;  // MAC 33:33:00:00:00:23 does not match ff15::123
    CHECK(verdict(f) == DropReason::MulticastMacMismatch);
    f = mld;
    f[22] = 0xff;  // multicast source
    CHECK(verdict(f) == DropReason::BadIpv6Source);
    f = mld;
    f[14] = 0x40;
    CHECK(verdict(f) == DropReason::BadIpv6Version);
    f = mld;
    f[19] = 0x21;
    CHECK(verdict(f) == DropReason::TruncatedIpv6);
    f = mld;
    f[70] = 0x20;  // group 2015::123 is not multicast; fix the checksum so only that is wrong
    write_be16(MutableBytes(f), 64, 0);
    write_be16(MutableBytes(f), 64,
               ipv6_upper_layer_checksum(*Ipv6Address::parse("fe80::ff:fe00:a01"),
                                         *Ipv6Address::parse("ff15::123"), 58,
                                         Bytes(f).subspan(62)));
    CHECK(verdict(f) == DropReason::BadMldGroup);
}

TEST_CASE("UDP over IPv6 must carry a checksum", "[wire][frame_check]") {
    auto f = bytes(0x33, 0x33, 0x00, 0x00, 0x01, 0x23, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x86,
                   0xdd);
    Ipv6Header h;
    h.payload_length = 12;
    h.next_header = 17;
    h.hop_limit = 1;
    h.source = *Ipv6Address::parse("fe80::ff:fe00:a01");
    h.destination = *Ipv6Address::parse("ff15::123");
    f.resize(14 + 40 + 12);
    h.emit(MutableBytes(f).subspan(14));
    const MutableBytes udp = MutableBytes(f).subspan(54);
    write_be16(udp, 0, 50000);
    write_be16(udp, 2, 40001);
    write_be16(udp, 4, 12);
    udp[8] = 'C';
    write_be16(udp, 6, ipv6_upper_layer_checksum(h.source, h.destination, 17, udp));
    CHECK(verdict(f) == std::nullopt);
    write_be16(udp, 6, 0);
    CHECK(verdict(f) == DropReason::ZeroUdpChecksumIpv6);
}

TEST_CASE("IPv6 fragments skip transport checks, atomic fragments do not", "[wire][frame_check]") {
    auto f = bytes(0x33, 0x33, 0x00, 0x00, 0x01, 0x23, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x86,
                   0xdd);
    Ipv6Header h;
    h.payload_length = 8 + 12;
    h.next_header = ip_protocol::kIpv6Fragment;
    h.hop_limit = 1;
    h.source = *Ipv6Address::parse("fe80::ff:fe00:a01");
    h.destination = *Ipv6Address::parse("ff15::123");
    f.resize(14 + 40 + 8 + 12);
    h.emit(MutableBytes(f).subspan(14));
    // clang-format off
    const auto tail = bytes(0x11, 0x00, 0x00, 0x01,  // Fragment: next UDP, offset 0, M = 1
                            0x00, 0x00, 0x00, 0x2a,  // identification
                            0xc3, 0x50, 0x9c, 0x41,  // UDP ports
                            0x00, 0x0c, 0xde, 0xad,  // length 12, wrong checksum
                            'C', 'P', 'L', 'N');
    // clang-format on
    std::copy(tail.begin(), tail.end(), f.begin() + 54);
    const auto info = check_frame(f);
    REQUIRE(info);
    CHECK(info->fragment);
    CHECK(info->transport_protocol == std::optional<std::uint8_t>{17});
    f[57] = 0x00;  // offset 0, M = 0: an atomic fragment is a whole datagram
    CHECK(verdict(f) == DropReason::BadUdpChecksum);
    f.resize(14 + 40 + 4);
    write_be16(MutableBytes(f), 18, 4);
    CHECK(verdict(f) == DropReason::BadIpv6ExtensionHeader);
}

TEST_CASE("ARP frames are checked for Ethernet/IPv4 form", "[wire][frame_check]") {
    // Real frame from linux-udp-multicast-v4.pcap: who-has 192.0.2.20, unpadded 42 bytes.
    // clang-format off
    const auto arp = bytes(
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,  // MACs
        0x08, 0x06,                                                              // ARP
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,  // Ethernet, IPv4, 6, 4, request
        0x02, 0x00, 0x00, 0x00, 0x0a, 0x01, 0xc0, 0x00, 0x02, 0x0a,  // sender
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x14);  // target
    // clang-format on
    const auto info = check_frame(arp);
    REQUIRE(info);
    CHECK(info->l3_length == 28);
    auto padded = arp;
    padded.resize(60, 0);
    CHECK(verdict(padded) == std::nullopt);
    CHECK(verdict({arp.begin(), arp.begin() + 24}) == DropReason::TruncatedArp);
    auto f = arp;
    f[21] = 3;  // RARP request
    CHECK(verdict(f) == DropReason::BadArp);
}

TEST_CASE("Every frame of the Linux and SOME/IP captures passes", "[wire][frame_check][pcap]") {
    const auto name = GENERATE(as<std::string>{}, "linux-igmpv2-join-leave.pcap",
                               "linux-igmpv3-join-leave.pcap", "linux-mldv1-join-leave.pcap",
                               "linux-mldv2-join-leave.pcap", "linux-udp-multicast-v4.pcap",
                               "linux-udp-multicast-v6.pcap", "someip-sd-like.pcap");
    const std::map<std::string, std::size_t> frames = {
        {"linux-igmpv2-join-leave.pcap", 6}, {"linux-igmpv3-join-leave.pcap", 8},
        {"linux-mldv1-join-leave.pcap", 6},  {"linux-mldv2-join-leave.pcap", 8},
        {"linux-udp-multicast-v4.pcap", 1850}, {"linux-udp-multicast-v6.pcap", 1550},
        {"someip-sd-like.pcap", 200}};
    CAPTURE(name);
    const auto recs = shared_capture(name);
    CHECK(recs.size() == frames.at(name));
    std::size_t passed = 0;
    for (std::size_t i = 0; i < recs.size(); ++i) {
        const auto r = check_frame(recs[i].data);
        CAPTURE(i + 1, r ? "pass" : to_string(r.error()));
        CHECK(r.has_value());
        passed += r ? 1 : 0;
    }
    CHECK(passed == recs.size());
}

TEST_CASE("vlan-mixed.pcap passes except the 100 Q-in-Q frames", "[wire][frame_check][pcap]") {
    const auto recs = shared_capture("vlan-mixed.pcap");
    REQUIRE(recs.size() == 1006);
    std::map<int, int> per_vid;  // -1 untagged
    int stacked = 0;
    for (const auto& rec : recs) {
        const auto r = check_frame(rec.data);
        if (!r) {
            CHECK(r.error() == DropReason::StackedVlanTag);
            stacked += r.error() == DropReason::StackedVlanTag ? 1 : 0;
            continue;
        }
        ++per_vid[r->vlan ? r->vlan->vlan_id : -1];
    }
    CHECK(stacked == 100);
    CHECK(per_vid[10] == 406);  // 4 reports + 400 datagrams + 2 leaves
    CHECK(per_vid[20] == 300);
    CHECK(per_vid[-1] == 200);
}

TEST_CASE("malformed.pcap frames are dropped with the expected reasons",
          "[wire][frame_check][pcap]") {
    using R = DropReason;
    // Index = frame number - 1 (see /work/shared/captures/README.md §8); nullopt = passes.
    const std::array<std::optional<DropReason>, 50> expected{
        R::TruncatedEthernet,       // 1 zero-length
        R::TruncatedEthernet,       // 2 one byte
        R::TruncatedEthernet,       // 3 cut inside the EtherType
        R::TruncatedIpv4,           // 4 header only
        R::TruncatedIpv4,           // 5 10 of 20 IPv4 bytes
        R::LlcFrame,                // 6 802.3 length 0x0030
        R::TruncatedVlanTag,        // 7 no inner EtherType
        R::TruncatedIpv4,           // 8 tag + 0x0800, nothing else
        R::StackedVlanTag,          // 9 lone S-tag
        R::StackedVlanTag,          // 10 S-tag + C-tag, cut
        R::StackedVlanTag,          // 11 three tags
        R::ReservedVlanId,          // 12 VID 4095
        R::TruncatedIpv4,           // 13 total length 44, frame cut
        R::BadIpv4Version,          // 14 version 6
        R::BadIpv4HeaderLength,     // 15 IHL 4
        R::BadIpv4HeaderLength,     // 16 IHL 15 > total length 44
        R::BadIpv4Options,          // 17 UDP header read as option 0xC3 len 0x50
        R::TruncatedIpv4,           // 18 total length 1000
        R::BadIpv4TotalLength,      // 19 total length 10
        R::TruncatedUdp,            // 20 IP length leaves 4 UDP bytes
        R::BadIpv4Checksum,         // 21
        R::BadIpv4Options,          // 22 option length 0
        R::BadIpv4Options,          // 23 Record Route length 40
        std::nullopt,               // 24 first fragment: reassembly's business
        std::nullopt,               // 25 last fragment: reassembly's business
        R::BadIpv4Source,           // 26 multicast source
        R::MulticastMacMismatch,    // 27 MAC of 239.0.0.124, IP 239.0.0.123
        R::TruncatedUdp,            // 28
        R::BadUdpLength,            // 29 1000
        R::BadUdpLength,            // 30 4
        R::BadUdpLength,            // 31 0
        R::BadUdpChecksum,          // 32
        R::BadIgmpChecksum,         // 33
        R::BadIgmpChecksum,         // 34
        R::TruncatedIgmp,           // 35 4 bytes
        R::TruncatedIgmp,           // 36 10 records claimed
        R::TruncatedIgmp,           // 37 100 sources claimed
        R::TruncatedIgmp,           // 38 aux data 200 words claimed
        R::BadIgmpGroup,            // 39 group 192.0.2.99
        R::TruncatedIgmp,           // 40 query claims 50 sources
        R::TruncatedIpv6,           // 41 20 of 40 bytes
        R::TruncatedIpv6,           // 42 payload length 1000
        R::BadIpv6ExtensionHeader,  // 43 Hop-by-Hop cut to 4 bytes
        R::BadIpv6ExtensionHeader,  // 44 Hop-by-Hop length 88
        R::TruncatedMld,            // 45 5 records claimed
        R::BadIcmpv6Checksum,       // 46
        R::ZeroUdpChecksumIpv6,     // 47
        R::Oversized,               // 48 9000 bytes at MTU 1500
        R::TruncatedIpv4,           // 49 snaplen 60 of 1042
        R::TruncatedArp,            // 50 10 of 28 ARP bytes
    };
    const auto recs = shared_capture("malformed.pcap");
    REQUIRE(recs.size() == expected.size());
    for (std::size_t i = 0; i < recs.size(); ++i) {
        const auto r = check_frame(recs[i].data);
        const std::optional<DropReason> got = r ? std::nullopt : std::optional{r.error()};
        CAPTURE(i + 1, got ? to_string(*got) : "pass", expected[i] ? to_string(*expected[i]) : "pass");
        CHECK(got == expected[i]);
    }
    CHECK(recs[48].orig_len == 1042);
    // The jumbo frame passes when the link allows it.
    CHECK(check_frame(recs[47].data, 9014).has_value());
}

TEST_CASE("check_frame never reads past any prefix of a real frame", "[wire][frame_check]") {
    // Every truncation of every frame kind must give a verdict, not a crash (ASan build).
    const auto recs = shared_capture("malformed.pcap");
    const auto v6 = shared_capture("linux-mldv2-join-leave.pcap");
    std::vector<std::vector<std::uint8_t>> samples = {udp4_frame(), v6.front().data};
    for (const auto& r : recs) {
        if (r.data.size() < 200) {
            samples.push_back(r.data);
        }
    }
    std::size_t verdicts = 0;
    for (const auto& s : samples) {
        for (std::size_t n = 0; n <= s.size(); ++n) {
            // A heap copy of exactly n bytes, so ASan sees any overread.
            std::vector<std::uint8_t> cut(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
            cut.shrink_to_fit();
            (void)check_frame(cut);
            ++verdicts;
        }
    }
    CHECK(verdicts > 1000);
}

}  // namespace caplnet::wire
