#pragma once
// The shared memory of one ring:// port: a sealed memfd holding two rings, one per direction.
// The switch creates it (so the memory is charged to the switch and sized by it) and passes the
// fd to the client, which maps the same pages.
#include <cstddef>
#include <cstdint>
#include <string>

#include "netif/link/frame_ring.hpp"
#include "netif/link/link.hpp"

namespace caplnet::netif {

/// Data bytes per direction. About 1 MiB: ~14,000 small frames of slack for a receiver that is
/// briefly descheduled; pages are touched only as frames pass (and an empty ring starts over at
/// offset 0), so an idle node stays small.
inline constexpr std::size_t kRingDataLen = std::size_t{1} << 20;

enum class RingDirection { ToClient, ToSwitch };

class RingMapping {
public:
    /// Layout: one page for both headers, then each direction's data area.
    static constexpr std::size_t map_len(std::size_t capacity) { return 4096 + 2 * capacity; }

    /// Switch side: a new memfd of map_len(capacity), sealed against resizing (a client that
    /// could shrink it would make the switch's next access a SIGBUS), headers initialised.
    static Expected<RingMapping, LinkError> create(std::size_t capacity, const std::string& name);
    /// Client side: maps `fd` (taking ownership) after checking its size against `capacity`.
    static Expected<RingMapping, LinkError> attach(int fd, std::size_t capacity);

    RingMapping() = default;
    RingMapping(RingMapping&& o) noexcept;
    RingMapping& operator=(RingMapping&& o) noexcept;
    ~RingMapping();

    int fd() const { return fd_; }
    std::size_t capacity() const { return capacity_; }
    RingHeader* header(RingDirection d) const;
    std::uint8_t* data(RingDirection d) const;

private:
    RingMapping(int fd, void* base, std::size_t capacity) : fd_(fd), base_(base), capacity_(capacity) {}
    void reset();
    int fd_ = -1;
    void* base_ = nullptr;
    std::size_t capacity_ = 0;
};

}  // namespace caplnet::netif
