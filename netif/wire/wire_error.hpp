#pragma once
#include <tl/expected.hpp>

namespace caplnet {
template <class T, class E>
using Expected = tl::expected<T, E>;
using tl::unexpected;
}  // namespace caplnet

namespace caplnet::wire {

/// Why bytes were rejected. Callers count by reason and drop; wire code never asserts on content.
enum class WireError { Truncated, BadChecksum, BadField, Unsupported };

const char* to_string(WireError e);

}  // namespace caplnet::wire
