#!/usr/bin/env bash
# Indicator extraction (I3) against GNU grep in the same run: Kizuna extracts every indicator kind
# (addresses, prefixes, URLs, domains, e-mail, ports, timestamps, defanged forms) from a mixed 100 MB report
# log; grep -oE only finds IPv4-looking strings. Goal (issue 15): Kizuna at least as fast (ratio >= 1).
#
# usage: bench/incident_extract.sh [BUILD_DIR] [MB] [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
mb=${2:-100}
rounds=${3:-3}
bin=$build/bench/incident_extract_bench
[[ -x $bin ]] || { echo "build the incident_extract_bench target first: cmake --build $build --target incident_extract_bench" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kizuna-incident-extract.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "grep: $(grep --version | head -1)"
"$bin" gen "$work/report.log" "$mb"
cat "$work/report.log" >/dev/null  # page cache warm for both
grep_best=
for ((r = 0; r < rounds; r++)); do
  start=$(date +%s.%N)
  LC_ALL=C grep -oE '[0-9]{1,3}(\.[0-9]{1,3}){3}' "$work/report.log" >"$work/grep.out"
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc -l)
  if [[ -z $grep_best ]] || (( $(echo "$t < $grep_best" | bc -l) )); then grep_best=$t; fi
done
echo "grep_matches $(wc -l <"$work/grep.out") (IPv4-looking strings, with repeats)"
"$bin" run "$work/report.log" "$rounds" | tee "$work/kizuna.out"
kizuna=$(awk '/^kizuna_seconds/ {print $2}' "$work/kizuna.out")
bytes=$(awk '/^bytes/ {print $2}' "$work/kizuna.out")
printf 'grep -oE IPv4 (LC_ALL=C): %.3f s = %.0f MB/s\n' "$grep_best" "$(echo "$bytes / 1048576 / $grep_best" | bc -l)"
printf 'kizuna all kinds:         %.3f s = %.0f MB/s\n' "$kizuna" "$(echo "$bytes / 1048576 / $kizuna" | bc -l)"
printf 'ratio (grep time / kizuna time): %.2fx  (goal >= 1)\n' "$(echo "$grep_best / $kizuna" | bc -l)"
echo
echo "grouping: 50,000 source addresses against 500,000 constituency prefixes + 20,000 cached registry ranges"
"$bin" group 500000 50000
