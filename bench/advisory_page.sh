#!/usr/bin/env bash
# Publication throughput: a published advisory page (anonymous, Japanese, figure 1 layout) and its CSAF 2.0
# document (/.well-known/csaf/white/<year>/<file>.json) from `kizuna demo`, against nginx serving the very same
# bytes as static files, same run, same machine, loopback only. Prints requests/s and p99 for both and the
# ratio kizuna/nginx (goal: ratio >= 0.5, kizuna p99 < 10 ms at 64 connections on 2 cores).
#
#   bench/advisory_page.sh                 # 10 s per run, 64 connections, 2 wrk threads
#   DURATION=30 CONNECTIONS=128 bench/advisory_page.sh
#
# Needs: build/apps/kizuna/kizuna (make build; KIZUNA_BIN overrides), nginx and wrk (scripts/setup.sh bench).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${KIZUNA_BIN:-$root/build/apps/kizuna/kizuna}
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-2}
server_threads=${SERVER_THREADS:-2}
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

for tool in "$bin" "$nginx_bin" "$(command -v wrk)"; do
  [ -x "$tool" ] || { echo "missing: $tool (run make build; scripts/setup.sh bench)" >&2; exit 1; }
done

work=$(mktemp -d)
chmod 755 "$work"  # nginx workers may run as another user
kizuna_pid="" nginx_pid=""
cleanup() {
  [ -n "$kizuna_pid" ] && kill "$kizuna_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- kizuna with the demo data (published advisories) ------------------------------------------------
"$bin" demo --data-dir "$work/data" --port 0 --port-file "$work/kizuna.port" \
  --set server.threads="$server_threads" --set log.level=warn 2>"$work/kizuna.log" >/dev/null &
kizuna_pid=$!
for _ in $(seq 200); do [ -s "$work/kizuna.port" ] && break; sleep 0.05; done
[ -s "$work/kizuna.port" ] || { echo "kizuna did not start; log:" >&2; cat "$work/kizuna.log" >&2; exit 1; }
kport=$(cat "$work/kizuna.port")
base="http://127.0.0.1:$kport"

# The first published advisory of the provider's index: its CSAF path, and its page from the tracking id.
csaf_path=$(curl -sf "$base/.well-known/csaf/white/index.txt" | head -n 1)
[ -n "$csaf_path" ] || { echo "no published advisory in the demo" >&2; exit 1; }
tracking_id=$(curl -sf "$base/.well-known/csaf/white/$csaf_path" |
  sed -n 's/.*"id": "\([^"]*\)".*/\1/p' | head -n 1)
page_path="/advisories/${tracking_id//#/}"
csaf_url_path="/.well-known/csaf/white/$csaf_path"

# --- nginx with the same bytes ----------------------------------------------------------------------
mkdir -p "$work/www/advisories" "$work/www/.well-known/csaf/white/${csaf_path%/*}" "$work/nginx/logs"
curl -sf "$base$page_path" >"$work/www$page_path"
curl -sf "$base$csaf_url_path" >"$work/www$csaf_url_path"
nport=$((kport + 1))
while (echo >/dev/tcp/127.0.0.1/$nport) 2>/dev/null; do nport=$((nport + 1)); done
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $server_threads;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  default_type application/octet-stream;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    location /advisories/ { default_type "text/html; charset=utf-8"; }
    location /.well-known/csaf/ { default_type application/json; }
  }
}
CONF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nport$csaf_url_path" >/dev/null && break; sleep 0.05; done
for path in "$page_path" "$csaf_url_path"; do
  curl -sf "$base$path" >"$work/check.kizuna"
  curl -sf "http://127.0.0.1:$nport$path" >"$work/check.nginx" || true
  cmp -s "$work/check.kizuna" "$work/check.nginx" ||
    { echo "kizuna and nginx differ on $path:" >&2; diff "$work/check.kizuna" "$work/check.nginx" | head -5 >&2;
      tail -3 "$work/nginx/logs/error.log" >&2; exit 1; }
done

# --- measure ----------------------------------------------------------------------------------------
measure() {  # url -> "rps p99_ms"
  local out rps p99
  out=$(wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency "$1")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  case "$p99" in
    *us) p99=$(awk -v v="${p99%us}" 'BEGIN {printf "%.3f", v / 1000}') ;;
    *ms) p99=${p99%ms} ;;
    *s) p99=$(awk -v v="${p99%s}" 'BEGIN {printf "%.3f", v * 1000}') ;;
  esac
  echo "$rps $p99"
}

printf "machine: %s, %s cores; kizuna %s threads, nginx %s workers; wrk -t%s -c%s -d%ss\n" \
  "$(uname -m)" "$(nproc)" "$server_threads" "$server_threads" "$wrk_threads" "$connections" "$duration"
printf "%-48s %8s %12s %12s %12s %12s %7s\n" path bytes kizuna_rps kizuna_p99ms nginx_rps nginx_p99ms ratio
for path in "$page_path" "$csaf_url_path"; do
  bytes=$(wc -c <"$work/www$path")
  read -r krps kp99 < <(measure "http://127.0.0.1:$kport$path")
  read -r nrps np99 < <(measure "http://127.0.0.1:$nport$path")
  ratio=$(awk -v a="$krps" -v b="$nrps" 'BEGIN {printf "%.2f", a / b}')
  printf "%-48s %8s %12s %12s %12s %12s %7s\n" "$path" "$bytes" "$krps" "$kp99" "$nrps" "$np99" "$ratio"
done
