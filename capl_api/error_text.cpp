#include <string>
#include <string_view>

#include "caplnet/capl/error_codes.hpp"

namespace caplnet::capl {

namespace {

// MSDN "Windows Sockets Error Codes" titles, which reference/capl-tcpip-api.md §2.1 reprints.
std::string_view known_text(std::int32_t code) {
    switch (code) {
    case wsa::kSuccess: return "No error";
    case wsa::kInvalidHandle: return "Specified event object handle is invalid";
    case wsa::kNotEnoughMemory: return "Insufficient memory available";
    case wsa::kInvalidParameter: return "One or more parameters are invalid";
    case wsa::kOperationAborted: return "Overlapped operation aborted";
    case wsa::kIoIncomplete: return "Overlapped I/O event object not in signaled state";
    case wsa::kIoPending: return "Overlapped operations will complete later";
    case wsa::kInterrupted: return "Interrupted function call";
    case wsa::kAccess: return "Permission denied";
    case wsa::kFault: return "Bad address";
    case wsa::kInvalidArgument: return "Invalid argument";
    case wsa::kTooManySockets: return "Too many open files";
    case wsa::kWouldBlock: return "Resource temporarily unavailable";
    case wsa::kInProgress: return "Operation now in progress";
    case wsa::kAlready: return "Operation already in progress";
    case wsa::kNotSocket: return "Socket operation on nonsocket";
    case wsa::kDestAddrRequired: return "Destination address required";
    case wsa::kMsgSize: return "Message too long";
    case wsa::kProtoType: return "Protocol wrong type for socket";
    case wsa::kNoProtoOpt: return "Bad protocol option";
    case wsa::kProtoNotSupported: return "Protocol not supported";
    case wsa::kSocketTypeNotSupported: return "Socket type not supported";
    case wsa::kOpNotSupported: return "Operation not supported";
    case wsa::kPfNotSupported: return "Protocol family not supported";
    case wsa::kAfNotSupported: return "Address family not supported by protocol family";
    case wsa::kAddrInUse: return "Address already in use";
    case wsa::kAddrNotAvail: return "Cannot assign requested address";
    case wsa::kNetDown: return "Network is down";
    case wsa::kNetUnreachable: return "Network is unreachable";
    case wsa::kNetReset: return "Network dropped connection on reset";
    case wsa::kConnAborted: return "Software caused connection abort";
    case wsa::kConnReset: return "Connection reset by peer";
    case wsa::kNoBuffers: return "No buffer space available";
    case wsa::kIsConnected: return "Socket is already connected";
    case wsa::kNotConnected: return "Socket is not connected";
    case wsa::kShutdown: return "Cannot send after socket shutdown";
    case wsa::kTimedOut: return "Connection timed out";
    case wsa::kConnRefused: return "Connection refused";
    case wsa::kHostDown: return "Host is down";
    case wsa::kHostUnreachable: return "No route to host";
    case wsa::kProcessLimit: return "Too many processes";
    case wsa::kSysNotReady: return "Network subsystem is unavailable";
    case wsa::kVerNotSupported: return "Winsock.dll version out of range";
    case wsa::kNotInitialised: return "Successful WSAStartup not yet performed";
    case wsa::kDisconnected: return "Graceful shutdown in progress";
    case wsa::kInvalidProcTable: return "Procedure call table is invalid";
    case wsa::kInvalidProvider: return "Service provider is invalid";
    case wsa::kProviderFailedInit: return "Service provider failed to initialize";
    case wsa::kSysCallFailure: return "System call failure";
    case wsa::kTypeNotFound: return "Class type not found";
    case wsa::kHostNotFound: return "Host not found";
    case wsa::kTryAgain: return "Nonauthoritative host not found";
    case wsa::kNoRecovery: return "This is a nonrecoverable error";
    case wsa::kNoData: return "Valid name, no data record of requested type";
    default: return {};  // an int, not an enum: anything else is possible and "unknown"
    }
}

}  // namespace

std::string error_text(std::int32_t code) {
    const std::string_view text = known_text(code);
    if (!text.empty()) {
        return std::string(text);
    }
    return "Unknown error: " + std::to_string(code);
}

}  // namespace caplnet::capl
