//! The test harness: a temporary corpus and index folder, and a runner for
//! the `palabre` binary that cannot see the user's `PALABRE_*` settings.

#[path = "../../support/contract.rs"]
pub mod json;
pub mod server;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use tempfile::TempDir;

/// The reference report, read at compile time so tests never open the
/// repository's `corpus/` folder.
pub const SFAX: &str =
    include_str!("../../../corpus/2019-06-sfax-societe-civile-gouvernance-migration.txt");
/// The reference report's name in a corpus.
pub const SFAX_DOC: &str = "2019-06-sfax-societe-civile-gouvernance-migration.txt";
/// Segments of the reference report: 8 sections and 8 practices.
pub const SFAX_SEGMENTS: usize = 16;

/// Section and practice titles of the Sfax report that tests look for.
pub mod titles {
    pub const RECOMMANDATIONS: &str =
        "Recommandations pour Assurer une Coordination Durable, Flexible et Efficace entre les Villes et les OSC";
    pub const DEFIS: &str =
        "Principaux Défis de la Coordination Entre les Municipalités et les OSC";
    pub const ENSEIGNEMENTS: &str = "Principaux enseignements et voie à suivre";
    pub const OUVERTURE: &str = "Ouverture officielle et discours de bienvenue";
    pub const BRITAL: &str = "Initiative de Brital pour aider les réfugiés syriens";
    pub const CARITAS: &str = "Projet d'appui à l'amélioration des politiques publiques au Cameroun en matière de respect du droit à un logement décent, Caritas Douala";
    pub const MEKNES: &str = "Coopération entre Meknès et la Confédération des Élèves, Étudiants et Stagiaires Africains Étrangers au Maroc";
    pub const TERRE_D_ASILE: &str =
        "Dispositif d'accompagnement des migrants, Terre d'Asile Tunisie";
}

/// Runs `palabre search --json ARGS…`, which must succeed, and reads its answer.
pub fn search(env: &Env, args: &[&str]) -> json::SearchResults {
    let mut all = vec!["search", "--json"];
    all.extend_from_slice(args);
    let run = env.run(&all);
    run.success();
    run.json()
}

/// A second, small report, with words the Sfax report does not contain
/// ("saisonniers", "abricots").
pub const TUNIS: &str = "\
Migration Ville-à-Ville en Méditerranée

Atelier sur le logement des travailleurs saisonniers

12-13 mars 2020, Hôtel de Ville, Tunis

# Contexte

Les travailleurs saisonniers arrivent chaque printemps pour la cueillette des abricots. Ils cherchent un logement abordable près des vergers.

# Recommandations

Les participants ont recommandé un registre municipal des logements saisonniers et une permanence juridique.
";
/// The small report's name in a corpus.
pub const TUNIS_DOC: &str = "2020-03-tunis-logement.md";

/// The `palabre` binary Cargo built for these tests.
pub fn palabre_bin() -> &'static str {
    env!("CARGO_BIN_EXE_palabre")
}

/// A temporary folder holding `corpus/` and, once built, `index/`.
pub struct Env {
    dir: TempDir,
}

impl Env {
    /// An empty corpus folder and no index.
    pub fn empty() -> Env {
        let dir = tempfile::Builder::new()
            .prefix("palabre-test-")
            .tempdir()
            .unwrap();
        fs::create_dir(dir.path().join("corpus")).unwrap();
        Env { dir }
    }

    /// A corpus holding the Sfax report, and no index yet.
    pub fn sfax() -> Env {
        let env = Env::empty();
        env.write(SFAX_DOC, SFAX);
        env
    }

    /// A corpus holding the Sfax report, already indexed by `palabre index`.
    ///
    /// Indexing loads the language models, which takes a good part of a
    /// second in a debug build: the index is built once per test run and
    /// its files are copied into each test's own folder.
    pub fn sfax_indexed() -> Env {
        static INDEX_FILES: OnceLock<Vec<(PathBuf, Vec<u8>)>> = OnceLock::new();
        let files = INDEX_FILES.get_or_init(|| {
            let template = Env::sfax();
            template.run(["index"]).success();
            read_tree(&template.index())
        });
        let env = Env::sfax();
        for (relative, bytes) in files {
            let path = env.index().join(relative);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
        env
    }

    /// The temporary folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The corpus folder.
    pub fn corpus(&self) -> PathBuf {
        self.root().join("corpus")
    }

    /// The index folder (it may not exist yet).
    pub fn index(&self) -> PathBuf {
        self.root().join("index")
    }

    /// Writes a report into the corpus.
    pub fn write(&self, name: &str, text: &str) {
        fs::write(self.corpus().join(name), text).unwrap();
    }

    /// Deletes a report from the corpus.
    pub fn remove(&self, name: &str) {
        fs::remove_file(self.corpus().join(name)).unwrap();
    }

    /// `palabre --corpus … --index … ARGS`, run in the temporary folder.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = bare_command(self.root());
        command
            .arg("--corpus")
            .arg(self.corpus())
            .arg("--index")
            .arg(self.index())
            .args(args);
        command
    }

    /// Runs `palabre --corpus … --index … ARGS` and waits for it.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Run::of(self.command(args))
    }
}

/// Every file under `dir` except lock files, with its path relative to `dir`.
fn read_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_none_or(|e| e != "lock") {
                let relative = path.strip_prefix(dir).unwrap().to_path_buf();
                files.push((relative, fs::read(&path).unwrap()));
            }
        }
    }
    files
}

/// `palabre` with no argument, in `dir`, with none of the user's settings:
/// no `PALABRE_*` variable, no `NO_COLOR`, no `RUST_LOG`.
pub fn bare_command(dir: &Path) -> Command {
    let mut command = Command::new(palabre_bin());
    command.current_dir(dir);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PALABRE_") {
            command.env_remove(&name);
        }
    }
    command.env_remove("NO_COLOR").env_remove("RUST_LOG");
    command
}

/// A finished run of the binary.
pub struct Run {
    /// The command line, for failure messages.
    pub command: String,
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Runs the command and collects its output.
    pub fn of(mut command: Command) -> Run {
        let line = format!("{command:?}");
        let Output {
            status,
            stdout,
            stderr,
        } = command.output().unwrap();
        Run {
            command: line,
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
        }
    }

    fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code of {}\n--- stdout\n{}\n--- stderr\n{}",
            self.command, self.stdout, self.stderr
        );
        self
    }

    /// Asserts exit code 0 (done, or something found).
    pub fn success(&self) -> &Run {
        self.expect_code(0)
    }

    /// Asserts exit code 1 (the search found nothing).
    pub fn not_found(&self) -> &Run {
        self.expect_code(1)
    }

    /// Asserts the run failed as palabre's errors should: exit code 2,
    /// nothing on stdout, one line on stderr starting with `palabre:`.
    /// Returns that line.
    pub fn error_line(&self) -> &str {
        self.expect_code(2);
        assert_eq!(self.stdout, "", "stdout of {}", self.command);
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "stderr of {} is not one line:\n{}",
            self.command,
            self.stderr
        );
        assert!(
            lines[0].starts_with("palabre: "),
            "stderr of {}: {}",
            self.command,
            self.stderr
        );
        lines[0]
    }

    /// Reads stdout as JSON into `T`.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of {} is not the expected JSON: {e}\n{}",
                self.command, self.stdout
            )
        })
    }
}
