// pcap:// replays the shared captures (counts verified with tshark in shared/captures/README.md),
// checked against a classic-pcap record walker written here from the file format, not libpcap.
#include "netif/link/pcap_link.hpp"

#include <pcap/pcap.h>
#include <poll.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "netif/capture/pcapng_writer.hpp"
#include "netif/wire/ethernet.hpp"

namespace caplnet::netif {
namespace {

namespace fs = std::filesystem;

const std::string kCaptures = std::string(CAPLNET_SHARED_DIR) + "/captures/";

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "caplnet-pcaplink-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

using Bytes = std::vector<std::uint8_t>;

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::uint8_t* data, std::size_t len) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(len));
    REQUIRE(out.good());
}

std::uint32_t le32(const Bytes& b, std::size_t off) {
    return std::uint32_t{b[off]} | (std::uint32_t{b[off + 1]} << 8) |
           (std::uint32_t{b[off + 2]} << 16) | (std::uint32_t{b[off + 3]} << 24);
}

// Classic pcap, little-endian microsecond files as in shared/captures: a 24-byte file header,
// then records of a 16-byte header (ts_sec, ts_usec, incl_len, orig_len) and incl_len bytes.
struct Record {
    std::size_t offset;  // of the record header
    Bytes data;
};

std::vector<Record> walk_pcap(const Bytes& file) {
    REQUIRE(file.size() >= 24);
    REQUIRE(le32(file, 0) == 0xa1b2c3d4);
    std::vector<Record> out;
    std::size_t off = 24;
    while (off + 16 <= file.size()) {
        const std::uint32_t incl = le32(file, off + 8);
        REQUIRE(off + 16 + incl <= file.size());
        const auto* begin = file.data() + off + 16;
        out.push_back({off, Bytes(begin, begin + incl)});
        off += 16 + incl;
    }
    REQUIRE(off == file.size());
    return out;
}

std::unique_ptr<PcapLink> open_or_fail(const std::string& path) {
    auto link = PcapLink::open(path, "pcap://" + path);
    if (!link) {
        FAIL(link.error().message);
    }
    return std::move(*link);
}

bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

struct Drained {
    std::vector<Bytes> frames;
    std::vector<std::size_t> batch_sizes;
    LinkError end;
};

// Runs the link the way a poll loop would: receive only while data_fd() is readable.
Drained drain(Link& link, std::size_t capacity = 32) {
    FrameBatch batch(capacity);
    Drained d;
    for (;;) {
        REQUIRE(readable(link.data_fd()));
        auto got = link.receive(batch);
        if (!got) {
            d.end = got.error();
            break;
        }
        REQUIRE(*got == batch.size());
        REQUIRE(*got > 0);
        d.batch_sizes.push_back(*got);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            auto f = batch.frame(i);
            d.frames.emplace_back(f.begin(), f.end());
        }
    }
    return d;
}

}  // namespace

TEST_CASE("pcap link replays every frame of each shared capture once, then reports Closed",
          "[link][pcap]") {
    // Frame counts from shared/captures/README.md ("Verified counts", capinfos).
    const auto [name, frames] = GENERATE(table<const char*, std::size_t>({
        {"linux-igmpv2-join-leave.pcap", 6},
        {"linux-igmpv3-join-leave.pcap", 8},
        {"linux-mldv1-join-leave.pcap", 6},
        {"linux-mldv2-join-leave.pcap", 8},
        {"linux-udp-multicast-v4.pcap", 1850},
        {"linux-udp-multicast-v6.pcap", 1550},
        {"someip-sd-like.pcap", 200},
        {"vlan-mixed.pcap", 1006},
        {"malformed.pcap", 50},
    }));
    INFO(name);
    const std::string path = kCaptures + name;
    auto link = open_or_fail(path);
    CHECK(link->url() == "pcap://" + path);

    const Drained d = drain(*link);
    CHECK(d.frames.size() == frames);
    CHECK(d.end.kind == LinkError::Kind::Closed);
    CHECK(link->frames_read() == frames);
    CHECK(link->malformed_records() == 0);
    CHECK(link->oversized_records() == 0);

    // Byte for byte what the file holds, in file order.
    const auto records = walk_pcap(read_file(path));
    REQUIRE(records.size() == frames);
    for (std::size_t i = 0; i < frames; ++i) {
        INFO("frame " << i + 1);
        CHECK(d.frames[i] == records[i].data);
    }

    // Once Closed has been reported, the fd stops waking the poll loop; Closed stays.
    CHECK_FALSE(readable(link->data_fd()));
    FrameBatch batch(4);
    auto again = link->receive(batch);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().kind == LinkError::Kind::Closed);
    CHECK(batch.size() == 0);
}

TEST_CASE("pcap link hands over malformed.pcap's zero-length, jumbo and snapped records as stored",
          "[link][pcap]") {
    // malformed.pcap (README table): frame 1 is 0 bytes, frame 48 a 9000-byte jumbo, frame 49
    // 60 of 1042 bytes. Judging them is the stack's job; the link must not read past caplen.
    auto link = open_or_fail(kCaptures + "malformed.pcap");
    const Drained d = drain(*link);
    REQUIRE(d.frames.size() == 50);
    CHECK(d.frames[0].empty());
    CHECK(d.frames[47].size() == 9000);
    CHECK(d.frames[48].size() == 60);
    CHECK(link->snapped_records() == 1);
    CHECK(link->oversized_records() == 0);
}

TEST_CASE("pcap link keeps 802.1Q and 802.1ad tags of vlan-mixed.pcap as they are",
          "[link][pcap]") {
    auto link = open_or_fail(kCaptures + "vlan-mixed.pcap");
    const Drained d = drain(*link);
    std::size_t vid10 = 0, vid20 = 0, other_vid = 0, untagged = 0, qinq = 0;
    for (const auto& f : d.frames) {
        auto eth = wire::EthernetView::of(f);
        REQUIRE(eth.has_value());
        if (wire::read_be16(f, 12) == wire::ethertype::kQinQ) {
            ++qinq;
        } else if (auto tci = eth->vlan()) {
            if (tci->vlan_id == 10) {
                ++vid10;
            } else if (tci->vlan_id == 20) {
                ++vid20;
            } else {
                ++other_vid;
            }
        } else {
            ++untagged;
        }
    }
    // README: 400 UDP + 6 IGMP in VLAN 10, 300 in VLAN 20, 200 untagged, 100 Q-in-Q.
    CHECK(vid10 == 406);
    CHECK(vid20 == 300);
    CHECK(other_vid == 0);
    CHECK(untagged == 200);
    CHECK(qinq == 100);
}

TEST_CASE("pcap link fills batches up to their capacity", "[link][pcap]") {
    auto link = open_or_fail(kCaptures + "malformed.pcap");
    const Drained d = drain(*link, 7);
    CHECK(d.batch_sizes == std::vector<std::size_t>{7, 7, 7, 7, 7, 7, 7, 1});
    CHECK(d.frames.size() == 50);
}

TEST_CASE("pcap link stops at a record cut off by a truncated file and counts it", "[link][pcap]") {
    const std::string original = kCaptures + "linux-udp-multicast-v4.pcap";
    const Bytes file = read_file(original);
    const auto records = walk_pcap(file);
    REQUIRE(records.size() > 100);
    const std::size_t kept = 100;  // records 0..99 are complete
    const std::size_t boundary = records[kept].offset;

    // Cut inside the 16-byte record header, and inside the record's data.
    const std::size_t extra = GENERATE(5U, 16U + 10U);
    INFO("cut " << extra << " bytes into record " << kept);
    TempDir dir;
    const std::string path = dir.file("cut.pcap");
    write_file(path, file.data(), boundary + extra);

    auto link = open_or_fail(path);
    const Drained d = drain(*link);
    CHECK(d.frames.size() == kept);
    CHECK(link->frames_read() == kept);
    CHECK(link->malformed_records() == 1);
    CHECK(d.end.kind == LinkError::Kind::Closed);
    CHECK_THAT(d.end.message, Catch::Contains("truncated"));
    for (std::size_t i = 0; i < kept; ++i) {
        CHECK(d.frames[i] == records[i].data);
    }
}

TEST_CASE("pcap link ends cleanly on a file cut at a record boundary or holding no records",
          "[link][pcap]") {
    const Bytes file = read_file(kCaptures + "linux-igmpv2-join-leave.pcap");
    const auto records = walk_pcap(file);
    const std::size_t kept = GENERATE(0U, 3U);
    const std::size_t cut = kept == 0 ? 24 : records[kept].offset;
    TempDir dir;
    const std::string path = dir.file("short.pcap");
    write_file(path, file.data(), cut);

    auto link = open_or_fail(path);
    const Drained d = drain(*link);
    CHECK(d.frames.size() == kept);
    CHECK(link->malformed_records() == 0);
    CHECK(d.end.kind == LinkError::Kind::Closed);
}

TEST_CASE("pcap link replays pcapng and skips records longer than kMaxFrameLen", "[link][pcap]") {
    TempDir dir;
    const std::string path = dir.file("sizes.pcapng");
    const std::vector<std::size_t> sizes{60, kMaxFrameLen + 1, kMaxFrameLen, 1514, 20000};
    {
        auto w = PcapngWriter::create(path);
        REQUIRE(w.has_value());
        (*w)->add_interface("a");
        (*w)->add_interface("b", "second");
        std::uint32_t ifx = 0;
        for (std::size_t n : sizes) {
            Bytes f(n, static_cast<std::uint8_t>(n & 0xff));
            (*w)->write(ifx, 1'000'000'000ULL * n, f, Direction::Inbound);
            ifx ^= 1U;
        }
    }
    auto link = open_or_fail(path);
    const Drained d = drain(*link);
    REQUIRE(d.frames.size() == 3);
    CHECK(d.frames[0] == Bytes(60, 60));
    CHECK(d.frames[1] == Bytes(kMaxFrameLen, kMaxFrameLen & 0xff));
    CHECK(d.frames[2] == Bytes(1514, 1514 & 0xff));
    CHECK(link->oversized_records() == 2);
    CHECK(link->malformed_records() == 0);
    CHECK(d.end.kind == LinkError::Kind::Closed);
}

TEST_CASE("pcap link refuses a capture whose link type is not Ethernet", "[link][pcap]") {
    TempDir dir;
    const std::string path = dir.file("raw-ip.pcap");
    {
        pcap_t* dead = pcap_open_dead(DLT_RAW, 65535);
        REQUIRE(dead != nullptr);
        pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
        REQUIRE(dumper != nullptr);
        const std::uint8_t ip[20] = {0x45, 0, 0, 20};
        pcap_pkthdr hdr{};
        hdr.caplen = hdr.len = sizeof ip;
        pcap_dump(reinterpret_cast<u_char*>(dumper), &hdr, ip);
        pcap_dump_close(dumper);
        pcap_close(dead);
    }
    auto link = open_pcap_link(path, "pcap://" + path);
    REQUIRE_FALSE(link.has_value());
    CHECK(link.error().kind == LinkError::Kind::Unavailable);
    CHECK_THAT(link.error().message, Catch::Contains(path) && Catch::Contains("link type") &&
                                         Catch::Contains("Ethernet"));
}

TEST_CASE("pcap link reports a missing or corrupt file at open", "[link][pcap]") {
    TempDir dir;
    SECTION("missing") {
        const std::string path = dir.file("none.pcap");
        auto link = open_pcap_link(path, "pcap://" + path);
        REQUIRE_FALSE(link.has_value());
        CHECK(link.error().kind == LinkError::Kind::Io);
        CHECK_THAT(link.error().message,
                   Catch::Contains(path) && Catch::Contains("No such file or directory"));
    }
    SECTION("not a capture file") {
        const std::string path = dir.file("garbage.pcap");
        const std::string text = "this is not a capture file, just some text for libpcap\n";
        write_file(path, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
        auto link = open_pcap_link(path, "pcap://" + path);
        REQUIRE_FALSE(link.has_value());
        CHECK(link.error().kind == LinkError::Kind::Io);
        CHECK_THAT(link.error().message, Catch::Contains(path));
    }
    SECTION("file header cut short") {
        const Bytes file = read_file(kCaptures + "linux-igmpv2-join-leave.pcap");
        const std::string path = dir.file("header.pcap");
        write_file(path, file.data(), 10);
        auto link = open_pcap_link(path, "pcap://" + path);
        REQUIRE_FALSE(link.has_value());
        CHECK_THAT(link.error().message, Catch::Contains(path));
    }
}

TEST_CASE("pcap link discards what is sent to it", "[link][pcap]") {
    auto link = open_or_fail(kCaptures + "linux-igmpv2-join-leave.pcap");
    const Bytes frame(60, 0xa5);
    CHECK(link->send(frame).has_value());
    CHECK(link->send(frame).has_value());
    CHECK(link->frames_discarded() == 2);
    CHECK(drain(*link).frames.size() == 6);  // sending did not disturb the replay
}

}  // namespace caplnet::netif
