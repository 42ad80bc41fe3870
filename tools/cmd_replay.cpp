// `caplnet replay CAPTURE --into URL`: injects a pcap/pcapng capture into a link (normally
// ring://DIR[N] or vde://DIR[N] of a running `caplnet switch`, or tap://NAME).
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "netif/link/link.hpp"
#include "netif/replay/replayer.hpp"
#include "tools/commands.hpp"
#include "tools/stop_signals.hpp"

namespace caplnet::tools {

namespace {

struct ReplayArgs {
    std::string capture;
    std::string into;
    std::string filter;
    std::string timing = "recorded";
    double speed = 1.0;
    unsigned loops = 1;
    std::string vlan_add;
    bool vlan_strip = false;
    std::vector<std::string> vlan_maps;
    std::string dst_mac;
    bool dst_mac_all = false;
    unsigned mtu = 1500;
    std::string json;
};

std::optional<unsigned> parse_number(const std::string& s, unsigned max) {
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const unsigned long v = std::stoul(s);
    if (v > max) return std::nullopt;
    return static_cast<unsigned>(v);
}

// Fills opts.edits from the VLAN and MAC arguments; an error text on a bad value.
std::string parse_edits(const ReplayArgs& a, wire::FrameEdits& e) {
    if (!a.vlan_add.empty()) {
        const auto colon = a.vlan_add.find(':');
        const auto id = parse_number(a.vlan_add.substr(0, colon), wire::kMaxVlanId);
        std::optional<unsigned> pcp = 0U;
        if (colon != std::string::npos) pcp = parse_number(a.vlan_add.substr(colon + 1), 7);
        if (!id || *id == 0 || !pcp) return "--vlan-add wants ID[:PCP] (ID 1..4094, PCP 0..7), not '" + a.vlan_add + "'";
        wire::VlanTci tci;
        tci.vlan_id = static_cast<std::uint16_t>(*id);
        tci.priority = static_cast<std::uint8_t>(*pcp);
        e.vlan_add = tci;
    }
    e.vlan_strip = a.vlan_strip;
    for (const auto& m : a.vlan_maps) {
        const auto colon = m.find(':');
        const auto from = colon == std::string::npos ? std::nullopt : parse_number(m.substr(0, colon), 4095);
        const auto to = colon == std::string::npos ? std::nullopt : parse_number(m.substr(colon + 1), wire::kMaxVlanId);
        if (!from || !to) return "--vlan-map wants FROM:TO (VIDs 0..4095 -> 0..4094), not '" + m + "'";
        e.vlan_map.emplace_back(static_cast<std::uint16_t>(*from), static_cast<std::uint16_t>(*to));
    }
    if (!a.dst_mac.empty()) {
        auto mac = wire::MacAddress::parse(a.dst_mac);
        if (!mac) return "--dst-mac wants a MAC address like 02:00:00:00:00:0b, not '" + a.dst_mac + "'";
        e.destination = *mac;
        e.destination_unicast_only = !a.dst_mac_all;
    }
    return {};
}

int run_replay(const ReplayArgs& args) {
    netif::ReplayOptions opts;
    opts.capture = args.capture;
    opts.filter = args.filter;
    opts.timing = args.timing == "top" ? netif::ReplayTiming::Top : netif::ReplayTiming::Recorded;
    opts.speed = args.speed;
    opts.loops = args.loops;
    opts.check_max_frame_len = args.mtu + wire::kEthernetHeaderLen;
    if (auto err = parse_edits(args, opts.edits); !err.empty()) {
        std::cerr << "error: " << err << '\n';
        return 2;
    }
    const bool progress = ::isatty(STDERR_FILENO) != 0;
    if (progress) {
        opts.progress = [](const netif::ReplayProgress& p) {
            std::fprintf(stderr, "\rreplay: loop %u, %llu frames read, %llu injected, %.1f s   ", p.loop,
                         static_cast<unsigned long long>(p.frames_read),
                         static_cast<unsigned long long>(p.injected),
                         static_cast<double>(p.elapsed.count()) / 1e9);
        };
    }

    netif::LinkOptions link_opts;
    link_opts.description = "caplnet replay";
    auto link = netif::open_link(args.into, link_opts);
    if (!link) {
        std::cerr << "error: " << link.error().message << '\n';
        return 2;
    }

    // SIGINT/SIGTERM end the replay early; the report is still printed.
    block_stop_signals();
    std::atomic<bool> stop{false};
    netif::Replayer replayer(opts);
    Expected<netif::ReplayReport, std::string> report = unexpected(std::string("not run"));
    run_until_stop_signal([&] { report = replayer.run(**link, stop); }, [&] { stop = true; });
    if (progress) std::fputs("\n", stderr);

    if (!report) {
        std::cerr << "error: " << report.error() << '\n';
        return 1;
    }
    std::printf("replay of %s into %s\n%s", args.capture.c_str(), args.into.c_str(),
                netif::format_report(*report).c_str());
    std::fflush(stdout);
    if (!args.json.empty()) {
        std::ofstream out(args.json);
        out << netif::report_json(*report);
        if (!out) {
            std::cerr << "error: cannot write " << args.json << '\n';
            return 1;
        }
    }
    return report->interrupted ? 130 : 0;
}

}  // namespace

void add_replay_command(CLI::App& app, int& status) {
    auto* cmd = app.add_subcommand(
        "replay", "Inject the frames of a pcap/pcapng capture into a link (ring://DIR[N], vde://DIR[N], tap://NAME, ...)");
    auto args = std::make_shared<ReplayArgs>();
    cmd->add_option("capture", args->capture, "pcap or pcapng file of Ethernet frames")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--into", args->into, "Link URL to inject into: ring://DIR[N], vde://DIR[N], tap://NAME, ...")->required();
    cmd->add_option("--filter", args->filter, "BPF filter (tcpdump syntax): only matching frames are injected");
    cmd->add_option("--timing", args->timing,
                    "recorded: each frame at its recorded offset from the first (default); "
                    "top: as fast as the link takes them")
        ->check(CLI::IsMember({"recorded", "top"}));
    cmd->add_option("--speed", args->speed, "Recorded timing: play F times as fast (offsets / F)")
        ->check(CLI::Range(1e-3, 1e6));
    cmd->add_option("--loop", args->loops, "Play the capture N times")->check(CLI::Range(1U, 1000000U));
    cmd->add_option("--vlan-add", args->vlan_add, "ID[:PCP]: tag untagged frames with VLAN ID, priority PCP");
    cmd->add_flag("--vlan-strip", args->vlan_strip, "Remove the outer 802.1Q tag (802.1ad S-tags stay)");
    cmd->add_option("--vlan-map", args->vlan_maps, "FROM:TO: rewrite outer 802.1Q VID FROM to TO; repeatable");
    cmd->add_option("--dst-mac", args->dst_mac,
                    "Rewrite the destination MAC of unicast frames (multicast and broadcast keep theirs)");
    cmd->add_flag("--dst-mac-all", args->dst_mac_all, "With --dst-mac: rewrite every frame's destination");
    cmd->add_option("--mtu", args->mtu, "MTU that frames are judged malformed against (default 1500)")
        ->check(CLI::Range(68U, 9216U));
    cmd->add_option("--json", args->json, "Also write the report as JSON to this file");
    cmd->callback([args, &status] { status = run_replay(*args); });
}

}  // namespace caplnet::tools
