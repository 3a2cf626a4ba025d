#!/usr/bin/env bash
# Installs what crashbench needs to build and test, from Debian's packages,
# only when something is missing (so a second run costs nothing).
#
# chromium is optional: the test that renders report.html in a real headless
# browser uses it and skips without it. Its install is best effort: a failure
# prints a warning and the bootstrap still succeeds. CRASHBENCH_NO_BROWSER=1
# skips it.
#
# python3 (Debian's, /usr/bin/python3) runs the Python subjects and the test
# of subjects/python/crashbench_records.py.
set -euo pipefail
# clang and libclang-rt-dev (its sanitizer and libFuzzer runtimes) build the
# fuzz targets (tests/fuzz). They are installed always, so that make test's
# short fuzz run runs instead of skipping: clang-format already brings the
# LLVM libraries, and clang adds about 100 MB to them.
packages=(cmake make g++ nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev clang-format
          clang libclang-rt-dev strace python3)
optional=()
[ "${CRASHBENCH_NO_BROWSER:-0}" = 1 ] || optional+=(chromium)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
missing_optional=()
for p in "${optional[@]}"; do installed "$p" || missing_optional+=("$p"); done
if [ ${#missing[@]} -eq 0 ] && [ ${#missing_optional[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    if [ ${#missing[@]} -gt 0 ]; then
      echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2
      exit 1
    fi
    echo "bootstrap: warning: not installing optional ${missing_optional[*]} (no root or sudo);" \
         "the headless-browser report test will skip" >&2
    exit 0
  fi
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
updated=0
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  updated=1
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ ${#missing_optional[@]} -gt 0 ]; then
  echo "bootstrap: installing optional ${missing_optional[*]} (best effort)" >&2
  if ! { [ $updated -eq 1 ] || $sudo apt-get update -qq; } ||
     ! $sudo timeout 900 apt-get install -y -qq --no-install-recommends "${missing_optional[@]}"; then
    echo "bootstrap: warning: could not install optional ${missing_optional[*]};" \
         "the headless-browser report test will skip (CRASHBENCH_NO_BROWSER=1 stops trying)" >&2
  fi
fi
exit 0
