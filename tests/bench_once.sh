#!/usr/bin/env bash
# Runs every benchmark of crashbench-bench once and fails when one crashed or
# reported an error; a hardware benchmark the CPU cannot run (no SSE4.2 crc32)
# is the one error allowed. Checks that the scratch directory went too.
set -uo pipefail
bench="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TMPDIR="$tmp" "$bench" --benchmark_min_time=0 >"$tmp/out.txt" 2>&1
rc=$?
cat "$tmp/out.txt"
if [ $rc -ne 0 ]; then
  echo "FAIL: crashbench-bench exited $rc"
  exit 1
fi
errors=$(grep "ERROR OCCURRED" "$tmp/out.txt" | grep -v "no SSE4.2 crc32 instruction")
if [ -n "$errors" ]; then
  echo "FAIL: benchmarks reported errors:"
  echo "$errors"
  exit 1
fi
ran=$(grep -c "^BM_" "$tmp/out.txt")
left=$(find "$tmp" -mindepth 1 -maxdepth 1 -name 'crashbench-bench-*' | wc -l)
if [ "$left" -ne 0 ]; then
  echo "FAIL: crashbench-bench left its scratch directory in \$TMPDIR"
  exit 1
fi
echo "ok: $ran benchmarks ran once each, no error, nothing left in \$TMPDIR"
