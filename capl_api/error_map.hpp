#pragma once
#include <cstdint>

#include "stack/error.hpp"

namespace caplnet::capl {

/// The one place where stack errors become Winsock codes (SPEC §2).
std::int32_t to_capl_code(stack::Error e);

}  // namespace caplnet::capl
