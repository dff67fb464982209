#!/usr/bin/env bash
# Response times of the web face's pages on a large store: `trendd serve` on loopback, each page requested
# whole from outside (farm-bench timing `curl`, and curl's own time_total over 20 requests).
#
#   scripts/web-bench.sh [ROOT]
#
# ROOT (default $TMPDIR/trendd-web-bench) holds the store; when it has none, the store bench makes one of
# WEB_BENCH_ITEMS items (default 100000, 1000 a day). WEB_BENCH_DIGESTS (default 30) digests are composed
# for the last days, as the daemon would have, before the pages are timed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${1:-${TMPDIR:-/tmp}/trendd-web-bench}
N=${WEB_BENCH_ITEMS:-100000}
DIGESTS=${WEB_BENCH_DIGESTS:-30}
cargo build --release -q
BIN=$PWD/target/release/trendd
if [ ! -d "$ROOT/state" ]; then
  BENCH_KEEP=$ROOT BENCH_STORE_SIZES=$N BENCH_RUNS=1 cargo bench --bench store
fi
# The bench's config plus a rate bound no benchmark reaches.
{ cat "$ROOT/trendd.toml"; printf '\n[web]\nmax_requests_per_second = 100000\n'; } >"$ROOT/web.toml"
T=("$BIN" --config "$ROOT/web.toml" --state-dir "$ROOT/state")
for i in $(seq $((DIGESTS - 1)) -1 0); do
  d=$(date -u -d "-$i day" +%F)
  "${T[@]}" -q digest --now --no-fetch --date "$d" >/dev/null || true
done
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"${T[@]}" serve --listen "127.0.0.1:$PORT" 2>"$ROOT/serve.log" &
SPID=$!
trap 'kill $SPID 2>/dev/null; wait $SPID 2>/dev/null' EXIT
B="http://127.0.0.1:$PORT"
for _ in $(seq 200); do curl -s -o /dev/null "$B/" && break; sleep 0.1; done
TODAY=$(date -u +%F)
curl -sf "$B/digests/$TODAY" -o "$ROOT/day.html"
LINK=$(grep -o '/f/[A-Za-z0-9_-]*' "$ROOT/day.html" | head -n1)
echo "store: $("${T[@]}" --version) at $ROOT; $(ls "$ROOT/state/digests"/*.json | wc -l) digests; load $(cut -d' ' -f1-3 /proc/loadavg)"
for page in "/" "/digests/$TODAY" "/digests/$TODAY.bib" "/feed.atom" "/items?q=learning" "/items?q=graph+neural+network" "$LINK"; do
  times=$(for _ in $(seq 20); do curl -sf -o /dev/null -w '%{time_total}\n' "$B$page"; done | sort -n)
  med=$(echo "$times" | sed -n 10p); lo=$(echo "$times" | head -n1); hi=$(echo "$times" | tail -n1)
  bytes=$(curl -sf "$B$page" | wc -c)
  printf '%-34s curl time_total min/median/max %6.1f / %6.1f / %6.1f ms  (%s bytes)\n' "GET ${page:0:30}" \
    "$(echo "$lo*1000" | bc)" "$(echo "$med*1000" | bc)" "$(echo "$hi*1000" | bc)" "$bytes"
done
times=$(for _ in $(seq 20); do curl -sf -o /dev/null -w '%{time_total}\n' -X POST "$B$LINK"; done | sort -n)
printf '%-34s curl time_total min/median/max %6.1f / %6.1f / %6.1f ms\n' "POST /f/{token}" \
  "$(echo "$(echo "$times" | head -n1)*1000" | bc)" "$(echo "$(echo "$times" | sed -n 10p)*1000" | bc)" "$(echo "$(echo "$times" | tail -n1)*1000" | bc)"
echo "farm-bench (whole curl process):"
for page in "/digests/$TODAY" "/items?q=learning"; do
  farm-bench -n 10 --timeout 300 -- curl -sf -o /dev/null "$B$page" 2>&1 | sed "s|^|  $page: |" | grep -E 'wall s'
done
