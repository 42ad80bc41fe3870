#include "stack/error.hpp"

namespace caplnet::stack {

const char* to_string(Error e) {
    switch (e) {
    case Error::InvalidHandle: return "invalid socket handle";
    case Error::NoSuchInterface: return "no such interface";
    case Error::WrongProtocol: return "wrong protocol for this socket";
    case Error::AddressFamilyMismatch: return "address family differs from the socket's";
    case Error::NotMulticast: return "not a multicast address";
    case Error::InvalidArgument: return "invalid argument";
    case Error::AlreadyMember: return "group already joined on this interface";
    case Error::NotMember: return "group not joined on this interface";
    case Error::LimitReached: return "resource limit reached";
    case Error::AddressInUse: return "address in use";
    case Error::AddressNotAvailable: return "address not available";
    case Error::NoMulticastInterface: return "no multicast interface set";
    case Error::NotConnected: return "socket not connected";
    case Error::AlreadyBound: return "socket already bound";
    case Error::NetworkUnreachable: return "network unreachable";
    case Error::MessageTooLong: return "message too long";
    case Error::OutOfMemory: return "out of memory";
    case Error::NotSupported: return "not supported by the selected stack";
    }
    return "unknown";
}

}  // namespace caplnet::stack
