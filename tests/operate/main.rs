//! Operating palabre: `--version`, exit codes, shell completions and the man
//! page, the configuration file and `palabre config`, progress while
//! indexing, and the deployment examples in `deploy/` checked by the tools
//! that will read them (systemd-analyze, nginx).

// Test code: a failed unwrap is a failed test. clippy.toml allows these in
// `#[test]` functions only; the helpers need them too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../fixtures/harness.rs"]
mod harness;

mod cli;
mod config;
mod deploy;
mod progress;

use std::path::Path;
use std::process::Command;

/// The binary with no PALABRE_*, RUST_LOG or colour settings from the
/// caller's environment, run in `dir`.
pub fn palabre(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_palabre"));
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        if key_text.starts_with("PALABRE_") || key_text == "RUST_LOG" {
            command.env_remove(key);
        }
    }
    command.env("NO_COLOR", "1").current_dir(dir);
    command
}

/// Whether a system tool is there; under CI=true a missing one fails the
/// test instead of skipping it.
pub fn tool_available(name: &str, package: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is missing: install the Debian package {package} (see .ci/run)"
        );
        eprintln!("skipped: {name} is missing (Debian package {package})");
    }
    found
}
