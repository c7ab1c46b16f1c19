#!/usr/bin/env bash
# Build benchmark: Statusmark against Hugo and stock MkDocs + Material on the same corpus.
# Usage: bench/run.sh [N ...]   (default: 1000 10000). Needs `make demo` or `make test` first (.venv).
# Env: RUNS (default 3) runs per measure, median shown; MKDOCS_RUNS (default RUNS) for the slow
# stock-MkDocs baseline. Hugo is Debian's: apt-get update && apt-get install -y hugo.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
SM=.venv/bin/statusmark
MKDOCS=.venv/bin/mkdocs
OUT=bench/out
RUNS=${RUNS:-3}
MKDOCS_RUNS=${MKDOCS_RUNS:-$RUNS}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
export STATUSMARK_NOW=2026-11-01T00:00:00Z
unset STATUSMARK_CACHE_DIR
# Bytecode of the code as it is now, as a (non-editable) install has it: where
# PYTHONDONTWRITEBYTECODE is set, a stale or missing .pyc is compiled again by every command.
# And the templates compiled, as `make` does at install (see plugins/statusmark/precompile.py).
$PY -m compileall -q plugins >/dev/null
$PY -m statusmark.precompile 2>/dev/null
HUGO=$(command -v hugo || true)
if [ -z "$HUGO" ]; then
  echo "NOTE: hugo is missing: the Hugo baseline is skipped (apt-get update && apt-get install -y hugo)" >&2
fi
results=$(mktemp)
trap 'rm -f "$results"; rm -rf "$TRASH"' EXIT  # the folders set aside: deleted once, untimed
measure() { $PY bench/measure.py --record "$results" "$@"; }
# The untimed "delete the last build" step sets folders aside (a rename) instead of deleting
# them: tens of thousands of unlinks (trims, on a disk mounted with discard) made the next
# timed runs' system time grow run after run (3 s -> 21 s here). They are deleted at the end.
TRASH="$OUT/trash"
aside() { echo "t=$TRASH/\$(date +%s%N); mkdir -p \$t; for d in $*; do if [ -e \$d ]; then mv \$d \$t/; fi; done"; }

# What the figures depend on besides the code (bench/README.md, session 17): on a VM whose
# balloon reports free pages to the host, memory freed by earlier work is slow to touch again.
reporting=off
for dev in /sys/bus/virtio/devices/*; do
  if [ "$(cat "$dev/device" 2>/dev/null)" = 0x0005 ] && [ "$(cut -c6 "$dev/features" 2>/dev/null)" = 1 ]; then
    reporting=on
  fi
done
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), up $(awk '{printf "%.0f", $1 / 60}' /proc/uptime) min," \
  "$(awk '/^MemFree/ {f = $2} /^MemTotal/ {t = $2} END {printf "%.1f of %.1f GiB free", f / 2^20, t / 2^20}' /proc/meminfo)," \
  "free page reporting $reporting"
# And the disk: after many deletions (the last run's, at its end), making folders near
# them is slow for minutes (bench/fsprobe.py): wait for it, up to ten minutes, probing
# where the largest corpus's sites are made (in $OUT while that corpus is not there yet).
probed="$OUT/corpus-$(printf '%s\n' "${sizes[@]}" | sort -n | tail -1)"
mkdir -p "$OUT"
[ -d "$probed" ] || probed="$OUT"
disk=$($PY bench/fsprobe.py --wait 10 "$probed" "$TRASH")
echo "disk: $disk"
echo
echo "| measure | median wall | median CPU (user+sys) | peak RSS | runs, wall (s) |"
echo "| --- | --- | --- | --- | --- |"
pair() { $PY bench/pair.py --record "$results" "$@"; }
for n in "${sizes[@]}"; do
  corpus="$OUT/corpus-$n"
  [ -f "$corpus/mkdocs.yml" ] || $PY bench/gen_corpus.py "$n" "$corpus" >/dev/null
  cfg="$corpus/mkdocs.yml"
  sites="$corpus/site $corpus/site-semi-technical $corpus/site-technical"
  clean=$(aside $sites $corpus/.statusmark-cache)
  base="$OUT/baselines-$n"
  $PY bench/baselines.py "$corpus" "$base"
  measure --prepare "$(aside $corpus/.statusmark-cache)" "check (cold, no cache), $n" "$RUNS" -- $SM check -f "$cfg"
  measure "check (warm cache), $n" "$RUNS" -- $SM check -f "$cfg"
  # The builds with a baseline are timed in pairs, each run followed at once by the
  # baseline's, and the ratio taken per pair (see pair.py): the host's load comes and goes
  # over minutes. Without hugo, those builds are timed alone.
  cold_label="cold build --audience all, $n"
  warm_label="warm build --audience all, one update appended, $n"
  # Warm: the cache and the sites of the previous build are kept (as CI restores them); one
  # update is appended to one event before each run. The event file is restored afterwards.
  target=$(find "$corpus/incidents" -name '*.md' | sort | sed -n "$((n / 2))p")
  cp "$target" "$target.orig"
  if [ -n "$HUGO" ]; then
    hugo_cmd="$HUGO --quiet -s $base/hugo -d $PWD/$base/hugo-out"
    pair --names "$cold_label" "hugo cold, public text, $n" "cold all audiences / Hugo one site, $n" "$RUNS" \
      "$clean" "$SM build --audience all -f $cfg" "$(aside $base/hugo-out $base/hugo/resources)" "$hugo_cmd"
    htarget=$(find "$base/hugo/content/events" -name 'event-*.md' | sort | sed -n "$((n / 2))p")
    cp "$htarget" "$base/hugo-target.orig"  # outside content/: Hugo would publish it
    pair --names "$warm_label" "hugo rebuild after one edit, $n" "warm rebuild / Hugo rebuild, $n" "$RUNS" \
      "$PY bench/append_update.py $target" "$SM build --audience all -f $cfg" \
      "printf '\nOne more update.\n' >> $htarget" "$hugo_cmd"
    mv "$base/hugo-target.orig" "$htarget"
  else
    measure --prepare "$clean" "$cold_label" "$RUNS" -- $SM build --audience all -f "$cfg"
    measure --prepare "$PY bench/append_update.py $target" "$warm_label" "$RUNS" -- $SM build --audience all -f "$cfg"
  fi
  # As CI runs it: a fresh checkout leaves every incident file with a new stat (same bytes),
  # so each is read and hashed again to find its parse in the cache.
  measure --prepare "$PY bench/append_update.py $target; find $corpus/incidents -name '*.md' -exec touch {} +" \
    "warm build --audience all, one update appended, every file touched (fresh checkout), $n" "$RUNS" \
    -- $SM build --audience all -f "$cfg"
  measure --prepare "$PY bench/append_update.py $target; $(aside $sites)" \
    "warm build --audience all, cache only (no earlier site), $n" "$RUNS" -- $SM build --audience all -f "$cfg"
  mv "$target.orig" "$target"
  pair --names "cold build public only, $n" "stock mkdocs+material, public text, $n" \
    "public site / stock MkDocs+Material, $n" "$MKDOCS_RUNS" \
    "$clean" "$SM build -f $cfg" "$(aside $base/mkdocs/site)" "$MKDOCS build -q -f $base/mkdocs/mkdocs.yml"
  $SM build --audience all -f "$cfg" >/dev/null  # leave the corpus built from its own files
done

echo
echo "| target | measured | bar | met |"
echo "| --- | --- | --- | --- |"
$PY - "$results" "${sizes[@]}" <<'PYEOF'
import sys
rows = {}
for line in open(sys.argv[1], encoding="utf-8"):
    label, median, rss = line.rstrip("\n").split("\t")
    rows[label] = (float(median), float(rss))
def get(label):
    return rows.get(label, (None, None))
def line(name, value, bar, ok):
    print(f"| {name} | {value} | {bar} | {'yes' if ok else 'NO'} |")
sizes = [int(s) for s in sys.argv[2:]]
for n in sizes:
    cold, rss = get(f"cold build --audience all, {n}")
    if cold is not None:
        if n >= 10000:
            line(f"cold build all audiences, {n}", f"{cold:.2f} s, {rss:.0f} MiB", "<= 20 s, <= 1536 MiB", cold <= 20 and rss <= 1536)
        else:
            line(f"cold build all audiences, {n}", f"{cold:.2f} s", "<= 3 s", cold <= 3)
    warm, _ = get(f"warm build --audience all, one update appended, {n}")
    if warm is not None and n >= 10000:
        line(f"warm rebuild, one update appended, {n}", f"{warm:.2f} s", "<= 2 s", warm <= 2)
    check, _ = get(f"check (cold, no cache), {n}")
    if check is not None and n >= 10000:
        line(f"check (no cache), {n}", f"{check:.2f} s", "<= 3 s", check <= 3)
    restored, _ = get(f"check (warm cache), {n}")
    if restored is not None and n >= 10000:  # what the pull-request workflow runs: it restores the cache
        line(f"check (cache restored, as in pr.yml), {n}", f"{restored:.2f} s", "<= 3 s", restored <= 3)
    for name, bar in (
        ("cold all audiences / Hugo one site", 3.0),
        ("warm rebuild / Hugo rebuild", 0.35),
        ("public site / stock MkDocs+Material", 0.25),
    ):
        ratio, _ = get(f"{name}, {n}")
        if ratio is not None and n >= 10000:  # the issue's corpus; at 1,000, startup is most of a build
            line(f"{name}, {n} (median of paired runs)", f"{ratio:.2f}x", f"<= {bar}x", ratio <= bar)
if len(sizes) >= 2:
    small, large = min(sizes), max(sizes)
    a, _ = get(f"cold build --audience all, {small}")
    b, _ = get(f"cold build --audience all, {large}")
    if a and b:
        growth = b / a
        bar = 1.1 * large / small
        line(f"growth {small} -> {large} (cold, all audiences)", f"{growth:.1f}x", f"<= {bar:.0f}x", growth <= bar)
PYEOF
