//! The harness: a corpus and an index in a temporary folder, the real
//! `palabre` binary run on them, a server on an ephemeral port, and typed
//! views of the JSON it prints.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

/// The reference report: long enough that indexing it takes a while.
pub const SFAX: &str =
    include_str!("../../corpus/2019-06-sfax-societe-civile-gouvernance-migration.txt");

/// A short report whose body holds `words` (made-up words make good probes).
pub fn report(title: &str, words: &str) -> String {
    format!(
        "{title}\n\n12-13 mars 2021, Tunis\n\nContexte\n\n\
         Les villes ont discuté de l'accueil des migrants, de {words} et de la suite.\n\n\
         Recommandations\n\n\
         Renforcer la coopération entre municipalités et associations.\n"
    )
}

/// The Sfax report with `words` added to its last section.
pub fn long_report(words: &str) -> String {
    format!("{SFAX}\n\nLe mot de la fin, {words}, reste entre nous.\n")
}

#[path = "../support/contract.rs"]
mod contract;
pub use contract::{Document as Record, IndexSummary as Summary, SearchResults as Results};

/// A corpus and an index folder, both in a temporary folder.
pub struct Env {
    _dir: tempfile::TempDir,
    pub corpus: PathBuf,
    pub index: PathBuf,
}

impl Env {
    /// An empty corpus; no index yet.
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        let index = dir.path().join("index");
        std::fs::create_dir(&corpus).unwrap();
        Env {
            _dir: dir,
            corpus,
            index,
        }
    }

    /// Writes a report (or any file) into the corpus.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) {
        let path = self.corpus.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, content).unwrap();
    }

    pub fn remove(&self, name: &str) {
        std::fs::remove_file(self.corpus.join(name)).unwrap();
    }

    /// `palabre` on this corpus and index, with the user's settings cleared.
    pub fn palabre(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_palabre"));
        command
            .env_remove("PALABRE_CORPUS")
            .env_remove("PALABRE_INDEX")
            .env_remove("PALABRE_BIND")
            .env_remove("RUST_LOG")
            .arg("--corpus")
            .arg(&self.corpus)
            .arg("--index")
            .arg(&self.index)
            .stdin(Stdio::null());
        command
    }

    /// Runs `palabre ARGS`; fails the test unless it succeeds.
    pub fn run_ok(&self, args: &[&str]) -> Output {
        let output = self.palabre().args(args).output().unwrap();
        assert!(
            output.status.success(),
            "palabre {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// `palabre index --json` (plus `extra` arguments), which must succeed.
    pub fn index(&self, extra: &[&str]) -> Summary {
        let mut args = vec!["index", "--json"];
        args.extend(extra);
        json(&self.run_ok(&args).stdout)
    }

    /// `palabre search --json QUERY`: exit status 0 or 1, never 2.
    pub fn search(&self, query: &str) -> Results {
        let output = self
            .palabre()
            .args(["search", "--json", "--limit", "100", query])
            .output()
            .unwrap();
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "search {query:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        json(&output.stdout)
    }

    /// The reports a search finds.
    pub fn found(&self, query: &str) -> HashSet<String> {
        self.search(query).docs()
    }

    /// `palabre documents --json`.
    pub fn documents(&self) -> Vec<Record> {
        let output = self
            .palabre()
            .args(["documents", "--json"])
            .output()
            .unwrap();
        assert!(matches!(output.status.code(), Some(0 | 1)));
        json(&output.stdout)
    }

    /// Files in the index folder that belong to no segment of the last
    /// commit: what a killed run leaves behind until garbage collection.
    pub fn orphan_files(&self) -> Vec<String> {
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(self.index.join("meta.json")).unwrap())
                .unwrap();
        let live: HashSet<String> = meta["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
            .collect();
        let mut orphans: Vec<String> = std::fs::read_dir(&self.index)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| !name.starts_with('.') && name != "meta.json")
            .filter(|name| !live.contains(name.split('.').next().unwrap_or_default()))
            .collect();
        orphans.sort();
        orphans
    }
}

pub fn json<T: DeserializeOwned>(bytes: &[u8]) -> T {
    serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!(
            "not the JSON expected ({e}): {}",
            String::from_utf8_lossy(bytes)
        )
    })
}

/// Polls `condition` every 50 ms until it holds or `limit` has passed;
/// returns how long it took.
pub fn wait_for(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < limit, "{what}: not after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    started.elapsed()
}

/// Whether some process holds an OS lock (flock) on `path`, from
/// /proc/locks: tantivy's mmap directory locks its writer file that way.
pub fn is_locked(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(metadata) = std::fs::metadata(path) else {
        return false;
    };
    let inode = format!(":{} ", metadata.ino());
    std::fs::read_to_string("/proc/locks")
        .unwrap()
        .lines()
        .any(|line| line.contains("FLOCK") && line.contains(&inode))
}

/// A `palabre serve` (or other long-running palabre) child process; its
/// stderr lines are collected. Killed when dropped.
pub struct Running {
    pub child: Child,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Running {
    /// Starts `command` with stderr captured.
    pub fn start(mut command: Command) -> Running {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let lines = Arc::clone(&stderr);
        let pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                lines.lock().unwrap().push(line);
            }
        });
        Running { child, stderr }
    }

    /// The stderr lines so far.
    pub fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits for a stderr line containing `text` and returns it.
    pub fn wait_line(&mut self, text: &str, limit: Duration) -> String {
        let mut found = None;
        wait_for(limit, &format!("stderr line with {text:?}"), || {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("palabre ended ({status}): {:#?}", self.stderr());
            }
            found = self.stderr().into_iter().find(|l| l.contains(text));
            found.is_some()
        });
        found.unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `palabre serve` on an ephemeral port.
pub struct Server {
    pub process: Running,
    pub address: String,
}

impl Server {
    /// Starts `palabre serve --bind 127.0.0.1:0 EXTRA…` on the environment.
    pub fn start(env: &Env, extra: &[&str]) -> Server {
        let mut command = env.palabre();
        command.args(["serve", "--bind", "127.0.0.1:0", "--threads", "4"]);
        command.args(extra);
        let mut process = Running::start(command);
        let line = process.wait_line("listening on http://", Duration::from_secs(60));
        let address = line.split("http://").nth(1).unwrap().trim().to_string();
        Server { process, address }
    }

    /// `GET path`: status and body.
    pub fn get(&self, path: &str) -> std::io::Result<(u16, String)> {
        http_get(&self.address, path)
    }

    /// `GET /search?q=…`, which must answer 200.
    pub fn search(&self, query: &str) -> Results {
        let q: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
        let (status, body) = self.get(&format!("/search?q={q}&limit=100")).unwrap();
        assert_eq!(status, 200, "{body}");
        json(body.as_bytes())
    }
}

/// A bare HTTP/1.0 GET (no chunked answers, the server closes after it).
pub fn http_get(address: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let bad = || std::io::Error::other(format!("not an HTTP answer: {response:?}"));
    let (head, body) = response.split_once("\r\n\r\n").ok_or_else(bad)?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    Ok((status, body.to_string()))
}
