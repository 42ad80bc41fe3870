#pragma once
// Test-only classic pcap (little-endian, microseconds, LINKTYPE_ETHERNET) reader and writer, and a
// tshark runner: the wire tests link no libpcap and no test support library.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace caplnet::wire::test {

struct PcapRecord {
    std::vector<std::uint8_t> data;
    std::uint32_t orig_len = 0;
};

/// Reads every record; nullopt if the file is unreadable, not little-endian microsecond pcap of
/// Ethernet, or a record runs past the end.
inline std::optional<std::vector<PcapRecord>> read_pcap(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    const std::vector<std::uint8_t> d((std::istreambuf_iterator<char>(in)),
                                      std::istreambuf_iterator<char>());
    if (d.size() < 24) {
        return std::nullopt;
    }
    const auto le32 = [&](std::size_t off) {
        return std::uint32_t{d[off]} | (std::uint32_t{d[off + 1]} << 8) |
               (std::uint32_t{d[off + 2]} << 16) | (std::uint32_t{d[off + 3]} << 24);
    };
    if (le32(0) != 0xa1b2c3d4 || le32(20) != 1) {
        return std::nullopt;
    }
    std::vector<PcapRecord> out;
    std::size_t off = 24;
    while (off + 16 <= d.size()) {
        const std::uint32_t caplen = le32(off + 8);
        if (caplen > d.size() - off - 16) {
            return std::nullopt;
        }
        const auto* p = d.data() + off + 16;
        out.push_back(PcapRecord{{p, p + caplen}, le32(off + 12)});
        off += 16 + caplen;
    }
    return out;
}

/// "<CAPLNET_SHARED_DIR>/captures/<name>".
inline std::string shared_capture_path(const std::string& name) {
    return std::string(CAPLNET_SHARED_DIR) + "/captures/" + name;
}

/// Writes `frames` as records one second apart; false on an I/O error.
inline bool write_pcap(const std::string& path,
                       const std::vector<std::vector<std::uint8_t>>& frames) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    const auto le32 = [&](std::uint32_t v) {
        const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8),
                           static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
        out.write(b, 4);
    };
    const auto le16 = [&](std::uint16_t v) {
        const char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
        out.write(b, 2);
    };
    le32(0xa1b2c3d4);  // magic: microsecond timestamps
    le16(2);           // version 2.4
    le16(4);
    le32(0);      // thiszone
    le32(0);      // sigfigs
    le32(65535);  // snaplen
    le32(1);      // LINKTYPE_ETHERNET
    std::uint32_t sec = 1'700'000'000;
    for (const auto& f : frames) {
        le32(sec++);
        le32(0);
        le32(static_cast<std::uint32_t>(f.size()));
        le32(static_cast<std::uint32_t>(f.size()));
        out.write(reinterpret_cast<const char*>(f.data()), static_cast<std::streamsize>(f.size()));
    }
    return static_cast<bool>(out);
}

/// Runs a shell command and returns its standard output; nullopt if it could not run or exited
/// non-zero.
inline std::optional<std::string> run_capture_stdout(const std::string& command) {
    FILE* p = ::popen(command.c_str(), "r");
    if (p == nullptr) {
        return std::nullopt;
    }
    std::string out;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
        out.append(buf, n);
    }
    return ::pclose(p) == 0 ? std::optional<std::string>(out) : std::nullopt;
}

inline bool have_tshark() { return run_capture_stdout("tshark -v >/dev/null 2>&1").has_value(); }

}  // namespace caplnet::wire::test
