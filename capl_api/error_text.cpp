#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "caplnet/capl/error_codes.hpp"

namespace caplnet::capl {

namespace {

// MSDN "Windows Sockets Error Codes" titles (reprinted by reference/capl-tcpip-api.md §2.1),
// without the final period.
// clang-format off
constexpr std::array<std::pair<std::int32_t, std::string_view>, 54> kTexts{{
    {wsa::kSuccess, "No error"},
    {wsa::kInvalidHandle, "Specified event object handle is invalid"},
    {wsa::kNotEnoughMemory, "Insufficient memory available"},
    {wsa::kInvalidParameter, "One or more parameters are invalid"},
    {wsa::kOperationAborted, "Overlapped operation aborted"},
    {wsa::kIoIncomplete, "Overlapped I/O event object not in signaled state"},
    {wsa::kIoPending, "Overlapped operations will complete later"},
    {wsa::kInterrupted, "Interrupted function call"},
    {wsa::kAccess, "Permission denied"},
    {wsa::kFault, "Bad address"},
    {wsa::kInvalidArgument, "Invalid argument"},
    {wsa::kTooManySockets, "Too many open files"},
    {wsa::kWouldBlock, "Resource temporarily unavailable"},
    {wsa::kInProgress, "Operation now in progress"},
    {wsa::kAlready, "Operation already in progress"},
    {wsa::kNotSocket, "Socket operation on nonsocket"},
    {wsa::kDestAddrRequired, "Destination address required"},
    {wsa::kMsgSize, "Message too long"},
    {wsa::kProtoType, "Protocol wrong type for socket"},
    {wsa::kNoProtoOpt, "Bad protocol option"},
    {wsa::kProtoNotSupported, "Protocol not supported"},
    {wsa::kSocketTypeNotSupported, "Socket type not supported"},
    {wsa::kOpNotSupported, "Operation not supported"},
    {wsa::kPfNotSupported, "Protocol family not supported"},
    {wsa::kAfNotSupported, "Address family not supported by protocol family"},
    {wsa::kAddrInUse, "Address already in use"},
    {wsa::kAddrNotAvail, "Cannot assign requested address"},
    {wsa::kNetDown, "Network is down"},
    {wsa::kNetUnreachable, "Network is unreachable"},
    {wsa::kNetReset, "Network dropped connection on reset"},
    {wsa::kConnAborted, "Software caused connection abort"},
    {wsa::kConnReset, "Connection reset by peer"},
    {wsa::kNoBuffers, "No buffer space available"},
    {wsa::kIsConnected, "Socket is already connected"},
    {wsa::kNotConnected, "Socket is not connected"},
    {wsa::kShutdown, "Cannot send after socket shutdown"},
    {wsa::kTimedOut, "Connection timed out"},
    {wsa::kConnRefused, "Connection refused"},
    {wsa::kHostDown, "Host is down"},
    {wsa::kHostUnreachable, "No route to host"},
    {wsa::kProcessLimit, "Too many processes"},
    {wsa::kSysNotReady, "Network subsystem is unavailable"},
    {wsa::kVerNotSupported, "Winsock.dll version out of range"},
    {wsa::kNotInitialised, "Successful WSAStartup not yet performed"},
    {wsa::kDisconnected, "Graceful shutdown in progress"},
    {wsa::kInvalidProcTable, "Procedure call table is invalid"},
    {wsa::kInvalidProvider, "Service provider is invalid"},
    {wsa::kProviderFailedInit, "Service provider failed to initialize"},
    {wsa::kSysCallFailure, "System call failure"},
    {wsa::kTypeNotFound, "Class type not found"},
    {wsa::kHostNotFound, "Host not found"},
    {wsa::kTryAgain, "Nonauthoritative host not found"},
    {wsa::kNoRecovery, "This is a nonrecoverable error"},
    {wsa::kNoData, "Valid name, no data record of requested type"},
}};
// clang-format on

}  // namespace

std::string error_text(std::int32_t code) {
    for (const auto& [c, text] : kTexts) {
        if (c == code) {
            return std::string(text);
        }
    }
    return "Unknown error: " + std::to_string(code);
}

}  // namespace caplnet::capl
