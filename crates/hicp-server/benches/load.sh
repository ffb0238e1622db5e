#!/usr/bin/env bash
# Load benchmark for `hicp serve` (run by hand, not in CI): signed-in reads of the large example
# (the demo's Cascade Health System) over loopback, on the embedded SQLite database.
#
#   cargo build --release -p hicp --no-default-features
#   crates/hicp-server/benches/load.sh [--hicp target/release/hicp] [--duration 30s]
#       [--connections 64] [--pages api,dashboard,assessment] [--sample-every 5]
#
# Pages:
#   api         GET /api/v1/organizations/{org}/assessments/{a}/evaluation (JSON)
#   dashboard   GET /orgs/{org}                                    (the workspace's dashboard)
#   assessment  GET /orgs/{org}/assessments/{a}/practices/1        (the assessment page)
# Each page gets its own wrk run of --duration (wrk's units: 30s, 10m). A 10-minute run of the
# two workspace pages: --duration 10m --pages dashboard,assessment.
#
# Before the runs it signs in through the sign-in form (as a browser does), checks that each
# page answers 200 (and stops, saying which, if one does not), and measures the first page load
# of the sign-in page and the dashboard: the HTML with the stylesheet, scripts and images it
# links, in bytes transferred.
# During the runs it samples the server's resident memory every --sample-every seconds and
# reports, per run, requests/s, p50, p99, errors and the memory's first, min, max and last.
#
# Needs curl, jq and wrk (Debian: apt-get install curl jq wrk).
set -euo pipefail

hicp=${CARGO_TARGET_DIR:-target}/release/hicp
duration=30s
connections=64
pages=api,dashboard,assessment
sample_every=5
while [ $# -gt 0 ]; do
  case "$1" in
    --hicp) hicp=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --pages) pages=$2; shift 2 ;;
    --sample-every) sample_every=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in curl jq wrk; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install $tool)" >&2; exit 1; }
done
[ -x "$hicp" ] || { echo "$hicp is not an executable; build it first (see --help)" >&2; exit 1; }

port=${HICP_BENCH_PORT:-18080}
base="http://127.0.0.1:$port"
work=$(mktemp -d)
sampler=
cleanup() {
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
  kill "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$hicp" serve --demo --bind "127.0.0.1:$port" --data-dir "$work/data" >"$work/out" 2>"$work/log" &
server=$!
for _ in $(seq 1 100); do
  grep -q "with the password" "$work/out" 2>/dev/null && break
  sleep 0.1
done
password=$(sed -n 's/.*with the password \(.*\):$/\1/p' "$work/out")
[ -n "$password" ] || { echo "the server did not start:"; cat "$work/log"; exit 1; }

# Sign in through the form, as the browser does: a 303 to the front page and a session cookie.
status=$(curl -s -o /dev/null -w '%{http_code}' -c "$work/jar" \
  --data-urlencode "email=viewer@demo.hicp.invalid" --data-urlencode "password=$password" \
  --data-urlencode "next=/" "$base/sign-in")
[ "$status" = 303 ] || { echo "signing in through /sign-in answered $status, not 303" >&2; exit 1; }
cookie=$(awk '$6 ~ /hicp_session/ {print $6"="$7}' "$work/jar")
[ -n "$cookie" ] || { echo "signing in set no session cookie" >&2; exit 1; }
get() { curl -sf -H "Cookie: $cookie" "$base$1"; }
org=$(get /api/v1/organizations | jq -r '.[] | select(.name == "Cascade Health System") | .id')
assessment=$(get "/api/v1/organizations/$org" | jq -r '.assessments[0].id')

path_of() {
  case "$1" in
    api) echo "/api/v1/organizations/$org/assessments/$assessment/evaluation" ;;
    dashboard) echo "/orgs/$org" ;;
    assessment) echo "/orgs/$org/assessments/$assessment/practices/1" ;;
    *) echo "unknown page $1 (api, dashboard, assessment)" >&2; return 1 ;;
  esac
}

# Every page must answer 200 before it is measured: wrk counts a 404 or a redirect to the
# sign-in page as a fast success.
IFS=, read -r -a selected <<<"$pages"
for page in "${selected[@]}"; do
  path=$(path_of "$page")
  read -r status bytes < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' \
    -H "Cookie: $cookie" "$base$path")
  if [ "$status" != 200 ]; then
    echo "GET $path ($page) answered $status, not 200: is that page in this build?" >&2
    exit 1
  fi
  echo "$page: GET $path, 200, $bytes bytes"
done

# The first page load, as a browser with an empty cache makes it: a page's HTML and every
# stylesheet, script and image it links, with compression offered (curl --compressed). The
# sign-in page is what a newcomer loads first; the dashboard is the heaviest page after it.
first_load() {
  local path=$1 html assets total=0 size
  html="$work/first.html"
  size=$(curl -s --compressed -o "$html" -w '%{size_download}' -H "Cookie: $cookie" "$base$path")
  echo "first page load of $path:"
  printf '  %7d bytes  %s\n' "$size" "$path"
  total=$size
  assets=$(grep -oE '<(link[^>]+rel="stylesheet"[^>]*|script[^>]+|img[^>]+)>' "$html" \
    | grep -oE '(href|src)="/[^"]*"' | sed -E 's/^(href|src)="(.*)"$/\2/' | sort -u)
  for asset in $assets; do
    size=$(curl -s --compressed -o /dev/null -w '%{size_download}' -H "Cookie: $cookie" "$base$asset")
    printf '  %7d bytes  %s\n' "$size" "$asset"
    total=$((total + size))
  done
  printf '  %7d bytes  in all (target: under 100 KB = 102400 bytes)\n' "$total"
}
first_load /sign-in
for page in "${selected[@]}"; do
  if [ "$page" = dashboard ]; then first_load "$(path_of dashboard)"; fi
done

# Resident memory, one "seconds kB" line per sample, for the whole benchmark.
(
  while kill -0 "$server" 2>/dev/null; do
    printf '%s %s\n' "$(date +%s)" "$(awk '/VmRSS/ {print $2}' "/proc/$server/status")"
    sleep "$sample_every"
  done
) >"$work/rss" &
sampler=$!

# wrk's own summary at the end of a run, in microseconds and counts.
cat >"$work/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.0f %.1f %.1f %.1f %d %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
EOF

results=()
for page in "${selected[@]}"; do
  path=$(path_of "$page")
  echo
  echo "== $page: $connections connections for $duration: GET $path"
  started=$(date +%s)
  wrk -t2 -c"$connections" -d"$duration" --latency -s "$work/report.lua" \
    -H "Cookie: $cookie" "$base$path" | tee "$work/wrk-$page"
  ended=$(date +%s)
  read -r _ requests rps p50 p99 max socket_errors bad_status < <(grep '^RESULT' "$work/wrk-$page")
  memory=$(awk -v from="$started" -v to="$ended" '$1 >= from && $1 <= to && $2 != "" {
      if (n == 0) { first = $2; min = $2; max = $2 }
      if ($2 < min) min = $2; if ($2 > max) max = $2; last = $2; n++ }
    END { if (n) printf "%.1f / %.1f / %.1f / %.1f MB (%d samples)", first/1024, min/1024, max/1024, last/1024, n;
          else printf "no samples" }' "$work/rss")
  # A page still answering 200 after the run: the session did not lapse during it.
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base$path")
  results+=("$(printf '%-10s %9s %8.0f %8s ms %8s ms %8s ms %6d %6d %6s  %s' "$page" "$requests" \
    "$rps" "$p50" "$p99" "$max" "$socket_errors" "$bad_status" "$status" "$memory")")
done

echo
echo "server: SQLite, $connections connections, $duration per page, $(nproc) cores shared with wrk"
printf '%-10s %9s %8s %11s %11s %11s %6s %6s %6s  %s\n' page requests req/s p50 p99 max \
  socket 4xx5xx after 'memory first / min / max / last'
for line in "${results[@]}"; do echo "$line"; done
echo "target: >= 3000 req/s, p99 < 50 ms, no errors, flat memory"
