#pragma once
// A UDP datagram that needs no IP layer beyond its header to be delivered: an unfragmented IPv4
// packet, or an IPv6 packet whose next header is UDP. The stack delivers multicast datagrams of
// this shape itself instead of through lwIP (stack/udp/multicast_path.cpp); anything else goes
// to lwIP.
#include <cstdint>
#include <optional>
#include <variant>

#include "netif/wire/bytes.hpp"
#include "netif/wire/ipv4.hpp"
#include "netif/wire/ipv6.hpp"

namespace caplnet::wire {

struct UdpDatagram {
    std::variant<Ipv4Address, Ipv6Address> source;
    std::variant<Ipv4Address, Ipv6Address> destination;
    std::uint16_t source_port = 0;
    std::uint16_t destination_port = 0;
    Bytes payload;  // views the packet given to udp_datagram_of
};

/// The IP destination of an IPv4 or IPv6 packet; nullopt if the header is cut or not IP.
std::optional<std::variant<Ipv4Address, Ipv6Address>> ip_destination(Bytes ip_packet);

/// The datagram, or nullopt for a fragment, an IPv6 extension header, another protocol, or a
/// UDP length that is not the whole IP payload. Checksums are not verified: check_frame()
/// does that for every received frame.
std::optional<UdpDatagram> udp_datagram_of(Bytes ip_packet);

}  // namespace caplnet::wire
