// The wake-up protocol of a ring port with real eventfds: a reader that polls its eventfd
// between receive() calls (as the node and the switch do) never sleeps on a non-empty ring, and
// a writer waiting for room is woken when the reader frees it.
#include "netif/link/ring_endpoint.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

namespace caplnet::netif {
namespace {

/// Both ends of one ring port in this process: the switch's and the client's.
struct Pair {
    std::unique_ptr<RingEndpoint> sw;
    std::unique_ptr<RingEndpoint> client;
    Pair() {
        auto m = RingMapping::create(kRingDataLen, "test");
        REQUIRE(m);
        const int to_client = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        const int to_switch = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        REQUIRE(to_client >= 0);
        REQUIRE(to_switch >= 0);
        auto attached = RingMapping::attach(::dup(m->fd()), kRingDataLen);
        REQUIRE(attached);
        client = std::make_unique<RingEndpoint>(std::move(*attached), false, ::dup(to_client),
                                                ::dup(to_switch));
        sw = std::make_unique<RingEndpoint>(std::move(*m), true, to_switch, to_client);
    }
};

bool poll_in(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1;
}

TEST_CASE("A polling reader gets every frame of a bursty writer without a lost wake-up",
          "[link][ring]") {
    Pair pair;
    constexpr std::uint32_t kFrames = 300'000;
    std::atomic<bool> writer_failed{false};
    std::thread writer([&] {
        // The switch's way: a batch of pushes, one wake-up; pauses of random length between
        // batches so the reader keeps falling asleep and being woken at every phase.
        std::mt19937 rng(7);
        std::vector<std::uint8_t> f(64, 0);
        for (std::uint32_t i = 0; i < kFrames;) {
            const std::uint32_t batch = 1 + rng() % 40;
            for (std::uint32_t k = 0; k < batch && i < kFrames; ++k) {
                std::memcpy(f.data(), &i, 4);
                if (pair.sw->push(f) == RingProducer::Push::Ok) {
                    ++i;
                } else {
                    pair.sw->wake_peer();
                    if (!pair.sw->wait_writable(f.size(), 5000)) {
                        writer_failed = true;  // never woken for room (Catch is not thread-safe)
                        return;
                    }
                }
            }
            pair.sw->wake_peer();
            if (rng() % 4 == 0) {
                std::this_thread::sleep_for(std::chrono::microseconds(rng() % 50));
            }
        }
    });
    // The node's way: poll the eventfd, one receive() per wake-up.
    FrameBatch batch(32);
    std::uint32_t got = 0;
    std::uint32_t out_of_order = 0;
    std::uint32_t stuck = 0;
    while (got < kFrames) {
        if (!poll_in(pair.client->own_fd(), 2000)) {
            ++stuck;  // asleep although frames may wait: a lost wake-up
            if (pair.client->readable() || stuck > 3) {
                break;
            }
            continue;
        }
        const std::size_t n = pair.client->receive(batch);
        for (std::size_t i = 0; i < n; ++i, ++got) {
            std::uint32_t seq = 0;
            std::memcpy(&seq, batch.frame(i).data(), 4);
            out_of_order += seq == got ? 0 : 1;
        }
    }
    writer.join();
    CHECK_FALSE(writer_failed);
    CHECK(stuck == 0);
    CHECK(got == kFrames);
    CHECK(out_of_order == 0);
    CHECK_FALSE(pair.client->broken());
}

TEST_CASE("An idle pair of ring endpoints makes no wake-ups", "[link][ring]") {
    Pair pair;
    CHECK_FALSE(poll_in(pair.client->own_fd(), 0));
    CHECK_FALSE(poll_in(pair.sw->own_fd(), 0));
    std::vector<std::uint8_t> f(60, 1);
    REQUIRE(pair.client->push(f) == RingProducer::Push::Ok);
    pair.client->wake_peer();
    CHECK(poll_in(pair.sw->own_fd(), 1000));  // the switch slept: woken once
    FrameBatch batch(4);
    CHECK(pair.sw->receive(batch) == 1);
    CHECK_FALSE(poll_in(pair.sw->own_fd(), 0));  // drained and asleep again: fd quiet
}

}  // namespace
}  // namespace caplnet::netif
