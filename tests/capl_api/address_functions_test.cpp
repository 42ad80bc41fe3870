#include "caplnet/capl/address_functions.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "caplnet/capl/error_codes.hpp"

namespace caplnet::capl {

TEST_CASE("IpGetAddressAsNumber puts the first octet in the low byte", "[capl][address]") {
    const auto [text, number] = GENERATE(table<std::string, dword>({
        {"192.168.1.1", 0x0101A8C0},      // SPEC §1
        {"192.168.2.1", 0x0102A8C0},      // reference §3.1 (BO)
        {"129.168.111.222", 0xde6fa881},  // the IpGetAddressAsNumber / AsString help examples
        {"10.11.12.13", 0x0d0c0b0a},
        {"0.0.0.0", 0x00000000},
        {"239.0.0.123", 0x7B0000EF},
        {"255.255.255.255", 0xFFFFFFFF},  // the same value as a failure, as in CAPL
    }));
    CAPTURE(text);
    CHECK(IpGetAddressAsNumber(text) == number);
}

TEST_CASE("IpGetAddressAsNumber returns 0xFFFFFFFF for text that is not a dotted quad",
          "[capl][address]") {
    const std::string text =
        GENERATE(as<std::string>{}, "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ",
                 " 1.2.3.4", "::1", "ff15::123", "1.2.3.4:80", "a.b.c.d", "0x01020304");
    CAPTURE(text);
    CHECK(IpGetAddressAsNumber(text) == 0xFFFFFFFFU);
    CHECK(IpGetAddressAsNumber(text) == kInvalidAddressText);
}

TEST_CASE("IpGetAddressAsNumber reads a char array up to its NUL", "[capl][address]") {
    std::array<char, 16> buf{};
    const std::string text = "10.0.0.1";
    text.copy(buf.data(), text.size());
    CHECK(IpGetAddressAsNumber(std::string_view(buf.data(), buf.size())) == 0x0100000AU);
}

TEST_CASE("IpGetAddressAsString writes dotted text for a numeric IPv4 address", "[capl][address]") {
    std::array<char, 16> buf{};
    CHECK(IpGetAddressAsString(dword{0xde6fa881}, buf, 16) == 0);
    CHECK(std::string(buf.data()) == "129.168.111.222");
    CHECK(IpGetAddressAsString(dword{0}, buf, 16) == 0);
    CHECK(std::string(buf.data()) == "0.0.0.0");
    CHECK(IpGetAddressAsString(dword{0xFFFFFFFF}, buf, 16) == 0);
    CHECK(std::string(buf.data()) == "255.255.255.255");
}

TEST_CASE("IpGetAddressAsString and IpGetAddressAsNumber round-trip", "[capl][address]") {
    const dword n = GENERATE(0x00000000U, 0x0101A8C0U, 0x7B0000EFU, 0x12345678U, 0xFFFFFFFEU,
                             0x80000001U, 0x000000FFU);
    std::array<char, 16> buf{};
    REQUIRE(IpGetAddressAsString(n, buf, 16) == 0);
    CHECK(IpGetAddressAsNumber(buf.data()) == n);
}

TEST_CASE("IpGetAddressAsString returns 8 when the text and its NUL do not fit",
          "[capl][address]") {
    std::array<char, 16> buf{};
    buf.fill('x');
    // "192.168.100.200" is 15 characters: it needs 16 with the NUL.
    const dword n = IpGetAddressAsNumber("192.168.100.200");
    CHECK(IpGetAddressAsString(n, buf, 15) == wsa::kNotEnoughMemory);
    CHECK(buf[0] == '\0');
    CHECK(buf[1] == 'x');  // nothing written beyond `count`... nor beyond the NUL
    CHECK(IpGetAddressAsString(n, buf, 16) == wsa::kSuccess);
    CHECK(std::string(buf.data()) == "192.168.100.200");
    // The span bounds the write even when `count` claims more room.
    CHECK(IpGetAddressAsString(n, std::span<char>(buf).first(10), 100) == 8);
    CHECK(IpGetAddressAsString(n, std::span<char>{}, 0) == 8);
    CHECK(IpGetAddressAsString(n, buf, 0) == 8);
}

TEST_CASE("IpGetAddressAsString writes RFC 5952 text for 16 IPv6 bytes", "[capl][address]") {
    // The IpGetAddressAsString help example: 2001:DB8:85A3:8D3:1319:8A2E:370:7344.
    // clang-format off
    const std::array<byte, 16> kAddr = {0x20, 0x01, 0x0D, 0xB8, 0x85, 0xA3, 0x08, 0xD3,
                                        0x13, 0x19, 0x8A, 0x2E, 0x03, 0x70, 0x73, 0x44};
    // clang-format on
    std::array<char, 40> buf{};
    CHECK(IpGetAddressAsString(kAddr, buf, 40) == 0);
    CHECK(std::string(buf.data()) == "2001:db8:85a3:8d3:1319:8a2e:370:7344");  // 36 characters
    CHECK(IpGetAddressAsString(kAddr, buf, 37) == 0);
    CHECK(IpGetAddressAsString(kAddr, buf, 36) == wsa::kNotEnoughMemory);
    CHECK(buf[0] == '\0');

    const std::array<byte, 16> kAny{};
    CHECK(IpGetAddressAsString(kAny, buf, 40) == 0);
    CHECK(std::string(buf.data()) == "::");
}

TEST_CASE("IpGetAddressAsString returns 87 for an IPv6 array that is not 16 bytes",
          "[capl][address]") {
    std::array<char, 40> buf{};
    buf.fill('x');
    const std::array<byte, 4> kFour{1, 2, 3, 4};
    const std::array<byte, 17> kSeventeen{};
    CHECK(IpGetAddressAsString(std::span<const byte>(kFour), buf, 40) == wsa::kInvalidParameter);
    CHECK(buf[0] == '\0');
    CHECK(IpGetAddressAsString(std::span<const byte>(kSeventeen), buf, 40) ==
          wsa::kInvalidParameter);
}

TEST_CASE("IpGetAddressAsArray converts IPv6 colon text to 16 network-order bytes",
          "[capl][address]") {
    std::array<byte, 16> out{};
    CHECK(IpGetAddressAsArray("2001:DB8:85A3:8D3:1319:8A2E:370:7344", out) == 0);
    // clang-format off
    CHECK(out == std::array<byte, 16>{0x20, 0x01, 0x0D, 0xB8, 0x85, 0xA3, 0x08, 0xD3,
                                      0x13, 0x19, 0x8A, 0x2E, 0x03, 0x70, 0x73, 0x44});
    // clang-format on
    out.fill(0xA5);
    CHECK(IpGetAddressAsArray("::", out) == 0);  // the wildcard (reference §3.2)
    CHECK(out == std::array<byte, 16>{});
    CHECK(IpGetAddressAsArray("ff15::123", out) == 0);
    CHECK(out[0] == 0xff);
    CHECK(out[1] == 0x15);
    CHECK(out[14] == 0x01);
    CHECK(out[15] == 0x23);
}

TEST_CASE("IpGetAddressAsArray returns 0xFFFFFFFF and writes nothing for bad input",
          "[capl][address]") {
    const std::string text = GENERATE(as<std::string>{}, "", "192.168.1.1", "fe80::1%2",
                                      "[ff15::123]", "1::2::3", "12345::", "ff15::123 ");
    CAPTURE(text);
    std::array<byte, 16> out{};
    out.fill(0xA5);
    CHECK(IpGetAddressAsArray(text, out) == 0xFFFFFFFFU);
    CHECK(out[0] == 0xA5);

    std::array<byte, 15> small{};
    CHECK(IpGetAddressAsArray("::1", small) == kInvalidAddressText);
}

TEST_CASE("IpGetAddressAsArray and IpGetAddressAsString round-trip", "[capl][address]") {
    const std::string text =
        GENERATE(as<std::string>{}, "::", "::1", "ff15::123", "fe80::ff:fe00:a01",
                 "2001:db8::1:0:0:1", "::ffff:192.0.2.10");
    std::array<byte, 16> bytes{};
    REQUIRE(IpGetAddressAsArray(text, bytes) == 0);
    std::array<char, 46> buf{};
    REQUIRE(IpGetAddressAsString(bytes, buf, 46) == 0);
    CHECK(std::string(buf.data()) == text);
}

}  // namespace caplnet::capl
