#!/usr/bin/env bash
# A short libFuzzer run on a scratch copy of the seed corpus: fails on any crash, leak, timeout or
# sanitizer report. Usage: fuzz_smoke.sh FUZZER_BINARY SEED_CORPUS_DIR SECONDS
set -euo pipefail
# Any sanitizer report ends the run as a failure (the targets are also built with -fno-sanitize-recover).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1}
fuzzer=$1 seeds=$2 seconds=${3:-20}
if [ ! -x "$fuzzer" ]; then
  echo "fuzz smoke: $fuzzer is missing; build it with 'make fuzz-build'" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp -r "$seeds"/. "$work/corpus/" 2>/dev/null || true
cd "$work"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" corpus 2>"$work/log" || { tail -50 "$work/log"; exit 1; }
grep -E "stat::number_of_executed_units|Done" "$work/log" | tail -2
