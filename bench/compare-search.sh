#!/usr/bin/env bash
# Compares the whole-process time of `palabre search` between two builds,
# on the same index content, with hyperfine (Debian package `hyperfine`).
#
#   bash bench/compare-search.sh OLD_BINARY NEW_BINARY [CORPUS]
#
# Each binary indexes CORPUS (default: the bundled corpus/) into its own
# temporary index, so both search the same content with their own code;
# then hyperfine runs a few typical queries with each, alternating, after
# warm-up runs. Build both with `cargo build --release`. See bench/README.md.
set -euo pipefail
old=$(realpath "$1")
new=$(realpath "$2")
corpus=$(realpath "${3:-$(dirname "$0")/../corpus}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$old" --corpus "$corpus" --index "$work/old" index >/dev/null 2>&1
"$new" --corpus "$corpus" --index "$work/new" index >/dev/null 2>&1

# Load on a shared machine drifts: odd rounds run old then new, even rounds
# new then old. Every run's time is kept; the summary pools the rounds.
rounds=${ROUNDS:-4}
declare -A binary=([old]="$old" [new]="$new")
queries=("cadre juridique" "réfugiés syriens" "coordination -Sfax")
for q in "${!queries[@]}"; do
    query=${queries[$q]}
    for round in $(seq 1 "$rounds"); do
        first=old second=new
        if ((round % 2 == 0)); then first=new second=old; fi
        hyperfine --warmup 10 --runs "${RUNS:-100}" --style none -N -i \
            --command-name "$first" "${binary[$first]} --corpus $corpus --index $work/$first search '$query'" \
            --command-name "$second" "${binary[$second]} --corpus $corpus --index $work/$second search '$query'" \
            --export-json "$work/q$q-r$round.json" >/dev/null 2>&1
    done
done

python3 - "$work" "${queries[@]}" <<'PY'
import glob, json, statistics, sys
work, queries = sys.argv[1], sys.argv[2:]
print(f"{'query':22} {'binary':6} {'runs':>5} {'median ms':>10} {'mean user+sys ms':>17}")
for q, query in enumerate(queries):
    pooled = {"old": {"times": [], "cpu": []}, "new": {"times": [], "cpu": []}}
    for path in glob.glob(f"{work}/q{q}-r*.json"):
        for result in json.load(open(path))["results"]:
            entry = pooled[result["command"]]
            entry["times"] += result["times"]
            # hyperfine 1.15 exports the mean user and system times only.
            entry["cpu"] += [result["user"] + result["system"]] * len(result["times"])
    for name in ("old", "new"):
        times, cpu = pooled[name]["times"], pooled[name]["cpu"]
        print(f"{query!r:22} {name:6} {len(times):5} {statistics.median(times) * 1000:10.2f} "
              f"{statistics.mean(cpu) * 1000:17.2f}")
    ratio = statistics.median(pooled["new"]["times"]) / statistics.median(pooled["old"]["times"])
    print(f"{'':22} new/old median: {ratio:.2f}")
PY
