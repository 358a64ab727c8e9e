#!/usr/bin/env bash
# End-to-end transport benchmark (issue 6): kizuna-sensor reads a synthetic scan capture (bench/pcap_gen.c,
# PACKETS packets, default 5 M), spools every batch with an fsync, sends it over TLS on loopback to
# `kizuna observe collect`, which stores it durably (event store fsync per batch, rollups, country lookup)
# before it acks. Timed from sensor start to the sensor's exit (it exits once every batch is acknowledged).
# Same run, same file, for comparison:
#   import   kizuna observe import (the same store, no transport): the transport's overhead is the ratio
#   softflowd softflowd -r -> IPFIX over TCP -> the same collector (flows, not packets: fewer records)
# Prints events/s and ratios; goal: sensor->collector >= 1 M events/s.
#   BUILD=build PACKETS=5000000 BATCH=65536 bash bench/observe_transport.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PACKETS=${PACKETS:-5000000}
BATCH=${BATCH:-65536}
KIZUNA=$BUILD/apps/kizuna/kizuna
SENSOR=$BUILD/apps/kizuna-sensor/kizuna-sensor
for tool in "$KIZUNA" "$SENSOR" openssl softflowd softflowctl cc bc; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "$tool" ] || { echo "observe_transport: $tool missing (build, then scripts/setup.sh)" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/kizuna-transport.XXXXXX")
collector_pid=
cleanup() {
  [ -n "$collector_pid" ] && kill "$collector_pid" 2>/dev/null && wait "$collector_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -o "$work/pcap_gen" bench/pcap_gen.c -lm
pcap=$work/scan.pcap
"$work/pcap_gen" "$pcap" "$PACKETS" 42 > /dev/null
cat "$pcap" > /dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" \
  -out "$work/cert.pem" -days 2 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
data=$work/data
"$KIZUNA" user add bench-1 --role sensor --data-dir "$data" < /dev/null > /dev/null 2>&1
"$KIZUNA" token create --user bench-1 --data-dir "$data" 2> /dev/null | head -1 > "$work/token"

start_collector() {
  rm -f "$work/port" "$work/ipfix-ports"
  "$KIZUNA" observe collect --data-dir "$1" --port 0 --port-file "$work/port" --tls-cert "$work/cert.pem" \
    --tls-key "$work/key.pem" --ipfix-tcp-port 0 --ipfix-port-file "$work/ipfix-ports" \
    --log-level warn > "$work/collector.log" 2>&1 &
  collector_pid=$!
  for _ in $(seq 200); do [ -s "$work/port" ] && [ -s "$work/ipfix-ports" ] && return; sleep 0.05; done
  echo "observe_transport: collector did not start" >&2; cat "$work/collector.log" >&2; exit 1
}
stop_collector() { kill "$collector_pid"; wait "$collector_pid" 2>/dev/null || true; collector_pid=; }
now() { date +%s.%N; }

# 1. kizuna-sensor -> TLS -> collector -> store
start_collector "$data"
t0=$(now)
"$SENSOR" --name bench-1 --collector "127.0.0.1:$(cat "$work/port")" --ca "$work/cert.pem" --server-name localhost \
  --token-file "$work/token" --spool "$work/spool" --read "$pcap" --batch-events "$BATCH" --log-level warn \
  > "$work/sensor.out" 2> "$work/sensor.err" || { echo "observe_transport: sensor failed" >&2; tail "$work/sensor.err" >&2; exit 1; }
t1=$(now)
stop_collector
events=$(sed -n 's/.*events=\([0-9]*\).*/\1/p' "$work/sensor.out")
transport_s=$(echo "$t1 - $t0" | bc -l)

# 2. kizuna observe import of the same file into a fresh store
t0=$(now)
"$KIZUNA" observe import "$pcap" --sensor bench-1 --data-dir "$work/import" > "$work/import.out" 2> "$work/import.err"
t1=$(now)
import_s=$(echo "$t1 - $t0" | bc -l)

# 3. softflowd -> IPFIX/TCP -> the collector (softflowd 1.1.0 reads a pcap once its control socket is poked)
"$KIZUNA" migrate --data-dir "$work/ipfix" > /dev/null 2>&1
start_collector "$work/ipfix"
ipfix_port=$(cut -d' ' -f2 "$work/ipfix-ports")
t0=$(now)
softflowd -d -a -r "$pcap" -n "127.0.0.1:$ipfix_port" -P tcp -v 10 -p "$work/sf.pid" -c "$work/sf.ctl" > "$work/sf.log" 2>&1 &
sf_pid=$!
while kill -0 "$sf_pid" 2>/dev/null; do softflowctl -c "$work/sf.ctl" statistics > /dev/null 2>&1 || true; sleep 0.1; done
wait "$sf_pid" || true
t1=$(now)
stop_collector
flows=$(grep -o 'Flows exported: [0-9]*' "$work/sf.log" | grep -o '[0-9]*$' || echo 0)
softflowd_s=$(echo "$t1 - $t0" | bc -l)

rate() { echo "$1 / $2" | bc -l; }
transport_rate=$(rate "$events" "$transport_s")
import_rate=$(rate "$PACKETS" "$import_s")
softflowd_rate=$(rate "$PACKETS" "$softflowd_s")
echo "observe_transport: $PACKETS packets ($(du -h "$pcap" | cut -f1) pcap), batch $BATCH, $(nproc) cores, $(date -u +%FT%TZ)"
printf "  %-28s %10s %16s %12s\n" path seconds "packets/s" "transport/x"
printf "  %-28s %10.2f %16.0f %12.2f\n" "sensor->TLS->collector" "$transport_s" "$transport_rate" 1
printf "  %-28s %10.2f %16.0f %12.2f\n" "observe import (no network)" "$import_s" "$import_rate" "$(echo "$transport_rate / $import_rate" | bc -l)"
printf "  %-28s %10.2f %16.0f %12.2f\n" "softflowd->IPFIX/TCP" "$softflowd_s" "$softflowd_rate" "$(echo "$transport_rate / $softflowd_rate" | bc -l)"
echo "  sensor: $(cat "$work/sensor.out"); softflowd flows exported: $flows"
printf "  goal: sensor->collector %.2f M events/s (>= 1.0) %s\n" "$(echo "$transport_rate / 1000000" | bc -l)" \
  "$([ "$(echo "$transport_rate >= 1000000" | bc)" = 1 ] && echo met || echo MISSED)"
