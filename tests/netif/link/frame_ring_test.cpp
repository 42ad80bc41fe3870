// The shared-memory frame ring on plain memory: records, wrap-around, a full ring, the wake-up
// flags, two threads at full speed, and a hostile "other side" that scribbles on the header and
// the records.
#include "netif/link/frame_ring.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <thread>
#include <vector>

namespace caplnet::netif {
namespace {

using Frame = std::vector<std::uint8_t>;

constexpr std::size_t kCapacity = 64 * 1024;  // small enough to wrap often
static_assert(ring_capacity_valid(kCapacity));

/// One ring in ordinary memory, as the switch lays it out in the shared mapping.
struct TestRing {
    alignas(4096) std::uint8_t header_bytes[kRingHeaderLen];
    std::unique_ptr<std::uint8_t[]> data{new std::uint8_t[kCapacity]()};
    RingHeader* header = new (header_bytes) RingHeader;
    RingProducer producer{header, data.get(), kCapacity};
    RingConsumer consumer{header, data.get(), kCapacity};
};

/// A frame of `len` bytes whose content is derived from `seq`, so a mix-up shows.
Frame make_frame(std::size_t len, std::uint32_t seq) {
    Frame f(len);
    for (std::size_t i = 0; i < len; ++i) {
        f[i] = static_cast<std::uint8_t>(seq * 31 + i * 7);
    }
    if (len >= 4) {
        std::memcpy(f.data(), &seq, 4);
    }
    return f;
}

bool frame_matches(wire::Bytes got, std::size_t len, std::uint32_t seq) {
    const Frame want = make_frame(len, seq);
    return got.size() == len && std::memcmp(got.data(), want.data(), len) == 0;
}

TEST_CASE("Frames of varied lengths come out of the ring in order across many wrap-arounds",
          "[link][ring]") {
    TestRing r;
    FrameBatch batch(7);
    std::uint32_t sent = 0;
    std::uint32_t got = 0;
    std::size_t laps_bytes = 0;
    // Lengths cycle through tiny, odd, typical and jumbo sizes so records end at every
    // 8-byte phase and the wrap marker lands at many offsets.
    const std::size_t lengths[] = {1, 7, 60, 61, 64, 1514, 1518, 9000, kMaxFrameLen, 333, 8, 9};
    while (laps_bytes < 20 * kCapacity) {
        // Push until full, then pop a few batches, so the ring is never simply emptied.
        for (;;) {
            const std::size_t len = lengths[sent % std::size(lengths)];
            auto res = r.producer.push(make_frame(len, sent));
            if (res == RingProducer::Push::Full) {
                break;
            }
            REQUIRE(res == RingProducer::Push::Ok);
            laps_bytes += len;
            ++sent;
        }
        for (int b = 0; b < 3; ++b) {
            const std::size_t n = r.consumer.pop(batch);
            for (std::size_t i = 0; i < n; ++i, ++got) {
                REQUIRE(frame_matches(batch.frame(i), lengths[got % std::size(lengths)], got));
            }
        }
    }
    while (const std::size_t n = r.consumer.pop(batch)) {
        for (std::size_t i = 0; i < n; ++i, ++got) {
            REQUIRE(frame_matches(batch.frame(i), lengths[got % std::size(lengths)], got));
        }
    }
    CHECK(got == sent);
    CHECK(r.consumer.bad_records() == 0);
    CHECK_FALSE(r.consumer.readable());
}

TEST_CASE("A full ring refuses a push until the consumer frees room", "[link][ring]") {
    TestRing r;
    std::uint32_t pushed = 0;
    while (r.producer.push(make_frame(1514, pushed)) == RingProducer::Push::Ok) {
        ++pushed;
    }
    // 1514 bytes take a 1528-byte record: the data area holds 42 of them.
    CHECK(pushed == kCapacity / 1528);
    CHECK(r.producer.push(make_frame(1514, 999)) == RingProducer::Push::Full);
    CHECK(r.producer.prepare_wait_for_space(1514));  // it would sleep
    FrameBatch one(1);
    REQUIRE(r.consumer.pop(one) == 1);
    CHECK(frame_matches(one.frame(0), 1514, 0));
    CHECK(r.consumer.take_producer_waiting());        // the sleeper is woken once
    CHECK_FALSE(r.consumer.take_producer_waiting());
    CHECK(r.producer.push(make_frame(1514, pushed)) == RingProducer::Push::Ok);
}

TEST_CASE("The ring rejects empty and oversized frames", "[link][ring]") {
    TestRing r;
    CHECK(r.producer.push({}) == RingProducer::Push::TooLong);
    CHECK(r.producer.push(make_frame(kMaxFrameLen + 1, 1)) == RingProducer::Push::TooLong);
    CHECK(r.producer.push(make_frame(kMaxFrameLen, 1)) == RingProducer::Push::Ok);
}

TEST_CASE("An empty ring starts over at offset 0 so a quiet ring touches half its pages",
          "[link][ring]") {
    TestRing r;
    FrameBatch batch(4);
    for (std::uint32_t i = 0; i < 1000; ++i) {
        REQUIRE(r.producer.push(make_frame(1514, i)) == RingProducer::Push::Ok);
        REQUIRE(r.consumer.pop(batch) == 1);
        REQUIRE(frame_matches(batch.frame(0), 1514, i));
    }
    // 1000 records of 1528 bytes (23 laps' worth) went through, yet the producer never wrote a
    // record past the middle: the second half holds at most one, the rest is still zero.
    const std::size_t touched = kCapacity / 2 + 1528;
    bool rest_zero = true;
    for (std::size_t i = touched; i < kCapacity; ++i) {
        rest_zero = rest_zero && r.data[i] == 0;
    }
    CHECK(rest_zero);
}

TEST_CASE("A producer one frame ahead of its consumer never finds the ring full",
          "[link][ring]") {
    // The skip to offset 0 must not make the ring look full to the frames that follow it.
    TestRing r;
    FrameBatch batch(32);
    std::uint32_t full = 0;
    for (std::uint32_t i = 0; i < 20000; ++i) {
        const std::size_t len = 60 + (i * 37) % 100;
        if (r.producer.push(make_frame(len, i)) != RingProducer::Push::Ok) {
            ++full;
        }
        if (i % 3 == 0) {
            r.consumer.pop(batch);
        }
    }
    CHECK(full == 0);
}

TEST_CASE("The wake-up flags make a sleeping consumer visible to the producer exactly once",
          "[link][ring]") {
    TestRing r;
    FrameBatch batch(4);
    CHECK_FALSE(r.producer.take_consumer_waiting());  // nobody sleeps: no wake-up, no syscall
    REQUIRE(r.consumer.prepare_wait());                // empty: the consumer may sleep
    REQUIRE(r.producer.push(make_frame(60, 1)) == RingProducer::Push::Ok);
    CHECK(r.producer.take_consumer_waiting());
    CHECK_FALSE(r.producer.take_consumer_waiting());
    CHECK(r.consumer.finish_wait());  // the producer took the flag: a wake-up was sent
    CHECK(r.consumer.pop(batch) == 1);

    REQUIRE(r.producer.push(make_frame(60, 2)) == RingProducer::Push::Ok);
    CHECK_FALSE(r.consumer.prepare_wait());  // a frame is there: do not sleep
    CHECK_FALSE(r.consumer.finish_wait());   // flag withdrawn by the consumer itself
    CHECK(r.consumer.pop(batch) == 1);
}

/// Frame contents for the two-thread test, made cheaply: 256 patterns, the sequence number
/// stamped into the first 4 bytes.
class Patterns {
public:
    static constexpr std::size_t kMaxLen = 1514;
    Patterns() {
        for (std::size_t p = 0; p < 256; ++p) {
            for (std::size_t i = 0; i < kMaxLen; ++i) {
                bytes_[p][i] = static_cast<std::uint8_t>(p * 131 + i * 7);
            }
        }
    }
    static std::size_t length(std::uint32_t seq) { return 14 + (seq * 131) % (kMaxLen - 13); }
    wire::Bytes make(std::uint32_t seq, std::uint8_t* scratch) const {
        const std::size_t len = length(seq);
        std::memcpy(scratch, bytes_[seq & 0xff], len);
        std::memcpy(scratch, &seq, 4);
        return {scratch, len};
    }
    bool matches(wire::Bytes got, std::uint32_t seq) const {
        const std::size_t len = length(seq);
        return got.size() == len && std::memcmp(got.data(), &seq, 4) == 0 &&
               std::memcmp(got.data() + 4, bytes_[seq & 0xff] + 4, len - 4) == 0;
    }

private:
    std::uint8_t bytes_[256][kMaxLen];
};

TEST_CASE("Two threads move a million frames through the ring intact", "[link][ring]") {
    TestRing r;
    auto patterns = std::make_unique<Patterns>();
    constexpr std::uint32_t kFrames = 1'000'000;
    std::atomic<bool> failed{false};
    std::thread producer([&] {
        std::vector<std::uint8_t> scratch(Patterns::kMaxLen);
        for (std::uint32_t i = 0; i < kFrames;) {
            switch (r.producer.push(patterns->make(i, scratch.data()))) {
            case RingProducer::Push::Ok: ++i; break;
            case RingProducer::Push::Full: std::this_thread::yield(); break;
            default: failed = true; return;
            }
        }
    });
    FrameBatch batch(32);
    std::uint32_t got = 0;
    std::uint32_t mismatches = 0;
    while (got < kFrames && !failed) {
        const std::size_t n = r.consumer.pop(batch);
        if (n == 0) {
            std::this_thread::yield();
        }
        for (std::size_t i = 0; i < n; ++i, ++got) {
            mismatches += patterns->matches(batch.frame(i), got) ? 0 : 1;
        }
    }
    producer.join();
    CHECK_FALSE(failed);
    CHECK(got == kFrames);
    CHECK(mismatches == 0);
    CHECK(r.consumer.bad_records() == 0);
}

TEST_CASE("A corrupted record length is counted and the consumer recovers", "[link][ring]") {
    TestRing r;
    FrameBatch batch(8);
    REQUIRE(r.producer.push(make_frame(60, 1)) == RingProducer::Push::Ok);
    REQUIRE(r.producer.push(make_frame(60, 2)) == RingProducer::Push::Ok);
    // The other side overwrites the second record's length (at offset 8 + 64) with values that
    // would read past the ring, past kMaxFrameLen, or nothing at all.
    const std::uint32_t bad = GENERATE(0U, 0x7fffffffU, 9235U, 64U * 1024U, 200U);
    std::memcpy(r.data.get() + 72, &bad, 4);
    REQUIRE(r.consumer.pop(batch) == 1);  // the good first frame, then the bad one is skipped
    CHECK(frame_matches(batch.frame(0), 60, 1));
    CHECK(r.consumer.bad_records() == 1);
    CHECK_FALSE(r.consumer.broken());
    // Later records are read normally.
    REQUIRE(r.producer.push(make_frame(100, 3)) == RingProducer::Push::Ok);
    REQUIRE(r.consumer.pop(batch) == 1);
    CHECK(frame_matches(batch.frame(0), 100, 3));
}

TEST_CASE("A wrap marker that claims more than was published is a bad record", "[link][ring]") {
    TestRing r;
    FrameBatch batch(8);
    REQUIRE(r.producer.push(make_frame(60, 1)) == RingProducer::Push::Ok);
    std::memcpy(r.data.get(), &kRingWrapMarker, 4);  // "skip to the end": only 72 bytes exist
    CHECK(r.consumer.pop(batch) == 0);
    CHECK(r.consumer.bad_records() == 1);
}

TEST_CASE("An impossible head or tail breaks the ring without reading outside it",
          "[link][ring]") {
    TestRing r;
    FrameBatch batch(8);
    REQUIRE(r.producer.push(make_frame(60, 1)) == RingProducer::Push::Ok);
    SECTION("head beyond one capacity of unread bytes") {
        r.header->head.store(kCapacity * 5 + 3);
        CHECK(r.consumer.pop(batch) == 0);
        CHECK(r.consumer.broken());
        CHECK(r.consumer.readable());  // so a poller comes to see the breakage
        CHECK(r.consumer.pop(batch) == 0);
    }
    SECTION("head behind the consumer") {
        REQUIRE(r.consumer.pop(batch) == 1);
        r.header->head.store(0);
        CHECK(r.consumer.pop(batch) == 0);
        CHECK(r.consumer.broken());
    }
    SECTION("an unaligned head inside the window is survived record by record") {
        r.header->head.store(72 + 5);  // one record plus 5 bytes of nothing
        CHECK(r.consumer.pop(batch) == 1);
        CHECK(r.consumer.bad_records() == 1);
        CHECK_FALSE(r.consumer.broken());
        CHECK(r.consumer.pop(batch) == 0);
    }
    SECTION("a tail the consumer could not have reached") {
        r.header->tail.store(~std::uint64_t{0});
        CHECK(r.producer.push(make_frame(60, 2)) == RingProducer::Push::Broken);
        CHECK(r.producer.broken());
        CHECK_FALSE(r.producer.prepare_wait_for_space(60));
    }
}

}  // namespace
}  // namespace caplnet::netif
