#pragma once
// Armed timers ordered by expiry. GroupEngine keeps one or two timers per group; finding the
// earliest by walking every group after each join made joining n groups quadratic
// (BENCHMARKS.md, figure 3). Here the earliest is the first element and a poll reads only what
// has expired. Every arm, re-arm and cancel is O(log n); a cancelled timer leaves nothing behind.
#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace caplnet::stack {

using Millis = std::uint64_t;  // time since the node started

template <class Key>
class TimerSet {
public:
    /// Moves `key`'s timer from `from` (its current expiry, nullopt: not armed) to `to`
    /// (nullopt: cancel). The caller keeps the current expiry; this set mirrors it.
    void move(const Key& key, std::optional<Millis> from, std::optional<Millis> to) {
        if (from == to) return;
        if (from) entries_.erase({*from, key});
        if (to) entries_.emplace(*to, key);
    }

    std::optional<Millis> earliest() const {
        if (entries_.empty()) return std::nullopt;
        return entries_.begin()->first;
    }

    /// The keys whose timers expired at or before `now`, earliest first. They stay armed: the
    /// caller moves or cancels each as it handles it.
    std::vector<Key> expired(Millis now) const {
        std::vector<Key> keys;
        for (auto it = entries_.begin(); it != entries_.end() && it->first <= now; ++it) {
            keys.push_back(it->second);
        }
        return keys;
    }

    std::size_t size() const { return entries_.size(); }

private:
    std::set<std::pair<Millis, Key>> entries_;
};

}  // namespace caplnet::stack
