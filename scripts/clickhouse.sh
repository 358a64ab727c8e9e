#!/usr/bin/env bash
# A private ClickHouse server for tests and benchmarks: its own data directory, free loopback ports, no
# system service. Debian's clickhouse-server (18.16) is installed by scripts/setup.sh.
#
#   scripts/clickhouse.sh start DIR   start (or reuse) a server whose files all live in DIR; prints the
#                                     HTTP URL (also written to DIR/url) once it answers /ping
#   scripts/clickhouse.sh stop DIR    stop that server (SIGTERM, then SIGKILL after 20 s); a later start in
#                                     the same DIR reuses the data and the ports (DIR/ports)
#   scripts/clickhouse.sh url DIR     print the URL of a running server
#
# Exit status 3 when clickhouse-server is not installed or does not come up (tests skip on it).
set -euo pipefail

usage() { echo "usage: $0 start|stop|url DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
pid_file=$dir/clickhouse.pid
server=${CLICKHOUSE_SERVER:-/usr/sbin/clickhouse-server}

running() { [[ -f $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

ping_ok() { [[ "$(curl -s --max-time 2 "$1/ping" 2>/dev/null)" == "Ok." ]]; }

start() {
    if running && [[ -f $dir/url ]] && ping_ok "$(cat "$dir/url")"; then cat "$dir/url"; return 0; fi
    [[ -x $server ]] || { echo "clickhouse.sh: $server not found (scripts/setup.sh installs clickhouse-server)" >&2; exit 3; }
    mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log"
    local http_port tcp_port
    # A restart in the same DIR keeps its ports, so clients configured with the URL reach it again.
    if [[ -f $dir/ports ]]; then
        read -r http_port tcp_port < "$dir/ports"
    else
        http_port=$(free_port)
        tcp_port=$(free_port)
        echo "$http_port $tcp_port" > "$dir/ports"
    fi
    cat > "$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$dir/log/server.log</log>
    <errorlog>$dir/log/error.log</errorlog>
    <size>10M</size>
    <count>2</count>
  </logger>
  <http_port>$http_port</http_port>
  <tcp_port>$tcp_port</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>32</max_concurrent_queries>
  <builtin_dictionaries_reload_interval>0</builtin_dictionaries_reload_interval>
</yandex>
XML
    cat > "$dir/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <max_threads>2</max_threads>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows>
        <read_rows>0</read_rows><execution_time>0</execution_time></interval>
    </default>
  </quotas>
</yandex>
XML
    local url="http://127.0.0.1:$http_port"
    (cd "$dir" && exec setsid "$server" --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 </dev/null) &
    echo $! > "$pid_file"
    for _ in $(seq 1 150); do
        if ping_ok "$url"; then echo "$url" > "$dir/url"; echo "$url"; return 0; fi
        if ! running; then break; fi
        sleep 0.2
    done
    echo "clickhouse.sh: server did not come up; see $dir/log/" >&2
    tail -n 20 "$dir/log/error.log" "$dir/log/stdout.log" >&2 2>/dev/null || true
    stop
    exit 3
}

stop() {
    running || { rm -f "$pid_file"; return 0; }
    local pid
    pid=$(cat "$pid_file")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file" "$dir/url"; return 0; }
        sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pid_file" "$dir/url"
}

case $cmd in
    start) start ;;
    stop) stop ;;
    url) running && cat "$dir/url" ;;
    *) usage ;;
esac
