#include <chrono>

#include "stack/clock/clock.hpp"

namespace caplnet::stack {

namespace {
std::uint64_t steady_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}
}  // namespace

RealClock::RealClock() : start_ms_(steady_ms()) {}

std::uint64_t RealClock::now_ms() const { return steady_ms() - start_ms_; }

std::uint64_t RealClock::wall_ns() const {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

}  // namespace caplnet::stack
