#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "caplnet/capl/error_codes.hpp"

namespace caplnet::capl {

TEST_CASE("Error codes have the values SPEC section 2 fixes", "[capl][error]") {
    STATIC_REQUIRE(wsa::kSuccess == 0);
    STATIC_REQUIRE(wsa::kSocketError == -1);
    STATIC_REQUIRE(wsa::kInvalidSocket == 0xFFFFFFFFU);
    STATIC_REQUIRE(wsa::kInvalidParameter == 87);
    STATIC_REQUIRE(wsa::kIoPending == 997);
    STATIC_REQUIRE(wsa::kInvalidArgument == 10022);
    STATIC_REQUIRE(wsa::kWouldBlock == 10035);
    STATIC_REQUIRE(wsa::kMsgSize == 10040);
    STATIC_REQUIRE(wsa::kProtoType == 10041);
    STATIC_REQUIRE(wsa::kOpNotSupported == 10045);
    STATIC_REQUIRE(wsa::kAfNotSupported == 10047);
    STATIC_REQUIRE(wsa::kAddrInUse == 10048);
    STATIC_REQUIRE(wsa::kAddrNotAvail == 10049);
    STATIC_REQUIRE(wsa::kNetUnreachable == 10051);
    STATIC_REQUIRE(wsa::kNoBuffers == 10055);
    STATIC_REQUIRE(wsa::kNotEnoughMemory == 8);
}

TEST_CASE("Error texts are short English for the codes the API uses", "[capl][error]") {
    const auto [code, text] = GENERATE(table<std::int32_t, std::string>({
        {0, "No error"},
        {87, "One or more parameters are invalid"},
        {997, "Overlapped operations will complete later"},
        {10022, "Invalid argument"},
        {10035, "Resource temporarily unavailable"},
        {10040, "Message too long"},
        {10041, "Protocol wrong type for socket"},
        {10045, "Operation not supported"},
        {10047, "Address family not supported by protocol family"},
        {10048, "Address already in use"},
        {10049, "Cannot assign requested address"},
        {10051, "Network is unreachable"},
        {10055, "No buffer space available"},
        {10061, "Connection refused"},
        {11001, "Host not found"},
    }));
    CAPTURE(code);
    CHECK(error_text(code) == text);
}

TEST_CASE("Every listed Winsock code has its own text", "[capl][error]") {
    const std::int32_t code = GENERATE(
        6, 8, 87, 995, 996, 997, 10004, 10013, 10014, 10022, 10024, 10035, 10036, 10037, 10038,
        10039, 10040, 10041, 10042, 10043, 10044, 10045, 10046, 10047, 10048, 10049, 10050, 10051,
        10052, 10053, 10054, 10055, 10056, 10057, 10058, 10060, 10061, 10064, 10065, 10067, 10091,
        10092, 10093, 10101, 10104, 10105, 10106, 10107, 10109, 11001, 11002, 11003, 11004);
    CAPTURE(code);
    const std::string text = error_text(code);
    CHECK_FALSE(text.empty());
    CHECK(text.rfind("Unknown error", 0) == std::string::npos);
    CHECK(text.back() != '.');
}

TEST_CASE("Unknown error codes read Unknown error and the number", "[capl][error]") {
    CHECK(error_text(-1) == "Unknown error: -1");
    CHECK(error_text(1) == "Unknown error: 1");
    CHECK(error_text(12345) == "Unknown error: 12345");
    CHECK(error_text(10059) == "Unknown error: 10059");
    CHECK(error_text(INT32_MIN) == "Unknown error: -2147483648");
}

}  // namespace caplnet::capl
