#pragma once
// Reads the records of a pcap or pcapng capture of Ethernet frames with libpcap, with optional
// BPF filtering, for `caplnet replay` (netif/replay). Timestamps come in nanoseconds whatever the
// file's precision.
#include <cstdint>
#include <memory>
#include <string>

#include "netif/wire/bytes.hpp"
#include "netif/wire/wire_error.hpp"

namespace caplnet::netif {

struct CaptureRecord {
    wire::Bytes data;            // the captured bytes; valid until the next call to next()
    std::uint32_t orig_len = 0;  // length on the wire (> data.size() when cut by the snaplen)
    std::int64_t ts_ns = 0;      // timestamp, ns since the epoch
};

class CaptureReader {
public:
    /// Opens `path` (link type must be Ethernet) and compiles `filter` (tcpdump syntax; empty:
    /// no filter). The error names the file or the filter.
    static Expected<std::unique_ptr<CaptureReader>, std::string> open(const std::string& path,
                                                                      const std::string& filter);
    ~CaptureReader();
    CaptureReader(const CaptureReader&) = delete;
    CaptureReader& operator=(const CaptureReader&) = delete;

    enum class Status {
        Record,      // `rec` holds the next record that passed the filter
        Filtered,    // a record the filter rejected (rec untouched)
        End,         // end of file
        Unreadable,  // a record libpcap cannot read (truncated/corrupt file); error() says why.
                     // libpcap cannot resynchronise: treat it as the end of the file
    };
    Status next(CaptureRecord& rec);
    /// Starts again at the first record (reopens the file; the compiled filter is kept).
    Expected<void, std::string> rewind();
    const std::string& error() const { return error_; }

private:
    struct Impl;
    explicit CaptureReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    std::string error_;
};

}  // namespace caplnet::netif
