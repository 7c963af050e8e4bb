#!/usr/bin/env bash
# Builds everything (kernel, ISO, host tools, unit tests) and runs every CTest test: host unit
# tests and boot tests under QEMU. Usage: tools/test.sh [BUILD_DIR] [extra ctest args]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
failed="$build/Testing/Temporary/LastTestsFailed.log"
full="$build/Testing/Temporary/LastTest.log"
rm -f "$failed"  # CTest leaves an older run's list in place when nothing fails
if ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@"; then
  exit 0
else
  status=$?
fi
# A boot test's log is long, and a CI page that keeps only the head and tail of the run loses
# the middle, where --output-on-failure put the reason. So the end of each failed test's output
# (hvboot's last line names the unmet expectation) is printed again, last, kept short so
# that it fits in such a tail.
if [ -f "$failed" ] && [ -f "$full" ]; then
  echo
  echo "==== end of each failed test's output ($(wc -l < "$failed") failed) ===="
  cut -d: -f2- "$failed" | while read -r name; do
    echo "---- $name (last 15 lines; all of it is above and in $full)"
    awk -v t="$name" '
      $0 ~ "^[0-9]+/[0-9]+ Test: " && $3 == t { on = 1; n = 0; next }
      on && /^<end of output>$/ { on = 0 }
      on { buf[n++] = $0 }
      END { for (i = (n > 15 ? n - 15 : 0); i < n; ++i) print buf[i] }' "$full"
  done
fi
exit "$status"
