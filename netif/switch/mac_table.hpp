#pragma once
// The switch's forwarding database: (MAC, LAN) -> port, open addressing with linear probing in
// one preallocated array, entries aging out after a fixed time. Learning and lookup allocate
// nothing. Unlike vdeplug4's direct-mapped table (reference/vde.md §2), a collision does not
// evict a live entry, and the key keeps all 12 bits of the VLAN id.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "netif/switch/port_config.hpp"
#include "netif/wire/mac_address.hpp"

namespace caplnet::netif {

class MacTable {
public:
    using Clock = std::chrono::steady_clock;

    /// Holds up to `max_entries` stations; entries unseen for `aging` are forgotten.
    MacTable(std::size_t max_entries, std::chrono::seconds aging);

    /// The port `mac` was last seen on in `lan`, if that was less than `aging` ago.
    std::optional<unsigned> lookup(const wire::MacAddress& mac, LanId lan,
                                   Clock::time_point now) const;
    /// Records that `mac` sent from `port` in `lan`. Returns false if the table is full of live
    /// entries (the station is then simply not learned: its frames get flooded).
    bool learn(const wire::MacAddress& mac, LanId lan, unsigned port, Clock::time_point now);
    /// Forgets every station behind `port` (the port went away).
    void forget_port(unsigned port);

    /// Live and expired-but-not-yet-reused entries.
    std::size_t size() const { return used_; }
    std::size_t max_entries() const { return max_entries_; }

private:
    enum class SlotState : std::uint8_t { Empty, Used, Deleted };
    struct Slot {
        std::uint64_t key = 0;  // MAC in bits 16..63, LAN in bits 0..15
        Clock::time_point last_seen{};
        std::uint32_t port = 0;
        SlotState state = SlotState::Empty;
    };
    static std::uint64_t make_key(const wire::MacAddress& mac, LanId lan);
    std::size_t home(std::uint64_t key) const;
    bool expired(const Slot& s, Clock::time_point now) const { return now - s.last_seen >= aging_; }
    void rebuild(Clock::time_point now);

    std::size_t max_entries_;
    Clock::duration aging_;
    std::size_t mask_;
    std::vector<Slot> slots_;
    std::vector<Slot> spare_;  // the rebuild target, allocated up front
    std::size_t used_ = 0;
    std::size_t deleted_ = 0;
};

}  // namespace caplnet::netif
