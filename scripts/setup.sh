#!/usr/bin/env bash
# Installs what Kizuna needs on Debian 12, only what is missing, so running it again is cheap.
#   scripts/setup.sh demo   build and run dependencies
#   scripts/setup.sh test   plus test tools: clang/libFuzzer, Chromium, Node + playwright-core, nginx, wrk
set -euo pipefail
mode=${1:-demo}
cd "$(dirname "$0")/.."

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost-dev libssl-dev nlohmann-json3-dev libsqlite3-dev sqlite3 libsodium-dev
  libcli11-dev libtomlplusplus-dev libkainjow-mustache-dev libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev openssl ca-certificates curl
  libgpgme-dev gnupg libpcap-dev libgmime-3.0-dev
  libzstd-dev libmaxminddb-dev libxxhash-dev
  libcurl4-openssl-dev libxml2-dev libxml2-utils
)
# python3-aiosmtpd and swaks: the real SMTP server and sending MTA of the mail gateway tests and bench.
test_pkgs=(clang libclang-rt-14-dev chromium fonts-noto-cjk wrk nginx-light python3-aiosmtpd swaks bc)
# The ClickHouse backend's test and bench run a private server (scripts/clickhouse.sh); no system service needed.
test_pkgs+=(clickhouse-server clickhouse-client)

# observe CLI tests count with tshark and validate IODEF with xmllint; the ingest benchmark's peers.
test_pkgs+=(tshark libxml2-utils)
bench_pkgs=(nfdump tcpdump bc)
# The IPFIX functional test and bench/observe_transport.sh use softflowd as the exporter; openssl makes certs.
test_pkgs+=(softflowd openssl)
bench_pkgs+=(softflowd)

want=("${build_pkgs[@]}")
if [ "$mode" = test ] || [ "$mode" = bench ]; then want+=("${test_pkgs[@]}"); fi
if [ "$mode" = bench ]; then want+=("${bench_pkgs[@]}"); fi
# Node.js and npm: the country database below comes from npm (demo and test), and the browser tests and
# reference validators run on node (test). Any node >= 18 will do; install Debian's when there is none.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then want+=(nodejs npm); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# Country database for scan sources (event store): the NRO-derived, CC BY 4.0 data of ip-location-db as
# an .mmdb, pinned; the app finds it here by default (config [observe] geo_database overrides).
geo_version=2.3.2026061719
geo_dir=third_party/geo
if [ ! -f "$geo_dir/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" ] ||
   ! grep -q "\"version\": \"$geo_version\"" \
       "$geo_dir/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/package.json" 2>/dev/null; then
  if command -v npm >/dev/null 2>&1; then
    echo "setup: installing the country database (@ip-location-db/geo-whois-asn-country-mmdb@$geo_version)"
    mkdir -p "$geo_dir"
    npm install --prefix "$geo_dir" --no-save --no-audit --no-fund --loglevel=error \
      "@ip-location-db/geo-whois-asn-country-mmdb@$geo_version"
  else
    echo "setup: npm missing; scan sources will be recorded as country ZZ (see docs/OPERATIONS.md)"
  fi
fi

if [ "$mode" = test ]; then
  # playwright-core drives Debian's Chromium; no browser download (see tests/e2e/package.json).
  if [ ! -d tests/e2e/node_modules/playwright-core ]; then
    echo "setup: installing npm packages for the browser tests"
    node_major=$(node -p 'process.versions.node.split(".")[0]')
    if [ "$node_major" -ge 20 ]; then
      (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
    else
      # Debian 12's own nodejs is 18; the pinned playwright-core needs 20, so take the last one for 18.
      (cd tests/e2e && npm install --no-save --no-audit --no-fund --loglevel=error playwright-core@1.48.2)
    fi
  fi
fi
if [ "$mode" = test ] && [ ! -d tests/validators/node_modules/@secvisogram/csaf-validator-lib ]; then
  # Reference validators for the published documents (CSAF 2.0 mandatory tests, CVE JSON 5 schema via Ajv).
  echo "setup: installing npm packages for the document validators"
  (cd tests/validators && npm ci --no-audit --no-fund --loglevel=error)
fi
