// Figure 6: Ethernet frames through a VDE switch between two ports, via libvdeplug's vde:// client.
//   vde_blast recv URL IDLE_MS LIMIT_S
//       sends one frame from 02:00:00:00:be:02 (so the switch learns the port), prints "BENCH rx ready",
//       counts frames addressed to it until IDLE_MS without one (or LIMIT_S in all), then
//       "BENCH rx received N first_ns T0 last_ns T1"
//   vde_blast send URL SIZE SECONDS MAX
//       frames of SIZE bytes from 02:00:00:00:be:01 to 02:00:00:00:be:02 as fast as the switch takes them;
//       "BENCH tx sent S failed F start_ns T0 end_ns T1"
// Both sides move frames in batches of 128 (sendmmsg/recvmmsg on vde_datafd, which is what vde_send
// and vde_recv do one frame at a time for vde://), and the receiver copies out only the header: the
// load generators must cost their CPU less than the switch under test costs its own, or the figure
// measures them. Both switches get the same clients.
extern "C" {
#include <libvdeplug.h>
}
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {
long long now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}
constexpr unsigned kBatch = 128;
constexpr std::size_t kHeader = 14;
const unsigned char kTx[6] = {2, 0, 0, 0, 0xbe, 1}, kRx[6] = {2, 0, 0, 0, 0xbe, 2};
}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: vde_blast recv URL IDLE_MS LIMIT_S | send URL SIZE SECONDS MAX\n");
        return 2;
    }
    const std::string mode = argv[1];
    VDECONN* conn = vde_open(argv[2], const_cast<char*>("caplnet-bench"), nullptr);
    if (conn == nullptr) {
        std::perror("vde_open");
        return 1;
    }
    unsigned char frame[1600] = {};
    frame[12] = 0x88;
    frame[13] = 0xb5;  // local experimental ethertype
    if (mode == "recv") {
        const int idle_ms = std::atoi(argv[3]);
        const double limit_s = std::atof(argv[4]);
        std::memcpy(frame, "\xff\xff\xff\xff\xff\xff", 6);
        std::memcpy(frame + 6, kRx, 6);
        vde_send(conn, frame, 60, 0);
        std::printf("BENCH rx ready\n");
        std::fflush(stdout);
        long long received = 0, first = 0, last = 0;
        const long long end = now_ns() + static_cast<long long>(limit_s * 1e9);
        pollfd p{vde_datafd(conn), POLLIN, 0};
        static unsigned char bufs[kBatch][kHeader];
        mmsghdr msgs[kBatch];
        iovec iovs[kBatch];
        bool drained = true;  // poll only once recvmmsg has found the socket empty
        while (now_ns() < end) {
            if (drained && ::poll(&p, 1, received == 0 ? 100 : idle_ms) <= 0) {
                if (received > 0) break;
                continue;
            }
            for (unsigned i = 0; i < kBatch; ++i) {
                // Only the header is copied out: the receiver needs the destination address, and a
                // copy of the payload would be load-generator cost, not the switch's.
                iovs[i] = {bufs[i], kHeader};
                msgs[i] = {};
                msgs[i].msg_hdr.msg_iov = &iovs[i];
                msgs[i].msg_hdr.msg_iovlen = 1;
            }
            const int n = ::recvmmsg(p.fd, msgs, kBatch, MSG_DONTWAIT, nullptr);
            drained = n < static_cast<int>(kBatch);
            long long got = 0;
            for (int i = 0; i < n; ++i) {
                if (msgs[i].msg_len >= kHeader && std::memcmp(bufs[i], kRx, 6) == 0) ++got;
            }
            if (got > 0) {
                last = now_ns();
                if (received == 0) first = last;
                received += got;
            }
        }
        std::printf("BENCH rx received %lld first_ns %lld last_ns %lld\n", received, first, last);
        vde_close(conn);
        return 0;
    }
    const int size = std::atoi(argv[3]);
    const double seconds = std::atof(argv[4]);
    const long max = argc > 5 ? std::atol(argv[5]) : 10000000;
    std::memcpy(frame, kRx, 6);
    std::memcpy(frame + 6, kTx, 6);
    long sent = 0, failed = 0;
    const long long t0 = now_ns(), deadline = t0 + static_cast<long long>(seconds * 1e9);
    static unsigned char frames[kBatch][1600];
    mmsghdr msgs[kBatch];
    iovec iovs[kBatch];
    const int fd = vde_datafd(conn);
    while (sent + failed < max && now_ns() < deadline) {
        const unsigned n = static_cast<unsigned>(std::min<long>(kBatch, max - sent - failed));
        for (unsigned i = 0; i < n; ++i) {
            std::memcpy(frames[i], frame, 14);
            const long seq = sent + i;
            std::memcpy(frames[i] + 14, &seq, sizeof seq);
            iovs[i] = {frames[i], static_cast<size_t>(size)};
            msgs[i] = {};
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        // A blocking socket: a full switch queue makes the sender wait, as vde_send does.
        const int done = ::sendmmsg(fd, msgs, n, 0);
        if (done < 0) {
            ++failed;
        } else {
            sent += done;
        }
    }
    const long long t1 = now_ns();
    std::printf("BENCH tx sent %ld failed %ld start_ns %lld end_ns %lld\n", sent, failed, t0, t1);
    vde_close(conn);
    return 0;
}
