#include "netif/replay/replayer.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "netif/link/capture_reader.hpp"
#include "netif/link/link_wait.hpp"

namespace caplnet::netif {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

// Sleep until this much before a frame's time, then spin: sleep_until overshoots by tens of µs.
constexpr nanoseconds kSpin = std::chrono::microseconds(200);
// Longest single sleep, so that `stop` is seen within this time during long gaps.
constexpr nanoseconds kMaxSleep = std::chrono::milliseconds(50);
constexpr int kPollOutTimeoutMs = 50;
constexpr std::uint64_t kDrainEvery = 64;  // frames between reads of what the link received

// Reads (and discards) what the link received, so the switch need not drop frames sent to us.
void drain(Link& link, FrameBatch& batch) {
    for (int i = 0; i < 8 && link_readable(link); ++i) {
        auto r = link.receive(batch);
        if (!r || *r == 0) return;
    }
}

const char* link_error_kind(LinkError::Kind k) {
    switch (k) {
    case LinkError::Kind::Unavailable: return "unavailable";
    case LinkError::Kind::BadUrl: return "bad URL";
    case LinkError::Kind::Io: return "I/O error";
    case LinkError::Kind::Closed: return "closed";
    case LinkError::Kind::WouldBlock: return "would block";
    }
    return "error";
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                out += buf;
            } else {
                out += c;
            }
        }
    }
    return out;
}

__attribute__((format(printf, 2, 3))) void appendf(std::string& out, const char* fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    const int n = std::vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0) out.append(line, std::min(static_cast<std::size_t>(n), sizeof line - 1));
}

double us(nanoseconds ns) { return static_cast<double>(ns.count()) / 1e3; }
double secs(nanoseconds ns) { return static_cast<double>(ns.count()) / 1e9; }

}  // namespace

Expected<ReplayReport, std::string> Replayer::run(Link& link, const std::atomic<bool>& stop) {
    if (!(opts_.speed > 0.0)) return unexpected(std::string("speed must be greater than 0"));
    if (opts_.loops == 0) return unexpected(std::string("loops must be at least 1"));

    ReplayReport rep;
    rep.timing = opts_.timing;
    rep.speed = opts_.speed;
    rep.loops_requested = opts_.loops;

    auto reader = CaptureReader::open(opts_.capture, opts_.filter);
    if (!reader) return unexpected(reader.error());
    CaptureReader& capture = **reader;

    // One frame plus room for a tag the edits may add.
    std::vector<std::uint8_t> buf(kMaxFrameLen + wire::kVlanTagLen);
    FrameBatch drained(8);
    std::optional<Clock::time_point> start;
    Clock::time_point last_send{};
    Clock::time_point next_progress{};
    std::int64_t lateness_sum_ns = 0;
    std::uint64_t lateness_count = 0;
    std::int64_t loop_base_ns = 0;  // recorded offset at which the current loop starts

    auto report_progress = [&](Clock::time_point now, unsigned loop) {
        if (!opts_.progress || now < next_progress) return;
        next_progress = now + opts_.progress_interval;
        ReplayProgress p;
        p.frames_read = rep.frames_read;
        p.injected = rep.injected;
        p.loop = loop;
        p.elapsed = start ? std::chrono::duration_cast<nanoseconds>(now - *start) : nanoseconds{0};
        opts_.progress(p);
    };

    // Sends one frame; a full queue is waited out. false: stopped while waiting.
    auto send = [&](wire::Bytes frame) -> Expected<bool, std::string> {
        for (;;) {
            auto r = link.send(frame);
            if (r) return true;
            if (r.error().kind != LinkError::Kind::WouldBlock) {
                return unexpected(std::string("link ") + link_error_kind(r.error().kind) + ": " +
                                  r.error().message);
            }
            ++rep.would_block_waits;
            for (;;) {
                if (stop.load(std::memory_order_relaxed)) return false;
                drain(link, drained);
                if (wait_link_writable(link, kPollOutTimeoutMs)) break;
            }
        }
    };

    for (unsigned loop = 1; loop <= opts_.loops && !stop; ++loop) {
        if (loop > 1) {
            if (auto r = capture.rewind(); !r) return unexpected(r.error());
        }
        std::optional<std::int64_t> first_ts;
        std::int64_t last_offset = 0;
        std::uint64_t sent_this_loop = 0;
        bool loop_done = false;
        CaptureRecord rec;
        while (!stop.load(std::memory_order_relaxed)) {
            const auto status = capture.next(rec);
            if (status == CaptureReader::Status::End) {
                loop_done = true;
                break;
            }
            if (status == CaptureReader::Status::Unreadable) {
                // libpcap cannot resynchronise after a bad record: this loop ends here.
                ++rep.unreadable;
                rep.unreadable_reason = capture.error();
                loop_done = true;
                break;
            }
            ++rep.frames_read;
            if (status == CaptureReader::Status::Filtered) {
                ++rep.filtered_out;
                continue;
            }
            if (!first_ts) first_ts = rec.ts_ns;
            const std::int64_t offset = rec.ts_ns - *first_ts;
            if (rec.data.size() > kMaxFrameLen) {
                ++rep.dropped_oversized;
                continue;
            }
            std::copy(rec.data.begin(), rec.data.end(), buf.begin());
            std::size_t len = rec.data.size();
            if (!opts_.edits.empty()) len = wire::apply_edits(opts_.edits, buf, len);
            if (len > kMaxFrameLen) {
                ++rep.dropped_oversized;
                continue;
            }
            const wire::Bytes frame(buf.data(), len);
            if (auto ok = wire::check_frame(frame, opts_.check_max_frame_len); !ok) {
                ++rep.malformed_injected;
                ++rep.malformed_reasons[wire::to_string(ok.error())];
            }
            if (rec.data.size() < rec.orig_len) ++rep.snapped_injected;

            std::optional<Clock::time_point> target;
            if (!start) start = Clock::now();
            if (opts_.timing == ReplayTiming::Recorded) {
                const auto scaled = static_cast<std::int64_t>(
                    static_cast<double>(loop_base_ns + offset) / opts_.speed);
                target = *start + nanoseconds(scaled);
                // Absolute schedule: sleep in bounded steps, spin the last kSpin.
                for (;;) {
                    if (stop.load(std::memory_order_relaxed)) break;
                    const auto now = Clock::now();
                    const auto left = *target - now;
                    if (left <= nanoseconds{0}) break;
                    if (left > kSpin) {
                        std::this_thread::sleep_until(std::min(*target - kSpin, now + kMaxSleep));
                        report_progress(Clock::now(), loop);
                    }
                }
                if (stop.load(std::memory_order_relaxed)) break;
            }
            auto sent = send(frame);
            if (!sent) {
                return unexpected(sent.error() + " (after " + std::to_string(rep.injected) + " of " +
                                  std::to_string(rep.frames_read) + " frames read were injected)");
            }
            if (!*sent) break;  // stopped while the link was full
            last_send = Clock::now();
            ++rep.injected;
            ++sent_this_loop;
            last_offset = offset;
            if (target) {
                const auto late = std::chrono::duration_cast<nanoseconds>(last_send - *target);
                rep.last_lateness = late;
                rep.max_lateness = std::max(rep.max_lateness, late);
                lateness_sum_ns += late.count();
                ++lateness_count;
            }
            if (rep.injected % kDrainEvery == 0) drain(link, drained);
            report_progress(last_send, loop);
        }
        rep.capture_span = nanoseconds(last_offset);
        if (!loop_done) break;  // stopped
        ++rep.loops_completed;
        // The next loop follows after one mean inter-frame gap of this one.
        const std::int64_t gap =
            sent_this_loop > 1 ? last_offset / static_cast<std::int64_t>(sent_this_loop - 1) : 0;
        loop_base_ns += last_offset + gap;
    }
    rep.interrupted = stop.load() && rep.loops_completed < rep.loops_requested;
    if (start && rep.injected > 0) rep.elapsed = std::chrono::duration_cast<nanoseconds>(last_send - *start);
    if (lateness_count > 0) rep.mean_lateness = nanoseconds(lateness_sum_ns / static_cast<std::int64_t>(lateness_count));
    drain(link, drained);
    return rep;
}

std::string format_report(const ReplayReport& r) {
    std::string out;
    appendf(out, "frames read: %" PRIu64 "\n", r.frames_read);
    appendf(out, "injected: %" PRIu64 "\n", r.injected);
    appendf(out, "filtered out: %" PRIu64 "\n", r.filtered_out);
    appendf(out, "malformed (injected): %" PRIu64 "\n", r.malformed_injected);
    for (const auto& [reason, n] : r.malformed_reasons) appendf(out, "  %s: %" PRIu64 "\n", reason.c_str(), n);
    appendf(out, "snapped (injected as captured): %" PRIu64 "\n", r.snapped_injected);
    appendf(out, "dropped, oversized (> %zu bytes): %" PRIu64 "\n", kMaxFrameLen, r.dropped_oversized);
    appendf(out, "dropped, unreadable: %" PRIu64 "%s%s\n", r.unreadable, r.unreadable ? " — " : "",
        r.unreadable ? r.unreadable_reason.c_str() : "");
    appendf(out, "link full, waited: %" PRIu64 " times\n", r.would_block_waits);
    appendf(out, "loops: %u of %u%s\n", r.loops_completed, r.loops_requested, r.interrupted ? " (interrupted)" : "");
    appendf(out, "elapsed: %.6f s (timing %s, speed %g, capture span %.6f s)\n", secs(r.elapsed),
        r.timing == ReplayTiming::Recorded ? "recorded" : "top", r.speed, secs(r.capture_span));
    if (r.last_lateness) {
        appendf(out, "last frame injected %.0f µs after its recorded offset (max %.0f µs, mean %.1f µs)\n",
            us(*r.last_lateness), us(r.max_lateness), us(r.mean_lateness));
    }
    return out;
}

std::string report_json(const ReplayReport& r) {
    std::string out = "{\n";
    appendf(out, "  \"timing\": \"%s\",\n", r.timing == ReplayTiming::Recorded ? "recorded" : "top");
    appendf(out, "  \"speed\": %g,\n", r.speed);
    appendf(out, "  \"loops_requested\": %u,\n", r.loops_requested);
    appendf(out, "  \"loops_completed\": %u,\n", r.loops_completed);
    appendf(out, "  \"interrupted\": %s,\n", r.interrupted ? "true" : "false");
    appendf(out, "  \"frames_read\": %" PRIu64 ",\n", r.frames_read);
    appendf(out, "  \"injected\": %" PRIu64 ",\n", r.injected);
    appendf(out, "  \"filtered_out\": %" PRIu64 ",\n", r.filtered_out);
    appendf(out, "  \"malformed_injected\": %" PRIu64 ",\n", r.malformed_injected);
    out += "  \"malformed_reasons\": {";
    bool first = true;
    for (const auto& [reason, n] : r.malformed_reasons) {
        appendf(out, "%s\"%s\": %" PRIu64, first ? "" : ", ", json_escape(reason).c_str(), n);
        first = false;
    }
    out += "},\n";
    appendf(out, "  \"snapped_injected\": %" PRIu64 ",\n", r.snapped_injected);
    out += "  \"dropped\": {";
    appendf(out, "\"oversized\": %" PRIu64 ", \"unreadable\": %" PRIu64 "},\n", r.dropped_oversized, r.unreadable);
    out += "  \"unreadable_reason\": \"" + json_escape(r.unreadable_reason) + "\",\n";
    appendf(out, "  \"would_block_waits\": %" PRIu64 ",\n", r.would_block_waits);
    appendf(out, "  \"elapsed_us\": %.3f,\n", us(r.elapsed));
    appendf(out, "  \"capture_span_us\": %.3f,\n", us(r.capture_span));
    if (r.last_lateness) {
        appendf(out, "  \"last_frame_lateness_us\": %.3f,\n", us(*r.last_lateness));
        appendf(out, "  \"max_lateness_us\": %.3f,\n", us(r.max_lateness));
        appendf(out, "  \"mean_lateness_us\": %.3f\n", us(r.mean_lateness));
    } else {
        out += "  \"last_frame_lateness_us\": null\n";
    }
    out += "}\n";
    return out;
}

}  // namespace caplnet::netif
