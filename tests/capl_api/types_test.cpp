#include "caplnet/capl/types.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

namespace Catch {
template <>
struct StringMaker<caplnet::capl::IP_Address> {
    static std::string convert(const caplnet::capl::IP_Address& a) {
        return a.is_unset() ? "<unset>" : a.to_string();
    }
};
template <>
struct StringMaker<caplnet::capl::IP_Endpoint> {
    static std::string convert(const caplnet::capl::IP_Endpoint& e) { return e.to_string(); }
};
}  // namespace Catch

namespace caplnet::capl {
namespace {

using Family = IP_Address::Family;

std::string print(const IP_Address& a) {
    std::array<char, 64> buf{};
    const capl_long rc = a.PrintAddressToString(buf);
    return rc == 0 ? std::string(buf.data()) : "<rc " + std::to_string(rc) + ">";
}

std::string print(const IP_Endpoint& e) {
    std::array<char, 80> buf{};
    const capl_long rc = e.PrintEndpointToString(buf);
    return rc == 0 ? std::string(buf.data()) : "<rc " + std::to_string(rc) + ">";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// IP_Address

TEST_CASE("IP_Address literals parse to family, printed text and scope id", "[capl][types]") {
    const auto [text, family, printed, scope] =
        GENERATE(table<std::string, Family, std::string, dword>({
            {"239.0.0.123", Family::V4, "239.0.0.123", 0},
            {"0.0.0.0", Family::V4, "0.0.0.0", 0},
            {"255.255.255.255", Family::V4, "255.255.255.255", 0},
            {"ff15::123", Family::V6, "ff15::123", 0},
            {"FF15:0:0:0:0:0:0:0123", Family::V6, "ff15::123", 0},
            {"FC00::0001", Family::V6, "fc00::1", 0},
            {"::", Family::V6, "::", 0},
            {"fe80::1%2", Family::V6, "fe80::1%2", 2},
            {"fe80::1%0", Family::V6, "fe80::1", 0},
            {"ff02::1%4294967295", Family::V6, "ff02::1%4294967295", 4294967295U},
            {"[ff::2]", Family::V6, "ff::2", 0},
            {"[fe80::1%3]", Family::V6, "fe80::1%3", 3},
            {"::ffff:192.0.2.10", Family::V6, "::ffff:192.0.2.10", 0},
        }));
    CAPTURE(text);
    const auto a = IP_Address::parse(text);
    REQUIRE(a.has_value());
    CHECK(a->family() == family);
    CHECK(a->ScopeID() == scope);
    CHECK(print(*a) == printed);
    CHECK(a->to_string() == printed);
    CHECK(IP_Address(text) == *a);
}

TEST_CASE("IP_Address rejects text that is not an address literal", "[capl][types]") {
    const std::string text =
        GENERATE(as<std::string>{}, "", " 1.2.3.4", "1.2.3.4 ", "1.2.3", "1.2.3.4.5", "256.0.0.1",
                 "01.2.3.4", "1.2.3.4%1", "[1.2.3.4]", "[ff::1", "ff::1]", "[]", "[ff::1]:80",
                 "1.2.3.4:80", "fe80::1%", "fe80::1%x", "fe80::1%-1", "fe80::1%4294967296",
                 "fe80::1%2%3", ":::", "1::2::3", "gg::1", "localhost");
    CAPTURE(text);
    CHECK_FALSE(IP_Address::parse(text).has_value());
    CHECK(IP_Address(text).is_unset());
}

TEST_CASE("IP_Address text ends at the first NUL as a CAPL char array does", "[capl][types]") {
    const std::array<char, 16> buf{'1', '0', '.', '0', '.', '0', '.', '1', '\0', 'x'};
    const auto a = IP_Address::parse(std::string_view(buf.data(), buf.size()));
    REQUIRE(a.has_value());
    CHECK(a->to_string() == "10.0.0.1");
}

TEST_CASE("IP_Address keeps the IPv4 dword in CAPL byte order", "[capl][types]") {
    const IP_Address a("192.168.1.1");
    CHECK(a.IPv4Address() == 0x0101A8C0U);
    CHECK(IP_Address(dword{0x0102A8C0}).to_string() == "192.168.2.1");  // reference §3.1 (BO)
    CHECK(IP_Address(dword{0xde6fa881}).to_string() == "129.168.111.222");
    CHECK(IP_Address(dword{0}).to_string() == "0.0.0.0");
    CHECK(IP_Address(dword{0x0d0c0b0a}).to_string() == "10.11.12.13");

    IP_Address b("ff15::1");
    CHECK(b.IPv4Address() == 0);
    b.SetIPv4Address(0x7B0000EF);
    CHECK(b == IP_Address("239.0.0.123"));
}

TEST_CASE("IP_Address is unset until it is given an address", "[capl][types]") {
    IP_Address a;
    CHECK(a.is_unset());
    CHECK(a.IsIPv4Address() == 0);
    CHECK(a.IsIPv6Address() == 0);
    CHECK(a.IsMulticast() == 0);
    CHECK(a.IsBroadcast() == 0);
    CHECK(a.IPv4Address() == 0);
    CHECK(a.to_string().empty());
    std::array<byte, 16> bytes{};
    CHECK(a.GetAddressAsArray(bytes) == 2);
    std::array<char, 32> text{'x', 'y'};
    CHECK(a.PrintAddressToString(text) == 2);
    CHECK(text[0] == '\0');
    CHECK(a == IP_Address{});
    CHECK(a != IP_Address("0.0.0.0"));
}

TEST_CASE("IP_Address classifies multicast and broadcast addresses", "[capl][types]") {
    const auto [text, v4, v6, mc, bc] = GENERATE(table<std::string, int, int, int, int>({
        {"239.0.0.123", 1, 0, 1, 0},
        {"224.0.0.1", 1, 0, 1, 0},
        {"223.255.255.255", 1, 0, 0, 0},
        {"240.0.0.1", 1, 0, 0, 0},
        {"255.255.255.255", 1, 0, 0, 1},
        {"192.168.1.255", 1, 0, 0, 0},
        {"ff15::123", 0, 1, 1, 0},
        {"ff02::1", 0, 1, 1, 0},
        {"fe80::1", 0, 1, 0, 0},
    }));
    CAPTURE(text);
    const IP_Address a(text);
    CHECK(a.IsIPv4Address() == v4);
    CHECK(a.IsIPv6Address() == v6);
    CHECK(a.IsMulticast() == mc);
    CHECK(a.IsBroadcast() == bc);
}

TEST_CASE("IP_Address carries a scope id only for IPv6", "[capl][types]") {
    IP_Address v6("ff15::123");
    v6.SetScopeID(2);
    CHECK(v6.ScopeID() == 2);
    CHECK(v6 == IP_Address("ff15::123%2"));
    CHECK(v6 != IP_Address("ff15::123"));
    CHECK(v6.to_string() == "ff15::123%2");

    IP_Address v4("239.0.0.1");
    v4.SetScopeID(2);
    CHECK(v4.ScopeID() == 0);
    CHECK(v4 == IP_Address("239.0.0.1"));

    IP_Address unset;
    unset.SetScopeID(2);
    CHECK(unset.ScopeID() == 0);
}

TEST_CASE("IP_Address byte arrays select the family by their length", "[capl][types]") {
    // IP_Address::SetAddressAsArray example (VD): FC00::1.
    // clang-format off
    const std::array<byte, 16> kFc00 = {0xFC, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
    // clang-format on
    IP_Address a;
    CHECK(a.SetAddressAsArray(kFc00) == 0);
    CHECK(a == IP_Address("fc00::1"));
    CHECK(IP_Address(std::span<const byte>(kFc00)) == a);

    const std::array<byte, 4> kV4 = {192, 168, 1, 1};
    CHECK(a.SetAddressAsArray(kV4) == 0);
    CHECK(a.IPv4Address() == 0x0101A8C0U);

    const std::array<byte, 6> kBad{};
    CHECK(a.SetAddressAsArray(kBad) == 1);
    CHECK(a == IP_Address("192.168.1.1"));  // unchanged
    CHECK(IP_Address(std::span<const byte>(kBad)).is_unset());

    const std::array<char, 4> kChars = {'\x0a', '\x00', '\x00', '\x01'};
    CHECK(a.SetAddressAsArray(kChars) == 0);
    CHECK(a.to_string() == "10.0.0.1");
}

TEST_CASE("IP_Address GetAddressAsArray needs an array of exactly the address size",
          "[capl][types]") {
    const IP_Address v4("10.1.2.3");
    std::array<byte, 4> four{};
    std::array<byte, 16> sixteen{};
    CHECK(v4.GetAddressAsArray(four) == 0);
    CHECK(four == std::array<byte, 4>{10, 1, 2, 3});
    CHECK(v4.GetAddressAsArray(sixteen) == 1);

    const IP_Address v6("2001:db8:85a3:8d3:1319:8a2e:370:7344");
    CHECK(v6.GetAddressAsArray(four) == 1);
    CHECK(v6.GetAddressAsArray(sixteen) == 0);
    // clang-format off
    CHECK(sixteen == std::array<byte, 16>{0x20, 0x01, 0x0D, 0xB8, 0x85, 0xA3, 0x08, 0xD3,  // BO
                                          0x13, 0x19, 0x8A, 0x2E, 0x03, 0x70, 0x73, 0x44});
    // clang-format on
    std::array<char, 16> chars{};
    CHECK(v6.GetAddressAsArray(chars) == 0);
    CHECK(static_cast<byte>(chars[0]) == 0x20);
    CHECK(static_cast<byte>(chars[15]) == 0x44);
}

TEST_CASE("IP_Address PrintAddressToString reports a buffer that is too small", "[capl][types]") {
    const IP_Address a("192.168.100.200");  // 15 characters
    std::array<char, 16> exact{};
    CHECK(a.PrintAddressToString(exact) == 0);
    CHECK(std::string(exact.data()) == "192.168.100.200");

    std::array<char, 15> short_by_one{};
    short_by_one.fill('x');
    CHECK(a.PrintAddressToString(short_by_one) == 1);
    CHECK(short_by_one[0] == '\0');
    CHECK(a.PrintAddressToString(std::span<char>{}) == 1);
}

TEST_CASE("IP_Address ParseAddressFromString leaves the address alone on a parse error",
          "[capl][types]") {
    IP_Address a("10.0.0.1");
    CHECK(a.ParseAddressFromString("not an address") == 1);
    CHECK(a == IP_Address("10.0.0.1"));
    CHECK(a.ParseAddressFromString("fe80::1%7") == 0);
    CHECK(a.IsIPv6Address() == 1);
    CHECK(a.ScopeID() == 7);
}

TEST_CASE("IP_Address MatchesAddress treats unset, 0.0.0.0 and :: as wildcards", "[capl][types]") {
    const IP_Address a("192.168.1.1");
    CHECK(a.MatchesAddress(IP_Address("192.168.1.1")) == 1);
    CHECK(a.MatchesAddress(IP_Address("192.168.1.2")) == 0);
    CHECK(a.MatchesAddress(IP_Address{}) == 1);
    CHECK(a.MatchesAddress(IP_Address("0.0.0.0")) == 1);
    CHECK(a.MatchesAddress(IP_Address("::")) == 1);
    CHECK(IP_Address{}.MatchesAddress(a) == 1);
    CHECK(IP_Address("0.0.0.0").MatchesAddress(IP_Address("ff::1")) == 1);
    CHECK(a.MatchesAddress(IP_Address("::ffff:192.168.1.1")) == 0);  // families differ
}

TEST_CASE("IP_Address MatchesAddress with a prefix compares the network part", "[capl][types]") {
    const IP_Address a("192.168.1.1");
    const IP_Address b("192.168.1.2");
    CHECK(a.MatchesAddress(b, 24) == 1);  // the help page's example 2
    CHECK(a.MatchesAddress(b, 30) == 1);
    CHECK(a.MatchesAddress(b, 31) == 0);
    CHECK(a.MatchesAddress(b, 32) == 0);
    CHECK(a.MatchesAddress(b, 200) == 0);  // clamped to 32
    CHECK(a.MatchesAddress(IP_Address("10.0.0.1"), 0) == 1);
    CHECK(a.MatchesAddress(IP_Address("10.0.0.1"), -5) == 1);  // clamped to 0

    const IP_Address c("2001:db8::1");
    CHECK(c.MatchesAddress(IP_Address("2001:db8::ffff"), 64) == 1);
    CHECK(c.MatchesAddress(IP_Address("2001:db9::1"), 32) == 0);
    CHECK(c.MatchesAddress(IP_Address("2001:db9::1"), 31) == 1);
}

TEST_CASE("IP_Address MatchesAddress with a net mask needs a mask of the same family",
          "[capl][types]") {
    const IP_Address a("192.168.1.1");
    const IP_Address b("192.168.1.2");
    CHECK(a.MatchesAddress(b, IP_Address("255.255.255.0")) == 1);  // the help page's example 4
    CHECK(a.MatchesAddress(b, IP_Address("255.255.255.255")) == 0);
    CHECK(a.MatchesAddress(IP_Address("192.168.2.1"), IP_Address("255.255.255.0")) == 0);
    CHECK(a.MatchesAddress(b, IP_Address("ffff:ffff::")) == 0);
    CHECK(a.MatchesAddress(b, IP_Address{}) == 0);
}

TEST_CASE("IP_Address MatchesAddress compares IPv6 scope ids only when both are set",
          "[capl][types]") {
    const IP_Address a("fe80::1%2");
    CHECK(a.MatchesAddress(IP_Address("fe80::1%2")) == 1);
    CHECK(a.MatchesAddress(IP_Address("fe80::1")) == 1);
    CHECK(a.MatchesAddress(IP_Address("fe80::1%3")) == 0);
}

TEST_CASE("IP_Address converts to and from the wire address types", "[capl][types]") {
    const auto v4 = wire::Ipv4Address::parse("10.0.0.1");
    REQUIRE(v4.has_value());
    CHECK(IP_Address(*v4).ipv4() == *v4);
    CHECK(ipv4_to_dword(*v4) == 0x0100000AU);
    CHECK(ipv4_from_dword(0x0100000AU) == *v4);

    const auto v6 = wire::Ipv6Address::parse("ff15::123");
    REQUIRE(v6.has_value());
    const IP_Address a(*v6, 5);
    CHECK(a.ipv6() == *v6);
    CHECK(a.ScopeID() == 5);
}

// ---------------------------------------------------------------------------------------------
// IP_Endpoint

TEST_CASE("IP_Endpoint literals parse to address, port and transport", "[capl][types]") {
    const auto [text, address, port, transport, printed] =
        GENERATE(table<std::string, std::string, dword, TransportProtocol, std::string>({
            {"0.0.0.0:40001", "0.0.0.0", 40001, TransportProtocol::Unknown, "0.0.0.0:40001"},
            {"[ff15::123]:40001", "ff15::123", 40001, TransportProtocol::Unknown,
             "[ff15::123]:40001"},
            {"UDP:192.168.1.2:4001", "192.168.1.2", 4001, TransportProtocol::Udp,
             "UDP:192.168.1.2:4001"},
            {"TCP:[::]:4000", "::", 4000, TransportProtocol::Tcp, "TCP:[::]:4000"},
            {"TCP:192.168.1.1:4000", "192.168.1.1", 4000, TransportProtocol::Tcp,
             "TCP:192.168.1.1:4000"},
            {"192.168.1.2", "192.168.1.2", 0, TransportProtocol::Unknown, "192.168.1.2:0"},
            {"UDP:[ff::1]:6000", "ff::1", 6000, TransportProtocol::Udp, "UDP:[ff::1]:6000"},
            {"ff::1", "ff::1", 0, TransportProtocol::Unknown, "[ff::1]:0"},
            {"ff::1:6000", "ff::1:6000", 0, TransportProtocol::Unknown, "[ff::1:6000]:0"},
            {"[FC00::0001]:40001", "fc00::1", 40001, TransportProtocol::Unknown, "[fc00::1]:40001"},
            {"[0::0]:0", "::", 0, TransportProtocol::Unknown, "[::]:0"},
            {"[fe80::1%2]:100", "fe80::1%2", 100, TransportProtocol::Unknown, "[fe80::1%2]:100"},
            {"fe80::1%2", "fe80::1%2", 0, TransportProtocol::Unknown, "[fe80::1%2]:0"},
            {"[ff15::123]", "ff15::123", 0, TransportProtocol::Unknown, "[ff15::123]:0"},
            {"tcp:10.0.0.1:1", "10.0.0.1", 1, TransportProtocol::Tcp, "TCP:10.0.0.1:1"},
            {"Udp:10.0.0.1:65535", "10.0.0.1", 65535, TransportProtocol::Udp, "UDP:10.0.0.1:65535"},
            {"10.0.0.1:0", "10.0.0.1", 0, TransportProtocol::Unknown, "10.0.0.1:0"},
            {"10.0.0.1:00080", "10.0.0.1", 80, TransportProtocol::Unknown, "10.0.0.1:80"},
        }));
    CAPTURE(text);
    const auto e = IP_Endpoint::parse(text);
    REQUIRE(e.has_value());
    CHECK(e->Address() == IP_Address(address));
    CHECK(e->PortNumber() == port);
    CHECK(e->transport() == transport);
    CHECK(print(*e) == printed);
    CHECK(e->to_string() == printed);
    CHECK(IP_Endpoint(text) == *e);
    // What PrintEndpointToString writes parses back to the same endpoint.
    CHECK(IP_Endpoint::parse(printed) == e);
}

TEST_CASE("IP_Endpoint rejects text that is not an endpoint literal", "[capl][types]") {
    const std::string text = GENERATE(
        as<std::string>{}, "", "TCP:", "UDP:", "TCP", "SCTP:1.2.3.4:80", "TCP:UDP:1.2.3.4:80",
        "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:99999", "1.2.3.4:123456", "1.2.3.4:-1", "1.2.3.4:+1",
        "1.2.3.4:8x", "1.2.3.4: 80", " 1.2.3.4:80", "1.2.3.4:80 ", "1.2.3:80", "[1.2.3.4]:80",
        "[ff::1", "[ff::1]:", "[ff::1]80", "[ff::1]:65536", "ff::1]:80", "[[ff::1]]:80", "[]:80",
        "fe80::1%2:80", "fe80::1%:80", "[fe80::1%]:80", "1.2.3.4%1:80", "host:80", ":80");
    CAPTURE(text);
    CHECK_FALSE(IP_Endpoint::parse(text).has_value());
    CHECK(IP_Endpoint(text) == IP_Endpoint{});
}

TEST_CASE("IP_Endpoint accepts every port from 0 to 65535", "[capl][types]") {
    const dword port = GENERATE(0U, 1U, 80U, 1023U, 1024U, 40001U, 65534U, 65535U);
    const auto v4 = IP_Endpoint::parse("10.0.0.1:" + std::to_string(port));
    const auto v6 = IP_Endpoint::parse("[::1]:" + std::to_string(port));
    REQUIRE(v4.has_value());
    REQUIRE(v6.has_value());
    CHECK(v4->PortNumber() == port);
    CHECK(v6->PortNumber() == port);
}

TEST_CASE("IP_Endpoint starts unset with port 0 and an unknown transport", "[capl][types]") {
    IP_Endpoint e;
    CHECK(e.Address().is_unset());
    CHECK(e.PortNumber() == 0);
    CHECK(e.IsUnknown() == 1);
    CHECK(e.IsTCP() == 0);
    CHECK(e.IsUDP() == 0);
    CHECK(print(e) == "0.0.0.0:0");
}

TEST_CASE("IP_Endpoint transport tag is set and cleared by its methods", "[capl][types]") {
    IP_Endpoint e("10.0.0.1:80");
    CHECK(e.IsUnknown() == 1);
    CHECK(e.SetToTCP() == 0);
    CHECK(e.IsTCP() == 1);
    CHECK(e.IsUnknown() == 0);
    CHECK(print(e) == "TCP:10.0.0.1:80");
    CHECK(e.SetToUDP() == 0);
    CHECK(e.IsUDP() == 1);
    CHECK(e.IsTCP() == 0);
    CHECK(e.SetTransportProtocolToUnknown() == 0);
    CHECK(e.IsUnknown() == 1);
    CHECK(e == IP_Endpoint("10.0.0.1:80"));
}

TEST_CASE("IP_Endpoint selectors reach the address and the port", "[capl][types]") {
    // The IpSetMulticastInterface idiom: ep.Address.ScopeID = ifIndex.
    IP_Endpoint ep("[ff15::123]:40001");
    ep.Address().SetScopeID(2);
    CHECK(print(ep) == "[ff15::123%2]:40001");
    ep.SetPortNumber(40002);
    CHECK(ep.PortNumber() == 40002);
    ep.SetAddress(IP_Address("239.0.0.123"));
    CHECK(print(ep) == "239.0.0.123:40002");
    const IP_Endpoint built(IP_Address(dword{0x7B0000EF}), 40001, TransportProtocol::Udp);
    CHECK(built == IP_Endpoint("UDP:239.0.0.123:40001"));
}

TEST_CASE("IP_Endpoint equality includes address, port and transport", "[capl][types]") {
    CHECK(IP_Endpoint("10.0.0.1:80") == IP_Endpoint("10.0.0.1:80"));
    CHECK(IP_Endpoint("10.0.0.1:80") != IP_Endpoint("10.0.0.1:81"));
    CHECK(IP_Endpoint("10.0.0.1:80") != IP_Endpoint("10.0.0.2:80"));
    CHECK(IP_Endpoint("10.0.0.1:80") != IP_Endpoint("TCP:10.0.0.1:80"));
    CHECK(IP_Endpoint("[fe80::1%1]:80") != IP_Endpoint("[fe80::1%2]:80"));
}

TEST_CASE("IP_Endpoint MatchesEndpoint treats port 0 and an unknown transport as wildcards",
          "[capl][types]") {
    const IP_Endpoint ep1("192.168.1.1:4000");
    CHECK(ep1.MatchesEndpoint(IP_Endpoint("192.168.1.1:4000")) == 1);
    CHECK(ep1.MatchesEndpoint(IP_Endpoint("192.168.1.2:4000")) == 0);
    CHECK(ep1.MatchesEndpoint(IP_Endpoint("192.168.1.2:4000"), 24) == 1);  // help example 2
    CHECK(ep1.MatchesEndpoint(IP_Endpoint("192.168.1.1:4001")) == 0);
    CHECK(ep1.MatchesEndpoint(IP_Endpoint("192.168.1.1:0")) == 1);
    CHECK(ep1.MatchesEndpoint(IP_Endpoint("TCP:192.168.1.1:4000")) == 1);
    CHECK(ep1.MatchesEndpoint(IP_Endpoint("0.0.0.0:4000")) == 1);
    CHECK(ep1.MatchesEndpoint(IP_Endpoint{}) == 1);
    CHECK(
        IP_Endpoint("TCP:192.168.1.1:4000").MatchesEndpoint(IP_Endpoint("UDP:192.168.1.1:4000")) ==
        0);
}

TEST_CASE("IP_Endpoint PrintEndpointToString reports a buffer that is too small", "[capl][types]") {
    const IP_Endpoint e("TCP:[2001:db8::1%1]:100");  // 23 characters
    std::array<char, 24> exact{};
    CHECK(e.PrintEndpointToString(exact) == 0);
    CHECK(std::string(exact.data()) == "TCP:[2001:db8::1%1]:100");
    std::array<char, 23> short_by_one{};
    short_by_one.fill('x');
    CHECK(e.PrintEndpointToString(short_by_one) == 1);
    CHECK(short_by_one[0] == '\0');
}

TEST_CASE("IP_Endpoint ParseEndpointFromString leaves the endpoint alone on a parse error",
          "[capl][types]") {
    IP_Endpoint e("UDP:10.0.0.1:5");
    CHECK(e.ParseEndpointFromString("10.0.0.1:70000") == 1);
    CHECK(e == IP_Endpoint("UDP:10.0.0.1:5"));
    CHECK(e.ParseEndpointFromString("[ff15::123]:40001") == 0);
    CHECK(e == IP_Endpoint("[ff15::123]:40001"));
}

}  // namespace caplnet::capl
