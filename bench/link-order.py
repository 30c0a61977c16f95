#!/usr/bin/env python3
"""Writes data/link-order.txt: the functions a one-off `palabre search` runs,
in the order the linker should place them (see build.rs, `link_order`).

A search is a short process, and every 64 KB of the program's code it
touches costs it a page fault, a dearer one when the program was read back
from disk (after a reboot, or once the page cache dropped it). Left to
itself the linker spreads the ~1,100 functions a search runs over the 10 MB
of code; listed in this file, they sit together in about 1.8 MB.

The list is measured, not written by hand: each query of bench/queries.tsv,
and a few variants (no hit, a typo, filters, an exclusion, JSON output), runs
under callgrind, which records every function executed; the names (mangled,
as the linker knows them) of those in the program's file are kept (with the
static link of .cargo/config.toml, the C library's too), in their order in
the current binary, so a second run changes nothing but what the
code changed.

The names hold hashes that change with the compiler version and the
dependencies' versions and features: regenerate the file after updating
them (a stale name is ignored by the linker; a stale file only loses the
gain). Needs valgrind and nm (binutils).

    cargo build --release
    python3 bench/link-order.py     # searches an index of the bundled corpus
    python3 bench/link-order.py --index /tmp/palabre-bench/indexes-fr-1000/palabre
    python3 bench/link-order.py --check  # how many of the names a build has
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from release_binary import release_binary

REPO = Path(__file__).resolve().parent.parent

# Beyond the benchmark's queries: the other paths a one-off search takes.
EXTRA_SEARCHES = [
    ["zzzqqqxx"],                    # no hit
    ["financment"],                  # a typo: corrections, "did you mean"
    ["cadre juridique"],
    ["réseau -linux"],               # an exclusion
    ["migrants", "--kind", "practice"],
    ["linux", "--year", "2019"],
    ["réfugiés syriens", "--json"],
    ["sécurité", "--limit", "20", "--offset", "10"],
]


def queries():
    for line in (REPO / "bench" / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        _, query = line.split("\t", 1)
        yield [query]
    yield from EXTRA_SEARCHES


def executed_functions(binary, index, args, workdir):
    """Mangled names of the functions a search runs, per callgrind."""
    out = Path(workdir) / "callgrind.out"
    command = [
        "valgrind", "--tool=callgrind", "--demangle=no",
        f"--callgrind-out-file={out}",
        str(binary), "--index", str(index), "search", *args,
    ]
    run = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Exit status 1 is "nothing found", a search like any other.
    if run.returncode not in (0, 1):
        sys.exit(f"link-order: {' '.join(command)} failed:\n{run.stderr}")
    names = set()
    for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
        # "fn=(12) name" the first time a function appears, "fn=(12)" after.
        if line.startswith(("fn=(", "cfn=(")):
            _, _, name = line.partition(") ")
            if name:
                names.add(name.strip())
    return names


def text_symbols(binary):
    """The binary's functions: name → address."""
    nm = subprocess.run(["nm", "--defined-only", str(binary)], capture_output=True, text=True, check=True)
    symbols = {}
    for line in nm.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT":
            symbols.setdefault(parts[2], int(parts[0], 16))
    return symbols


def bundled_index(binary, workdir):
    index = Path(workdir) / "index"
    subprocess.run(
        [str(binary), "--quiet", "--corpus", str(REPO / "corpus"), "--index", str(index), "index", "--rebuild"],
        check=True,
    )
    return index


def check(binary, order_file):
    """Exit status 1 when the binary lacks over a tenth of the file's names:
    the list is stale (another compiler, other dependency versions)."""
    names = [
        line.strip()
        for line in order_file.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    symbols = text_symbols(binary)
    found = [symbols[name] for name in names if name in symbols]
    span = (max(found) - min(found)) / 1e6 if found else 0.0
    print(f"link-order: {len(found)} of {len(names)} functions of {order_file} are in {binary}, "
          f"over {span:.1f} MB")
    return 0 if names and len(found) >= 0.9 * len(names) else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=Path(release_binary()), type=Path)
    parser.add_argument("--index", action="append", type=Path,
                        help="another index to search (repeatable), besides one built from corpus/")
    parser.add_argument("--out", default=REPO / "data" / "link-order.txt", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="only say how many of the file's names the binary has (exit 1 under 90%%)")
    args = parser.parse_args()
    if not args.bin.is_file():
        sys.exit(f"link-order: no binary at {args.bin} (cargo build --release)")
    if args.check:
        sys.exit(check(args.bin, args.out))
    with tempfile.TemporaryDirectory(prefix="palabre-link-order-") as workdir:
        indexes = [bundled_index(args.bin, workdir), *(args.index or [])]
        executed = set()
        for index in indexes:
            for query in queries():
                executed |= executed_functions(args.bin, index, query, workdir)
    symbols = text_symbols(args.bin)
    ordered = sorted((symbols[name], name) for name in executed if name in symbols)
    header = [
        "# Functions a one-off `palabre search` runs, placed together by the linker",
        "# (build.rs, link_order). Generated by bench/link-order.py; do not edit.",
        f"# {len(ordered)} functions.",
    ]
    args.out.write_text("\n".join(header + [name for _, name in ordered]) + "\n", encoding="utf-8")
    print(f"link-order: {len(ordered)} functions written to {args.out}")


if __name__ == "__main__":
    main()
