//! `trendd config check` and the OPML commands.

use crate::config::{self, Config, SourceConfig};
use crate::error::{Error, Result};
use crate::sources::opml::{export_opml as to_opml, parse_opml, OpmlFeed};
use std::path::Path;

/// Prints the effective config. It holds no secret values, only the names of the environment
/// variables or files that do (`password_env`, `webhook_url_file`, …), so printing it is safe.
pub fn config_check(cfg: &Config, path: Option<&Path>) -> Result<i32> {
    let origin = path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "built-in defaults".into());
    let text =
        toml::to_string(cfg).map_err(|e| Error::Other(format!("printing the config: {e}")))?;
    super::output::println(&format!("# effective config from {origin} (valid)\n{text}"))?;
    super::output::eprintln(&format!(
        "config ok: {origin}: {} sources ({} enabled), {} delivery channel(s), timezone {}",
        cfg.sources.len(),
        cfg.sources.iter().filter(|s| s.enabled()).count(),
        cfg.delivers.len(),
        cfg.timezone()
    ));
    Ok(0)
}

/// Adds the feeds of an OPML file to the config file's [[source]] list (appended as text, so the file's
/// comments stay). Without a config file, one is created from the built-in default.
pub fn import_opml(cfg: &Config, path: Option<&Path>, opml: &Path) -> Result<i32> {
    let text = std::fs::read_to_string(opml)
        .map_err(|e| Error::io(format!("reading {}", opml.display()), e))?;
    let feeds = parse_opml(&text).map_err(|e| Error::Other(format!("{}: {e}", opml.display())))?;
    let target = match path {
        Some(p) => p.to_path_buf(),
        None => {
            let home = std::env::var_os("HOME")
                .map(std::path::PathBuf::from)
                .unwrap_or_default();
            home.join(".config/trendd/trendd.toml")
        }
    };
    let mut body = match std::fs::read_to_string(&target) {
        Ok(t) => t,
        Err(_) => config::BUILTIN.to_string(),
    };
    let mut names: std::collections::HashSet<String> =
        cfg.sources.iter().map(|s| s.name().to_string()).collect();
    let urls: std::collections::HashSet<&str> =
        cfg.sources.iter().filter_map(SourceConfig::url).collect();
    let mut added = 0;
    for f in &feeds {
        if urls.contains(f.xml_url.as_str()) {
            continue;
        }
        let base = slug(&f.title).unwrap_or_else(|| "feed".into());
        let mut name = base.clone();
        let mut n = 2;
        while !names.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        body.push_str(&format!(
            "\n[[source]]\nkind = \"feed\"\nname = {}\nurl = {}\n",
            toml_str(&name),
            toml_str(&f.xml_url)
        ));
        added += 1;
    }
    // Refuse to write a file that would not load.
    config::parse_str(&body, &target.display().to_string())?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    }
    std::fs::write(&target, body)
        .map_err(|e| Error::io(format!("writing {}", target.display()), e))?;
    super::output::println(&format!(
        "added {added} of {} feeds to {}",
        feeds.len(),
        target.display()
    ))?;
    Ok(0)
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn slug(title: &str) -> Option<String> {
    let s: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    (!s.is_empty()).then(|| s.chars().take(40).collect())
}

/// Prints the feed sources as OPML.
pub fn export_opml(cfg: &Config) -> Result<i32> {
    let feeds: Vec<OpmlFeed> = cfg
        .sources
        .iter()
        .filter_map(|s| match s {
            SourceConfig::Feed(f) => Some(OpmlFeed {
                title: f.name.clone(),
                xml_url: f.url.clone(),
                html_url: None,
            }),
            _ => None,
        })
        .collect();
    super::output::print(&to_opml(&feeds))?;
    Ok(0)
}
