//! `trendd config check` and the OPML commands.

use crate::config::{self, Config, SourceConfig};
use crate::error::{Error, Result};
use crate::sources::opml::{export_opml as to_opml, parse_opml, OpmlFeed};
use std::path::Path;

/// Prints the effective config: what is in effect, not what the file says — the resolved time zone,
/// state directory and file-channel folders instead of `""`. It holds no secret values, only the
/// names of the environment variables or files that do, so printing it is safe. A secret named by
/// `password_env` / `webhook_url_env` that is unset (or a `*_file` that cannot be read) fails the
/// check: the daemon would only find out at send time, after the digest was composed.
pub fn config_check(cfg: &Config, path: Option<&Path>, state_dir: &Path) -> Result<i32> {
    let origin = path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "built-in defaults".into());
    let text = path.and_then(|p| std::fs::read_to_string(p).ok());
    if let Some((key, msg)) = crate::config::check_secrets(cfg, &|v| std::env::var_os(v)) {
        let line = text
            .as_deref()
            .and_then(|t| crate::config::line_of(t, &key))
            .map(|l| format!("line {l}: "))
            .unwrap_or_default();
        return Err(Error::config(origin, format!("{line}key `{key}`: {msg}")));
    }
    let effective = crate::config::effective(cfg, state_dir);
    let printed = toml::to_string(&effective)
        .map_err(|e| Error::Other(format!("printing the config: {e}")))?;
    println!("# effective config from {origin} (valid)\n{printed}");
    eprintln!(
        "config ok: {origin}: {} sources ({} enabled), {} delivery channel(s), timezone {}, state dir {}",
        cfg.sources.len(),
        cfg.sources.iter().filter(|s| s.enabled()).count(),
        cfg.delivers.len(),
        cfg.timezone(),
        state_dir.display()
    );
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
        // The OPML title is what the reader knows the feed by: it becomes the label.
        let title = crate::render::escape::one_line(&f.title);
        let label = if title.is_empty() || title.chars().count() > 60 {
            String::new()
        } else {
            format!("label = {}\n", toml_str(&title))
        };
        body.push_str(&format!(
            "\n[[source]]\nkind = \"feed\"\nname = {}\n{label}url = {}\n",
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
    println!(
        "added {added} of {} feeds to {}",
        feeds.len(),
        target.display()
    );
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
                title: s.label(),
                xml_url: f.url.clone(),
                html_url: None,
            }),
            _ => None,
        })
        .collect();
    print!("{}", to_opml(&feeds));
    Ok(0)
}
