#!/usr/bin/env bash
# Crash safety on a 1,000-report corpus (release build): RUNS times, start
# `palabre index --rebuild`, SIGKILL it at a random moment, then check that
# `palabre search` answers from the last commit, that `palabre documents`
# lists every report, and that the next `palabre index` completes and leaves
# no file of the killed run behind. Exits 1 at the first failure.
# usage: bench/crash.sh SOURCE_DIR [RUNS=20] [WORK_DIR]
set -euo pipefail
source "$(dirname "$0")/common.sh"
need bc jq
SOURCE=${1:?usage: bench/crash.sh SOURCE_DIR [RUNS] [WORK_DIR]}
RUNS=${2:-20}
WORK=${3:-$(mktemp -d)}
CORPUS=$WORK/corpus INDEX=$WORK/index
make_corpus "$SOURCE" "$CORPUS"
# A report with a word found nowhere else: the probe for "search answers".
echo -e "Sonde\n\nLe mot de la fin, crashsonde, reste entre nous." >"$CORPUS/zz-sonde.txt"
EXPECTED=$((REPORTS + 1))
p() { "$PALABRE" --corpus "$CORPUS" --index "$INDEX" "$@"; }
fail() { echo "FAIL attempt $attempts: $*" >&2; exit 1; }

# Files in the index folder that belong to no segment of the last commit.
orphans() {
  local live; live=$(jq -r '.segments[].segment_id | gsub("-"; "")' "$INDEX/meta.json")
  find "$INDEX" -maxdepth 1 -type f ! -name '.*' ! -name meta.json -printf '%f\n' \
    | cut -d. -f1 | grep -vxF -f <(echo "$live") | wc -l || true
}

rm -rf "$INDEX"
p index >/dev/null 2>&1
t=$(now); p index --rebuild >/dev/null 2>&1; REBUILD=$(since "$t")
REBUILD_MS=$(echo "$REBUILD * 1000 / 1" | bc)
echo "index --rebuild takes $REBUILD s; killing at a random moment in it"

# RUNS runs that were really killed; a run that finished before its kill
# (the machine got faster) is checked too, but not counted, and shortens the
# window for the next ones.
run=0 attempts=0
while (( run < RUNS && attempts < 3 * RUNS )); do
  attempts=$((attempts + 1))
  delay_ms=$(( (RANDOM * 32768 + RANDOM) % REBUILD_MS ))
  # Not through p(): $! must be palabre itself, not a subshell.
  "$PALABRE" --corpus "$CORPUS" --index "$INDEX" index --rebuild >/dev/null 2>&1 &
  pid=$!
  sleep "$(echo "$delay_ms / 1000" | bc -l)"
  kill -KILL "$pid" 2>/dev/null || true
  status=0; wait "$pid" 2>/dev/null || status=$?
  if [[ $status -eq 137 ]]; then
    run=$((run + 1)); how="killed"
  else
    how="finished first (status $status), not counted"; REBUILD_MS=$delay_ms
  fi
  left=$(orphans)

  results=$(p search --json crashsonde) || fail "search failed after the kill"
  [[ $(jq .total <<<"$results") -ge 1 ]] || fail "search found nothing after the kill"
  documents=$(p documents --json | jq length)
  [[ $documents -eq $EXPECTED ]] || fail "$documents reports listed, not $EXPECTED"

  t=$(now)
  p index 2>"$WORK/index.err" >/dev/null || fail "index after the kill: $(cat "$WORK/index.err")"
  took=$(since "$t")
  after=$(orphans)
  [[ $after -eq 0 ]] || fail "$after files of the killed run left after re-indexing"
  [[ $(p search --json crashsonde | jq .total) -ge 1 ]] || fail "search after re-indexing"
  printf 'attempt %2d: %s at %5d ms; %3d stray files; search ok; %d reports; index ok in %s s; 0 stray files\n' \
    "$attempts" "$how" "$delay_ms" "$left" "$documents" "$took"
done
(( run == RUNS )) || { echo "only $run kills landed in $attempts attempts" >&2; exit 1; }
echo "$RUNS/$RUNS killed runs left a working index ($attempts attempts)"
