//! The deployment examples in `deploy/`, checked by the tools that will
//! read them: `systemd-analyze verify` for the unit, `nginx -t` for the TLS
//! proxy. Both get a copy whose machine-specific paths (the binary, the
//! certificate, logs) point into a temporary folder; the rest is verbatim.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{stderr, stdout};
use crate::tool_available;

fn deploy(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// Replaces `from` by `to`, which must be there.
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "no {from} to replace");
    text.replace(from, to)
}

#[test]
fn the_systemd_unit_is_hardened_as_documented() {
    let unit = deploy("palabre.service");
    let has = |line: &str| unit.lines().any(|l| l.trim() == line);
    for line in [
        "User=palabre",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "Restart=on-failure",
        "StateDirectory=palabre",
        "ReadOnlyPaths=/srv/palabre/corpus",
        "ExecStart=/usr/local/bin/palabre --config /etc/palabre/palabre.toml serve --watch",
    ] {
        assert!(has(line), "the unit lacks {line}");
    }
    // The service's configuration is a valid palabre.toml with the
    // folders the unit protects.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("palabre.toml");
    std::fs::write(&config, deploy("palabre.toml")).unwrap();
    let output = crate::palabre(dir.path())
        .args(["config", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["corpus"]["value"], "/srv/palabre/corpus");
    assert_eq!(json["index"]["value"], "/var/lib/palabre/index");
    assert_eq!(json["bind"]["value"], "127.0.0.1:8080");
}

#[test]
fn systemd_analyze_verifies_the_unit() {
    if !tool_available("systemd-analyze", "systemd") {
        return;
    }
    // verify insists that ExecStart exists: point it at the binary built.
    let dir = tempfile::tempdir().unwrap();
    let unit = replaced(
        &deploy("palabre.service"),
        "ExecStart=/usr/local/bin/palabre ",
        &format!("ExecStart={} ", env!("CARGO_BIN_EXE_palabre")),
    );
    let path = dir.path().join("palabre.service");
    std::fs::write(&path, unit).unwrap();
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    // verify exits 0 on a misspelt setting and only warns: any output is a
    // failure.
    assert!(
        output.status.success() && output.stderr.is_empty() && output.stdout.is_empty(),
        "systemd-analyze verify:\n{}{}",
        stdout(&output),
        stderr(&output)
    );

    // And the check can fail: a bad value is reported.
    let bad = dir.path().join("bad.service");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &bad,
        replaced(&text, "ProtectSystem=strict", "ProtectSystem=very"),
    )
    .unwrap();
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&bad)
        .output()
        .unwrap();
    let message = stderr(&output);
    assert!(
        message.contains("protect system value") && message.contains("very"),
        "{message}"
    );
}

/// A throwaway self-signed certificate: (certificate, key).
fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("palabre.crt"), dir.join("palabre.key"));
    let output = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=search.intranet.example.org"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(output.status.success(), "openssl: {}", stderr(&output));
    (cert, key)
}

#[test]
fn nginx_accepts_the_tls_proxy_configuration() {
    if !tool_available("nginx", "nginx") || !tool_available("openssl", "openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = certificate(dir.path());
    let temp = dir.path().display().to_string();
    let mut conf = deploy("nginx.conf");
    for (from, to) in [
        ("/etc/ssl/certs/palabre.crt", cert.display().to_string()),
        ("/etc/ssl/private/palabre.key", key.display().to_string()),
        ("/run/nginx.pid", format!("{temp}/nginx.pid")),
        ("/var/log/nginx/", format!("{temp}/")),
    ] {
        conf = replaced(&conf, from, &to);
    }
    // `user` only means something to a root nginx.
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    if !is_root {
        conf = replaced(&conf, "user www-data;", "");
    }
    let path = dir.path().join("nginx.conf");
    std::fs::write(&path, &conf).unwrap();
    let check = |path: &Path| {
        Command::new("nginx")
            .arg("-t")
            .arg("-c")
            .arg(path)
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .output()
            .unwrap()
    };
    let output = check(&path);
    assert!(output.status.success(), "nginx -t: {}", stderr(&output));
    assert!(
        stderr(&output).contains("test is successful"),
        "{}",
        stderr(&output)
    );

    // And the check can fail: a missing certificate is reported.
    let bad = dir.path().join("bad.conf");
    std::fs::write(
        &bad,
        conf.replace(&cert.display().to_string(), "/nowhere/palabre.crt"),
    )
    .unwrap();
    let output = check(&bad);
    assert!(!output.status.success(), "{}", stderr(&output));
}
