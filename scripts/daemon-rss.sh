#!/usr/bin/env bash
# Resident memory of `trendd run` with CONFIG: after 1, 3, 6 and 10 s (the daemon fetches at start-up),
# and its peak. Usage: scripts/daemon-rss.sh CONFIG [BIN]   (BIN defaults to target/release/trendd)
set -euo pipefail
cfg=$1; bin=${2:-${CARGO_TARGET_DIR:-target}/release/trendd}
state=$(mktemp -d); trap 'rm -rf "$state"' EXIT
"$bin" --config "$cfg" --state-dir "$state" run >/dev/null 2>"$state/log" & pid=$!
rss() { awk -v k="$1" '$1 == k":" {printf "%.1f MiB", $2 / 1024}' "/proc/$pid/status"; }
t0=0
for t in 1 3 6 10; do sleep $((t - t0)); t0=$t; printf 't=%ss %s  ' "$t" "$(rss VmRSS)"; done
echo "peak $(rss VmHWM), threads $(awk '$1 == "Threads:" {print $2}' /proc/$pid/status)"
kill "$pid"; wait "$pid" 2>/dev/null || true
grep -m1 'done' "$state/log" || true
