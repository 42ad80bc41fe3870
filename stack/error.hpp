#pragma once
// What a stack operation can fail with. stack/ knows no Winsock numbers: capl_api maps each of
// these once, in capl_api/error_map.cpp.
namespace caplnet::stack {

enum class Error {
    InvalidHandle,         // unknown or closed socket
    NoSuchInterface,       // ifIndex outside the interface table
    WrongProtocol,         // a UDP/multicast operation on a socket that cannot do it
    AddressFamilyMismatch, // IPv4 address on an IPv6 socket or the other way round
    NotMulticast,          // a group address that is not multicast
    InvalidArgument,       // any other bad argument (port 0 as destination, ...)
    AlreadyMember,         // group already joined on this socket and interface
    NotMember,             // leave of a group not joined on this socket and interface
    LimitReached,          // a configured resource limit (sockets, memberships, queue)
    AddressInUse,          // the local endpoint is taken
    AddressNotAvailable,   // bind to an address the node does not have
    NoMulticastInterface,  // multicast send without IpSetMulticastInterface / scope id
    NotConnected,          // Send on an unconnected socket
    AlreadyBound,          // bind of a bound socket
    NetworkUnreachable,    // no route to the destination
    MessageTooLong,        // datagram larger than a UDP payload can be
    OutOfMemory,           // lwIP could not allocate
    NotSupported,          // not available with the selected stack mode
};

const char* to_string(Error e);

}  // namespace caplnet::stack
