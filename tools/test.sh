#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (root: the oracle tests use network namespaces,
# TAP devices and Linux bridges that they create and delete by name).
#   tools/test.sh              normal build
#   tools/test.sh --sanitize   under AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh "$@"
build=build
[[ "${1:-}" == "--sanitize" ]] && build=build-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 300
