#!/usr/bin/env bash
# Load benchmark for `hicp serve` (run by hand, not in CI): signed-in API reads of the large
# example's evaluation over loopback, on the embedded SQLite database.
#
#   cargo build --release -p hicp --no-default-features
#   crates/hicp-server/benches/load.sh [target/release/hicp] [seconds] [connections]
#
# Needs curl, jq and wrk (Debian: apt-get install curl jq wrk). Prints wrk's latency
# distribution and the server's resident memory before and after the run.
set -euo pipefail
hicp=${1:-${CARGO_TARGET_DIR:-target}/release/hicp}
seconds=${2:-30}
connections=${3:-64}
port=${HICP_BENCH_PORT:-18080}
base="http://127.0.0.1:$port"
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

"$hicp" serve --demo --bind "127.0.0.1:$port" --data-dir "$work/data" >"$work/out" 2>"$work/log" &
server=$!
for _ in $(seq 1 100); do
  grep -q "with the password" "$work/out" 2>/dev/null && break
  sleep 0.1
done
password=$(sed -n 's/.*with the password \(.*\):$/\1/p' "$work/out")
[ -n "$password" ] || { echo "the server did not start:"; cat "$work/log"; exit 1; }

curl -sf -c "$work/jar" -H 'Content-Type: application/json' \
  -d "{\"email\":\"viewer@demo.hicp.invalid\",\"password\":\"$password\"}" "$base/api/v1/session" >/dev/null
cookie=$(awk '$6 ~ /hicp_session/ {print $6"="$7}' "$work/jar")
get() { curl -sf -H "Cookie: $cookie" "$base$1"; }
org=$(get /api/v1/organizations | jq -r '.[] | select(.name == "Cascade Health System") | .id')
assessment=$(get "/api/v1/organizations/$org" | jq -r '.assessments[0].id')
url="$base/api/v1/organizations/$org/assessments/$assessment/evaluation"
bytes=$(get "/api/v1/organizations/$org/assessments/$assessment/evaluation" | wc -c)
echo "GET $url ($bytes bytes per response)"

rss() { awk '/VmRSS/ {print $2" kB"}' "/proc/$server/status"; }
echo "server memory before: $(rss)"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Cookie: $cookie" "$url"
echo "server memory after: $(rss)"
