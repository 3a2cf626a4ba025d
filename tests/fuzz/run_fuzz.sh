#!/usr/bin/env bash
# Builds crashbench's libFuzzer targets in a clang build of their own and runs
# each on its seed corpus (tests/fuzz/corpus/<target>), one after another.
#
#   tests/fuzz/run_fuzz.sh --build build/fuzz --seconds 10 --scratch   # CTest's short run
#   tests/fuzz/run_fuzz.sh --build build-fuzz --seconds 600            # make fuzz
#
# --seconds S: S seconds per target (after its seeds have all run); --runs N:
#   N inputs per target instead. --scratch: a throwaway corpus and a fixed
#   seed (-seed=1), the seeds only read; otherwise what a run learns is kept in
#   <build>/corpus/<target> for the next run.
# --target NAME (repeatable): scenarios, results or verify; default all three.
# A finding (crash, leak, timeout, out of memory) is written to
# <build>/artifacts/<target>/ and fails the run with "FAIL <target>"; replay
# one with <build>/tests/fuzz/crashbench_fuzz_<target> <file>.
# Prints "skipped: why" and exits 0 where clang or its fuzzer runtime is missing.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
build="$src/build-fuzz" runs="" seconds="" scratch=0 targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$(realpath -m "$2")"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --target) targets+=("$2"); shift 2 ;;
    --scratch) scratch=1; shift ;;
    *) echo "run_fuzz.sh: unknown argument $1 (--build DIR, --seconds S, --runs N, --scratch, --target NAME)" >&2
       exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(scenarios results verify)
if [ -z "$runs" ] && [ -z "$seconds" ]; then seconds=60; fi

if ! command -v clang++ >/dev/null; then
  echo "skipped: clang++ is not installed (scripts/bootstrap.sh installs clang)"
  exit 0
fi
probe_dir="$(mktemp -d)"
trap 'rm -rf "$probe_dir"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  >"$probe_dir/probe.cc"
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cc" -o "$probe_dir/probe" \
     >"$probe_dir/log" 2>&1; then
  echo "skipped: clang++ cannot link a libFuzzer target (is libclang-rt-dev installed?):" \
       "$(head -c 300 "$probe_dir/log")"
  exit 0
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$src" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCRASHBENCH_FUZZ=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$probe_dir/configure.log" 2>&1 ||
    { cat "$probe_dir/configure.log"; echo "FAIL configure"; exit 1; }
fi
echo "building the fuzz targets in $build (log: $build/fuzz-build.log)"
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target crashbench_fuzzers >"$build/fuzz-build.log" 2>&1 ||
  { tail -40 "$build/fuzz-build.log"; echo "FAIL build: see $build/fuzz-build.log"; exit 1; }

failed=0
for target in "${targets[@]}"; do
  bin="$build/tests/fuzz/crashbench_fuzz_$target"
  seeds="$src/tests/fuzz/corpus/$target"
  artifacts="$build/artifacts/$target"
  mkdir -p "$artifacts"
  bound=()
  [ -z "$runs" ] || bound+=(-runs="$runs")
  [ -z "$seconds" ] || bound+=(-max_total_time="$seconds")
  if [ $scratch = 1 ]; then
    corpus="$probe_dir/corpus-$target"
    bound+=(-seed=1)
  else
    corpus="$build/corpus/$target"
  fi
  mkdir -p "$corpus"
  log="$build/fuzz-$target.log"
  echo "fuzz $target: ${bound[*]}, seeds $seeds, log $log"
  # -timeout (wall clock): 30 s on one input is a hang. The instrumented verifier takes up to
  # 3 s of CPU on some inputs, and on a shared 2-core machine wall time ran 8x CPU time.
  # -rss_limit_mb: 2 GiB is an OOM.
  if "$bin" "${bound[@]}" -max_len=16384 -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$artifacts/" "$corpus" "$seeds" >"$log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)|cov: ' "$log" |
      tail -4 | sed "s/^/  $target: /"
  else
    failed=1
    tail -40 "$log"
    echo "FAIL $target: see $log; findings in $artifacts/"
  fi
done
exit $failed
