#include "netif/link/frame_ring.hpp"

#include <algorithm>
#include <cstring>

namespace caplnet::netif {

namespace {

constexpr std::size_t record_len(std::size_t frame_len) {
    return kRingRecordHeaderLen + ((frame_len + 7) & ~std::size_t{7});
}

// The wake-up protocol is Dekker's: each side stores its own word, then a full fence, then loads
// the other side's word; at least one of them sees the other's store, so a consumer that goes to
// sleep is never missed by a producer that has just published.
void full_fence() { std::atomic_thread_fence(std::memory_order_seq_cst); }

bool take_flag(std::atomic<std::uint32_t>& flag) {
    full_fence();
    // The load first: in the busy case the flag is 0 and no locked instruction is paid.
    return flag.load(std::memory_order_relaxed) != 0 && flag.exchange(0) != 0;
}

}  // namespace

RingProducer::RingProducer(RingHeader* header, std::uint8_t* data, std::size_t capacity)
    : header_(header), data_(data), capacity_(capacity) {}

bool RingProducer::read_tail(std::uint64_t& tail) {
    if (broken_) {
        return false;
    }
    tail = header_->tail.load(std::memory_order_acquire);
    // The consumer can only release what was published: anything else is a bug or an attack,
    // and trusting it would let us overwrite frames it has not read (or worse, its arithmetic).
    if (tail > head_ || head_ - tail > capacity_) {
        broken_ = true;
        return false;
    }
    return true;
}

bool RingProducer::has_room(std::uint64_t tail, std::size_t need) const {
    return capacity_ - (head_ - tail) >= need;
}

RingProducer::Push RingProducer::push(wire::Bytes frame) {
    if (frame.empty() || frame.size() > kMaxFrameLen) {
        return Push::TooLong;
    }
    std::uint64_t tail = 0;
    if (!read_tail(tail)) {
        return Push::Broken;
    }
    const std::size_t rec = record_len(frame.size());
    const std::size_t mask = capacity_ - 1;
    std::size_t off = head_ & mask;
    // A record never straddles the end: the rest of the lap is skipped with a marker. When the
    // ring is empty and we are in its second half, we also skip to offset 0, so a lightly used
    // ring only ever touches its first half (an idle node's resident size, BENCHMARKS figure 5).
    // Not earlier: the skipped bytes count as used until the consumer reads the marker, so a
    // restart from offset `off` leaves only `off` bytes for the burst that follows.
    const bool empty_restart = tail == head_ && off >= capacity_ / 2;
    const bool must_wrap = capacity_ - off < rec;
    if (empty_restart || must_wrap) {
        const std::size_t skip = capacity_ - off;
        if (!has_room(tail, skip + rec)) {
            return Push::Full;
        }
        // NOTE(bounds): off is a multiple of 8 below capacity_, so 4 bytes fit
        std::memcpy(data_ + off, &kRingWrapMarker, sizeof(kRingWrapMarker));
        head_ += skip;
        off = 0;
    } else if (!has_room(tail, rec)) {
        return Push::Full;
    }
    const auto len = static_cast<std::uint32_t>(frame.size());
    // NOTE(bounds): off + rec <= capacity_ by the wrap rule above
    std::memcpy(data_ + off, &len, sizeof(len));
    std::memcpy(data_ + off + kRingRecordHeaderLen, frame.data(), frame.size());
    head_ += rec;
    header_->head.store(head_, std::memory_order_release);
    return Push::Ok;
}

bool RingProducer::take_consumer_waiting() { return take_flag(header_->data_waiting); }

bool RingProducer::prepare_wait_for_space(std::size_t len) {
    header_->space_waiting.store(1, std::memory_order_seq_cst);
    full_fence();
    std::uint64_t tail = 0;
    if (!read_tail(tail)) {
        header_->space_waiting.store(0, std::memory_order_relaxed);
        return false;  // push() reports Broken
    }
    const std::size_t rec = record_len(std::min(len, kMaxFrameLen));
    const std::size_t off = head_ & (capacity_ - 1);
    const std::size_t need = capacity_ - off < rec ? capacity_ - off + rec : rec;
    if (has_room(tail, need)) {
        header_->space_waiting.store(0, std::memory_order_relaxed);
        return false;
    }
    return true;
}

RingConsumer::RingConsumer(RingHeader* header, const std::uint8_t* data, std::size_t capacity)
    : header_(header), data_(data), capacity_(capacity) {}

bool RingConsumer::read_head(std::uint64_t& head) {
    if (broken_) {
        return false;
    }
    head = header_->head.load(std::memory_order_acquire);
    if (head < tail_ || head - tail_ > capacity_) {
        broken_ = true;
        return false;
    }
    return true;
}

std::size_t RingConsumer::pop(FrameBatch& batch) {
    std::size_t n = 0;
    std::uint64_t head = 0;
    if (!read_head(head)) {
        batch.set_size(0);
        return 0;
    }
    const std::uint64_t start = tail_;
    const std::size_t mask = capacity_ - 1;
    while (n < batch.capacity() && tail_ != head) {
        const std::uint64_t avail = head - tail_;
        const std::size_t off = tail_ & mask;
        bool bad = avail < kRingRecordHeaderLen || (off & 7) != 0;
        std::uint32_t len = 0;
        if (!bad) {
            // Read once: the producer may rewrite the word after we checked it. NOTE(bounds):
            // off is 8-aligned and below capacity_, a multiple of 8, so 4 bytes fit.
            len = std::atomic_ref<std::uint32_t>(
                      *reinterpret_cast<std::uint32_t*>(const_cast<std::uint8_t*>(data_) + off))
                      .load(std::memory_order_relaxed);
            if (len == kRingWrapMarker) {
                const std::size_t skip = capacity_ - off;
                if (skip <= avail) {
                    tail_ += skip;
                    continue;
                }
                bad = true;
            } else {
                const std::size_t rec = record_len(len);
                bad = len == 0 || len > kMaxFrameLen || rec > avail || off + rec > capacity_;
            }
        }
        if (bad) {
            // Where the next record starts is unknown: drop everything published so far and
            // continue at the producer's head, which read_head() has checked.
            ++bad_records_;
            tail_ = head;
            break;
        }
        // NOTE(bounds): off + record_len(len) <= capacity_ and len <= kMaxFrameLen (the slot size)
        std::memcpy(batch.slot(n), data_ + off + kRingRecordHeaderLen, len);
        batch.set_length(n, len);
        ++n;
        tail_ += record_len(len);
    }
    if (tail_ != start) {
        header_->tail.store(tail_, std::memory_order_release);
    }
    batch.set_size(n);
    return n;
}

bool RingConsumer::readable() {
    std::uint64_t head = 0;
    if (!read_head(head)) {
        return broken_;
    }
    return head != tail_;
}

bool RingConsumer::prepare_wait() {
    header_->data_waiting.store(1, std::memory_order_seq_cst);
    full_fence();
    return !readable();
}

bool RingConsumer::finish_wait() { return header_->data_waiting.exchange(0) == 0; }

bool RingConsumer::take_producer_waiting() { return take_flag(header_->space_waiting); }

}  // namespace caplnet::netif
