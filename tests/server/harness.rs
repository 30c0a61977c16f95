//! The test harness: the corpus and its index (built once per test run,
//! under Cargo's target/tmp), a server per test, a small HTTP client, and
//! the typed shapes of the JSON answers.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

#[path = "../support/contract.rs"]
mod contract;
pub use contract::{counts, ErrorBody, Passage, SearchResults as Results};

pub const BIN: &str = env!("CARGO_BIN_EXE_palabre");

/// French, Sfax, 2019: two sections and two practices (Nador, Douala).
pub const SFAX: &str = "\
Migration Ville-à-Ville en Méditerranée

Réunion des villes partenaires

25-26 juin 2019, Salle Municipale, Sfax

Contexte

Les villes ont discuté du cadre juridique de la migration et de l'accueil des migrants dans les quartiers.

Recommandations

- Cadre juridique: les migrants doivent connaître leurs droits et leurs recours.
- Coordination: les municipalités et les associations travaillent ensemble.

Annexe: Exemples de pratiques

Exposition interculturelle à Nador

La municipalité de Nador et l'Association Thissaghnessse pour la Culture et le Développement (ASTICUDE) ont organisé une exposition sur les migrants. Le cadre juridique local a été présenté aux visiteurs.

Logement décent, Caritas Douala

Dans le cadre de ce projet, Caritas a travaillé avec les communautés de Douala pour le droit au logement des migrants. Les familles ont été accompagnées.
";

/// French Markdown, Rabat, 2021: one section and one practice (Tunisie).
pub const RABAT: &str = "\
# Forum des villes

Rencontre annuelle

3 mars 2021, Rabat

## Accueil des migrants

La ville de Rabat présente son cadre juridique pour l'accueil des migrants et des réfugiés.

## Annexe: Pratiques

## Dispositif d'accompagnement des migrants, Terre d'Asile Tunisie

Le projet vise à améliorer les conditions des migrants en Tunisie. Terre d'Asile accompagne les migrants vers les services locaux.
";

/// English, Tunis, 2020: a section whose title and text hold HTML and a
/// script, and one practice (Sousse).
pub const TUNIS: &str = "\
City-to-City Migration Dialogue

Peer learning meeting

November 12, 2020, Tunis

Raw notes <em>unfiltered</em> & more

The cities discussed the legal framework for newcomers. One participant pasted <script>alert(1)</script> and <b>bold</b> into the shared notes, which must show as text.

Annex: Examples of practices

A shelter in Sousse

The city of Sousse opened a shelter for migrants with the local Red Crescent, and trained its staff on the rights of migrants and refugees.
";

/// Report files of the fixture corpus.
pub const REPORTS: [(&str, &str); 3] = [
    ("2019-06-sfax.txt", SFAX),
    ("2021-03-rabat.md", RABAT),
    ("2020-11-tunis-en.txt", TUNIS),
];

/// The corpus and index folders.
pub struct Fixture {
    pub corpus: PathBuf,
    pub index: PathBuf,
}

/// The corpus, written and indexed once per run under target/tmp.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("palabre-server-tests");
        let _ = std::fs::remove_dir_all(&root);
        let corpus = root.join("corpus");
        let index = root.join("index");
        std::fs::create_dir_all(&corpus).unwrap();
        for (name, text) in REPORTS {
            std::fs::write(corpus.join(name), text).unwrap();
        }
        let out = palabre(&["index"], &corpus, &index);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Fixture { corpus, index }
    })
}

/// Runs the binary on a corpus and index, with a clean environment.
pub fn palabre(args: &[&str], corpus: &Path, index: &Path) -> std::process::Output {
    Command::new(BIN)
        .args([
            "--corpus",
            corpus.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ])
        .args(args)
        .env_remove("PALABRE_CORPUS")
        .env_remove("PALABRE_INDEX")
        .env_remove("PALABRE_BIND")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// A `palabre serve` process on a free port; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts a server on the fixture's index.
    pub fn start() -> Server {
        Server::start_with(&[], &[])
    }

    /// Starts a server with more `serve` options and environment variables.
    pub fn start_with(options: &[&str], env: &[(&str, &str)]) -> Server {
        let fixture = fixture();
        let mut child = Command::new(BIN)
            .args(["--corpus", fixture.corpus.to_str().unwrap()])
            .args(["--index", fixture.index.to_str().unwrap()])
            .args(["serve", "--bind", "127.0.0.1:0", "--threads", "4"])
            .args(options)
            .env_remove("PALABRE_TOKEN")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (sender, receiver) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(address) = line.split("listening on ").nth(1) {
                    let _ = sender.send(address.trim().to_string());
                }
                lines.lock().unwrap().push(line);
            }
        });
        match receiver.recv_timeout(Duration::from_secs(30)) {
            Ok(base) => Server { child, base, log },
            Err(e) => {
                let _ = child.kill();
                panic!("the server did not say where it listens: {e}");
            }
        }
    }

    /// `host:port`.
    pub fn address(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// What the server wrote on stderr so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The server process.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET with an `Accept` header: status, content type, body.
    pub fn get_as(&self, path: &str, accept: &str) -> Answer {
        get(&self.url(path), accept)
    }

    /// GET as a program would: `Accept: */*`.
    pub fn get(&self, path: &str) -> Answer {
        self.get_as(path, "*/*")
    }

    /// GET, expecting 200 and JSON of type `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let answer = self.get(path);
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        assert!(
            answer.content_type.starts_with("application/json"),
            "{path}"
        );
        serde_json::from_str(&answer.body)
            .unwrap_or_else(|e| panic!("{path}: {e}: {}", answer.body))
    }

    /// GET `/search` with a query string, expecting results.
    pub fn search(&self, query: &str) -> Results {
        self.json(&format!("/search?{query}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

pub fn get(url: &str, accept: &str) -> Answer {
    let mut response = agent().get(url).header("Accept", accept).call().unwrap();
    let headers: BTreeMap<String, String> = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                value.to_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    Answer {
        status: response.status().as_u16(),
        content_type: headers.get("content-type").cloned().unwrap_or_default(),
        body: response.body_mut().read_to_string().unwrap(),
        headers,
    }
}

/// Whether the tests run in CI, where every tool must be there.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A program on the PATH (or at one of the usual places).
pub fn find_program(name: &str, usual: &[&str]) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    usual
        .iter()
        .map(PathBuf::from)
        .chain(on_path)
        .find(|path| path.is_file())
}
