#!/usr/bin/env bash
# Observation queries: the same events in Kizuna's event store and in Debian's ClickHouse (18.16), one run,
# same machine (issue 6; results in docs/BENCHMARKS.md). Starts a private ClickHouse on loopback
# (scripts/clickhouse.sh), loads EVENTS synthetic events (default 10 million: a year, 8 sensors, Zipf-like
# port skew) into both, times top-10 ports and per-sensor daily averages of the top 10 over the year, and a
# raw scan (packets per destination port over every event), and prints the ratios.
#
# usage: bench/observe_query.sh [BUILD_DIR] [EVENTS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
events=${2:-10000000}
bin=$build/bench/observe_query_bench
[[ -x $bin ]] || { echo "build the observe_query_bench target first: cmake --build $build --target observe_query_bench" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kizuna-observe-query.XXXXXX")
cleanup() { "$root/scripts/clickhouse.sh" stop "$work/clickhouse" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
url=$("$root/scripts/clickhouse.sh" start "$work/clickhouse")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "clickhouse: $(curl -s "$url/?query=SELECT%20version()") at $url"
echo "events: $events; load average before: $(cut -d" " -f1-3 /proc/loadavg)"
"$bin" "$work" "$url" "$events"
