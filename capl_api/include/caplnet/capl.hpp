#pragma once
// The CAPL TCP/IP API for caplnet node programs: `#include <caplnet/capl.hpp>`.
#include "caplnet/capl/address_functions.hpp"
#include "caplnet/capl/error_codes.hpp"
#include "caplnet/capl/ip.hpp"
#include "caplnet/capl/program.hpp"
#include "caplnet/capl/types.hpp"
#include "caplnet/capl/udp.hpp"

/// Defines the entry point of a node program built as a shared object (caplnet_add_program):
///   CAPLNET_PROGRAM(program) { program.on_start(...); program.OnUdpReceiveFrom(...); }
/// `caplnet node NODE.toml --program FILE.so` calls it once, before `on start`.
#define CAPLNET_PROGRAM(program)                                                         \
    extern "C" __attribute__((visibility("default"))) void caplnet_program_init(        \
        ::caplnet::capl::Program& program)
