// The layering rules of DESIGN.md and STYLE.md, checked on the sources themselves:
// dependencies point down (tools -> capl_api -> stack -> netif), netif/wire is pure, lwIP stays
// out of capl_api, and OS networking/I-O headers live only in the link layer.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Include {
    std::string file;  // relative to the source dir
    std::string target;
    bool system;
};

std::vector<Include> includes_under(const std::string& folder) {
    std::vector<Include> out;
    const fs::path root(CAPLNET_SOURCE_DIR);
    if (!fs::exists(root / folder)) return out;
    static const std::regex re(R"(^\s*#\s*include\s*([<"])([^">]+)[">])");
    for (const auto& e : fs::recursive_directory_iterator(root / folder)) {
        const auto ext = e.path().extension();
        if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
        std::ifstream in(e.path());
        std::string line;
        while (std::getline(in, line)) {
            std::smatch m;
            if (std::regex_search(line, m, re)) {
                out.push_back({fs::relative(e.path(), root).string(), m[2], m[1] == "<"});
            }
        }
    }
    return out;
}

bool starts_with_any(const std::string& s, std::initializer_list<const char*> prefixes) {
    for (const char* p : prefixes) {
        if (s.rfind(p, 0) == 0) return true;
    }
    return false;
}

// Headers that reach the OS's networking and I/O: only the link layer may use them.
bool is_os_io_header(const std::string& h) {
    return starts_with_any(h, {"sys/socket", "sys/un", "sys/epoll", "sys/eventfd", "sys/ioctl",
                               "netinet/", "arpa/", "net/", "linux/", "poll.h", "pcap", "libvdeplug",
                               "ifaddrs"});
}

bool is_lwip_header(const std::string& h) {
    return starts_with_any(h, {"lwip", "netif/ethernet.h", "netif/driver/lwip.hpp"});
}

}  // namespace

TEST_CASE("netif/wire includes only the standard library and itself", "[layout]") {
    for (const auto& i : includes_under("netif/wire")) {
        INFO(i.file << " includes " << i.target);
        if (i.system) {
            // Standard headers have no extension and no directory; tl/expected is the Expected type.
            CHECK((i.target.find('.') == std::string::npos || i.target == "tl/expected.hpp"));
            CHECK((i.target.find('/') == std::string::npos || i.target == "tl/expected.hpp"));
        } else {
            CHECK(starts_with_any(i.target, {"netif/wire/"}));
        }
    }
}

TEST_CASE("Includes never point up the layers", "[layout]") {
    for (const auto& i : includes_under("netif")) {
        INFO(i.file << " includes " << i.target);
        CHECK_FALSE(starts_with_any(i.target, {"stack/", "capl_api/", "caplnet/", "tools/"}));
    }
    for (const auto& i : includes_under("stack")) {
        INFO(i.file << " includes " << i.target);
        CHECK_FALSE(starts_with_any(i.target, {"capl_api/", "caplnet/", "tools/"}));
    }
    for (const auto& i : includes_under("capl_api")) {
        INFO(i.file << " includes " << i.target);
        CHECK_FALSE(starts_with_any(i.target, {"tools/"}));
    }
}

TEST_CASE("lwIP stays out of capl_api and netif/wire", "[layout]") {
    for (const char* folder : {"capl_api", "netif/wire", "netif/link", "netif/capture"}) {
        for (const auto& i : includes_under(folder)) {
            INFO(i.file << " includes " << i.target);
            CHECK_FALSE(is_lwip_header(i.target));
        }
    }
}

TEST_CASE("OS networking and I/O headers appear only in the link layer", "[layout]") {
    for (const char* folder : {"netif", "stack", "capl_api"}) {
        for (const auto& i : includes_under(folder)) {
            // netif/link is the OS layer; netif/switch is the switch process's own socket server;
            // stack/os is the OS stack mode, the host's sockets (Seastar's POSIX network_stack).
            if (starts_with_any(i.file,
                                {"netif/link/", "netif/switch/", "stack/clock/", "stack/os/"})) {
                continue;
            }
            INFO(i.file << " includes " << i.target);
            CHECK_FALSE(is_os_io_header(i.target));
        }
    }
}
