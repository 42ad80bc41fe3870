// A caplnet node in its own executable: the seed example's receiver (examples/seed_multicast),
// with the leave on a timer instead of key 2.
//
//   standalone_node NODE.toml [--run-dir DIR] [--leave-after SECONDS] [--run-for SECONDS]
//
// Starts the node of NODE.toml (relative link paths resolve against DIR), opens 0.0.0.0:40001,
// joins 239.0.0.123 on ifIndex 1 and counts the datagrams it receives; after --leave-after seconds
// (default 5) it leaves the group, keeps listening until --run-for seconds (default 8) have passed,
// prints what it saw and exits with status 0 when it joined, received, left and received nothing
// after the leave.
#include <caplnet/capl.hpp>
#include <caplnet/node.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

using namespace caplnet::capl;

namespace {

UdpSocket gSocket;
char gBuffer[1500];
msTimer gLeaveTimer;
capl_long gJoined = -1;
capl_long gLeft = -1;
bool gHasLeft = false;
dword gReceived = 0;           // before the leave
dword gReceivedAfterLeave = 0;

// CAPL: on UdpReceiveFrom. Runs on the node's program thread, like every handler below.
void OnUdpReceiveFrom(dword socket, capl_long result, IP_Endpoint remote, char buffer[], dword size) {
    if (!(gSocket == socket)) return;
    if (result == 0) {
        if (gHasLeft) {
            ++gReceivedAfterLeave;
            write("received after the leave: %.*s from %s", static_cast<int>(size), buffer,
                  remote.to_string().c_str());
        } else if (++gReceived % 50 == 1) {
            write("received %u: %.*s from %s", gReceived, static_cast<int>(size), buffer,
                  remote.to_string().c_str());
        }
    }
    gSocket.ReceiveFrom(gBuffer, sizeof gBuffer);  // re-arm
}

int usage(const char* argv0) {
    std::fprintf(stderr, "usage: %s NODE.toml [--run-dir DIR] [--leave-after SECONDS] [--run-for SECONDS]\n",
                 argv0);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage(argv[0]);
    caplnet::NodeStartOptions opts;
    int leave_after = 5;
    int run_for = 8;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) return usage(argv[0]);
        if (arg == "--run-dir") {
            opts.run_dir = argv[++i];
        } else if (arg == "--leave-after") {
            leave_after = std::atoi(argv[++i]);
        } else if (arg == "--run-for") {
            run_for = std::atoi(argv[++i]);
        } else {
            return usage(argv[0]);
        }
    }

    try {
        // Reads and checks the node file, opens the links, starts lwIP and waits for IPv6 DAD.
        auto node = caplnet::Node::start(argv[1], opts);
        auto& program = node.program();

        // CAPL: on start
        program.on_start([leave_after] {
            gSocket = UdpSocket::Open(IP_Endpoint("0.0.0.0:40001"));
            gJoined = gSocket.JoinMulticastGroup(1, IP_Address("239.0.0.123"));
            write("joined 239.0.0.123 on ifIndex 1: %d", gJoined);
            gSocket.ReceiveFrom(gBuffer, sizeof gBuffer);
            setTimer(gLeaveTimer, leave_after * 1000);
        });
        program.OnUdpReceiveFrom(OnUdpReceiveFrom);
        // CAPL: on timer gLeaveTimer
        gLeaveTimer.on_elapsed([] {
            gLeft = gSocket.LeaveMulticastGroup(1, IP_Address("239.0.0.123"));
            gHasLeft = true;
            write("left 239.0.0.123 on ifIndex 1: %d after %u datagrams", gLeft, gReceived);
        });
        // CAPL: on stop
        program.on_stop([] { gSocket.Close(); });

        // Runs `on start`, then the handlers and timers, on this thread until the time is up.
        node.run_for(std::chrono::seconds(run_for));

        write("done: %u datagrams before the leave, %u after", gReceived, gReceivedAfterLeave);
        const bool ok = gJoined == 0 && gReceived > 0 && gHasLeft && gLeft == 0 && gReceivedAfterLeave == 0;
        return ok ? 0 : 1;  // ~Node runs `on stop` and stops the node
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
