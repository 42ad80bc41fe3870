#include "netif/switch/mac_table.hpp"

#include <algorithm>
#include <bit>

namespace caplnet::netif {

MacTable::MacTable(std::size_t max_entries, std::chrono::seconds aging)
    : max_entries_(std::max<std::size_t>(max_entries, 1)), aging_(aging) {
    // At most half full, so probe chains stay short.
    const std::size_t cap = std::bit_ceil(max_entries_ * 2);
    mask_ = cap - 1;
    slots_.resize(cap);
    spare_.resize(cap);
}

std::uint64_t MacTable::make_key(const wire::MacAddress& mac, LanId lan) {
    std::uint64_t k = 0;
    for (auto o : mac.octets) {
        k = (k << 8) | o;
    }
    return (k << 16) | lan;
}

std::size_t MacTable::home(std::uint64_t key) const {
    // splitmix64 finaliser: MACs of one vendor differ only in their low bits.
    std::uint64_t z = key + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<std::size_t>(z) & mask_;
}

std::optional<unsigned> MacTable::lookup(const wire::MacAddress& mac, LanId lan,
                                         Clock::time_point now) const {
    const std::uint64_t key = make_key(mac, lan);
    for (std::size_t i = home(key), n = 0; n <= mask_; i = (i + 1) & mask_, ++n) {
        const Slot& s = slots_[i];
        if (s.state == SlotState::Empty) {
            return std::nullopt;
        }
        if (s.state == SlotState::Used && s.key == key) {
            if (expired(s, now)) {
                return std::nullopt;
            }
            return s.port;
        }
    }
    return std::nullopt;
}

bool MacTable::learn(const wire::MacAddress& mac, LanId lan, unsigned port, Clock::time_point now) {
    const std::uint64_t key = make_key(mac, lan);
    Slot* reuse = nullptr;  // first deleted or expired slot on the chain
    std::size_t i = home(key);
    for (std::size_t n = 0; n <= mask_; i = (i + 1) & mask_, ++n) {
        Slot& s = slots_[i];
        if (s.state == SlotState::Empty) {
            break;
        }
        if (s.state == SlotState::Used && s.key == key) {
            s.port = port;
            s.last_seen = now;
            return true;
        }
        if (reuse == nullptr && (s.state == SlotState::Deleted || expired(s, now))) {
            reuse = &s;
        }
    }
    if (reuse != nullptr) {
        if (reuse->state == SlotState::Deleted) {
            --deleted_;
            ++used_;
        }
        *reuse = Slot{key, now, port, SlotState::Used};
        return true;
    }
    if (used_ >= max_entries_) {
        rebuild(now);  // drops expired entries; may make room
        if (used_ >= max_entries_) {
            return false;
        }
        return learn(mac, lan, port, now);
    }
    if (used_ + deleted_ + 1 > (mask_ + 1) * 3 / 4) {
        rebuild(now);
        return learn(mac, lan, port, now);
    }
    slots_[i] = Slot{key, now, port, SlotState::Used};
    ++used_;
    return true;
}

void MacTable::forget_port(unsigned port) {
    for (Slot& s : slots_) {
        if (s.state == SlotState::Used && s.port == port) {
            s.state = SlotState::Deleted;
            --used_;
            ++deleted_;
        }
    }
}

void MacTable::rebuild(Clock::time_point now) {
    std::fill(spare_.begin(), spare_.end(), Slot{});
    std::size_t used = 0;
    for (const Slot& s : slots_) {
        if (s.state != SlotState::Used || expired(s, now)) {
            continue;
        }
        std::size_t i = home(s.key);
        while (spare_[i].state != SlotState::Empty) {
            i = (i + 1) & mask_;
        }
        spare_[i] = s;
        ++used;
    }
    slots_.swap(spare_);
    used_ = used;
    deleted_ = 0;
}

}  // namespace caplnet::netif
