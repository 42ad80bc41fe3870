#include "netif/link/capture_reader.hpp"

#include <pcap/pcap.h>

namespace caplnet::netif {

namespace {

struct PcapCloser {
    void operator()(pcap_t* p) const { pcap_close(p); }
};
using PcapPtr = std::unique_ptr<pcap_t, PcapCloser>;

Expected<PcapPtr, std::string> open_capture(const std::string& path) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    // Nanosecond precision: timestamps of µs and ns files alike come back in ns (in tv_usec).
    pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p == nullptr) return unexpected("cannot read capture '" + path + "': " + errbuf);
    PcapPtr handle(p);
    // pcapng files with interfaces of other link types fail at their first record (unreadable).
    const int linktype = pcap_datalink(p);
    if (linktype != DLT_EN10MB) {
        const char* name = pcap_datalink_val_to_name(linktype);
        return unexpected("capture '" + path + "' has link type " + std::to_string(linktype) + " (" +
                          (name != nullptr ? name : "unknown") +
                          "); only Ethernet (DLT_EN10MB, 1) can be replayed");
    }
    return handle;
}

}  // namespace

struct CaptureReader::Impl {
    std::string path;
    PcapPtr handle;
    bpf_program prog{};
    bool filtering = false;
    ~Impl() {
        if (filtering) pcap_freecode(&prog);
    }
};

CaptureReader::CaptureReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CaptureReader::~CaptureReader() = default;

Expected<std::unique_ptr<CaptureReader>, std::string> CaptureReader::open(const std::string& path,
                                                                          const std::string& filter) {
    auto handle = open_capture(path);
    if (!handle) return unexpected(handle.error());
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->handle = std::move(*handle);
    if (!filter.empty()) {
        if (pcap_compile(impl->handle.get(), &impl->prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
            return unexpected("bad filter '" + filter + "': " + pcap_geterr(impl->handle.get()));
        }
        impl->filtering = true;
    }
    return std::unique_ptr<CaptureReader>(new CaptureReader(std::move(impl)));
}

CaptureReader::Status CaptureReader::next(CaptureRecord& rec) {
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(impl_->handle.get(), &hdr, &data);
    if (rc == PCAP_ERROR_BREAK) return Status::End;
    if (rc != 1) {
        error_ = pcap_geterr(impl_->handle.get());
        return Status::Unreadable;
    }
    if (impl_->filtering && pcap_offline_filter(&impl_->prog, hdr, data) == 0) return Status::Filtered;
    rec.data = wire::Bytes(data, hdr->caplen);
    rec.orig_len = hdr->len;
    rec.ts_ns = static_cast<std::int64_t>(hdr->ts.tv_sec) * 1'000'000'000 +
                static_cast<std::int64_t>(hdr->ts.tv_usec);
    return Status::Record;
}

Expected<void, std::string> CaptureReader::rewind() {
    auto handle = open_capture(impl_->path);
    if (!handle) return unexpected(handle.error());
    impl_->handle = std::move(*handle);
    return {};
}

}  // namespace caplnet::netif
