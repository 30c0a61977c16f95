#!/usr/bin/env bash
# Incremental indexing and watching on a 1,000-report corpus (release build).
# usage: bench/reindex.sh SOURCE_DIR [WORK_DIR]
#   SOURCE_DIR: a folder of at least 1,000 .txt reports (see bench/README.md)
# Prints: --rebuild wall time; adding one report + `palabre index` wall time;
# with `serve --watch`, the time until GET /search finds a report copied into
# the corpus, and until it stops finding it once removed.
set -euo pipefail
source "$(dirname "$0")/common.sh"
need bc curl jq
SOURCE=${1:?usage: bench/reindex.sh SOURCE_DIR [WORK_DIR]}
WORK=${2:-$(mktemp -d)}
CORPUS=$WORK/corpus INDEX=$WORK/index
make_corpus "$SOURCE" "$CORPUS"
p() { "$PALABRE" --corpus "$CORPUS" --index "$INDEX" "$@"; }
rm -rf "$INDEX"

# timed LABEL ARGS…: runs palabre ARGS, prints wall and CPU (user + system)
# time: on a busy machine the wall time varies, the CPU time much less.
timed() {
  local label=$1; shift
  local TIMEFORMAT='%R %U %S' times
  times=$( { time p "$@" >/dev/null 2>"$WORK/index.err"; } 2>&1 )
  read -r wall user sys <<<"$times"
  printf '%-22s wall %6.2f s  cpu %6.2f s   %s\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" \
    "$(grep -o 'indexed in.*unchanged' "$WORK/index.err" || true)"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
timed "first index" index
for i in 1 2 3; do timed "index --rebuild #$i" index --rebuild; done
timed "index, nothing new" index
files=("$CORPUS"/*.txt); first=${files[0]}
for i in $(seq 10); do
  { cat "$first"; echo; echo "Le mot de la fin, benchajout$i, reste entre nous."; } >"$CORPUS/new-$i.txt"
  timed "add 1 + index #$i" index
done

# serve --watch: copy a report in, poll /search until found; remove it, poll
# until gone. Polling every 20 ms adds at most that much.
# Not through p(): $! must be the server itself, for the kill at exit.
"$PALABRE" --corpus "$CORPUS" --index "$INDEX" serve --bind 127.0.0.1:0 --watch 2>"$WORK/serve.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1200); do grep -q 'listening on' "$WORK/serve.err" && break; sleep 0.05; done
ADDRESS=$(grep -o 'http://[0-9.:]*' "$WORK/serve.err") \
  || { echo "bench: the server did not start: $(cat "$WORK/serve.err")" >&2; exit 1; }
# Wait for the catch-up run to finish before measuring.
for _ in $(seq 600); do grep -q 'indexed in' "$WORK/serve.err" && break; sleep 0.05; done
hits() { curl -sf "$ADDRESS/search?q=$1" | jq .total; }
for i in 1 2 3 4 5; do
  word=benchwatch$i
  { cat "$first"; echo; echo "Le mot de la fin, $word, reste entre nous."; } >"$WORK/w$i.txt"
  t=$(now); cp "$WORK/w$i.txt" "$CORPUS/"
  until [[ $(hits $word) -gt 0 ]]; do sleep 0.02; done
  added=$(since "$t")
  t=$(now); rm "$CORPUS/w$i.txt"
  until [[ $(hits $word) -eq 0 ]]; do sleep 0.02; done
  echo "serve --watch #$i: found after $added s, gone after $(since "$t") s"
done
echo "server log: $WORK/serve.err"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
