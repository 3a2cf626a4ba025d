#!/usr/bin/env bash
# crashbench against its own fault catalogue (issue 13): SIGHUP, kill -9, a
# second run on one --out, bad paths, bad options, a full disk. Every case
# must be handled: exit 2 in bounded time for bad input, nothing left behind
# after kill -9 once the next run (or clean) has started, partial results
# after SIGHUP, a refusal for a second run, and no half-written or falsely
# announced file on a full disk.
#
#   tests/survive.sh BUILD/crashbench          # the whole list (CTest runs it)
#
# The full-disk cases need root and a private mount namespace (unshare -m) for
# a small tmpfs; without them they are skipped with the reason.
set -u
BIN=$(realpath "${1:?usage: tests/survive.sh path/to/crashbench}")
W=$(mktemp -d "${TMPDIR:-/tmp}/survive-XXXXXX")
trap 'rm -rf "$W"' EXIT
FAILED=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; FAILED=1; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

cat >"$W/long.json" <<'J'
[{"name": "survive-long", "strategy": "naive", "workers": 2,
  "workload": {"tasks": 4, "records_per_task": 2, "record_bytes": 64},
  "trials": 400, "expect": {"forbid": ["hang"]}}]
J
# The run in the background on --out $1 (scratch $2); its pid in $RUN_PID.
start_run() {
  mkdir -p "$2"
  "$BIN" run "$W/long.json" --out "$1" --scratch "$2" --no-progress --no-reports -j 2 \
    >"$W/run.out" 2>"$W/run.err" &
  RUN_PID=$!
}
# Waits until $1 holds at least $2 lines (a spill: the header, then trials).
wait_lines() {
  for _ in $(seq 600); do
    [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
empty_dir() { [ -z "$(ls -A "$1" 2>/dev/null)" ]; }
only_results() { [ "$(ls -A "$1")" = "results.json" ]; }

# SIGHUP: partial results, nothing left.
start_run "$W/hup" "$W/hup-scratch"
wait_lines "$W/hup/.trials.jsonl.tmp" 3
kill -HUP $RUN_PID; wait $RUN_PID; rc=$?
check "SIGHUP exits 3 with partial results" [ $rc -eq 3 ]
check "SIGHUP leaves only results.json" only_results "$W/hup"
check "SIGHUP leaves no scratch" empty_dir "$W/hup-scratch"

# kill -9, then the next run on the same --out and scratch parent.
start_run "$W/k9" "$W/k9-scratch"
wait_lines "$W/k9/.trials.jsonl.tmp" 3
kill -KILL $RUN_PID; wait $RUN_PID 2>/dev/null
check "kill -9 leaves a spill behind" [ -f "$W/k9/.trials.jsonl.tmp" ]
"$BIN" run "$W/long.json" --trials 1 --out "$W/k9" --scratch "$W/k9-scratch" --no-progress \
  --no-reports >/dev/null 2>"$W/next.err"
check "the next run removes what kill -9 left" only_results "$W/k9"
check "the next run removes the dead run's scratch" empty_dir "$W/k9-scratch"

# kill -9, then clean.
start_run "$W/kc" "$W/kc-scratch"
wait_lines "$W/kc/.trials.jsonl.tmp" 3
kill -KILL $RUN_PID; wait $RUN_PID 2>/dev/null
"$BIN" clean "$W/kc" "$W/kc-scratch" >/dev/null
check "clean removes what kill -9 left" empty_dir "$W/kc"
check "clean removes the dead run's scratch" empty_dir "$W/kc-scratch"

# kill -9, then recover.
start_run "$W/kr" "$W/kr-scratch"
wait_lines "$W/kr/.trials.jsonl.tmp" 4
kill -KILL $RUN_PID; wait $RUN_PID 2>/dev/null
n=$(($(wc -l <"$W/kr/.trials.jsonl.tmp") - 1))
"$BIN" recover "$W/kr" >"$W/rec.out" 2>&1
check "recover keeps all $n finished trials" grep -q "recovered $n finished trials" "$W/rec.out"
check "recover leaves only results.json" only_results "$W/kr"

# Two runs on one --out: the second refuses at once, naming the first.
start_run "$W/two" "$W/two-scratch"
wait_lines "$W/two/.trials.jsonl.tmp" 2
t0=$(date +%s)
"$BIN" run "$W/long.json" --out "$W/two" --no-progress 2>"$W/two.err" >/dev/null; rc=$?
check "a second run on the same --out exits 2" [ $rc -eq 2 ]
check "within seconds" [ $(($(date +%s) - t0)) -le 5 ]
check "naming the first run" grep -q "pid $RUN_PID, started" "$W/two.err"
kill -INT $RUN_PID; wait $RUN_PID

# Paths a run will write are checked before the first trial.
echo x >"$W/a-file"
"$BIN" run "$W/long.json" --out "$W/a-file" --no-progress 2>"$W/p.err" >/dev/null; rc=$?
check "--out naming a file exits 2" [ $rc -eq 2 ]
"$BIN" run "$W/long.json" --out "$W/p" --scratch "$W/nope" --no-progress 2>"$W/p.err" >/dev/null
rc=$?
check "--scratch naming no directory exits 2" [ $rc -eq 2 ]
check "... with the crashbench: prefix" grep -q "^crashbench: --scratch" "$W/p.err"

# Command-line messages.
check "--trials 0 gives a plain range" sh -c "'$BIN' run --trials 0 2>&1 | grep -q 'from 1 to'"
check "an unknown subcommand is named" sh -c "'$BIN' frobnicate 2>&1 | grep -q \"unknown subcommand 'frobnicate'\""
"$BIN" merge "$W/long.json" -o "$W" >/dev/null 2>"$W/m.err"; rc=$?
check "merge -o DIR exits 2" [ $rc -eq 2 ]
check "... saying it is a directory" grep -q "is a directory" "$W/m.err"
check "compare names the binary's exit" sh -c "'$BIN' compare '$W/long.json' --binary-a /bin/false --binary-b /bin/false --rounds 1 2>&1 | grep -q 'exited 1'"

# A full disk under --out: a small tmpfs in a private mount namespace.
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
  echo "skip full disk: needs root and unshare -m (a private tmpfs)"
else
  BIN="$BIN" W="$W" unshare -m bash -c '
    set -u
    mkdir -p "$W/fs"; mount -t tmpfs -o size=1m tmpfs "$W/fs"
    dd if=/dev/zero of="$W/fs/fill" bs=64k 2>/dev/null
    "$BIN" run "$W/long.json" --out "$W/fs/out" --no-progress >/dev/null 2>"$W/full.err"; rc=$?
    [ $rc -eq 125 ] && grep -q "free; this run needs about" "$W/full.err" \
      && [ ! -e "$W/fs/out/results.json" ] && echo "ok   a full --out is refused before the first trial" \
      || { echo "FAIL a full --out (rc $rc): $(cat "$W/full.err")"; exit 1; }
    umount "$W/fs"; mount -t tmpfs -o size=8m tmpfs "$W/fs"
    "$BIN" run "$W/long.json" --trials 100 --out "$W/fs/out" --scratch "$W" --no-progress \
      --no-reports >/dev/null 2>"$W/full.err" & pid=$!
    for _ in $(seq 600); do [ -f "$W/fs/out/.trials.jsonl.tmp" ] && [ "$(wc -l <"$W/fs/out/.trials.jsonl.tmp")" -ge 3 ] && break; sleep 0.05; done
    dd if=/dev/zero of="$W/fs/fill" bs=64k 2>/dev/null
    wait $pid; rc=$?
    spilled=$(($(wc -l <"$W/fs/out/.trials.jsonl.tmp") - 1))
    if [ $rc -eq 3 ] && grep -q "stopped at once" "$W/full.err" \
       && grep -q "the $spilled trials spilled before it are kept" "$W/full.err" \
       && ! ls "$W/fs/out" | grep -q "results.json"; then
      echo "ok   a disk that fills mid-run stops it at once and says truthfully what is kept"
    else
      echo "FAIL a disk that fills mid-run (rc $rc): $(cat "$W/full.err")"; exit 1
    fi
    rm "$W/fs/fill"
    "$BIN" recover "$W/fs/out" | grep -q "recovered $spilled finished trials" \
      && echo "ok   recover after the disk was freed" || { echo "FAIL recover after a full disk"; exit 1; }
    umount "$W/fs"' || FAILED=1
fi

[ $FAILED -eq 0 ] && echo "survive: every case handled" || echo "survive: FAILED"
exit $FAILED
