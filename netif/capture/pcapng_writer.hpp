#pragma once
// A small pcapng writer (libpcap writes only classic pcap and no Debian library writes pcapng).
// Layout: one Section Header Block, one Interface Description Block per interface (if_name,
// if_tsresol = 9 so timestamps are nanoseconds), then Enhanced Packet Blocks with the epb_flags
// option carrying the direction (inbound = 1, outbound = 2, RFC draft-ietf-opsawg-pcapng §4.3).
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "netif/wire/bytes.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::netif {

enum class Direction : std::uint8_t { Unknown = 0, Inbound = 1, Outbound = 2 };

class PcapngWriter {
public:
    /// Creates (truncates) `path` and writes the section header. Returns an error text on failure.
    static Expected<std::unique_ptr<PcapngWriter>, std::string> create(const std::string& path);
    ~PcapngWriter();
    PcapngWriter(const PcapngWriter&) = delete;
    PcapngWriter& operator=(const PcapngWriter&) = delete;

    /// Adds an Ethernet (LINKTYPE_ETHERNET) interface; returns its interface id (0, 1, ...).
    /// Interfaces must be added before the first packet that uses them.
    std::uint32_t add_interface(const std::string& name, const std::string& description = {},
                                std::uint32_t snaplen = 262144);
    /// Appends one frame. `timestamp_ns` is nanoseconds since the Unix epoch. Frames longer than
    /// the snaplen are cut, with the original length recorded. Direction::Unknown writes no
    /// epb_flags option. An interface id never added is counted in packets_rejected().
    void write(std::uint32_t interface_id, std::uint64_t timestamp_ns, wire::Bytes frame,
               Direction direction);
    /// Pushes buffered blocks to the file (also done by the destructor).
    void flush();
    std::uint64_t packets_written() const { return packets_; }
    /// write() calls dropped because their interface id was never added.
    std::uint64_t packets_rejected() const { return rejected_; }
    /// False once a write or flush to the file has failed (disk full, I/O error).
    bool good() const { return !failed_; }
    const std::string& path() const { return path_; }

private:
    explicit PcapngWriter(std::FILE* f) : file_(f) {}
    void put(const void* data, std::size_t len);

    std::FILE* file_;
    std::uint32_t interfaces_ = 0;
    std::uint64_t packets_ = 0;
    std::uint64_t rejected_ = 0;
    bool failed_ = false;
    std::string path_;
    std::unique_ptr<char[]> buffer_;       // the stdio buffer (setvbuf); freed after fclose
    std::vector<std::uint32_t> snaplens_;  // per interface id
};

}  // namespace caplnet::netif
