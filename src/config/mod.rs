//! Configuration: `config/trendd.toml` is the built-in default (embedded here), a user file overrides
//! it section by section, and lists (`[[source]]`, `[[deliver]]`) are replaced whole.
//!
//! Loading merges the user's table over the built-in one and reads the result into the effective
//! `Config`, which `validate` checks; an error sends the user's file through the typed reader on its own,
//! so the message names the file, line and key.

mod checks;
mod effective;
mod fast;
mod schema;
mod typed;

pub use effective::{check_secrets, effective};
pub use schema::*;

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The built-in default configuration, with its comments.
pub const BUILTIN: &str = include_str!("../../config/trendd.toml");

/// A loaded configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    /// The file read, or `None` for the built-in defaults.
    pub path: Option<PathBuf>,
}

/// Where to look for the config: `--config`, `$TRENDD_CONFIG`, the user's and the system's file.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("TRENDD_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
        candidates.push(PathBuf::from(dir).join("trendd/trendd.toml"));
    } else if let Some(home) = std::env::var_os("HOME").filter(|p| !p.is_empty()) {
        candidates.push(PathBuf::from(home).join(".config/trendd/trendd.toml"));
    }
    candidates.push(PathBuf::from("/etc/trendd/trendd.toml"));
    candidates.into_iter().find(|p| p.is_file())
}

/// Loads the config at `path` (or the built-in default) and validates it.
pub fn load(path: Option<&Path>) -> Result<Loaded> {
    let config = match path {
        None => parse_str(BUILTIN, "<built-in config>")?,
        Some(p) => {
            let text = read_capped(p)?;
            parse_str(&text, &p.display().to_string())?
        }
    };
    Ok(Loaded {
        config,
        path: path.map(Path::to_path_buf),
    })
}

/// The largest config file read: a config of a thousand feeds is ~200 KB; `--config /dev/zero` must
/// not read half a gigabyte before failing.
pub const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a config file: a regular file (a FIFO or device would block or never end), at most
/// `MAX_CONFIG_BYTES`, UTF-8.
fn read_capped(p: &Path) -> Result<String> {
    use std::io::Read;
    let origin = p.display().to_string();
    let cannot = |e: std::io::Error| Error::config(&origin, format!("cannot read: {e}"));
    // Asked before opening: opening a FIFO for reading blocks until someone writes to it.
    let meta = std::fs::metadata(p).map_err(cannot)?;
    if !meta.is_file() {
        return Err(Error::config(
            &origin,
            "not a regular file (a config is read from a plain file)",
        ));
    }
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(too_big(&origin));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    std::fs::File::open(p)
        .map_err(cannot)?
        .take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(too_big(&origin));
    }
    String::from_utf8(bytes).map_err(|e| {
        Error::config(
            &origin,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

fn too_big(origin: &str) -> Error {
    Error::config(
        origin,
        format!(
            "larger than {} MiB; a config is a small text file",
            MAX_CONFIG_BYTES >> 20
        ),
    )
}

/// Parses a user config text over the built-in defaults. `origin` names the file in errors.
pub fn parse_str(text: &str, origin: &str) -> Result<Config> {
    // The text is parsed once into a table and merged over the built-in default; every key then has
    // its effective value. Only when that fails is the user's text read again on its own into the
    // typed config, so the error points at the line, column and key in the user's file. Plain TOML
    // (most configs) goes through the fast reader; the rest, errors included, through the `toml` crate.
    let (table, apart) = merged_split(text, origin)?;
    let config = match typed::config(table, apart) {
        Some(c) => c,
        None => match toml::Table::try_into(merged_table(text, origin)?) {
            Ok(c) => c,
            Err(e) => {
                return Err(match toml::from_str::<Config>(text) {
                    Err(located) => toml_error(origin, &located),
                    Ok(_) => toml_error(origin, &e),
                })
            }
        },
    };
    config.validate().map_err(|(key, msg)| {
        let line = line_of(text, &key)
            .map(|l| format!("line {l}: "))
            .unwrap_or_default();
        Error::config(origin, format!("{line}key `{key}`: {msg}"))
    })?;
    Ok(config)
}

/// The user's text merged over the built-in table.
fn merged_table(text: &str, origin: &str) -> Result<toml::Table> {
    let user_table = match fast::parse(text) {
        Some(t) => t,
        None => full_table(text, origin)?,
    };
    Ok(over_builtin(user_table, false))
}

/// `merged_table`, with the user's `[[source]]` tables apart when the fast reader read them (they
/// replace the built-in list whole, so they need no merging).
fn merged_split<'a>(
    text: &'a str,
    origin: &str,
) -> Result<(toml::Table, Option<Vec<fast::Entries<'a>>>)> {
    Ok(match fast::parse_split(text, Some("source")) {
        Some((user_table, sources)) => (over_builtin(user_table, sources.is_some()), sources),
        None => (over_builtin(full_table(text, origin)?, false), None),
    })
}

/// The user's text read by the `toml` crate, which words every error.
fn full_table(text: &str, origin: &str) -> Result<toml::Table> {
    toml::from_str(text).map_err(|e| toml_error(origin, &e))
}

/// `user` over the built-in table, without the built-in sources when the user's are kept apart.
fn over_builtin(user: toml::Table, sources_apart: bool) -> toml::Table {
    let mut merged = builtin_table();
    if sources_apart {
        merged.remove("source");
    }
    merge(&mut merged, user);
    merged
}

/// The built-in config as a table.
fn builtin_table() -> toml::Table {
    fast::parse(BUILTIN)
        .unwrap_or_else(|| toml::from_str(BUILTIN).expect("built-in config is valid TOML"))
}

/// Overlays `user` on `base`: tables merge key by key, everything else (arrays included) replaces.
fn merge(base: &mut toml::Table, user: toml::Table) {
    for (k, v) in user {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(u)) => merge(b, u),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn toml_error(origin: &str, e: &toml::de::Error) -> Error {
    // toml's message already says "TOML parse error at line N, column M" and quotes the line.
    Error::config(origin, e.to_string().trim_end())
}

/// The first line (1-based) where `key` (the last part of a dotted path) is assigned, if any.
pub fn line_of(text: &str, key: &str) -> Option<usize> {
    let last = key.rsplit(['.', ']']).next().unwrap_or(key);
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(last)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

/// The state directory when the command line or the environment names it (then the config cannot
/// change it, and the store can be opened while the config is read).
pub fn state_dir_before_config(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    for var in ["TRENDD_STATE_DIR", "STATE_DIRECTORY"] {
        if let Some(p) = std::env::var_os(var).filter(|p| !p.is_empty()) {
            // systemd may pass several directories separated by ':'; the first is ours.
            let s = p
                .to_string_lossy()
                .split(':')
                .next()
                .unwrap_or_default()
                .to_string();
            return Some(PathBuf::from(s));
        }
    }
    None
}

/// The state directory: `--state-dir`, `$TRENDD_STATE_DIR`, `$STATE_DIRECTORY` (systemd), the config's
/// `general.state_dir`, then `~/.local/state/trendd`.
pub fn state_dir(explicit: Option<&Path>, config: &Config) -> PathBuf {
    if let Some(p) = state_dir_before_config(explicit) {
        return p;
    }
    if !config.general.state_dir.is_empty() {
        return PathBuf::from(&config.general.state_dir);
    }
    if let Some(dir) = std::env::var_os("XDG_STATE_HOME").filter(|p| !p.is_empty()) {
        return PathBuf::from(dir).join("trendd");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".local/state/trendd")
}

#[cfg(test)]
mod tests;
