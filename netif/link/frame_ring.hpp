#pragma once
// A single-producer single-consumer ring of variable-length Ethernet frames in memory shared by
// two processes (caplnet's switch and one of its ring:// clients). Pure code: no syscalls, so it
// is tested with two threads; the eventfds that wake a sleeping side live in ring_endpoint.
//
// The memory is shared with a process that may be buggy or hostile. Each side therefore keeps
// its own position privately and only *publishes* it in shared memory; what it reads from there
// (the other side's position, record lengths) is read once and bounds-checked before use. A
// side that sees nonsense counts it and either skips to a safe position or declares the ring
// broken; it never indexes outside `data[0, capacity)` and never asserts.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "netif/link/link.hpp"

namespace caplnet::netif {

/// The shared state of one ring. Each field sits on its own cache line: the producer writes
/// `head`, the consumer `tail`; the two flags are the halves of the wake-up protocol.
struct RingHeader {
    /// Bytes published by the producer since the ring was created (monotonic).
    alignas(64) std::atomic<std::uint64_t> head{0};
    /// Bytes released by the consumer (monotonic); head - tail is what is in the ring.
    alignas(64) std::atomic<std::uint64_t> tail{0};
    /// Set by the consumer before it sleeps; the producer takes it (sets 0) and wakes it.
    alignas(64) std::atomic<std::uint32_t> data_waiting{0};
    /// Set by the producer before it sleeps on a full ring; the consumer takes it and wakes it.
    alignas(64) std::atomic<std::uint32_t> space_waiting{0};
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "the ring is shared between processes: its atomics must not hide a lock");
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
inline constexpr std::size_t kRingHeaderLen = 256;
static_assert(sizeof(RingHeader) == kRingHeaderLen);

/// A record is a 4-byte length, 4 bytes of padding, the frame, padding to 8 bytes.
inline constexpr std::size_t kRingRecordHeaderLen = 8;
/// A length that means "nothing more this lap: continue at offset 0".
inline constexpr std::uint32_t kRingWrapMarker = 0xffffffffU;
inline constexpr std::size_t kRingMaxRecordLen = kRingRecordHeaderLen + ((kMaxFrameLen + 7) & ~std::size_t{7});

/// True for a data area size the ring accepts: a power of two that holds two largest records.
constexpr bool ring_capacity_valid(std::size_t capacity) {
    return capacity >= 2 * kRingMaxRecordLen && (capacity & (capacity - 1)) == 0 &&
           capacity <= (std::size_t{1} << 30);
}

/// The writing side. `header` and `data` point into the shared mapping.
class RingProducer {
public:
    enum class Push { Ok, Full, TooLong, Broken };

    RingProducer() = default;
    /// `capacity` must satisfy ring_capacity_valid (the caller checked it: it chose it).
    RingProducer(RingHeader* header, std::uint8_t* data, std::size_t capacity);

    /// Copies one frame in and publishes it. Full: no room now (the caller counts a drop or
    /// waits); TooLong: empty or longer than kMaxFrameLen; Broken: the consumer published a
    /// position that cannot be (see broken()).
    Push push(wire::Bytes frame);
    /// After a push (or a batch of them): true if the consumer is asleep and must be woken.
    /// Takes the consumer's flag, so one wake-up is sent per sleep.
    bool take_consumer_waiting();
    /// Before sleeping for room for a `len`-byte frame: sets the flag the consumer checks after
    /// it frees space. False if room appeared meanwhile (do not sleep; the flag is withdrawn).
    bool prepare_wait_for_space(std::size_t len);
    /// The consumer published a tail outside [head - capacity, head]; nothing more is pushed.
    bool broken() const { return broken_; }

private:
    bool has_room(std::uint64_t tail, std::size_t need) const;
    /// Reads and checks the consumer's tail; nullopt-like false when it is impossible.
    bool read_tail(std::uint64_t& tail);

    RingHeader* header_ = nullptr;
    std::uint8_t* data_ = nullptr;
    std::size_t capacity_ = 0;
    std::uint64_t head_ = 0;  // private copy: shared memory is never read back for it
    bool broken_ = false;
};

/// The reading side.
class RingConsumer {
public:
    RingConsumer() = default;
    RingConsumer(RingHeader* header, const std::uint8_t* data, std::size_t capacity);

    /// Copies up to batch.capacity() frames out (from slot 0; sets the batch size) and releases
    /// their space. Bad records are counted and skipped (the rest of what was published with them
    /// is discarded, since record boundaries after a bad length are unknown).
    std::size_t pop(FrameBatch& batch);
    /// True if frames are published and not yet popped (or the producer's head is bad).
    bool readable();
    /// Before sleeping: sets the flag the producer checks after publishing. False if frames
    /// came meanwhile; the flag then stays set and the caller must not rely on a wake-up.
    bool prepare_wait();
    /// After waking (or instead of sleeping): withdraws the flag. True if the producer had
    /// already taken it, i.e. it has sent (or is sending) a wake-up.
    bool finish_wait();
    /// After popping: true if the producer sleeps for space and must be woken (takes its flag).
    bool take_producer_waiting();

    /// Records with an impossible length or extent since creation.
    std::uint64_t bad_records() const { return bad_records_; }
    /// The producer published a head outside [tail, tail + capacity]: nothing more is popped.
    bool broken() const { return broken_; }

private:
    /// Reads and checks the producer's head.
    bool read_head(std::uint64_t& head);

    RingHeader* header_ = nullptr;
    const std::uint8_t* data_ = nullptr;
    std::size_t capacity_ = 0;
    std::uint64_t tail_ = 0;  // private copy
    std::uint64_t bad_records_ = 0;
    bool broken_ = false;
};

}  // namespace caplnet::netif
