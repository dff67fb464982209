#!/usr/bin/env bash
# A simulated year (or three) of daily use: every day (under faketime) `trendd fetch` of that day's
# PER_DAY new arXiv papers (real SciTLDR abstracts from ../shared), then `trendd digest --now --no-fetch`;
# with a binary that has `store compact`, it also runs weekly (the daemon prunes after each digest).
# At each checkpoint day it prints: items stored, disk bytes per item, `status` and store-open time
# and peak RSS, that day's fetch and digest time and peak RSS, and the idle daemon's RSS.
#
# usage: scripts/year-sim.sh BIN DAYS [CHECKPOINTS] [PER_DAY]
#   e.g. scripts/year-sim.sh target/release/trendd 365 "3 365"
# Needs faketime and python3; reads ../shared/bench/scitldr/dev.jsonl and ../shared/checks/lib/arxiv_feed.py.
set -euo pipefail
bin=$(realpath "$1"); days=$2; points=${3:-"3 $2"}; per_day=${4:-300}
shared=$(cd "$(dirname "$0")/../../shared" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/year-sim.XXXXXX"); trap 'rm -rf "$work"' EXIT
# The simulated days begin after today: trendd never dates a first sighting before its own build
# (a clock in the past), so days simulated before the build would all be "first seen" at the build.
start=${YEAR_SIM_START:-$(date -u -d tomorrow +%F)}
python3 - "$shared/bench/scitldr/dev.jsonl" "$work" "$start" "$days" "$per_day" <<'PY'
import json, random, sys, datetime as dt
pool = [json.loads(l) for l in open(sys.argv[1])]
out, start, days, per = sys.argv[2], dt.date.fromisoformat(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rnd, n = random.Random(7), 0
for d in range(days + 1):
    day = (start + dt.timedelta(days=d)).isoformat()
    with open(f"{out}/d{d:04d}.jsonl", "w") as f:
        for _ in range(per):
            r = rnd.choice(pool); n += 1
            ab = " ".join(rnd.sample(r["sentences"], len(r["sentences"]))) if r.get("sentences") else r["abstract"]
            f.write(json.dumps({"id": f"{26 + d // 365:02d}{(d // 30) % 12 + 1:02d}.{n % 100000:05d}",
                                "title": r["title"] + f" ({n})", "abstract": ab, "published": day,
                                "categories": ["cs.LG"], "authors": ["A. Author", "B. Author"]}) + "\n")
PY
for f in "$work"/d*.jsonl; do python3 "$shared/checks/lib/arxiv_feed.py" "$f" "${f%.jsonl}.xml"; rm "$f"; done
cfg=$work/c.toml; state=$work/state
printf '[general]\ntimezone = "UTC"\n[schedule]\nfetch = "0 0 3 1 1 *"\ndigest = "0 0 4 1 1 *"\ncatch_up = false\n[digest]\nmax_age_days = 3\n' >"$cfg"
printf '[[source]]\nkind = "arxiv"\nname = "arxiv"\nurl = "file://%s"\n' "$work/today.xml" >>"$cfg"
printf '[[deliver]]\nkind = "file"\ndir = "%s"\n' "$work/digests" >>"$cfg"
has_compact=0; "$bin" store --help >/dev/null 2>&1 && has_compact=1
tm() { /usr/bin/time -f '%e %M' "$@" >/dev/null 2>"$work/t.err" || { tail -n 3 "$work/t.err" >&2; return 1; }; tail -n1 "$work/t.err"; }
best() { local a b; a=$(tm "$@"); b=$(tm "$@"); python3 -c "import sys;x=[list(map(float,s.split())) for s in sys.argv[1:]];m=min(x);print(f'{m[0]:.3f}s {max(r[1] for r in x)/1024:.1f}MB')" "$a" "$b"; }
daemon_rss() {
  # faketime itself would be the child; preload its library so $! is the daemon.
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 FAKETIME="@$1 05:00:00" \
    "$bin" --config "$cfg" --state-dir "$state" run >/dev/null 2>"$work/d.log" & local pid=$!
  sleep 8; awk '$1 == "VmRSS:" {printf "%.1fMB", $2 / 1024}' "/proc/$pid/status"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
for ((d = 0; d <= days; d++)); do
  day=$(date -u -d "$start + $d days" +%F)
  ln -sf "$work/d$(printf %04d "$d").xml" "$work/today.xml"
  ft=(faketime "$day 06:00:00" "$bin" --config "$cfg" --state-dir "$state")
  if [[ " $points " == *" $d "* ]]; then
    f=$(tm "${ft[@]}" fetch); g=$(tm "${ft[@]}" digest --now --no-fetch)
    items=$("${ft[@]}" status | awk '/^items:/ {print $2}')
    bytes=$(du -sb "$state" | cut -f1)
    st=$(best "${ft[@]}" status); op=$(best "${ft[@]}" items --since 2099-01-01)
    printf 'day %d: items %d, %d bytes/item (%.0f MB), status %s, open %s, fetch %ss %.1fMB, digest %ss %.1fMB, daemon idle %s\n' \
      "$d" "$items" $((bytes / (items > 0 ? items : 1))) "$(echo "$bytes / 1048576" | bc -l)" "$st" "$op" \
      ${f% *} "$(echo "${f#* } / 1024" | bc -l)" ${g% *} "$(echo "${g#* } / 1024" | bc -l)" "$(daemon_rss "$day")"
  else
    "${ft[@]}" fetch >/dev/null 2>&1 || { echo "fetch failed on day $d" >&2; exit 1; }
    "${ft[@]}" digest --now --no-fetch >/dev/null 2>&1 || { echo "digest failed on day $d" >&2; exit 1; }
  fi
  if [ "$has_compact" = 1 ] && [ $((d % 7)) = 6 ]; then "${ft[@]}" store compact >/dev/null; fi
done
