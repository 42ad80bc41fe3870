#include "netif/link/pcap_link.hpp"

#include <pcap/pcap.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace caplnet::netif {

namespace {

LinkError io_error(std::string message) {
    return LinkError{LinkError::Kind::Io, std::move(message)};
}

}  // namespace

Expected<std::unique_ptr<Link>, LinkError> open_pcap_link(const std::string& path,
                                                          const std::string& url) {
    auto link = PcapLink::open(path, url);
    if (!link) {
        return unexpected(std::move(link.error()));
    }
    return std::unique_ptr<Link>(std::move(*link));
}

Expected<std::unique_ptr<PcapLink>, LinkError> PcapLink::open(const std::string& path,
                                                              const std::string& url) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    // Reads classic pcap (either byte order, µs or ns) and pcapng alike.
    pcap_t* handle = pcap_open_offline(path.c_str(), errbuf);
    if (handle == nullptr) {
        return unexpected(io_error(url + ": cannot read capture file '" + path + "': " + errbuf));
    }
    // pcapng files with several interfaces are refused by libpcap 1.10 at the first record whose
    // interface has another link type, so checking the first interface's type covers the file.
    const int linktype = pcap_datalink(handle);
    if (linktype != DLT_EN10MB) {
        const char* name = pcap_datalink_val_to_name(linktype);
        std::string msg = url + ": capture file '" + path + "' has link type " +
                          std::to_string(linktype) + " (" + (name != nullptr ? name : "unknown") +
                          "); only Ethernet (DLT_EN10MB, 1) can be replayed";
        pcap_close(handle);
        return unexpected(LinkError{LinkError::Kind::Unavailable, std::move(msg)});
    }
    // Counter 1 and never written again: readable until finish() drains it.
    const int efd = ::eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) {
        const int err = errno;
        pcap_close(handle);
        return unexpected(io_error(url + ": eventfd: " + std::strerror(err)));
    }
    return std::unique_ptr<PcapLink>(new PcapLink(handle, efd, url));
}

PcapLink::~PcapLink() {
    pcap_close(handle_);
    ::close(event_fd_);
}

void PcapLink::finish(std::string why) {
    ended_ = true;
    end_reason_ = std::move(why);
}

Expected<std::size_t, LinkError> PcapLink::receive(FrameBatch& batch) {
    std::size_t n = 0;
    while (!ended_ && n < batch.capacity()) {
        pcap_pkthdr* hdr = nullptr;
        const u_char* data = nullptr;
        const int rc = pcap_next_ex(handle_, &hdr, &data);
        if (rc == PCAP_ERROR_BREAK) {  // -2: end of file
            finish(url_ + ": end of capture file");
            break;
        }
        if (rc != 1) {
            // PCAP_ERROR (-1): a record libpcap cannot read, typically a truncated file. The
            // reader cannot resynchronise, so the replay ends here.
            ++malformed_;
            finish(url_ + ": capture file ends with an unreadable record: " + pcap_geterr(handle_));
            break;
        }
        if (hdr->caplen > kMaxFrameLen) {
            ++oversized_;
            continue;
        }
        if (hdr->caplen < hdr->len) {
            ++snapped_;
        }
        // NOTE(bounds): caplen <= kMaxFrameLen, the size of every slot
        std::memcpy(batch.slot(n), data, hdr->caplen);
        batch.set_length(n, hdr->caplen);
        ++n;
    }
    batch.set_size(n);
    frames_read_ += n;
    if (n > 0) {
        return n;
    }
    if (!closed_reported_) {
        closed_reported_ = true;
        std::uint64_t drained = 0;
        // The link is over: stop waking the poll loop. EAGAIN (already drained) is harmless.
        [[maybe_unused]] const auto r = ::read(event_fd_, &drained, sizeof drained);
    }
    return unexpected(LinkError{LinkError::Kind::Closed, end_reason_});
}

Expected<void, LinkError> PcapLink::send(wire::Bytes /*frame*/) {
    ++discarded_;
    return {};
}

}  // namespace caplnet::netif
