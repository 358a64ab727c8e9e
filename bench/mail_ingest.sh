#!/usr/bin/env bash
# Inbound mail throughput of `kizuna serve` through its real LMTP listener, for plain mail and for
# PGP/MIME mail (signed by a registered-looking sender and encrypted to the center's key: each message is
# decrypted and its signature checked by gpg), and `kizuna mail import` of a Maildir. The peer in the
# same run is python3-aiosmtpd (tests/support/smtp_sink.py), which only writes each message to a file:
# the ratio says what durable storage, MIME parsing, OpenPGP and routing cost on top of receiving.
#
#   bench/mail_ingest.sh               # 300 plain, 100 PGP messages
#   PLAIN=1000 PGP=200 bench/mail_ingest.sh
#
# Needs: build/apps/kizuna/kizuna, gpg, /usr/bin/python3 with aiosmtpd (scripts/setup.sh test).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${KIZUNA_BIN:-$root/build/apps/kizuna/kizuna}
plain=${PLAIN:-300}
pgp=${PGP:-100}
py=/usr/bin/python3
[ -x "$bin" ] || { echo "missing: $bin (make build)" >&2; exit 1; }
$py -c 'import aiosmtpd' 2>/dev/null || { echo "missing: python3-aiosmtpd (scripts/setup.sh test)" >&2; exit 1; }

work=$(mktemp -d)
kizuna_pid="" sink_pid=""
cleanup() {
  [ -n "$kizuna_pid" ] && kill "$kizuna_pid" 2>/dev/null || true
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  gpgconf --homedir "$work/sender" --kill all 2>/dev/null || true
  gpgconf --homedir "$work/data/gnupg" --kill all 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

conf="$work/kizuna.toml"
printf '[mail]\nlmtp_port = 0\nfrom_address = "vuls@center.example"\n[log]\nlevel = "warn"\n' > "$conf"
"$bin" mail init-key --data-dir "$work/data" --config "$conf" >/dev/null
"$bin" mail public-key --data-dir "$work/data" --config "$conf" > "$work/center.asc"

# The sender's key and the messages, made before any timing.
mkdir -m 700 "$work/sender"
g() { gpg --homedir "$work/sender" --batch --yes --pinentry-mode loopback --trust-model always "$@"; }
g --passphrase '' --quick-gen-key 'Bench Sender <sender@bench.example>' future-default default never 2>/dev/null
g --import "$work/center.asc" 2>/dev/null
mkdir -p "$work/plain" "$work/pgp" "$work/maildir/new" "$work/maildir/cur" "$work/maildir/tmp"
for i in $(seq "$plain"); do
  printf 'From: Finder <finder@bench.example>\r\nTo: vuls@center.example\r\nSubject: report %d\r\nMessage-ID: <plain-%d@bench.example>\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n\x1b$B%%F%%9%%H\x1b(B %d\r\n' "$i" "$i" "$i" > "$work/plain/$i.eml"
  sed 's/plain-/maildir-/' "$work/plain/$i.eml" > "$work/maildir/new/$i.bench"
done
for i in $(seq "$pgp"); do
  printf 'Content-Type: text/plain; charset=UTF-8\r\n\r\nencrypted report %d\r\n' "$i" |
    g --armor --sign --encrypt -r vuls@center.example --local-user sender@bench.example > "$work/pgp/$i.asc" 2>/dev/null
  {
    printf 'From: sender@bench.example\r\nTo: vuls@center.example\r\nSubject: encrypted %d\r\nMessage-ID: <pgp-%d@bench.example>\r\n' "$i" "$i"
    printf 'MIME-Version: 1.0\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n\r\n'
    printf -- '--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\n'
    cat "$work/pgp/$i.asc"
    printf '\r\n--b--\r\n'
  } > "$work/pgp/$i.eml"
done

# One LMTP or SMTP connection per run, messages back to back; prints messages per second.
send() {  # send PROTOCOL PORT DIR
  $py - "$1" "$2" "$3" <<'PY'
import os, smtplib, sys, time
proto, port, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files = sorted((f for f in os.listdir(d) if f.endswith(".eml")), key=lambda f: int(f.split(".")[0]))
msgs = [open(os.path.join(d, f), "rb").read() for f in files]
c = smtplib.LMTP("127.0.0.1", port) if proto == "lmtp" else smtplib.SMTP("127.0.0.1", port)
c.ehlo_or_helo_if_needed() if proto != "lmtp" else c.ehlo()
t0 = time.perf_counter()
for m in msgs:
    c.sendmail("sender@bench.example", ["vuls@center.example"], m)
dt = time.perf_counter() - t0
c.quit()
print("%.1f" % (len(msgs) / dt))
PY
}

"$bin" serve --data-dir "$work/data" --config "$conf" --port 0 --port-file "$work/http.port" 2>"$work/kizuna.log" >/dev/null &
kizuna_pid=$!
for _ in $(seq 200); do [ -s "$work/data/lmtp.port" ] && break; sleep 0.05; done
lport=$(cat "$work/data/lmtp.port")
k_plain=$(send lmtp "$lport" "$work/plain")
k_pgp=$(send lmtp "$lport" "$work/pgp")
kill "$kizuna_pid"; wait "$kizuna_pid" 2>/dev/null || true; kizuna_pid=""
routed=$(sqlite3 "$work/data/kizuna.db" "SELECT count(*) FROM mail_inbound WHERE state = 'routed'" 2>/dev/null || echo "?")

t0=$(date +%s.%N)
"$bin" mail import "$work/maildir" --data-dir "$work/data" --config "$conf" >/dev/null
t1=$(date +%s.%N)
k_import=$(echo "$plain / ($t1 - $t0)" | bc -l | xargs printf '%.1f')

$py "$root/tests/support/smtp_sink.py" --dir "$work/sink" --port-file "$work/sink.port" 2>"$work/sink.log" &
sink_pid=$!
for _ in $(seq 200); do [ -s "$work/sink.port" ] && break; sleep 0.05; done
s_plain=$(send smtp "$(cat "$work/sink.port")" "$work/plain")
s_pgp=$(send smtp "$(cat "$work/sink.port")" "$work/pgp")

ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
echo "messages routed by kizuna: $routed of $((plain + pgp))"
printf '%-34s %12s %12s %8s\n' "" "kizuna msg/s" "aiosmtpd msg/s" "ratio"
printf '%-34s %12s %12s %8s\n' "plain (LMTP, ISO-2022-JP)" "$k_plain" "$s_plain" "$(ratio "$k_plain" "$s_plain")"
printf '%-34s %12s %12s %8s\n' "PGP/MIME signed+encrypted (LMTP)" "$k_pgp" "$s_pgp" "$(ratio "$k_pgp" "$s_pgp")"
printf '%-34s %12s\n' "kizuna mail import (Maildir)" "$k_import"
