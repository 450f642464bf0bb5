#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default
# 60), starting from a copy of the committed corpus (fuzz/corpus/*), so what
# the fuzzer adds stays in the build folder. Installs clang-14 and
# libfuzzer-14-dev from Debian when missing (root or sudo needed then).
#
#   bench/fuzz.sh [SECONDS] [TARGET...]     TARGET: quote_codec, signal_codec, config
#
# Prints, per target, how long it ran, how many inputs it tried, and whether
# it found anything; a crashing input is kept as build-fuzz/crash-* and the
# script exits non-zero.
set -euo pipefail

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(quote_codec signal_codec config)
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"

missing=()
for p in clang-14 libfuzzer-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
"$root/scripts/install-deps"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DINTUITION_BUILD_FUZZERS=ON \
  -DINTUITION_BUILD_TESTS=OFF -DINTUITION_BUILD_BENCH=OFF >/dev/null
bins=()
for t in "${targets[@]}"; do
  bins+=("intuition-fuzz-${t//_/-}")
done
cmake --build "$build" -j"$(nproc)" --target "${bins[@]}"

status=0
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  mkdir -p "$work"
  cp -n "$root/fuzz/corpus/$t/"* "$work/" 2>/dev/null || true
  dict=()
  [ -f "$root/fuzz/$t.dict" ] && dict=(-dict="$root/fuzz/$t.dict")
  log="$build/fuzz-$t.log"
  start=$(date +%s)
  set +e
  "$build/fuzz/intuition-fuzz-${t//_/-}" "$work" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$build/" >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  if [ $rc -eq 0 ]; then
    echo "$t: ran ${took} s, ${runs} inputs, no finding (corpus $(ls "$work" | wc -l) files)"
  else
    echo "$t: FINDING after ${took} s (exit $rc), see $log:"
    grep -E "property broken|ERROR|SUMMARY|Test unit written" "$log" | head -5
    status=1
  fi
done
exit $status
