#!/usr/bin/env bash
# The measurements of docs/robustness.md, in one run, with the release
# build: wrk with 64 connections cycling through queries.lua's 24 searches
# (with the result cache, then without), the same while a 1,000-report
# corpus is rebuilt into the served index, and a normal search while 200
# slow clients hold connections. Needs wrk, curl and python3.
#
#   bench/robustness/measure.sh [SECONDS=30] [WORK=/tmp/palabre-robustness]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
work=${2:-/tmp/palabre-robustness}
source bench/common.sh  # PALABRE, the release binary
bin=$PALABRE
cargo build --release --quiet
rm -rf "$work" && mkdir -p "$work"
"$bin" --corpus corpus --index "$work/idx" index --quiet
bench/robustness/make_corpus.sh "$work/big" 1000

port=$((20000 + RANDOM % 20000))
url=http://127.0.0.1:$port
serve() { # serve [OPTIONS…]: starts the server, waits for it
  "$bin" --corpus corpus --index "$work/idx" serve --bind "127.0.0.1:$port" "$@" 2>"$work/access.log" &
  server=$!
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$url/health" && return; sleep 0.1; done
  echo "the server did not start" >&2
  exit 1
}
stop() { kill -TERM "$server"; wait "$server"; echo "server exit status: $?"; }
load() { # load TITLE
  echo "== $1 ($(uptime | sed 's/.*load average/load average/'))"
  wrk -t2 -c64 -d"${seconds}s" --latency -s bench/robustness/queries.lua "$url" |
    grep -E 'requests in|Socket errors|Non-2xx|Requests/sec| 50%| 90%| 99%|Latency '
}

serve
load "wrk -c64, 24 queries, result cache on (default)"
"$bin" --corpus "$work/big" --index "$work/idx" index --rebuild --quiet &
indexer=$!
load "the same while index --rebuild of 1,000 reports runs into the served index"
wait "$indexer" && echo "rebuild finished with status 0"
stop

"$bin" --corpus corpus --index "$work/idx" index --rebuild --quiet
serve --cache-entries 0
load "wrk -c64, 24 queries, no result cache (--cache-entries 0)"
echo "== 200 slow clients (a byte a second), then 5 normal searches, no cache"
python3 bench/robustness/slow_clients.py 127.0.0.1 "$port" 200 20 &
slow=$!
sleep 3
for _ in 1 2 3 4 5; do
  curl -s -o /dev/null -w "%{http_code} %{time_total}s\n" "$url/search?q=cadre+juridique"
done
wait "$slow" || true
stop
