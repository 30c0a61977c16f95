"""Runs two builds' `palabre search` alternately, N times each per query,
and prints the medians of wall time, CPU time (user+sys, from wait4) and
minor page faults per process. Alternating run by run cancels the drift of
a shared machine's load, which hyperfine's run-all-of-A-then-B cannot.

    python3 bench/interleave.py OLD NEW CORPUS OLD_INDEX NEW_INDEX N [QUERY...]

Both indexes must hold the same content (index CORPUS with each binary, or
give the same index twice when both builds read its format). Without
queries, three that suit the bundled corpus."""
import os, statistics, sys, time
old, new, corpus, idx_old, idx_new, n = sys.argv[1:7]
queries = sys.argv[7:] or ["cadre juridique", "réfugiés syriens", "coordination -Sfax"]
def run(binary, index, query):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1); os.dup2(fd, 2)
        os.execv(binary, [binary, "--corpus", corpus, "--index", index, "search", query])
    _, status, usage = os.wait4(pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_minflt
for query in queries:
    res = {"old": [], "new": []}
    for i in range(int(n)):
        pairs = [("old", old, idx_old), ("new", new, idx_new)]
        if i % 2: pairs.reverse()
        for name, b, ix in pairs:
            res[name].append(run(b, ix, query))
    for name in ("old", "new"):
        wall = statistics.median(r[0] for r in res[name]) * 1000
        cpu = statistics.median(r[1] for r in res[name]) * 1000
        flt = statistics.median(r[2] for r in res[name])
        print(f"{query!r:22} {name}: median wall {wall:6.2f} ms, median cpu {cpu:5.2f} ms, minor faults {flt:.0f}")
