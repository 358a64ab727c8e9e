#!/usr/bin/env bash
# Unique sources/targets per port and day (O4): Kizuna's embedded store (cold raw scan, warm cache) against
# Debian's ClickHouse (18.16) uniqExact on the same events, one run, same machine (results in
# docs/BENCHMARKS.md). Starts a private ClickHouse on loopback (scripts/clickhouse.sh).
#
# usage: bench/observe_distinct.sh [BUILD_DIR] [EVENTS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
events=${2:-5000000}
bin=$build/bench/observe_distinct_bench
[[ -x $bin ]] || { echo "build the observe_distinct_bench target first: cmake --build $build --target observe_distinct_bench" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kizuna-observe-distinct.XXXXXX")
cleanup() { "$root/scripts/clickhouse.sh" stop "$work/clickhouse" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
url=$("$root/scripts/clickhouse.sh" start "$work/clickhouse")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "clickhouse: $(curl -s "$url/?query=SELECT%20version()") at $url"
"$bin" "$work" "$url" "$events"
