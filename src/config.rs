//! The effective configuration: each setting's value and where it came
//! from. Precedence: a flag, then its environment variable, then the
//! configuration file (`palabre.toml` in the working directory, or the one
//! `--config` / `PALABRE_CONFIG` names), then the default.
//!
//! The clap definitions stay the one source of truth for flags, their
//! environment variables and defaults: a setting is looked up by the id of
//! its argument, wherever in the command tree it is defined, and
//! `ArgMatches::value_source` says whether the user gave it. A setting whose
//! flag is not defined (yet) can still come from the file.

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use clap::parser::ValueSource;
use clap::{ArgMatches, Command};
use serde::{Deserialize, Serialize};

/// The configuration file looked up in the working directory.
pub const FILE_NAME: &str = "palabre.toml";
/// What the token looks like in `palabre config`.
const MASK: &str = "********";

/// What `palabre.toml` may hold: every key is optional, any other key is an
/// error. Relative paths are relative to the file's folder.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    corpus: Option<PathBuf>,
    index: Option<PathBuf>,
    bind: Option<String>,
    watch: Option<bool>,
    token: Option<String>,
    cors: Option<Vec<String>>,
    glossary: Option<PathBuf>,
}

/// The keys of `palabre.toml`, for the error on an unknown one.
const KEYS: [&str; 7] = [
    "corpus", "index", "bind", "watch", "token", "cors", "glossary",
];

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", content = "from", rename_all = "lowercase")]
pub enum Source {
    /// A command-line flag (its name).
    Flag(String),
    /// An environment variable (its name).
    Env(String),
    /// The configuration file (its path).
    File(PathBuf),
    /// The built-in default.
    Default,
}

/// A setting's value and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Setting<T> {
    /// The value in effect.
    pub value: T,
    /// Where it came from.
    #[serde(flatten)]
    pub source: Source,
}

/// Every setting of palabre.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// The configuration file read, if any.
    pub file: Option<PathBuf>,
    /// Folder of report files.
    pub corpus: Setting<PathBuf>,
    /// Folder of the index.
    pub index: Setting<PathBuf>,
    /// Address the server listens on.
    pub bind: Setting<String>,
    /// Whether the server re-indexes when the corpus changes.
    pub watch: Setting<bool>,
    /// The API token of the server (never printed).
    #[serde(serialize_with = "serialize_masked")]
    pub token: Setting<Option<String>>,
    /// Origins allowed to call the API from a browser (CORS).
    pub cors: Setting<Vec<String>>,
    /// The glossary file of search terms.
    pub glossary: Setting<Option<PathBuf>>,
}

fn serialize_masked<S: serde::Serializer>(
    setting: &Setting<Option<String>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    Setting {
        value: setting.value.as_ref().map(|_| MASK),
        source: setting.source.clone(),
    }
    .serialize(serializer)
}

/// Resolves every setting from the parsed command line (`matches` of
/// `command`), the environment and the configuration file.
pub fn resolve(command: &Command, matches: &ArgMatches) -> anyhow::Result<Config> {
    let (file, content) = read_file(matches)?;
    let lookup = Lookup { command, matches };
    let path = |p: Option<PathBuf>| p.map(|p| relative_to(file.as_deref(), p));
    let mut content = content;
    Ok(Config {
        corpus: lookup.setting("corpus", path(content.corpus.take()), &file),
        index: lookup.setting("index", path(content.index.take()), &file),
        bind: lookup.setting("bind", content.bind.take(), &file),
        watch: lookup.setting("watch", content.watch, &file),
        token: lookup.setting("token", content.token.take().map(Some), &file),
        cors: lookup.setting("cors", content.cors.take(), &file),
        glossary: lookup.setting("glossary", path(content.glossary.take()).map(Some), &file),
        file,
    })
}

/// The file `--config` or `PALABRE_CONFIG` names (it must exist), else
/// `palabre.toml` in the working directory if there is one.
fn read_file(matches: &ArgMatches) -> anyhow::Result<(Option<PathBuf>, FileConfig)> {
    let named = matches.get_one::<PathBuf>("config").cloned();
    let path = match named {
        Some(path) => path,
        None if Path::new(FILE_NAME).is_file() => PathBuf::from(FILE_NAME),
        None => return Ok((None, FileConfig::default())),
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    let content = parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    Ok((Some(path), content))
}

/// Parses `palabre.toml`; errors say where, e.g. `line 3: unknown key
/// "tokn" (the keys are corpus, index, …)`.
fn parse(text: &str) -> Result<FileConfig, String> {
    toml::from_str(text).map_err(|error| {
        let line = error
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message = error.message();
        // serde's wording is "unknown field `tokn`, expected one of …".
        let message = match message.strip_prefix("unknown field `") {
            Some(rest) => {
                let key = rest.split('`').next().unwrap_or(rest);
                format!("unknown key {key:?} (the keys are {})", KEYS.join(", "))
            }
            None => message.trim().to_string(),
        };
        match line {
            Some(line) => format!("line {line}: {message}"),
            None => message,
        }
    })
}

fn relative_to(file: Option<&Path>, path: PathBuf) -> PathBuf {
    match file.and_then(Path::parent) {
        Some(dir) if path.is_relative() && !dir.as_os_str().is_empty() => dir.join(path),
        _ => path,
    }
}

/// Finds settings in the command line and the clap definitions.
struct Lookup<'a> {
    command: &'a Command,
    matches: &'a ArgMatches,
}

impl Lookup<'_> {
    fn setting<T: Value>(
        &self,
        id: &str,
        file_value: Option<T>,
        file: &Option<PathBuf>,
    ) -> Setting<T> {
        let arg = find_arg(self.command, id);
        // The matches of the subcommand run hold the global flags too.
        let matches = match self.matches.subcommand() {
            Some((_, sub)) if sub.try_contains_id(id).is_ok() => sub,
            _ => self.matches,
        };
        let flag_name = arg.and_then(|a| a.get_long()).map(|l| format!("--{l}"));
        let env_name = arg
            .and_then(|a| a.get_env())
            .map(|e| e.to_string_lossy().into_owned());
        // Asking the matches about an id they do not know panics (in
        // debug builds), hence the question first.
        let known = matches.try_contains_id(id).is_ok();
        let raw = matches
            .try_get_raw(id)
            .ok()
            .flatten()
            .map(|values| values.map(OsStr::to_os_string).collect::<Vec<_>>());
        let source = if known {
            matches.value_source(id)
        } else {
            None
        };
        match (source, raw) {
            (Some(ValueSource::CommandLine), Some(raw)) => {
                if let Some(value) = T::from_raw(&raw) {
                    return Setting {
                        value,
                        source: Source::Flag(flag_name.unwrap_or_else(|| id.to_string())),
                    };
                }
            }
            (Some(ValueSource::EnvVariable), Some(raw)) => {
                if let Some(value) = T::from_raw(&raw) {
                    return Setting {
                        value,
                        source: Source::Env(env_name.unwrap_or_default()),
                    };
                }
            }
            _ => {}
        }
        // A setting of another subcommand (`palabre config` showing the
        // server's address): its environment variable is read here.
        if let (false, Some(env), Some(arg)) = (known, &env_name, arg) {
            if let Some(value) = std::env::var_os(env).filter(|v| !v.is_empty()) {
                let raw = match arg.get_value_delimiter() {
                    Some(delimiter) => split(&value, delimiter),
                    None => vec![value],
                };
                if let Some(value) = T::from_raw(&raw) {
                    return Setting {
                        value,
                        source: Source::Env(env.clone()),
                    };
                }
            }
        }
        if let (Some(value), Some(path)) = (file_value, file) {
            return Setting {
                value,
                source: Source::File(path.clone()),
            };
        }
        let defaults: Vec<OsString> = arg
            .map(|a| {
                a.get_default_values()
                    .iter()
                    .map(|v| v.to_os_string())
                    .collect()
            })
            .unwrap_or_default();
        Setting {
            value: T::from_raw(&defaults).unwrap_or_default(),
            source: Source::Default,
        }
    }
}

/// The argument `id`, defined on the command or one of its subcommands.
fn find_arg<'a>(command: &'a Command, id: &str) -> Option<&'a clap::Arg> {
    command
        .get_arguments()
        .find(|a| a.get_id() == id)
        .or_else(|| command.get_subcommands().find_map(|sub| find_arg(sub, id)))
}

fn split(value: &OsStr, delimiter: char) -> Vec<OsString> {
    value
        .to_string_lossy()
        .split(delimiter)
        .map(|s| OsString::from(s.trim()))
        .collect()
}

/// A setting's type, read from clap's raw values.
trait Value: Sized + Default {
    fn from_raw(raw: &[OsString]) -> Option<Self>;
}

impl Value for PathBuf {
    fn from_raw(raw: &[OsString]) -> Option<Self> {
        raw.first().map(PathBuf::from)
    }
}

impl Value for String {
    fn from_raw(raw: &[OsString]) -> Option<Self> {
        raw.first().map(|v| v.to_string_lossy().into_owned())
    }
}

impl Value for bool {
    fn from_raw(raw: &[OsString]) -> Option<Self> {
        // clap's spellings of true for a flag set from its variable.
        let value = raw.first()?.to_string_lossy().to_ascii_lowercase();
        Some(matches!(value.as_str(), "true" | "1" | "yes" | "y" | "on"))
    }
}

impl Value for Vec<String> {
    fn from_raw(raw: &[OsString]) -> Option<Self> {
        Some(
            raw.iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect(),
        )
    }
}

impl<T: Value> Value for Option<T> {
    fn from_raw(raw: &[OsString]) -> Option<Self> {
        Some(T::from_raw(raw))
    }
}

impl Config {
    /// The configuration as a `palabre.toml`, each line saying where its
    /// value came from; the token is masked.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        match &self.file {
            Some(file) => {
                let _ = writeln!(out, "# configuration file: {}", file.display());
            }
            None => {
                let _ = writeln!(out, "# no configuration file ({FILE_NAME} not found)");
            }
        }
        let token = self.token.value.as_ref().map(|_| MASK.to_string());
        let lines = [
            (
                "corpus",
                Some(quote(&self.corpus.value.to_string_lossy())),
                &self.corpus.source,
            ),
            (
                "index",
                Some(quote(&self.index.value.to_string_lossy())),
                &self.index.source,
            ),
            ("bind", Some(quote(&self.bind.value)), &self.bind.source),
            (
                "watch",
                Some(self.watch.value.to_string()),
                &self.watch.source,
            ),
            ("token", token.as_deref().map(quote), &self.token.source),
            (
                "cors",
                Some(format!(
                    "[{}]",
                    self.cors
                        .value
                        .iter()
                        .map(|o| quote(o))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                &self.cors.source,
            ),
            (
                "glossary",
                self.glossary
                    .value
                    .as_ref()
                    .map(|g| quote(&g.to_string_lossy())),
                &self.glossary.source,
            ),
        ];
        for (key, value, source) in lines {
            let origin = match source {
                Source::Flag(flag) => format!("from {flag}"),
                Source::Env(name) => format!("from {name}"),
                Source::File(path) => format!("from {}", path.display()),
                Source::Default => "default".to_string(),
            };
            let _ = match value {
                Some(value) => writeln!(out, "{:<36} # {origin}", format!("{key} = {value}")),
                None => writeln!(out, "{:<36} # not set", format!("# {key} =")),
            };
        }
        out
    }
}

/// A TOML basic string: JSON's escapes are valid TOML.
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let error = parse("corpus = \"c\"\ntokn = \"x\"\n")
            .map(|_| ())
            .unwrap_err();
        assert!(error.starts_with("line 2: unknown key \"tokn\""), "{error}");
        assert!(error.contains("corpus, index, bind"), "{error}");
    }

    #[test]
    fn a_wrong_type_is_an_error_with_its_line() {
        let error = parse("\n\nwatch = \"yes\"\n").map(|_| ()).unwrap_err();
        assert!(error.starts_with("line 3: "), "{error}");
    }

    #[test]
    fn relative_paths_are_relative_to_the_file() {
        let file = Path::new("/etc/palabre/palabre.toml");
        assert_eq!(
            relative_to(Some(file), "corpus".into()),
            PathBuf::from("/etc/palabre/corpus")
        );
        assert_eq!(
            relative_to(Some(file), "/srv/c".into()),
            PathBuf::from("/srv/c")
        );
        assert_eq!(
            relative_to(Some(Path::new("palabre.toml")), "c".into()),
            PathBuf::from("c")
        );
    }
}
