#pragma once
// `caplnet replay`: injects the frames of a pcap/pcapng capture into a link, at their recorded
// pace or as fast as the link takes them, optionally filtered (BPF) and edited (VLAN, MAC).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "netif/link/link.hpp"
#include "netif/wire/frame_edit.hpp"
#include "netif/wire/frame_check.hpp"

namespace caplnet::netif {

enum class ReplayTiming {
    Recorded,  // each frame at start + (its timestamp - the first frame's) / speed
    Top,       // back to back; a full link queue is waited out (POLLOUT), never dropped
};

/// What has happened so far; given to the progress callback and returned as part of the report.
struct ReplayProgress {
    std::uint64_t frames_read = 0;  // records read from the file (all loops)
    std::uint64_t injected = 0;
    unsigned loop = 1;              // the loop in progress, 1-based
    std::chrono::nanoseconds elapsed{0};
};

struct ReplayOptions {
    std::string capture;         // pcap or pcapng file of Ethernet frames
    std::string filter;          // BPF expression (tcpdump syntax); empty = every frame
    ReplayTiming timing = ReplayTiming::Recorded;
    double speed = 1.0;          // Recorded: offsets are divided by this (> 0)
    unsigned loops = 1;          // >= 1; each loop follows the previous one after one mean gap
    wire::FrameEdits edits;
    /// Malformed frames are counted by check_frame() at this untagged maximum frame length.
    std::size_t check_max_frame_len = wire::kDefaultMaxFrameLen;
    /// Called about every progress_interval while running (on the calling thread), if set.
    std::function<void(const ReplayProgress&)> progress;
    std::chrono::milliseconds progress_interval{250};
};

struct ReplayReport {
    ReplayTiming timing = ReplayTiming::Recorded;
    double speed = 1.0;
    unsigned loops_requested = 1;
    unsigned loops_completed = 0;
    bool interrupted = false;  // `stop` was set before the end

    std::uint64_t frames_read = 0;       // records libpcap returned, every loop
    std::uint64_t injected = 0;          // frames the link accepted
    std::uint64_t filtered_out = 0;      // rejected by the BPF filter
    std::uint64_t malformed_injected = 0;  // injected although check_frame() rejects them
    std::map<std::string, std::uint64_t> malformed_reasons;  // check_frame reason -> count
    std::uint64_t snapped_injected = 0;  // records cut by the snaplen, injected as captured
    std::uint64_t dropped_oversized = 0;  // longer than kMaxFrameLen (after edits): not sent
    std::uint64_t unreadable = 0;        // records libpcap could not read (ends that loop)
    std::string unreadable_reason;
    std::uint64_t would_block_waits = 0;  // times the link queue was full and we waited

    std::chrono::nanoseconds elapsed{0};        // first injection to the last
    std::chrono::nanoseconds capture_span{0};   // recorded offset of the last frame sent (unscaled, last loop)
    /// Recorded timing: how late each frame was sent vs start + offset/speed (send completed).
    std::optional<std::chrono::nanoseconds> last_lateness;
    std::chrono::nanoseconds max_lateness{0};
    std::chrono::nanoseconds mean_lateness{0};
};

class Replayer {
public:
    explicit Replayer(ReplayOptions options) : opts_(std::move(options)) {}

    /// Opens the capture, compiles the filter and injects into `link` until the end of the last
    /// loop or until `stop` is set. Errors: the capture or the filter cannot be used, or the link
    /// fails or closes (the counts so far are in the message).
    Expected<ReplayReport, std::string> run(Link& link, const std::atomic<bool>& stop);

private:
    ReplayOptions opts_;
};

/// The report as text lines ("frames read: 1850", ...), for the terminal.
std::string format_report(const ReplayReport& r);
/// The same report as one JSON object.
std::string report_json(const ReplayReport& r);

}  // namespace caplnet::netif
