#!/usr/bin/env bash
# Builds everything (kernel, ISO, host tools, unit tests) and runs every CTest test: host unit
# tests and boot tests under QEMU. Usage: tools/test.sh [BUILD_DIR] [extra ctest args]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@"
