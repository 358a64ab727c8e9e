#!/usr/bin/env bash
# HTTP throughput of `kizuna serve` against nginx serving the same bytes as static files, same run,
# same machine, loopback only. Prints requests/s and p99 for both and the ratio kizuna/nginx.
#
#   bench/http_health.sh                 # 10 s per run, 64 connections, 2 wrk threads
#   DURATION=30 CONNECTIONS=128 bench/http_health.sh
#
# Needs: build/apps/kizuna/kizuna (make build), nginx and wrk (scripts/setup.sh bench installs them).
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
kizuna_pid="" nginx_pid=""
cleanup() {
  [ -n "$kizuna_pid" ] && kill "$kizuna_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- kizuna ---------------------------------------------------------------------------------------
"$bin" migrate --data-dir "$work/data" >/dev/null
"$bin" serve --data-dir "$work/data" --port 0 --port-file "$work/kizuna.port" \
  --set server.threads="$server_threads" --set log.level=warn 2>"$work/kizuna.log" >/dev/null &
kizuna_pid=$!
for _ in $(seq 100); do [ -s "$work/kizuna.port" ] && break; sleep 0.05; done
kport=$(cat "$work/kizuna.port")

# --- nginx with the same bytes ----------------------------------------------------------------------
mkdir -p "$work/www" "$work/nginx/logs"
curl -s "http://127.0.0.1:$kport/healthz" >"$work/www/healthz"
curl -s "http://127.0.0.1:$kport/login" >"$work/www/login"
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
    location = /healthz { default_type application/json; }
    location = /login { default_type "text/html; charset=utf-8"; }
  }
}
CONF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nport/healthz" >/dev/null && break; sleep 0.05; done

# --- measure ----------------------------------------------------------------------------------------
measure() {  # url -> "rps p99_ms"
  local out rps p99
  out=$(wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency "$1")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  # normalise p99 to milliseconds
  case "$p99" in
    *us) p99=$(awk -v v="${p99%us}" 'BEGIN {printf "%.3f", v / 1000}') ;;
    *ms) p99=${p99%ms} ;;
    *s) p99=$(awk -v v="${p99%s}" 'BEGIN {printf "%.3f", v * 1000}') ;;
  esac
  echo "$rps $p99"
}

printf "machine: %s, %s cores; kizuna %s threads, nginx %s workers; wrk -t%s -c%s -d%ss\n" \
  "$(uname -m)" "$(nproc)" "$server_threads" "$server_threads" "$wrk_threads" "$connections" "$duration"
printf "%-10s %8s %14s %12s %14s %12s %8s\n" path bytes kizuna_rps kizuna_p99ms nginx_rps nginx_p99ms ratio
for path in /healthz /login; do
  bytes=$(wc -c <"$work/www${path}")
  read -r krps kp99 < <(measure "http://127.0.0.1:$kport$path")
  read -r nrps np99 < <(measure "http://127.0.0.1:$nport$path")
  ratio=$(awk -v a="$krps" -v b="$nrps" 'BEGIN {printf "%.2f", a / b}')
  printf "%-10s %8s %14s %12s %14s %12s %8s\n" "$path" "$bytes" "$krps" "$kp99" "$nrps" "$np99" "$ratio"
done
