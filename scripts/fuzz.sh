#!/usr/bin/env bash
# A longer fuzz campaign for every libFuzzer target; the corpus grows in BUILD/corpus/<name>/ and crash
# inputs are kept in BUILD/artifacts/. Usage: fuzz.sh FUZZ_BUILD_DIR SECONDS_PER_TARGET
set -euo pipefail
# Any sanitizer report ends the run as a failure (the targets are also built with -fno-sanitize-recover).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1}
build=$1 seconds=${2:-300}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/artifacts"
status=0
for fuzzer in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$fuzzer" ] || continue
  name=${fuzzer##*/fuzz_}
  mkdir -p "$build/corpus/$name"
  echo "== $name: $seconds s"
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$name-" "$build/corpus/$name" "$src/tests/fuzz/corpus/$name" || status=1
done
exit $status
