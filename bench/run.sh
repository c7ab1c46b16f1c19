#!/usr/bin/env bash
# Build benchmark: full `statusmark build --audience all` of seeded corpora, median of 3.
# Usage: bench/run.sh [N ...]   (default: 1000 10000). Needs `make demo` or `make test` first (.venv).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
SM=.venv/bin/statusmark
OUT=bench/out
RUNS=${RUNS:-3}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
export STATUSMARK_NOW=2026-11-01T00:00:00Z

echo "| measure | median wall | peak RSS | runs (s) |"
echo "| --- | --- | --- | --- |"
for n in "${sizes[@]}"; do
  corpus="$OUT/corpus-$n"
  [ -f "$corpus/mkdocs.yml" ] || $PY bench/gen_corpus.py "$n" "$corpus" >/dev/null
  $PY bench/measure.py "check, $n events" "$RUNS" -- $SM check -f "$corpus/mkdocs.yml"
  $PY bench/measure.py --prepare "rm -rf $corpus/site $corpus/site-*" \
    "cold build --audience all, $n events" "$RUNS" -- $SM build --audience all -f "$corpus/mkdocs.yml"
  $PY bench/measure.py "build public only, $n events" "$RUNS" -- $SM build -f "$corpus/mkdocs.yml"
done
