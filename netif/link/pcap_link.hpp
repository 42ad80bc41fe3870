#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "netif/link/link.hpp"

struct pcap;  // libpcap's pcap_t, kept out of this header

namespace caplnet::netif {

/// A receive-only link that replays the Ethernet frames of a pcap or pcapng file (read with
/// libpcap) once, as fast as they are taken, then reports Kind::Closed. Sends are discarded.
/// A file whose link type is not Ethernet is refused at open. Records libpcap cannot read (a
/// truncated or corrupt file) end the replay early and are counted, not fatal.
Expected<std::unique_ptr<Link>, LinkError> open_pcap_link(const std::string& path, const std::string& url);

class PcapLink final : public Link {
public:
    static Expected<std::unique_ptr<PcapLink>, LinkError> open(const std::string& path,
                                                               const std::string& url);
    ~PcapLink() override;

    // netif::Link
    /// An eventfd that is readable while frames remain and until receive() has reported
    /// Kind::Closed once, so a poll loop wakes up to learn that the replay has ended.
    int data_fd() const override { return event_fd_; }
    Expected<std::size_t, LinkError> receive(FrameBatch& batch) override;
    Expected<void, LinkError> send(wire::Bytes frame) override;
    const std::string& url() const override { return url_; }

    /// Frames handed out by receive().
    std::uint64_t frames_read() const { return frames_read_; }
    /// Records libpcap failed to read (truncated or corrupt file); the replay stops at the first.
    std::uint64_t malformed_records() const { return malformed_; }
    /// Records longer than kMaxFrameLen, skipped.
    std::uint64_t oversized_records() const { return oversized_; }
    /// Records cut by the capture's snaplen (captured < original length); handed out as captured.
    std::uint64_t snapped_records() const { return snapped_; }
    /// Frames given to send() and discarded.
    std::uint64_t frames_discarded() const { return discarded_; }

private:
    PcapLink(::pcap* handle, int event_fd, std::string url)
        : handle_(handle), event_fd_(event_fd), url_(std::move(url)) {}
    void finish(std::string why);

    ::pcap* handle_;
    int event_fd_;
    std::string url_;
    bool ended_ = false;          // no more records to read
    bool closed_reported_ = false;
    std::string end_reason_;
    std::uint64_t frames_read_ = 0;
    std::uint64_t malformed_ = 0;
    std::uint64_t oversized_ = 0;
    std::uint64_t snapped_ = 0;
    std::uint64_t discarded_ = 0;
};

}  // namespace caplnet::netif
