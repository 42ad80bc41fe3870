#pragma once
// lwIP's clock. sys_now() reads whatever Clock is installed, so the node runs on real time now
// and can run on virtual time later without touching the loop.
#include <cstdint>

namespace caplnet::stack {

class Clock {
public:
    virtual ~Clock() = default;
    /// Milliseconds since the node started; lwIP keeps the low 32 bits.
    virtual std::uint64_t now_ms() const = 0;
    /// Nanoseconds since the Unix epoch, for capture timestamps.
    virtual std::uint64_t wall_ns() const = 0;
};

class RealClock final : public Clock {
public:
    RealClock();
    std::uint64_t now_ms() const override;
    std::uint64_t wall_ns() const override;

private:
    std::uint64_t start_ms_;
};

}  // namespace caplnet::stack
