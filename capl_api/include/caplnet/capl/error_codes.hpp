#pragma once
// The return values and Winsock error codes of the CAPL TCP/IP API (SPEC §2;
// reference/capl-tcpip-api.md §2.1, a reprint of MSDN's Winsock list). Only capl_api/ speaks these
// numbers; the layers below have their own error enums, mapped here once (error_map.cpp).
#include <cstdint>
#include <string>

namespace caplnet::capl {

namespace wsa {

// Return values.
inline constexpr std::int32_t kSuccess = 0;
inline constexpr std::int32_t kSocketError = -1;  // SOCKET_ERROR: read the last error
/// INVALID_SOCKET (~0): what UdpOpen, TcpOpen and TcpAccept return on failure.
inline constexpr std::uint32_t kInvalidSocket = 0xFFFFFFFF;
/// Not a Winsock code: what the adapter and stack-management functions return where the selected
/// stack does not support them (IpSetAdapterMacId, IpGetAdapterVlanId, IPRouteAdd…, …).
inline constexpr std::int32_t kNotSupportedOnStack = 1;

// Windows / overlapped-I/O codes.
inline constexpr std::int32_t kInvalidHandle = 6;  // WSA_INVALID_HANDLE
/// WSA_NOT_ENOUGH_MEMORY / ERROR_NOT_ENOUGH_MEMORY: the caller's array or string is too small.
inline constexpr std::int32_t kNotEnoughMemory = 8;
/// WSA_INVALID_PARAMETER: unknown or closed socket handle, ifIndex out of range.
inline constexpr std::int32_t kInvalidParameter = 87;
inline constexpr std::int32_t kOperationAborted = 995;  // WSA_OPERATION_ABORTED
inline constexpr std::int32_t kIoIncomplete = 996;      // WSA_IO_INCOMPLETE
inline constexpr std::int32_t kIoPending = 997;         // WSA_IO_PENDING: completes via callback

// Winsock codes.
inline constexpr std::int32_t kInterrupted = 10004;             // WSAEINTR
inline constexpr std::int32_t kAccess = 10013;                  // WSAEACCES
inline constexpr std::int32_t kFault = 10014;                   // WSAEFAULT
inline constexpr std::int32_t kInvalidArgument = 10022;         // WSAEINVAL
inline constexpr std::int32_t kTooManySockets = 10024;          // WSAEMFILE
inline constexpr std::int32_t kWouldBlock = 10035;              // WSAEWOULDBLOCK
inline constexpr std::int32_t kInProgress = 10036;              // WSAEINPROGRESS
inline constexpr std::int32_t kAlready = 10037;                 // WSAEALREADY
inline constexpr std::int32_t kNotSocket = 10038;               // WSAENOTSOCK
inline constexpr std::int32_t kDestAddrRequired = 10039;        // WSAEDESTADDRREQ
inline constexpr std::int32_t kMsgSize = 10040;                 // WSAEMSGSIZE
inline constexpr std::int32_t kProtoType = 10041;               // WSAEPROTOTYPE
inline constexpr std::int32_t kNoProtoOpt = 10042;              // WSAENOPROTOOPT
inline constexpr std::int32_t kProtoNotSupported = 10043;       // WSAEPROTONOSUPPORT
inline constexpr std::int32_t kSocketTypeNotSupported = 10044;  // WSAESOCKTNOSUPPORT
inline constexpr std::int32_t kOpNotSupported = 10045;          // WSAEOPNOTSUPP
inline constexpr std::int32_t kPfNotSupported = 10046;          // WSAEPFNOSUPPORT
inline constexpr std::int32_t kAfNotSupported = 10047;          // WSAEAFNOSUPPORT
inline constexpr std::int32_t kAddrInUse = 10048;               // WSAEADDRINUSE
inline constexpr std::int32_t kAddrNotAvail = 10049;            // WSAEADDRNOTAVAIL
inline constexpr std::int32_t kNetDown = 10050;                 // WSAENETDOWN
inline constexpr std::int32_t kNetUnreachable = 10051;          // WSAENETUNREACH
inline constexpr std::int32_t kNetReset = 10052;                // WSAENETRESET
inline constexpr std::int32_t kConnAborted = 10053;             // WSAECONNABORTED
inline constexpr std::int32_t kConnReset = 10054;               // WSAECONNRESET
inline constexpr std::int32_t kNoBuffers = 10055;               // WSAENOBUFS
inline constexpr std::int32_t kIsConnected = 10056;             // WSAEISCONN
inline constexpr std::int32_t kNotConnected = 10057;            // WSAENOTCONN
inline constexpr std::int32_t kShutdown = 10058;                // WSAESHUTDOWN
inline constexpr std::int32_t kTimedOut = 10060;                // WSAETIMEDOUT
inline constexpr std::int32_t kConnRefused = 10061;             // WSAECONNREFUSED
inline constexpr std::int32_t kHostDown = 10064;                // WSAEHOSTDOWN
inline constexpr std::int32_t kHostUnreachable = 10065;         // WSAEHOSTUNREACH
inline constexpr std::int32_t kProcessLimit = 10067;            // WSAEPROCLIM
inline constexpr std::int32_t kSysNotReady = 10091;             // WSASYSNOTREADY
inline constexpr std::int32_t kVerNotSupported = 10092;         // WSAVERNOTSUPPORTED
inline constexpr std::int32_t kNotInitialised = 10093;          // WSANOTINITIALISED
inline constexpr std::int32_t kDisconnected = 10101;            // WSAEDISCON
inline constexpr std::int32_t kInvalidProcTable = 10104;        // WSAINVALIDPROCTABLE
inline constexpr std::int32_t kInvalidProvider = 10105;         // WSAINVALIDPROVIDER
inline constexpr std::int32_t kProviderFailedInit = 10106;      // WSAPROVIDERFAILEDINIT
inline constexpr std::int32_t kSysCallFailure = 10107;          // WSASYSCALLFAILURE
inline constexpr std::int32_t kTypeNotFound = 10109;            // WSATYPE_NOT_FOUND
inline constexpr std::int32_t kHostNotFound = 11001;            // WSAHOST_NOT_FOUND
inline constexpr std::int32_t kTryAgain = 11002;                // WSATRY_AGAIN
inline constexpr std::int32_t kNoRecovery = 11003;              // WSANO_RECOVERY
inline constexpr std::int32_t kNoData = 11004;                  // WSANO_DATA

}  // namespace wsa

/// The short English text IpGetLastSocketErrorAsString writes for `code` (MSDN's Winsock titles,
/// without the final period): "Invalid argument" for 10022. Codes not in wsa:: read
/// "Unknown error: <code>" (SPEC §2).
std::string error_text(std::int32_t code);

}  // namespace caplnet::capl
