#!/usr/bin/env python3
"""palabre's benchmark against its peers, in one run.

Builds (or reuses) the French scale corpus, then measures side by side:
indexing (wall and CPU time, peak memory, index size), whole-process search
latency for a fixed query set (hyperfine medians), and HTTP throughput and
latency percentiles (wrk at 16 and 64 connections) for palabre, tantivy-cli,
Xapian (a Python indexer with the French stemmer, `quest` to search), SQLite
FTS5 and `rg -i`. Prints a Markdown table with absolute figures and
palabre-to-peer ratios and writes it, with the raw JSON, to bench/results/.

Standard library only; needs python3 >= 3.9. See bench/README.md.

    python3 bench/run.py --size 100
    python3 bench/run.py --size 1000 --tools palabre,tantivy,fts5,rg
"""
import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from release_binary import release_binary

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
PEERS = os.path.join(BENCH, "peers")
TOOLS = ["palabre", "tantivy", "xapian", "fts5", "rg"]
LABEL = {
    "palabre": "palabre",
    "tantivy": "tantivy-cli",
    "xapian": "Xapian (quest)",
    "fts5": "SQLite FTS5",
    "rg": "rg -i",
    "palabre_nocache": "palabre, no cache",
    "palabre_nofacets": "palabre, no cache, facets=false",
}
# Tools with an HTTP server from their package.
SERVERS = ["palabre", "tantivy"]
# The serve scenarios: one simple query, one matching nearly every document
# (about 93% of the files), and the whole query set in turn.
SIMPLE_QUERY = "réseau"
COMMON_QUERY = "exemple"

COMMANDS = []  # every command run, written to the raw folder
EXAMPLES = {}  # one command per tool and phase, for the results file


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(cmd, example=None, **kw):
    """Runs a command (list), logging it; raises on failure unless check=False.
    `example` names it in the results file's list of commands."""
    COMMANDS.append(shlex.join(cmd))
    if example:
        EXAMPLES[example] = shlex.join(cmd)
    log("$ " + shlex.join(cmd))
    kw.setdefault("check", True)
    return subprocess.run(cmd, **kw)


# ---------------------------------------------------------------- machine


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.rstrip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "free_h": mem,
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not found"


def installed_crate(name):
    out = subprocess.run(["cargo", "install", "--list"], capture_output=True, text=True).stdout
    return next((l.rstrip(":") for l in out.splitlines() if l.startswith(name + " ")), "not found")


def loadavg():
    with open("/proc/loadavg", encoding="utf-8") as fh:
        return float(fh.read().split()[0])


def wait_idle(args, phase, results):
    """Waits (bounded) for the 1-minute load to drop: the machine is shared,
    and a compile next door doubles every figure. Records the load seen."""
    deadline = time.monotonic() + args.idle_wait
    load = loadavg()
    while load > args.max_load and time.monotonic() < deadline:
        log(f"load {load:.2f} > {args.max_load} before {phase}; waiting")
        time.sleep(10)
        load = loadavg()
    results.setdefault("load", {})[phase] = load


# ---------------------------------------------------------------- corpus


def corpus_script():
    override = os.environ.get("PALABRE_BENCH_MAKE_CORPUS")
    if override:
        return override
    return os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "make-corpus.sh"))


def build_corpus(args):
    """The corpus folder holds only the report files; make-corpus's summary
    and source list go beside it, so every tool indexes the same files."""
    corpus = os.path.join(args.work, f"corpus-fr-{args.size}")
    meta = corpus + ".meta"
    if os.path.exists(os.path.join(meta, "complete")) and not args.fresh_corpus:
        log(f"reusing corpus {corpus}")
    else:
        script = corpus_script()
        if not os.path.exists(script):
            sys.exit(f"bench: {script} not found; set PALABRE_BENCH_MAKE_CORPUS")
        shutil.rmtree(meta, ignore_errors=True)
        run(["nice", "-n", "10", "bash", script, corpus, str(args.size), "fr"])
        os.makedirs(meta)
        for name in ("SUMMARY.txt", "SOURCES.tsv"):
            if os.path.exists(os.path.join(corpus, name)):
                shutil.move(os.path.join(corpus, name), os.path.join(meta, name))
        open(os.path.join(meta, "complete"), "w").close()
    files = [f for f in os.listdir(corpus) if f.endswith(".txt")]
    size = 0
    # Reading every file also puts the corpus in the page cache for all tools alike.
    for f in files:
        with open(os.path.join(corpus, f), "rb") as fh:
            size += len(fh.read())
    summary = ""
    if os.path.exists(os.path.join(meta, "SUMMARY.txt")):
        with open(os.path.join(meta, "SUMMARY.txt"), encoding="utf-8") as fh:
            summary = fh.read().strip()
    return corpus, {"path": corpus, "files": len(files), "bytes": size, "summary": summary}


# ---------------------------------------------------------------- tools


def palabre_bin(args):
    override = os.environ.get("PALABRE_BIN")
    if override:
        return override
    if not args.no_build:
        run(["nice", "-n", "10", "cargo", "build", "--release", "--quiet"], cwd=REPO)
    return release_binary()


def tantivy_bin():
    return os.environ.get("TANTIVY_BIN") or shutil.which("tantivy") or os.path.expanduser(
        "~/.cargo/bin/tantivy"
    )


def xapian_python():
    return os.environ.get("XAPIAN_PYTHON", "/usr/bin/python3")


def du_bytes(path):
    out = subprocess.run(["du", "-sb", path], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def timed(cmd, raw, name, **kw):
    """Runs `cmd` under /usr/bin/time -v: wall seconds, CPU seconds (user +
    system, steadier than wall time on a shared machine) and peak RSS (KiB)."""
    time_file = os.path.join(raw, f"time-{name}.txt")
    log_file = os.path.join(raw, f"index-{name}.log")
    start = time.monotonic()
    with open(log_file, "w", encoding="utf-8") as out:
        run(["/usr/bin/time", "-v", "-o", time_file] + cmd, example=f"index {name}",
            stdout=out, stderr=subprocess.STDOUT, **kw)
    wall = time.monotonic() - start
    rss, cpu = 0, 0.0
    with open(time_file, encoding="utf-8") as fh:
        for line in fh:
            if "Maximum resident set size" in line:
                rss = int(line.split(":")[1])
            elif "User time" in line or "System time" in line:
                cpu += float(line.split(":")[1])
    return wall, cpu, rss


def index_tool(tool, args, ctx, results):
    """Builds `tool`'s index from scratch `--index-runs` times; returns the
    figures of the run with the median wall time, and every run's wall time
    (one run on this shared machine can be 20% off)."""
    corpus, idx, raw = ctx["corpus"], ctx["indexes"], ctx["raw"]
    path = os.path.join(idx, tool if tool != "fts5" else "fts5.db")
    extra = {}
    jsonl = os.path.join(ctx["work"], f"corpus-fr-{args.size}.jsonl")
    if tool == "palabre":
        cmd = [ctx["palabre"], "--corpus", corpus, "--index", path, "index", "--rebuild", "--json"]
    elif tool == "tantivy":
        # Preparing the JSON lines is not timed: tantivy-cli only reads JSON.
        if os.path.isdir(path):
            shutil.rmtree(path)
        run([sys.executable, os.path.join(PEERS, "tantivy_jsonl.py"), corpus, jsonl, path],
            example="prepare tantivy", stdout=subprocess.DEVNULL)
        cmd = [ctx["tantivy"], "index", "-i", path, "-f", jsonl]
    elif tool == "xapian":
        cmd = [xapian_python(), os.path.join(PEERS, "xapian_index.py"), corpus, path]
    elif tool == "fts5":
        cmd = ["/usr/bin/python3", os.path.join(PEERS, "fts5_index.py"), corpus, path]
    else:
        return None
    # tantivy_jsonl.py leaves an empty index with its schema: each run
    # starts from that.
    schema = None
    if tool == "tantivy":
        with open(os.path.join(path, "meta.json"), encoding="utf-8") as fh:
            schema = fh.read()
    runs = []
    for number in range(max(1, args.index_runs)):
        if number > 0:
            wait_idle(args, f"index {tool}, run {number + 1}", results)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.isfile(path):
            os.remove(path)
        if schema is not None:
            os.makedirs(path)
            with open(os.path.join(path, "meta.json"), "w", encoding="utf-8") as fh:
                fh.write(schema)
        runs.append(timed(cmd, raw, tool))
    if tool == "tantivy":
        os.remove(jsonl)  # as large as the corpus, and rebuilt on every bench
    if tool == "palabre":
        with open(os.path.join(raw, "index-palabre.log"), encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("{"):
                    summary = json.loads(line)
                    extra = {"documents": summary.get("documents"), "segments": summary.get("segments")}
    wall, cpu, rss = sorted(runs)[(len(runs) - 1) // 2]
    size = du_bytes(path)
    ctx["paths"][tool] = path
    fig = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(rss / 1024, 1), "index_mb": round(size / 1e6, 1),
           "index_over_raw": round(size / ctx["corpus_bytes"], 3)}
    if len(runs) > 1:
        fig["runs_wall_s"] = [round(r[0], 2) for r in runs]
    fig.update(extra)
    log(f"{tool}: {fig}")
    return fig


# ---------------------------------------------------------------- queries


def load_queries():
    queries = []
    with open(os.path.join(BENCH, "queries.tsv"), encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                kind, query = line.rstrip("\n").split("\t", 1)
                queries.append({"kind": kind, "query": query})
    return queries


def parts(query):
    """The query as phrases (quoted) and single words."""
    phrases = re.findall(r'"([^"]+)"', query)
    words = re.sub(r'"[^"]*"', " ", query).split()
    return phrases, words


def fts5_match(query):
    phrases, words = parts(query)
    return " ".join(f'"{t}"' for t in phrases + words)


def fts5_sql(query, count=False):
    match = fts5_match(query).replace("'", "''")
    if count:
        return f"SELECT count(*) FROM docs WHERE docs MATCH '{match}'"
    return ("SELECT name, title, snippet(docs, 2, '[', ']', '…', 24) FROM docs "
            f"WHERE docs MATCH '{match}' ORDER BY rank LIMIT 10")


def search_cmd(tool, query, ctx):
    path = ctx["paths"].get(tool)
    if tool == "palabre":
        return [ctx["palabre"], "--corpus", ctx["corpus"], "--index", path, "search", query]
    if tool == "tantivy":
        return [ctx["tantivy"], "search", "-i", path, "-q", query]
    if tool == "xapian":
        return ["quest", "-d", path, "-s", "french", "-m", "10", query]
    if tool == "fts5":
        return ["sqlite3", path, fts5_sql(query)]
    if tool == "rg":
        # rg has no AND across a file: the words are alternatives, a phrase is
        # literal text. -c prints one count per file, so the whole corpus is
        # scanned (with -l, rg stops reading a file at its first match).
        phrases, words = parts(query)
        cmd = ["rg", "-i", "-c", "-F", "--no-config"]
        for t in phrases + words:
            cmd += ["-e", t]
        return cmd + [ctx["corpus"]]
    raise ValueError(tool)


def count_matches(tool, query, ctx):
    """How many documents (segments for palabre) the tool says match."""
    try:
        if tool == "palabre":
            out = subprocess.run(search_cmd(tool, query, ctx)[:-1] + ["--json", query],
                                 capture_output=True, text=True)
            return json.loads(out.stdout)["total"]
        if tool == "fts5":
            out = subprocess.run(["sqlite3", ctx["paths"]["fts5"], fts5_sql(query, count=True)],
                                 capture_output=True, text=True)
            return int(out.stdout.strip())
        out = subprocess.run(search_cmd(tool, query, ctx), capture_output=True, text=True)
        if tool == "xapian":
            m = re.search(r"(\d+) matches", out.stdout)
            return int(m.group(1)) if m else None
        return len(out.stdout.splitlines())  # tantivy: one line per hit; rg: per file
    except (ValueError, KeyError, json.JSONDecodeError):
        return None


def program_files(cmd):
    """The executable of `cmd` and the shared libraries it loads."""
    exe = shutil.which(cmd[0]) or cmd[0]
    files = [os.path.realpath(exe)]
    try:
        out = subprocess.run(["ldd", exe], capture_output=True, text=True).stdout
    except OSError:
        return files
    for line in out.splitlines():
        m = re.search(r"(/\S+) \(0x", line)
        if m:
            files.append(os.path.realpath(m.group(1)))
    return files


def evict_programs(tool, ctx):
    """Drops the tool's executable and libraries from the page cache (pages
    other processes map stay), so that every tool starts its warm-up runs
    from the same state: read back from disk, as after a reboot. How a file
    entered the cache changes what mapping it costs a short process: the
    same palabre binary, written by `cp`, searched 0.15-0.7 ms faster than
    when read back from disk, and the linker's own output fell on either
    side (see README, "The programs' page cache")."""
    os.sync()
    for path in program_files(search_cmd(tool, "x", ctx)):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def hyperfine(tool, queries, args, ctx, runs=None, part=""):
    """Median wall time (ms) of each query as a whole process, and mean CPU
    time (user + system, ms), which a busy machine disturbs less; with
    `runs`, each query runs that many times (else `--min-runs` at least,
    and hyperfine's 3 s), the raw times kept for `hyperfine_rounds`."""
    out = os.path.join(ctx["raw"], f"hyperfine-{tool}{part}.json")
    count = ["--runs", str(runs)] if runs else ["--min-runs", str(args.min_runs)]
    cmd = ["hyperfine", "-N", "-i", "--style", "basic", "--warmup", str(args.warmup),
           *count, "--export-json", out]
    for q in queries:
        cmd += ["-n", q["query"], shlex.join(search_cmd(tool, q["query"], ctx))]
    EXAMPLES[f"search {tool}"] = shlex.join(search_cmd(tool, queries[0]["query"], ctx))
    EXAMPLES["hyperfine, one -n NAME COMMAND pair per query"] = shlex.join(cmd[:cmd.index("-n") + 3]) + " ..."
    with open(os.path.join(ctx["raw"], f"hyperfine-{tool}{part}.log"), "w", encoding="utf-8") as fh:
        run(cmd, stdout=fh, stderr=subprocess.STDOUT)
    with open(out, encoding="utf-8") as fh:
        data = json.load(fh)
    times, cpu = {}, {}
    for r in data["results"]:
        times[r["command"]] = r["times"]
        cpu[r["command"]] = (r["user"] + r["system"]) * 1000
    return times, cpu


def hyperfine_rounds(tools, queries, args, ctx, res):
    """Each tool's hyperfine medians and mean CPU ms, measured in
    `--hyperfine-rounds` rounds of `--min-runs` runs per query, the tools
    one after the other within a round, their order reversed every other
    round; a query's median is over all its rounds' runs. In one pass per
    tool, the tools' measures lay 30 s or more apart, and on a shared
    machine a quick minute fell on one tool only (each run of 52a4e79,
    a3d5e87 and c4124f2 failed a different query against quest, by
    1.51-1.85x, while run in turn the worst query was at 1.32-1.39x); in
    rounds of a second or two, the tools share the machine's moods as they
    do in turn. rg, which reads the whole corpus at each run, keeps one
    pass. In one pass (one round), each tool waits for a quiet machine
    first, as it always did; in rounds, the phase waits once."""
    rounds = max(1, args.hyperfine_rounds)
    walls = {t: {} for t in tools}
    cpus = {t: {} for t in tools}
    if rounds > 1:
        for t in tools:
            evict_programs(t, ctx)
    for i in range(rounds):
        for tool in tools if i % 2 == 0 else tools[::-1]:
            if tool == "rg" and i > 0:
                continue
            one_pass = rounds == 1 or tool == "rg"
            if rounds == 1:
                wait_idle(args, f"search {tool}", res)
                evict_programs(tool, ctx)
            times, cpu = hyperfine(tool, queries, args, ctx,
                                   runs=None if one_pass else args.min_runs,
                                   part="" if one_pass else f"-round{i + 1}")
            for query, ts in times.items():
                walls[tool].setdefault(query, []).extend(ts)
                cpus[tool].setdefault(query, []).append(cpu[query])
    medians = {t: {q: round(statistics.median(ts) * 1000, 2) for q, ts in walls[t].items()}
               for t in tools}
    cpu_means = {t: {q: round(statistics.mean(cs), 2) for q, cs in cpus[t].items()} for t in tools}
    if rounds > 1:
        EXAMPLES["hyperfine rounds"] = (f"{rounds} rounds of --runs {args.min_runs} per query, "
                                        + ", ".join(t for t in tools if t != "rg")
                                        + " one after the other, the order reversed every other round"
                                        + ("; rg in one pass of --min-runs" if "rg" in tools else ""))
    return medians, cpu_means


def interleaved(tools, queries, args, ctx):
    """Median wall and CPU ms (user + system) of each tool's whole-process
    search, the tools run in turn, query by query, the order reversed every
    other round. hyperfine measures one tool after the other, and on a
    shared machine a slower minute then falls on one tool only: within ten
    minutes, its palabre / quest ratio went from 1.51 to 2.20 with the same
    binaries. Run in turn, the tools share the machine's moods.

    rg reads the whole corpus at each run (a third of a second or more), so
    it takes part in `--interleave-rg` of the rounds, spread evenly over
    them, after one warm-up run."""
    wall, cpu = {t: {} for t in tools}, {t: {} for t in tools}
    rg_every = max(1, args.interleave // max(1, args.interleave_rg))

    def runs_in(tool, i):
        if tool != "rg":
            return True
        if i < args.warmup:
            return i == 0
        return (i - args.warmup) % rg_every == 0
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    try:
        for q in queries:
            cmds = {t: search_cmd(t, q["query"], ctx) for t in tools}
            exes = {t: shutil.which(cmds[t][0]) or cmds[t][0] for t in tools}
            runs = {t: [] for t in tools}
            for i in range(args.warmup + args.interleave):
                for t in tools if i % 2 == 0 else tools[::-1]:
                    if not runs_in(t, i):
                        continue
                    start = time.perf_counter()
                    pid = os.posix_spawn(exes[t], cmds[t], os.environ, file_actions=actions)
                    _, _, usage = os.wait4(pid, 0)
                    if i >= args.warmup:
                        runs[t].append((time.perf_counter() - start, usage.ru_utime + usage.ru_stime))
            for t in tools:
                wall[t][q["query"]] = round(statistics.median(r[0] for r in runs[t]) * 1000, 2)
                cpu[t][q["query"]] = round(statistics.median(r[1] for r in runs[t]) * 1000, 2)
    finally:
        os.close(devnull)
    EXAMPLES["interleaved runs"] = (f"each query: {args.warmup} + {args.interleave} rounds of "
                                    + ", ".join(tools) + " in turn (posix_spawn, wait4)"
                                    + (f"; rg in 1 + {len(range(0, args.interleave, rg_every))} of them"
                                       if "rg" in tools else ""))
    return wall, cpu


# ---------------------------------------------------------------- serve


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_path(tool, query):
    q = urllib.parse.quote(query)
    if tool == "palabre_nofacets":
        # What a search box asking at each keystroke sends.
        return f"/search?q={q}&facets=false"
    if tool.startswith("palabre"):
        return f"/search?q={q}"
    return f"/api/?q={q}&nhits=10"


def start_server(tool, ctx):
    port = free_port()
    if tool.startswith("palabre"):
        # The same server without its result cache: what a query costs
        # when it is asked for the first time.
        cache = ["--cache-entries", "0"] if tool in ("palabre_nocache", "palabre_nofacets") else []
        cmd = [ctx["palabre"], "--corpus", ctx["corpus"], "--index", ctx["paths"]["palabre"], "serve",
               "--bind", f"127.0.0.1:{port}"] + cache
    else:
        cmd = [ctx["tantivy"], "serve", "-i", ctx["paths"][tool], "--host", "127.0.0.1", "--port", str(port)]
    COMMANDS.append(shlex.join(cmd))
    EXAMPLES[f"serve {tool}"] = shlex.join(cmd) + " &"
    log("$ " + shlex.join(cmd) + " &")
    logf = open(os.path.join(ctx["raw"], f"serve-{tool}.log"), "w", encoding="utf-8")
    proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    probe = base + serve_path(tool, SIMPLE_QUERY)
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"{tool} serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(probe, timeout=5) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{tool} serve did not answer")


def wrk(base, paths, conns, duration, raw, name):
    cmd = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--timeout", "10s",
           "-s", os.path.join(BENCH, "wrk_queries.lua"), base, "--"] + paths
    out = run(cmd, example=f"wrk {name.split('-')[0]}" if name.endswith("simple-c16") else None,
              capture_output=True, text=True)
    with open(os.path.join(raw, f"wrk-{name}.txt"), "w", encoding="utf-8") as fh:
        fh.write(out.stdout + out.stderr)
    line = next(l for l in out.stdout.splitlines() if l.startswith("WRKJSON "))
    d = json.loads(line[len("WRKJSON "):])
    errors = sum(d[k] for k in d if k.startswith("errors_"))
    return {
        "rps": round(d["requests"] / (d["duration_us"] / 1e6), 1),
        "p50_ms": d["p50_us"] / 1000, "p90_ms": d["p90_us"] / 1000,
        "p99_ms": d["p99_us"] / 1000, "p999_ms": d["p999_us"] / 1000,
        "errors": errors, "requests": d["requests"],
        "kb_per_response": round(d["bytes"] / max(d["requests"], 1) / 1024, 1),
    }


def serve_tool(tool, queries, args, ctx):
    scenarios = {
        "simple": [serve_path(tool, SIMPLE_QUERY)],
        "common": [serve_path(tool, COMMON_QUERY)],
        "mix": [serve_path(tool, q["query"]) for q in queries],
    }
    proc, base = start_server(tool, ctx)
    figures = {}
    try:
        # Warm-up: page cache, lazily built structures, thread pools.
        wrk(base, scenarios["mix"], 16, 2, ctx["raw"], f"{tool}-warmup")
        for scenario, paths in scenarios.items():
            for conns in (16, 64):
                fig = wrk(base, paths, conns, args.wrk_duration, ctx["raw"], f"{tool}-{scenario}-c{conns}")
                figures[f"{scenario}-c{conns}"] = fig
                log(f"{tool} {scenario} c{conns}: {fig}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return figures


# ---------------------------------------------------------------- report


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt(x, digits=1):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def fmt_ratio(x):
    return "–" if x is None else f"{x:.2f}×"


def geomean(xs):
    xs = [x for x in xs if x]
    if not xs:
        return None
    p = 1.0
    for x in xs:
        p *= x
    return p ** (1 / len(xs))


def checks(res):
    """The issue's 'done when' criteria, evaluated on these figures."""
    out = []
    ix = res.get("index", {})
    p, t = ix.get("palabre"), ix.get("tantivy")
    if p and t:
        r, rc = p["wall_s"] / t["wall_s"], p["cpu_s"] / t["cpu_s"]
        out.append((f"index time ≤ 1.5× tantivy-cli: {r:.2f}× wall ({rc:.2f}× CPU)", r <= 1.5))
        out.append((f"index peak memory ≤ tantivy-cli: {p['peak_rss_mb']:.0f} vs {t['peak_rss_mb']:.0f} MB",
                    p["peak_rss_mb"] <= t["peak_rss_mb"]))
    if p:
        out.append((f"index ≤ half the raw text: {p['index_over_raw']:.2f} of raw", p["index_over_raw"] <= 0.5))
    s, cpu = res.get("search", {}), res.get("search_cpu", {})
    for label, wall, times in (("hyperfine", s, cpu),
                               ("interleaved", res.get("search_alt", {}), res.get("search_alt_cpu", {}))):
        if "palabre" in wall and "xapian" in wall:
            rs = [ratio(wall["palabre"][q], wall["xapian"][q]) for q in wall["palabre"]]
            rc = geomean([ratio(times["palabre"][q], times["xapian"][q]) for q in times["palabre"]])
            worst = max(r for r in rs if r)
            out.append((f"search median ≤ 1.5× quest ({label}): geometric mean {geomean(rs):.2f}×, "
                        f"worst query {worst:.2f}× (CPU {rc:.2f}×)", worst <= 1.5))
        if "palabre" in wall and "rg" in wall:
            rs = [ratio(wall["rg"][q], wall["palabre"][q]) for q in wall["palabre"]]
            least = min(r for r in rs if r)
            out.append((f"search ≥ 50× faster than rg -i ({label}): {least:.1f}× on the least favourable "
                        f"query, {geomean(rs):.1f}× geometric mean", least >= 50))
    v = res.get("serve", {})
    if "palabre" in v and "tantivy" in v:
        pp, tt = v["palabre"]["simple-c16"], v["tantivy"]["simple-c16"]
        out.append((f"serve simple c16 req/s ≥ tantivy-cli: {pp['rps']:.0f} vs {tt['rps']:.0f}", pp["rps"] >= tt["rps"]))
    if "palabre" in v:
        pp = v["palabre"]["simple-c16"]
        out.append((f"serve simple c16 p99 < 5 ms: {pp['p99_ms']:.2f} ms", pp["p99_ms"] < 5))
    for tool, how in (("palabre_nocache", "without the result cache"),
                      ("palabre_nofacets", "without the result cache, facets=false")):
        if tool in v and "tantivy" in v:
            pp, tt = v[tool]["simple-c16"], v["tantivy"]["simple-c16"]
            out.append((f"({how}) serve simple c16 req/s ≥ tantivy-cli: "
                        f"{pp['rps']:.0f} vs {tt['rps']:.0f}, p99 {pp['p99_ms']:.2f} ms",
                        pp["rps"] >= tt["rps"] and pp["p99_ms"] < 5))
    return out


def index_table(ix):
    p = ix.get("palabre")
    lines = ["## Indexing from scratch", "",
             "| tool | wall s | CPU s | peak RSS MB | index MB | index / raw | palabre / tool, wall | CPU | memory |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for tool, f in ix.items():
        rt, rc, rm = (ratio(p[k], f[k]) if p and tool != "palabre" else None
                      for k in ("wall_s", "cpu_s", "peak_rss_mb"))
        lines.append(f"| {LABEL[tool]} | {fmt(f['wall_s'])} | {fmt(f['cpu_s'])} | {fmt(f['peak_rss_mb'], 0)} | "
                     f"{fmt(f['index_mb'])} | {fmt(f['index_over_raw'], 2)} | {fmt_ratio(rt)} | {fmt_ratio(rc)} | "
                     f"{fmt_ratio(rm)} |")
    if p and p.get("segments"):
        lines += ["", f"palabre indexed {p['documents']} reports as {p['segments']} segments."]
    repeated = [f"{LABEL[tool]} {', '.join(fmt(w) for w in f['runs_wall_s'])} s"
                for tool, f in ix.items() if f.get("runs_wall_s")]
    if repeated:
        lines += ["", "Each index built from scratch several times, the median run shown; wall time of "
                  "each run, in order: " + "; ".join(repeated) + "."]
    return lines + [""]


def search_table(title, data, queries):
    tools = list(data)
    peers = [t for t in tools if t != "palabre"] if "palabre" in data else []
    lines = [title, "",
             "| query | " + " | ".join(LABEL[t] for t in tools) + "".join(f" | palabre / {LABEL[t]}" for t in peers) + " |",
             "|---|" + "---:|" * (len(tools) + len(peers))]
    for q in queries:
        name = q["query"]
        row = f"| `{name}` ({q['kind']}) | " + " | ".join(fmt(data[t].get(name), 2) for t in tools)
        row += "".join(f" | {fmt_ratio(ratio(data['palabre'][name], data[t].get(name)))}" for t in peers)
        lines.append(row + " |")
    row = "| **geometric mean** | " + " | ".join(fmt(geomean(list(data[t].values())), 2) for t in tools)
    row += "".join(f" | {fmt_ratio(geomean([ratio(data['palabre'][q], data[t].get(q)) for q in data['palabre']]))}"
                   for t in peers)
    return lines + [row + " |", ""]


def report(res):
    m, c = res["machine"], res["corpus"]
    lines = [f"# palabre benchmark — {c['bytes'] / 1e6:.0f} MB French corpus", ""]
    lines += [f"Run {m['date']} on {m['nproc']} cores ({m['cpu']}), kernel {m['kernel']}. "
              "The machine is shared: 1-minute load average before each phase: "
              + ", ".join(f"{k} {v:.1f}" for k, v in res.get("load", {}).items()) + ".", ""]
    lines += [f"Corpus: {c['files']} files, {c['bytes'] / 1e6:.1f} MB. {c['summary']}", ""]
    lines += ["```", m["free_h"], "```", ""]
    if res.get("index"):
        lines += index_table(res["index"])
    if res.get("search"):
        rounds = res.get("search_rounds", 1)
        how = f"hyperfine, {rounds} rounds, the tools alternated" if rounds > 1 else "hyperfine"
        lines += search_table(f"## Whole-process search: median wall ms ({how})", res["search"], res["queries"])
        lines += search_table(f"## Whole-process search: mean CPU ms, user + system ({how})",
                              res["search_cpu"], res["queries"])
        if res.get("search_alt"):
            lines += search_table("## Whole-process search, the tools in turn: median wall ms",
                                  res["search_alt"], res["queries"])
            lines += search_table("## Whole-process search, the tools in turn: median CPU ms, user + system",
                                  res["search_alt_cpu"], res["queries"])
        lines += ["Ratios below 1 mean palabre is faster. palabre and FTS5 print the top 10 with snippets; "
                  "quest prints the top 10 (no snippets); tantivy-cli `search` is unranked and prints every "
                  "matching document's stored fields (name, title); rg prints a count per file.", ""]
        counts = res.get("matches", {})
        lines += ["Matches reported (palabre counts segments, the peers files; rg counts files with a "
                  "line containing any of the words; tantivy-cli and quest join words with OR, FTS5 with AND, "
                  "palabre ranks segments with every word first):", "",
                  "| query | " + " | ".join(LABEL[t] for t in counts) + " |",
                  "|---|" + "---:|" * len(counts)]
        for q in res["queries"]:
            lines.append(f"| `{q['query']}` | " + " | ".join(fmt(counts[t].get(q["query"])) for t in counts) + " |")
        lines.append("")
    v = res.get("serve", {})
    if v:
        lines += [f"## HTTP serve (wrk, 2 threads, {res['settings']['wrk_duration']} s per run)", "",
                  "| tool | scenario | connections | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | errors "
                  "| KB/response | palabre / tool, req/s |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for tool, figs in v.items():
            for key, f in figs.items():
                scenario, conns = key.rsplit("-c", 1)
                pr = v.get("palabre", {}).get(key)
                r = ratio(pr["rps"], f["rps"]) if pr and not tool.startswith("palabre") else None
                lines.append(f"| {LABEL[tool]} | {scenario} | {conns} | {f['rps']:.0f} | {f['p50_ms']:.2f} | "
                             f"{f['p90_ms']:.2f} | {f['p99_ms']:.2f} | {f['p999_ms']:.2f} | {f['errors']} | "
                             f"{f['kb_per_response']} | {fmt_ratio(r)} |")
        lines += ["", f"Scenarios: simple = `{SIMPLE_QUERY}`; common = `{COMMON_QUERY}` (in ~93% of the files); "
                  "mix = the ten queries in turn. wrk runs on the same 2 cores as the server. "
                  "palabre answers repeated searches from its result cache (the default); "
                  "\"palabre, no cache\" is the same server with `--cache-entries 0`, "
                  "which computes every answer (analysis, ranking, snippets, facets); "
                  "\"facets=false\" asks it to leave the facets out, as a search box "
                  "asking at each keystroke would.", ""]
    cs = checks(res)
    if cs:
        lines += ["## The issue's criteria on these figures", ""]
        lines += [f"- {'PASS' if ok else 'FAIL'}: {text}" for text, ok in cs]
        lines.append("")
    lines += ["## Versions", ""] + [f"- {k}: {v}" for k, v in res["versions"].items()] + [""]
    lines += ["## Commands (one query shown per tool)", "", "```"]
    lines += [f"# {k}\n{v}" for k, v in res.get("examples", {}).items()] + ["```", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=100, help="corpus size in MB (default 100)")
    ap.add_argument("--work", default=os.environ.get("PALABRE_BENCH_WORK", "/tmp/palabre-bench"),
                    help="folder for corpora and indexes (default /tmp/palabre-bench or PALABRE_BENCH_WORK)")
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of " + ",".join(TOOLS))
    ap.add_argument("--phases", default="index,search,serve",
                    help="comma-separated subset of index,search,serve; 'corpus' alone only builds the corpus")
    ap.add_argument("--fresh-corpus", action="store_true", help="rebuild the corpus even if it exists")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build --release")
    ap.add_argument("--index-runs", type=int, default=1,
                    help="index builds from scratch per tool; the median is reported (default 1)")
    ap.add_argument("--warmup", type=int, default=2, help="hyperfine warm-up runs per query")
    ap.add_argument("--min-runs", type=int, default=10,
                    help="hyperfine minimum runs per query; with rounds, the runs per query in each round")
    ap.add_argument("--hyperfine-rounds", type=int, default=1,
                    help="rounds of hyperfine, the tools alternated (1: one pass per tool, as before)")
    ap.add_argument("--interleave", type=int, default=60,
                    help="rounds per query of the search run with the tools in turn (0: none)")
    ap.add_argument("--interleave-rg", type=int, default=10,
                    help="of those rounds, how many rg takes part in, spread evenly (0: rg left out)")
    ap.add_argument("--wrk-duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--max-load", type=float, default=1.5, help="wait for the 1-minute load to fall below this")
    ap.add_argument("--idle-wait", type=int, default=120, help="seconds to wait at most for that, per phase")
    ap.add_argument("--results", default=os.path.join(BENCH, "results"), help="where to write the results")
    ap.add_argument("--update", action="store_true",
                    help="keep the other tools' figures of the last run at this size (e.g. to add Xapian later)")
    ap.add_argument("--report-only", action="store_true", help="rewrite the Markdown from the last run's JSON")
    args = ap.parse_args()
    name = f"latest-fr-{args.size}"
    json_path = os.path.join(args.results, name + ".json")
    if args.report_only:
        with open(json_path, encoding="utf-8") as fh:
            write_results(args, json.load(fh))
        return
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        sys.exit(f"bench: unknown tools {', '.join(sorted(unknown))}")
    phases = set(args.phases.split(","))

    os.makedirs(args.work, exist_ok=True)
    raw = os.path.join(args.results, "raw", f"fr-{args.size}")
    os.makedirs(raw, exist_ok=True)
    corpus, corpus_info = build_corpus(args)
    if phases == {"corpus"}:
        log(f"corpus ready: {corpus_info['files']} files, {corpus_info['bytes'] / 1e6:.1f} MB")
        return
    ctx = {"work": args.work, "corpus": corpus, "corpus_bytes": corpus_info["bytes"], "raw": raw,
           "indexes": os.path.join(args.work, f"indexes-fr-{args.size}"), "paths": {}}
    os.makedirs(ctx["indexes"], exist_ok=True)
    if "palabre" in tools:
        ctx["palabre"] = palabre_bin(args)
    if "tantivy" in tools:
        ctx["tantivy"] = tantivy_bin()
    for tool in ("palabre", "tantivy", "xapian"):
        if tool in tools:
            ctx["paths"][tool] = os.path.join(ctx["indexes"], tool)
    if "fts5" in tools:
        ctx["paths"]["fts5"] = os.path.join(ctx["indexes"], "fts5.db")

    queries = load_queries()
    res = {"machine": machine(), "corpus": corpus_info, "queries": queries,
           "settings": vars(args) | {"tools": tools},
           "versions": {
               "palabre": version([ctx["palabre"], "--version"]) if "palabre" in tools else "-",
               "tantivy-cli": installed_crate("tantivy-cli"),
               "xapian": version(["quest", "--version"]),
               "sqlite3": version(["sqlite3", "--version"]),
               "ripgrep": version(["rg", "--version"]),
               "hyperfine": version(["hyperfine", "--version"]),
               "wrk": version(["wrk", "-v"]),
           }}

    if "index" in phases:
        res["index"] = {}
        for tool in tools:
            if tool == "rg":
                continue
            wait_idle(args, f"index {tool}", res)
            res["index"][tool] = index_tool(tool, args, ctx, res)
    if "search" in phases:
        res["matches"] = {t: {q["query"]: count_matches(t, q["query"], ctx) for q in queries}
                          for t in tools}
        if args.hyperfine_rounds > 1:
            wait_idle(args, "search", res)
        res["search"], res["search_cpu"] = hyperfine_rounds(tools, queries, args, ctx, res)
        res["search_rounds"] = max(1, args.hyperfine_rounds)
        for tool in tools:
            log(f"{tool}: {res['search'][tool]}")
        in_turn = [t for t in tools if t != "rg" or args.interleave_rg > 0]
        if args.interleave and len(in_turn) > 1:
            wait_idle(args, "search in turn", res)
            for tool in in_turn:
                evict_programs(tool, ctx)
            res["search_alt"], res["search_alt_cpu"] = interleaved(in_turn, queries, args, ctx)
            log(f"in turn: {res['search_alt']}")
    if "serve" in phases:
        res["serve"] = {}
        servers = [t for t in tools if t in SERVERS]
        if "palabre" in servers:
            at = servers.index("palabre") + 1
            servers[at:at] = ["palabre_nocache", "palabre_nofacets"]
        for tool in servers:
            wait_idle(args, f"serve {tool}", res)
            res["serve"][tool] = serve_tool(tool, queries, args, ctx)

    res["examples"] = EXAMPLES
    with open(os.path.join(raw, "commands.txt"), "a", encoding="utf-8") as fh:
        fh.write("\n".join(COMMANDS) + "\n")
    if args.update and os.path.exists(json_path):
        with open(json_path, encoding="utf-8") as fh:
            res = merge(json.load(fh), res)
    write_results(args, res)


def merge(old, new):
    """The last run's figures, with this run's replacing those it measured."""
    if "search" in new:
        # The load before the tools' searches measured now: once for a run
        # in rounds ("search"), per tool for one pass ("search TOOL").
        stale = {"search"} | {f"search {tool}" for tool in new["search"]}
        old["load"] = {k: v for k, v in old.get("load", {}).items() if k not in stale}
    for key in ("index", "search", "search_cpu", "search_alt", "search_alt_cpu", "matches", "serve", "load",
                "examples", "versions"):
        if key in new:
            old.setdefault(key, {}).update(new[key])
    if "search" in new:
        old["search_rounds"] = new.get("search_rounds", 1)
    old["machine"], old["corpus"], old["queries"] = new["machine"], new["corpus"], new["queries"]
    return old


def write_results(args, res):
    md = report(res)
    name = f"latest-fr-{args.size}"
    with open(os.path.join(args.results, name + ".md"), "w", encoding="utf-8") as fh:
        fh.write(md)
    with open(os.path.join(args.results, name + ".json"), "w", encoding="utf-8") as fh:
        json.dump(res, fh, ensure_ascii=False, indent=1)
    print(md)
    log(f"written {os.path.join(args.results, name + '.md')} and .json")


if __name__ == "__main__":
    main()
