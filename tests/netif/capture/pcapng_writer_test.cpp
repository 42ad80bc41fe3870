// PcapngWriter against two independent readers: libpcap (pcap_open_offline) and tshark 4.0.
#include "netif/capture/pcapng_writer.hpp"

#include <pcap/pcap.h>
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace caplnet::netif {
namespace {

namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "caplnet-pcapng-XXXXXX").string();
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

struct CommandResult {
    int status = -1;
    std::string out;
};

CommandResult run(const std::string& cmd) {
    CommandResult r;
    std::FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buf{};
    std::size_t got = 0;
    while ((got = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
        r.out.append(buf.data(), got);
    }
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

// tshark warns on stderr when run as root; that line is not a complaint about the file.
std::string without_root_warning(const std::string& text) {
    std::string out;
    for (const auto& l : lines(text)) {
        if (l.find("Running as user") == std::string::npos) {
            out += l + "\n";
        }
    }
    return out;
}

using Frame = std::vector<std::uint8_t>;

// clang-format off
// ARP request, 192.0.2.1 asks for 192.0.2.2 (RFC 826), unpadded as a sender's tap sees it: 42 bytes.
const Frame kArpRequest{
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // destination: broadcast
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source
    0x08, 0x06,                          // ethertype: ARP
    0x00, 0x01,                          // htype: Ethernet
    0x08, 0x00,                          // ptype: IPv4
    0x06, 0x04,                          // hlen, plen
    0x00, 0x01,                          // oper: request
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // sha
    0xc0, 0x00, 0x02, 0x01,              // spa 192.0.2.1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // tha
    0xc0, 0x00, 0x02, 0x02};             // tpa 192.0.2.2

// 802.1Q-tagged UDP datagram to 239.0.0.123:40001 ("hello"): 51 bytes, so the EPB needs padding.
const Frame kTaggedUdp{
    0x01, 0x00, 0x5e, 0x00, 0x00, 0x7b,  // destination: 239.0.0.123's group MAC
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // source
    0x81, 0x00,                          // TPID: 802.1Q
    0x60, 0x0a,                          // TCI: PCP 3, DEI 0, VID 10
    0x08, 0x00,                          // ethertype: IPv4
    0x45, 0x00,                          // version 4, IHL 5; TOS 0
    0x00, 0x21,                          // total length 33
    0x00, 0x01, 0x40, 0x00,              // id 1; DF
    0x01, 0x11,                          // TTL 1; protocol UDP
    0xc8, 0x4d,                          // header checksum (computed for these bytes)
    0xc0, 0x00, 0x02, 0x02,              // source 192.0.2.2
    0xef, 0x00, 0x00, 0x7b,              // destination 239.0.0.123
    0xc3, 0x50, 0x9c, 0x41,              // ports 50000 -> 40001
    0x00, 0x0d, 0x00, 0x00,              // UDP length 13; checksum 0 (none, allowed in IPv4)
    'h', 'e', 'l', 'l', 'o'};
// clang-format on

// A 300-byte frame of the IEEE local experimental ethertype 0x88b5, payload byte i = i & 0xff.
Frame experimental_frame(std::size_t len) {
    Frame f{0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // destination
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source
            0x88, 0xb5};                         // ethertype: local experimental 1
    for (std::size_t i = f.size(); i < len; ++i) {
        f.push_back(static_cast<std::uint8_t>(i & 0xff));
    }
    return f;
}

struct Written {
    std::uint32_t interface_id;
    std::uint64_t timestamp_ns;
    Frame frame;
    Direction direction;
};

constexpr std::uint64_t kT0 = 1'700'000'000'123'456'789ULL;  // 2023-11-14T22:13:20.123456789Z

std::vector<Written> sample_frames() {
    return {
        {0, kT0, kArpRequest, Direction::Outbound},
        {1, kT0 + 1, kTaggedUdp, Direction::Inbound},
        {0, kT0 + 1'000'000'001ULL, experimental_frame(300), Direction::Inbound},
        {1, kT0 + 2'000'000'000ULL, kTaggedUdp, Direction::Outbound},
        {1, kT0 + 2'000'000'003ULL, kArpRequest, Direction::Unknown},
    };
}

std::string write_sample(const TempDir& dir) {
    const std::string path = dir.file("sample.pcapng");
    auto w = PcapngWriter::create(path);
    REQUIRE(w.has_value());
    CHECK((*w)->add_interface("node1", "ECU one on vde://sw") == 0);
    CHECK((*w)->add_interface("node2") == 1);
    for (const auto& f : sample_frames()) {
        (*w)->write(f.interface_id, f.timestamp_ns, f.frame, f.direction);
    }
    CHECK((*w)->packets_written() == 5);
    CHECK((*w)->packets_rejected() == 0);
    (*w)->flush();
    CHECK((*w)->good());
    return path;
}

struct PcapCloser {
    void operator()(pcap_t* p) const { pcap_close(p); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

PcapHandle open_nano(const std::string& path) {
    std::array<char, PCAP_ERRBUF_SIZE> err{};
    PcapHandle p(pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO,
                                                         err.data()));
    INFO(err.data());
    REQUIRE(p != nullptr);
    return p;
}

}  // namespace

TEST_CASE("pcapng with two interfaces reads back through libpcap with nanosecond timestamps",
          "[capture][pcapng]") {
    TempDir dir;
    const std::string path = write_sample(dir);
    auto p = open_nano(path);
    CHECK(pcap_datalink(p.get()) == DLT_EN10MB);

    const auto expected = sample_frames();
    std::size_t count = 0;
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    int rc = 0;
    while ((rc = pcap_next_ex(p.get(), &hdr, &data)) == 1) {
        REQUIRE(count < expected.size());
        const auto& want = expected[count];
        INFO("record " << count);
        CHECK(hdr->caplen == want.frame.size());
        CHECK(hdr->len == want.frame.size());
        CHECK(Frame(data, data + hdr->caplen) == want.frame);
        CHECK(static_cast<std::uint64_t>(hdr->ts.tv_sec) == want.timestamp_ns / 1'000'000'000ULL);
        // With PCAP_TSTAMP_PRECISION_NANO, tv_usec carries nanoseconds.
        CHECK(static_cast<std::uint64_t>(hdr->ts.tv_usec) == want.timestamp_ns % 1'000'000'000ULL);
        ++count;
    }
    CHECK(rc == PCAP_ERROR_BREAK);  // clean end of file, not a read error
    CHECK(count == expected.size());
}

TEST_CASE("pcapng decodes in tshark with interface names, directions and the 802.1Q tag",
          "[capture][pcapng][oracle]") {
    TempDir dir;
    const std::string path = write_sample(dir);

    const auto fields = run("tshark -r " + path +
                            " -T fields -E separator=/t -E occurrence=f"
                            " -e frame.interface_id -e frame.interface_name"
                            " -e frame.interface_description -e frame.packet_flags_direction"
                            " -e frame.len -e frame.cap_len -e frame.time_epoch"
                            " -e vlan.id -e vlan.priority 2>/dev/null");
    REQUIRE(fields.status == 0);
    const std::vector<std::string> want{
        "0\tnode1\tECU one on vde://sw\t0x00000002\t42\t42\t1700000000.123456789\t\t",
        "1\tnode2\t\t0x00000001\t51\t51\t1700000000.123456790\t10\t3",
        "0\tnode1\tECU one on vde://sw\t0x00000001\t300\t300\t1700000001.123456790\t\t",
        "1\tnode2\t\t0x00000002\t51\t51\t1700000002.123456789\t10\t3",
        "1\tnode2\t\t\t42\t42\t1700000002.123456792\t\t",
    };
    CHECK(lines(fields.out) == want);

    // No frame is malformed or carries an expert note of severity warning (0x00600000) or above.
    const auto flagged = run("tshark -r " + path +
                             " -Y '_ws.malformed || _ws.expert.severity >= 6291456'"
                             " -T fields -e frame.number 2>/dev/null");
    CHECK(flagged.status == 0);
    CHECK(flagged.out.empty());

    // Reading the whole file prints no complaint (a bad block length would end it early).
    const auto quiet = run("tshark -r " + path + " -q 2>&1");
    CHECK(quiet.status == 0);
    CHECK(without_root_warning(quiet.out).empty());

    // The expert summary lists nothing at warning level or above (it prints "Errors (N)" /
    // "Warns (N)" sections otherwise, e.g. for /work/shared/captures/malformed.pcap).
    const auto expert = run("tshark -r " + path + " -q -z expert,warn 2>/dev/null");
    CHECK(expert.status == 0);
    CHECK(expert.out.find_first_not_of(" \n") == std::string::npos);
}

TEST_CASE("pcapng with interfaces and no packets reads as an empty capture", "[capture][pcapng]") {
    TempDir dir;
    const std::string path = dir.file("empty.pcapng");
    {
        auto w = PcapngWriter::create(path);
        REQUIRE(w.has_value());
        (*w)->add_interface("node1");
    }
    auto p = open_nano(path);
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    CHECK(pcap_next_ex(p.get(), &hdr, &data) == PCAP_ERROR_BREAK);

    const auto count = run("tshark -r " + path + " -T fields -e frame.number 2>&1");
    CHECK(count.status == 0);
    CHECK(without_root_warning(count.out).empty());
}

TEST_CASE("pcapng cuts frames at the snaplen and keeps the original length", "[capture][pcapng]") {
    TempDir dir;
    const std::string path = dir.file("snap.pcapng");
    const Frame big = experimental_frame(1000);
    {
        auto w = PcapngWriter::create(path);
        REQUIRE(w.has_value());
        (*w)->add_interface("node1", {}, 62);  // not a multiple of 4: the cut record is padded
        (*w)->write(0, kT0, big, Direction::Inbound);
        (*w)->write(0, kT0 + 5, kArpRequest, Direction::Outbound);  // shorter: kept whole
    }
    auto p = open_nano(path);
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    REQUIRE(pcap_next_ex(p.get(), &hdr, &data) == 1);
    CHECK(hdr->caplen == 62);
    CHECK(hdr->len == 1000);
    CHECK(Frame(data, data + hdr->caplen) == Frame(big.begin(), big.begin() + 62));
    REQUIRE(pcap_next_ex(p.get(), &hdr, &data) == 1);
    CHECK(hdr->caplen == kArpRequest.size());
    CHECK(hdr->len == kArpRequest.size());
    CHECK(static_cast<std::uint64_t>(hdr->ts.tv_usec) == (kT0 + 5) % 1'000'000'000ULL);
    CHECK(pcap_next_ex(p.get(), &hdr, &data) == PCAP_ERROR_BREAK);

    const auto fields =
        run("tshark -r " + path + " -T fields -e frame.cap_len -e frame.len 2>/dev/null");
    CHECK(lines(fields.out) == std::vector<std::string>{"62\t1000", "42\t42"});
}

TEST_CASE("pcapng writer drops frames for interfaces it never described", "[capture][pcapng]") {
    TempDir dir;
    const std::string path = dir.file("bad-id.pcapng");
    {
        auto w = PcapngWriter::create(path);
        REQUIRE(w.has_value());
        (*w)->add_interface("node1");
        (*w)->write(1, kT0, kArpRequest, Direction::Inbound);
        (*w)->write(0, kT0, kArpRequest, Direction::Inbound);
        CHECK((*w)->packets_written() == 1);
        CHECK((*w)->packets_rejected() == 1);
    }
    auto p = open_nano(path);
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    CHECK(pcap_next_ex(p.get(), &hdr, &data) == 1);
    CHECK(pcap_next_ex(p.get(), &hdr, &data) == PCAP_ERROR_BREAK);
}

TEST_CASE("pcapng writer reports a file it cannot create", "[capture][pcapng]") {
    TempDir dir;
    const std::string path = dir.file("no/such/dir/x.pcapng");
    auto w = PcapngWriter::create(path);
    REQUIRE_FALSE(w.has_value());
    CHECK_THAT(w.error(), Catch::Contains(path) && Catch::Contains("No such file or directory"));
}

}  // namespace caplnet::netif
