#include "capl_api/error_map.hpp"

#include <cstdlib>

#include "caplnet/capl/error_codes.hpp"

namespace caplnet::capl {

std::int32_t to_capl_code(stack::Error e) {
    switch (e) {
    case stack::Error::InvalidHandle: return wsa::kInvalidParameter;
    case stack::Error::NoSuchInterface: return wsa::kInvalidParameter;
    case stack::Error::WrongProtocol: return wsa::kProtoType;
    case stack::Error::AddressFamilyMismatch: return wsa::kAfNotSupported;
    case stack::Error::NotMulticast: return wsa::kInvalidArgument;
    case stack::Error::InvalidArgument: return wsa::kInvalidArgument;
    case stack::Error::AlreadyMember: return wsa::kAddrInUse;
    case stack::Error::NotMember: return wsa::kAddrNotAvail;
    case stack::Error::LimitReached: return wsa::kNoBuffers;
    case stack::Error::AddressInUse: return wsa::kAddrInUse;
    case stack::Error::AddressNotAvailable: return wsa::kAddrNotAvail;
    case stack::Error::NoMulticastInterface: return wsa::kNetUnreachable;
    case stack::Error::NotConnected: return wsa::kNotConnected;
    case stack::Error::AlreadyBound: return wsa::kInvalidArgument;
    case stack::Error::NetworkUnreachable: return wsa::kNetUnreachable;
    case stack::Error::MessageTooLong: return wsa::kMsgSize;
    case stack::Error::OutOfMemory: return wsa::kNoBuffers;
    case stack::Error::NotSupported: return wsa::kOpNotSupported;
    }
    std::abort();  // e held a value outside the enum
}

}  // namespace caplnet::capl
