#include "netif/capture/pcapng_writer.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

// Block and option layouts follow draft-ietf-opsawg-pcapng (§4.1 SHB, §4.2 IDB, §4.3 EPB). Every
// field is written in host byte order; readers detect it from the byte-order magic.
namespace caplnet::netif {

namespace {

constexpr std::uint32_t kShbType = 0x0A0D0D0A;
constexpr std::uint32_t kIdbType = 0x00000001;
constexpr std::uint32_t kEpbType = 0x00000006;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint16_t kLinktypeEthernet = 1;

constexpr std::uint16_t kOptEndOfOpt = 0;
constexpr std::uint16_t kShbUserAppl = 4;
constexpr std::uint16_t kIfName = 2;
constexpr std::uint16_t kIfDescription = 3;
constexpr std::uint16_t kIfTsresol = 9;
constexpr std::uint16_t kEpbFlags = 2;

constexpr std::uint8_t kTsresolNanoseconds = 9;  // 10^-9 s per timestamp unit
constexpr std::size_t kFileBufferSize = std::size_t{1} << 20;

// EPB: type, total length, interface id, ts high, ts low, captured length, original length.
constexpr std::size_t kEpbHeaderLen = 28;
// epb_flags option (4 + 4), opt_endofopt (4), trailing total length (4).
constexpr std::size_t kEpbTrailerMaxLen = 16;

constexpr std::size_t pad4(std::size_t n) {
    return (n + 3U) & ~std::size_t{3};
}

// Builds one non-packet block (SHB, IDB). These are rare, so a vector is fine here.
class BlockBuilder {
public:
    explicit BlockBuilder(std::uint32_t type) {
        put32(type);
        put32(0);  // total length, patched by finish()
    }
    void put16(std::uint16_t v) { put(&v, sizeof v); }
    void put32(std::uint32_t v) { put(&v, sizeof v); }
    void put64(std::uint64_t v) { put(&v, sizeof v); }
    void option(std::uint16_t code, const void* value, std::size_t len) {
        // Option values are at most 65535 bytes; longer names are cut.
        len = std::min<std::size_t>(len, std::numeric_limits<std::uint16_t>::max() & ~3U);
        put16(code);
        put16(static_cast<std::uint16_t>(len));
        put(value, len);
        bytes_.resize(pad4(bytes_.size()), 0);
    }
    void option(std::uint16_t code, const std::string& s) { option(code, s.data(), s.size()); }
    const std::vector<std::uint8_t>& finish() {
        put16(kOptEndOfOpt);
        put16(0);
        const auto total = static_cast<std::uint32_t>(bytes_.size() + 4);
        put32(total);
        std::memcpy(bytes_.data() + 4, &total, sizeof total);
        return bytes_;
    }

private:
    void put(const void* p, std::size_t n) {
        const auto* b = static_cast<const std::uint8_t*>(p);
        bytes_.insert(bytes_.end(), b, b + n);
    }
    std::vector<std::uint8_t> bytes_;
};

}  // namespace

Expected<std::unique_ptr<PcapngWriter>, std::string> PcapngWriter::create(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
        return unexpected("cannot create capture file '" + path + "': " + std::strerror(errno));
    }
    std::unique_ptr<PcapngWriter> w(new PcapngWriter(f));
    w->path_ = path;
    w->buffer_ = std::make_unique<char[]>(kFileBufferSize);
    // setvbuf must come before the first write; the buffer outlives the stream (closed in ~).
    if (std::setvbuf(f, w->buffer_.get(), _IOFBF, kFileBufferSize) != 0) {
        w->buffer_.reset();  // keep stdio's own buffer
    }

    BlockBuilder shb(kShbType);
    shb.put32(kByteOrderMagic);
    shb.put16(1);                                          // major version
    shb.put16(0);                                          // minor version
    shb.put64(std::numeric_limits<std::uint64_t>::max());  // section length: -1, not specified
    shb.option(kShbUserAppl, std::string("caplnet"));
    const auto& bytes = shb.finish();
    w->put(bytes.data(), bytes.size());
    if (!w->good()) {
        return unexpected("cannot write capture file '" + path + "': " + std::strerror(errno));
    }
    return w;
}

PcapngWriter::~PcapngWriter() {
    if (file_ != nullptr) {
        std::fclose(file_);  // flushes; the buffer_ member is released only after this
    }
}

std::uint32_t PcapngWriter::add_interface(const std::string& name, const std::string& description,
                                          std::uint32_t snaplen) {
    BlockBuilder idb(kIdbType);
    idb.put16(kLinktypeEthernet);
    idb.put16(0);  // reserved
    idb.put32(snaplen);
    idb.option(kIfName, name);
    if (!description.empty()) {
        idb.option(kIfDescription, description);
    }
    idb.option(kIfTsresol, &kTsresolNanoseconds, 1);
    const auto& bytes = idb.finish();
    put(bytes.data(), bytes.size());
    snaplens_.push_back(snaplen);
    return interfaces_++;
}

void PcapngWriter::write(std::uint32_t interface_id, std::uint64_t timestamp_ns, wire::Bytes frame,
                         Direction direction) {
    if (interface_id >= interfaces_) {
        ++rejected_;  // an API argument, not worth a crash: count it
        return;
    }
    // pcapng: a SnapLen of 0 means no limit.
    const std::uint32_t snaplen = snaplens_[interface_id];
    const auto original_len = static_cast<std::uint32_t>(
        std::min<std::size_t>(frame.size(), std::numeric_limits<std::uint32_t>::max() - 64U));
    const std::uint32_t captured_len =
        (snaplen != 0 && original_len > snaplen) ? snaplen : original_len;
    const std::size_t padded_len = pad4(captured_len);
    const bool with_flags = direction != Direction::Unknown;
    const std::size_t trailer_len = (with_flags ? 8U : 0U) + 4U + 4U;
    const auto total = static_cast<std::uint32_t>(kEpbHeaderLen + padded_len + trailer_len);

    std::array<std::uint32_t, kEpbHeaderLen / 4> header{
        kEpbType,
        total,
        interface_id,
        static_cast<std::uint32_t>(timestamp_ns >> 32),
        static_cast<std::uint32_t>(timestamp_ns & 0xffffffffU),
        captured_len,
        original_len,
    };
    put(header.data(), kEpbHeaderLen);
    put(frame.data(), captured_len);
    static constexpr std::array<std::uint8_t, 4> kZeros{};
    put(kZeros.data(), padded_len - captured_len);

    std::array<std::uint32_t, kEpbTrailerMaxLen / 4> trailer{};
    std::size_t words = 0;
    if (with_flags) {
        trailer[words++] = std::uint32_t{kEpbFlags} | (std::uint32_t{4} << 16);  // code, length
        // Bits 0-1 of epb_flags: 01 inbound, 10 outbound.
        trailer[words++] = static_cast<std::uint32_t>(direction) & 3U;
    }
    trailer[words++] = kOptEndOfOpt;  // opt_endofopt: code 0, length 0
    trailer[words++] = total;
    put(trailer.data(), words * 4);
    ++packets_;
}

void PcapngWriter::flush() {
    if (std::fflush(file_) != 0) {
        failed_ = true;
    }
}

void PcapngWriter::put(const void* data, std::size_t len) {
    if (len != 0 && std::fwrite(data, 1, len, file_) != len) {
        failed_ = true;
    }
}

}  // namespace caplnet::netif
