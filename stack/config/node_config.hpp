#pragma once
// A node file (TOML) as validated values. Everything that can be wrong with a node file is found
// here, before a link is opened or lwIP is started, and reported with file, line and reason.
#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "netif/wire/mac_address.hpp"

namespace caplnet::stack {

enum class StackMode { Product, Os };
enum class MulticastDelivery { PerSocket, Linux };

struct Ipv4Prefix {
    std::array<std::uint8_t, 4> address{};
    std::uint8_t prefix_len = 0;
    std::string to_string() const;
};

struct Ipv6Prefix {
    std::array<std::uint8_t, 16> address{};
    std::uint8_t prefix_len = 0;
    std::string to_string() const;
};

/// IGMP/MLD host settings of one interface (RFC 3376 §8, RFC 3810 §9; defaults as Linux).
struct GroupProtocolConfig {
    int igmp_version = 0;  // 0 = auto (v3 with fallback), or forced 1 / 2 / 3
    int mld_version = 0;   // 0 = auto (v2 with fallback), or forced 1 / 2
    int robustness = 2;
    std::uint32_t unsolicited_report_interval_ms = 1000;  // IGMPv3/MLDv2; v2/MLDv1 use 10 s
    std::uint32_t query_interval_ms = 125000;
    std::uint32_t query_response_interval_ms = 10000;
    bool unsolicited_interval_set = false;  // given in the file: then it applies to every version
};

struct VlanConfig {
    std::string name;  // default "<adapter>.<id>"
    std::uint16_t id = 0;
    std::uint8_t priority = 0;
    std::vector<Ipv4Prefix> ipv4;
    std::vector<Ipv6Prefix> ipv6;
    std::uint16_t mtu = 1500;
    GroupProtocolConfig groups;
};

struct AdapterConfig {
    std::string name;
    std::uint32_t channel = 0;  // 1-based; default: position in the file
    std::string link;           // URL; relative vde:// and pcap:// paths resolve against the run dir
    wire::MacAddress mac;
    std::vector<Ipv4Prefix> ipv4;
    std::vector<Ipv6Prefix> ipv6;
    std::uint16_t mtu = 1500;
    GroupProtocolConfig groups;
    std::vector<VlanConfig> vlans;
};

/// Resource limits of a node; reaching one fails the call with LimitReached (CAPL: 10055).
struct Limits {
    std::uint32_t sockets = 4096;
    std::uint32_t memberships_per_socket = 200000;
    std::uint32_t memberships = 400000;      // (socket, interface, group) triples per node
    std::uint32_t receive_queue = 4096;      // datagrams waiting per socket
};

struct NodeConfig {
    std::string source;  // file name, for messages
    std::string name;
    StackMode stack = StackMode::Product;
    std::uint32_t seed = 1;
    MulticastDelivery multicast_delivery = MulticastDelivery::PerSocket;
    Limits limits;
    std::vector<AdapterConfig> adapters;
};

/// RFC 5952 text of an IPv6 address.
std::string format_ipv6(const std::array<std::uint8_t, 16>& address);
/// The link-local address lwIP derives from an adapter's MAC.
std::array<std::uint8_t, 16> link_local_of(const wire::MacAddress& mac);

/// A rejected node file: what() reads "FILE:LINE: reason".
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Reads and validates a node file. Throws ConfigError (start-up only: no exceptions later).
NodeConfig load_node_config(const std::string& path);
/// The same from text; `source` names it in messages.
NodeConfig parse_node_config(std::string_view toml_text, const std::string& source);

}  // namespace caplnet::stack
