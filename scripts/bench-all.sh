#!/usr/bin/env bash
# Runs every benchmark as BENCHMARKS.md reports it, from anywhere; data comes from ../shared next to
# the project. Python feedparser 6.0.14 goes into a venv ($FEEDPARSER_VENV, default $TMPDIR/fpvenv).
# Usage: scripts/bench-all.sh [ingest store_write summarize fetch_cycle store ratio]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ -d ../shared ] || { echo "../shared is absent: nothing to measure" >&2; exit 1; }
VENV=${FEEDPARSER_VENV:-${TMPDIR:-/tmp}/fpvenv}
if ! "$VENV/bin/python" -c 'import feedparser' 2>/dev/null; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q feedparser==6.0.14
fi
export FEEDPARSER_PY=$VENV/bin/python
benches=${*:-ingest store_write summarize fetch_cycle store ratio}
cargo bench --no-run -q
echo "machine: nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')\" ram=$(free -g | awk '/Mem:/{print $2}')GiB"
for b in $benches; do
  echo "### $b   ($(uptime | sed 's/.*load/load/'))"
  case $b in
    summarize) taskset -c 0 cargo bench -q --bench summarize ;;   # one core
    ratio) CHECK_VENV=$VENV ../shared/checks/ratio ;;
    *) cargo bench -q --bench "$b" ;;
  esac
done
echo "### done   ($(uptime | sed 's/.*load/load/'))"
