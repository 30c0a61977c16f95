# Shared by the bench scripts: the release binary, a 1,000-report corpus
# copied from a source folder, and timing helpers. Sourced, not run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# .cargo/config.toml makes builds name the host's target: target/<tuple>/release.
PALABRE=${PALABRE:-$ROOT/target/$(rustc -vV | sed -n 's/^host: //p')/release/palabre}
REPORTS=${REPORTS:-1000}

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install $tool)" >&2; exit 2; }
  done
}

# make_corpus SOURCE DEST: copies the first $REPORTS .txt reports of SOURCE
# (SUMMARY.txt, written by make-corpus.sh, is not a report) into DEST.
make_corpus() {
  local source=$1 dest=$2
  [[ -x $PALABRE ]] || { echo "bench: build first: cargo build --release" >&2; exit 2; }
  rm -rf "$dest"; mkdir -p "$dest"
  local files
  mapfile -t files < <(find "$source" -maxdepth 1 -name '*.txt' ! -name SUMMARY.txt | sort)
  cp -t "$dest" "${files[@]:0:$REPORTS}"
  local count; count=$(find "$dest" -name '*.txt' | wc -l)
  [[ $count -eq $REPORTS ]] || { echo "bench: only $count reports in $source" >&2; exit 2; }
  echo "corpus: $count reports, $(du -sh "$dest" | cut -f1) in $dest"
}

now() { date +%s.%N; }
# since START: seconds elapsed, 3 decimals.
since() { echo "$(now) - $1" | bc -l | xargs printf '%.3f'; }
