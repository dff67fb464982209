#!/usr/bin/env bash
# Whole-process `trendd fetch` times, taken as ../shared/checks/ratio takes them (wall time between two
# `date` calls, a fresh state directory each run, each run followed by Python feedparser parsing the
# same files), for one or more trendd binaries side by side. Prints min/median/max in 0.1 ms.
#
#   scripts/fetch-alternated.sh ROUNDS BIN [BIN ...]
#
# Needs ../shared/corpus and a Python with feedparser 6.0.14 (PY=..., default: the checks' venv).
set -euo pipefail
rounds=$1; shift
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CORPUS:-$here/../shared/corpus/feedparser/wellformed}
py=${PY:-${TMPDIR:-/tmp}/trendd-check-venv/bin/python}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
find "$corpus" -type f -name '*.xml' | sort >"$work/files"
i=0; while read -r f; do i=$((i+1)); printf '[[source]]\nkind = "feed"\nname = "f%04d"\nurl = "file://%s"\n\n' "$i" "$f"; done <"$work/files" >"$work/c.toml"
printf 'import sys, feedparser\nfor p in open(sys.argv[1]).read().split():\n    feedparser.parse(open(p, "rb").read())\n' >"$work/fp.py"
declare -A runs
for _ in $(seq "$rounds"); do
  for bin in "$@"; do
    rm -rf "$work/s"
    s=$(date +%s%N); "$bin" --config "$work/c.toml" --state-dir "$work/s" fetch >/dev/null 2>&1; e=$(date +%s%N)
    runs[$bin]+="$(( (e - s) / 100000 )) "
    "$py" "$work/fp.py" "$work/files" >/dev/null
  done
done
for bin in "$@"; do
  printf '%s: ' "$bin"
  tr ' ' '\n' <<<"${runs[$bin]}" | grep . | sort -n | awk '{a[NR]=$1} END {printf "min %s med %s max %s (0.1 ms)\n", a[1], a[int((NR+1)/2)], a[NR]}'
done
