//! Puts the version in `PALABRE_VERSION` for `palabre --version`: the
//! crate's version, followed by the git commit when built from a checkout
//! (`0.1.0 (1a2b3c4)`). Without git, or outside a checkout (a crate
//! tarball), it is the crate's version alone.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(commit) => {
            println!("cargo:rustc-env=PALABRE_VERSION={version} ({commit})");
            // Rerun when HEAD moves (a commit, a checkout), not at every
            // build: logs/HEAD grows by a line each time. `--git-dir` finds
            // the right folder in a worktree too, where `.git` is a file.
            if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
                println!("cargo:rerun-if-changed={dir}/HEAD");
                println!("cargo:rerun-if-changed={dir}/logs/HEAD");
            }
        }
        None => println!("cargo:rustc-env=PALABRE_VERSION={version}"),
    }
    println!("cargo:rerun-if-changed=build.rs");
}
