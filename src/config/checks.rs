//! Checks of values that parse but cannot work: numbers that empty every digest, email addresses
//! that are not addresses, paths that are not what they must be. Each is refused at `config check`
//! (and at every load) rather than found out by a digest that composed, marked its items sent, and
//! then delivered nothing.

use super::{Config, DeliverConfig};
use std::path::Path;

type Check = Result<(), (String, String)>;

fn bad(key: &str, msg: String) -> Check {
    Err((key.to_string(), msg))
}

/// The checks beyond `Config::validate`'s: returns the offending key and what is wrong.
pub fn check(cfg: &Config) -> Check {
    digest_numbers(cfg)?;
    for d in &cfg.delivers {
        let name = d.name();
        match d {
            DeliverConfig::Email(e) => {
                mailbox("from", &e.from, &name)?;
                for to in &e.to {
                    mailbox("to", to, &name)?;
                }
                let host = e.host.trim();
                if host.contains("://") || host.contains(['/', ' ', '@']) {
                    return bad(
                        "host",
                        format!("email channel {name:?}: host {host:?} must be a host name or address only (e.g. \"smtp.example.org\"), no scheme, path or user"),
                    );
                }
                if let Some(u) = &e.username {
                    if u.trim().is_empty() {
                        return bad(
                            "username",
                            format!("email channel {name:?}: username is empty"),
                        );
                    }
                }
                for (key, p) in [("ca_file", &e.ca_file), ("password_file", &e.password_file)] {
                    if let Some(p) = p {
                        file_path(key, p, &name)?;
                    }
                }
                if e.timeout_secs == 0 || e.timeout_secs > 600 {
                    return bad(
                        "timeout_secs",
                        format!("email channel {name:?}: must be between 1 and 600 seconds"),
                    );
                }
            }
            DeliverConfig::Slack(s) => {
                if let Some(p) = &s.webhook_url_file {
                    file_path("webhook_url_file", p, &name)?;
                }
                if let Some(v) = &s.webhook_url_env {
                    env_name("webhook_url_env", v, &name)?;
                }
            }
            DeliverConfig::File(f) => {
                if !f.dir.is_empty() {
                    dir_path("dir", &f.dir, &name)?;
                }
            }
        }
        if let DeliverConfig::Email(e) = d {
            if let Some(v) = &e.password_env {
                env_name("password_env", v, &name)?;
            }
        }
    }
    Ok(())
}

/// Reading-budget numbers that parse but leave every digest empty.
fn digest_numbers(cfg: &Config) -> Check {
    let d = &cfg.digest;
    if d.max_trending == 0 {
        return bad(
            "digest.max_trending",
            "must be at least 1 (0 leaves out every trending paper, most of a digest)".into(),
        );
    }
    for (key, v) in [
        ("digest.max_trending", d.max_trending),
        ("digest.max_for_you", d.max_for_you),
        ("digest.max_blogs", d.max_blogs),
    ] {
        if v > 1000 {
            return bad(
                key,
                format!("{v} entries is more than anyone reads; at most 1000"),
            );
        }
    }
    // One entry must fit the budget with room to spare, or nothing ever does.
    let budget = d.minutes.saturating_mul(60);
    if d.seconds_per_entry > 300 || d.seconds_per_entry.saturating_mul(4) > budget {
        return bad(
            "digest.seconds_per_entry",
            format!(
                "{} s per entry leaves no room in a {budget} s budget; use at most 300 and at most a quarter of minutes × 60",
                d.seconds_per_entry
            ),
        );
    }
    Ok(())
}

fn mailbox(key: &str, v: &str, channel: &str) -> Check {
    match v.trim().parse::<lettre::message::Mailbox>() {
        Ok(_) => Ok(()),
        Err(e) => bad(
            key,
            format!("email channel {channel:?}: {v:?} is not an email address ({e}); write \"user@host\" or \"Name <user@host>\""),
        ),
    }
}

fn env_name(key: &str, v: &str, channel: &str) -> Check {
    let ok = !v.is_empty()
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !v.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        return Ok(());
    }
    bad(
        key,
        format!(
            "channel {channel:?}: {v:?} is not an environment variable name (letters, digits, _)"
        ),
    )
}

fn plain(key: &str, p: &str, channel: &str) -> Check {
    if p.trim().is_empty() || p.contains(['\0', '\n', '\r']) {
        return bad(
            key,
            format!("channel {channel:?}: {p:?} is not a usable path"),
        );
    }
    Ok(())
}

/// A file the channel reads at send time: it may not exist yet (a systemd credential appears only
/// when the service runs), but if it exists it must be a regular file.
fn file_path(key: &str, p: &str, channel: &str) -> Check {
    plain(key, p, channel)?;
    match std::fs::metadata(Path::new(p)) {
        Ok(m) if !m.is_file() => bad(
            key,
            format!("channel {channel:?}: {p} is not a regular file"),
        ),
        _ => Ok(()),
    }
}

/// A folder the channel writes into: created when missing, so only something else in its place is wrong.
fn dir_path(key: &str, p: &str, channel: &str) -> Check {
    plain(key, p, channel)?;
    match std::fs::metadata(Path::new(p)) {
        Ok(m) if !m.is_dir() => bad(
            key,
            format!("channel {channel:?}: {p} exists and is not a folder"),
        ),
        _ => Ok(()),
    }
}
