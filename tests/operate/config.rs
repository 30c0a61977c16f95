//! `palabre.toml`, `--config` / `PALABRE_CONFIG`, the precedence flags >
//! environment > file > defaults, and `palabre config`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use serde::Deserialize;

use crate::harness::{sfax_txt, stderr, stdout};
use crate::palabre;

#[derive(Debug, Deserialize)]
struct Effective {
    file: Option<String>,
    corpus: Setting<String>,
    index: Setting<String>,
    bind: Setting<String>,
    watch: Setting<bool>,
    token: Setting<Option<String>>,
    cors: Setting<Vec<String>>,
    glossary: Setting<Option<String>>,
}

#[derive(Debug, Deserialize)]
struct Setting<T> {
    value: T,
    source: String,
    from: Option<String>,
}

fn effective(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Effective {
    let mut command = palabre(dir);
    command.args(args).args(["config", "--json"]);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

const FILE: &str = r#"
corpus = "reports"
index = "/var/lib/palabre/index"
bind = "127.0.0.1:9999"
watch = true
token = "s3cret-t0ken"
cors = ["https://intranet.example.org", "https://other.example.org"]
glossary = "glossary.txt"
"#;

#[test]
fn without_a_file_the_defaults_apply() {
    let dir = tempfile::tempdir().unwrap();
    let config = effective(dir.path(), &[], &[]);
    assert_eq!(config.file, None);
    assert_eq!(
        (config.corpus.value.as_str(), config.corpus.source.as_str()),
        ("corpus", "default")
    );
    assert_eq!(
        (config.index.value.as_str(), config.index.source.as_str()),
        ("index", "default")
    );
    assert_eq!(config.bind.value, "127.0.0.1:8080");
    assert!(!config.watch.value);
    assert_eq!(config.token.value, None);
    assert!(config.cors.value.is_empty());
    assert_eq!(config.glossary.value, None);
}

#[test]
fn the_file_in_the_working_directory_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("palabre.toml"), FILE).unwrap();
    let config = effective(dir.path(), &[], &[]);
    assert_eq!(config.file.as_deref(), Some("palabre.toml"));
    assert_eq!(config.corpus.value, "reports");
    assert_eq!(config.corpus.source, "file");
    assert_eq!(config.corpus.from.as_deref(), Some("palabre.toml"));
    assert_eq!(config.index.value, "/var/lib/palabre/index");
    assert_eq!(
        (config.bind.value.as_str(), config.bind.source.as_str()),
        ("127.0.0.1:9999", "file")
    );
    assert!(config.watch.value);
    assert_eq!(config.cors.value.len(), 2);
    assert_eq!(config.glossary.value.as_deref(), Some("glossary.txt"));
    // The token is set, and never shown.
    assert_eq!(config.token.value.as_deref(), Some("********"));
    assert_eq!(config.token.source, "file");
}

#[test]
fn flags_win_over_the_environment_which_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("palabre.toml"), FILE).unwrap();
    let env = [
        ("PALABRE_CORPUS", "from-env"),
        ("PALABRE_INDEX", "index-env"),
        ("PALABRE_BIND", "127.0.0.1:7777"),
    ];
    let config = effective(dir.path(), &["--corpus", "from-flag"], &env);
    assert_eq!(config.corpus.value, "from-flag");
    assert_eq!(
        (config.corpus.source.as_str(), config.corpus.from.as_deref()),
        ("flag", Some("--corpus"))
    );
    assert_eq!(config.index.value, "index-env");
    assert_eq!(
        (config.index.source.as_str(), config.index.from.as_deref()),
        ("env", Some("PALABRE_INDEX"))
    );
    // `bind` belongs to `serve`, yet `palabre config` sees its variable.
    assert_eq!(
        (config.bind.value.as_str(), config.bind.source.as_str()),
        ("127.0.0.1:7777", "env")
    );
    assert_eq!(config.watch.source, "file");
}

#[test]
fn config_names_a_file_elsewhere_and_paths_are_relative_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let etc = dir.path().join("etc");
    std::fs::create_dir(&etc).unwrap();
    std::fs::write(etc.join("site.toml"), FILE).unwrap();
    // The working directory's file is ignored when one is named.
    std::fs::write(dir.path().join("palabre.toml"), "corpus = \"ignored\"\n").unwrap();
    for (args, env) in [
        (vec!["--config", "etc/site.toml"], vec![]),
        (vec![], vec![("PALABRE_CONFIG", "etc/site.toml")]),
    ] {
        let config = effective(dir.path(), &args, &env);
        assert_eq!(config.file.as_deref(), Some("etc/site.toml"));
        assert_eq!(config.corpus.value, "etc/reports");
        assert_eq!(config.glossary.value.as_deref(), Some("etc/glossary.txt"));
        assert_eq!(config.index.value, "/var/lib/palabre/index");
    }
    let missing = palabre(dir.path())
        .args(["--config", "nowhere.toml", "config"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("nowhere.toml"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn an_unknown_key_is_an_error_naming_it_the_file_and_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("palabre.toml"),
        "corpus = \"c\"\ntokn = \"x\"\n",
    )
    .unwrap();
    // Every subcommand reads the file, not only `config`.
    for args in [&["config"][..], &["search", "x"][..]] {
        let output = palabre(dir.path()).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(
            message.starts_with("palabre: palabre.toml: line 2: unknown key \"tokn\""),
            "{message}"
        );
        assert!(
            message.contains("corpus, index, bind, watch, token, cors, glossary"),
            "{message}"
        );
    }
    std::fs::write(dir.path().join("palabre.toml"), "watch = \"often\"\n").unwrap();
    let output = palabre(dir.path()).arg("config").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with("palabre: palabre.toml: line 1: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_text_form_says_where_each_value_comes_from_and_masks_the_token() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("palabre.toml"), FILE).unwrap();
    let output = palabre(dir.path())
        .args(["--index", "ix", "config"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(!text.contains("s3cret"), "{text}");
    let line = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("no {key} in {text}"))
            .to_string()
    };
    assert!(line("corpus").ends_with("# from palabre.toml"), "{text}");
    assert!(line("index").ends_with("# from --index"), "{text}");
    assert!(line("token").starts_with("token = \"********\""), "{text}");
}

#[test]
fn index_and_serve_use_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    std::fs::copy(sfax_txt(), dir.path().join("reports/sfax.txt")).unwrap();
    std::fs::write(
        dir.path().join("palabre.toml"),
        "corpus = \"reports\"\nindex = \"idx\"\nbind = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let output = palabre(dir.path()).arg("index").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(dir.path().join("idx/meta.json").is_file());

    // The server listens where the file says (port 0: any free port).
    let mut child = palabre(dir.path())
        .arg("serve")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("palabre: listening on "));
    child.kill().unwrap();
    child.wait().unwrap();
    let listening = listening.unwrap();
    assert!(
        listening.starts_with("palabre: listening on http://127.0.0.1:"),
        "{listening}"
    );
    assert!(!listening.ends_with(":8080"), "{listening}");
}

#[test]
fn poll_needs_watching_from_the_flag_or_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("corpus")).unwrap();
    std::fs::copy(sfax_txt(), dir.path().join("corpus/sfax.txt")).unwrap();
    let output = palabre(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--poll"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--poll goes with --watch"),
        "{}",
        stderr(&output)
    );

    std::fs::write(
        dir.path().join("palabre.toml"),
        "watch = true\nbind = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let mut child = palabre(dir.path())
        .args(["serve", "--poll"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.map_while(Result::ok) {
        let done = line.starts_with("palabre: listening on ");
        seen.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        seen.iter()
            .any(|l| l.contains("watching") && l.contains("polling every")),
        "{seen:?}"
    );
}
