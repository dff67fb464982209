//! The config as it is in effect (what `config check` prints) and the secrets it names.

use super::{Config, DeliverConfig};
use std::ffi::OsString;
use std::path::Path;

/// `cfg` with every "" that means "the usual place" replaced by what it resolves to here: the time
/// zone, the state directory, each file channel's folder.
pub fn effective(cfg: &Config, state_dir: &Path) -> Config {
    let mut c = cfg.clone();
    c.general.timezone = cfg.timezone().name().to_string();
    c.general.state_dir = state_dir.display().to_string();
    for s in &mut c.sources {
        if let Some(u) = s.url_mut() {
            *u = shown_url(u);
        }
    }
    for d in &mut c.delivers {
        if let DeliverConfig::File(f) = d {
            if f.dir.trim().is_empty() {
                f.dir = state_dir.join("digests").display().to_string();
            }
        }
    }
    c
}

const HIDDEN: &str = "***";

/// Query parameters whose values are credentials by their name (`?token=`, `&api_key=`, …).
const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "api_key",
    "apikey",
    "auth",
    "key",
    "password",
    "secret",
    "sig",
    "signature",
    "token",
];

/// A source URL as printed: a password in it and the values of credential-like query parameters
/// become `***` (URL-safe, unlike `…`), so the printed config can be pasted into a bug report.
pub fn shown_url(raw: &str) -> String {
    let Ok(mut u) = url::Url::parse(raw) else {
        return raw.to_string();
    };
    let mut changed = false;
    if u.password().is_some() {
        changed = u.set_password(Some(HIDDEN)).is_ok();
    }
    if u.query().is_some() {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let secret = SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str());
                (
                    k.into_owned(),
                    if secret {
                        HIDDEN.into()
                    } else {
                        v.into_owned()
                    },
                )
            })
            .collect();
        if pairs.iter().any(|(_, v)| v == HIDDEN) {
            u.query_pairs_mut().clear().extend_pairs(pairs);
            changed = true;
        }
    }
    if changed {
        u.to_string()
    } else {
        raw.to_string()
    }
}

/// The first secret the config names that cannot be had: an environment variable that is unset or
/// empty (`password_env`, `webhook_url_env`, and `api_key_env` when the summarizer uses it) or a
/// `*_file` that cannot be read. Returns the key and what is wrong; `var` reads the environment.
pub fn check_secrets(
    cfg: &Config,
    var: &dyn Fn(&str) -> Option<OsString>,
) -> Option<(String, String)> {
    let unset = |name: &str| var(name).is_none_or(|v| v.is_empty());
    let mut wanted: Vec<(&str, String, &str)> = Vec::new();
    let mut files: Vec<(&str, String, &str)> = Vec::new();
    for d in &cfg.delivers {
        let name = d.name();
        match d {
            DeliverConfig::Email(e) => {
                if let Some(v) = &e.password_env {
                    wanted.push(("password_env", name.clone(), v));
                }
                if let Some(f) = &e.password_file {
                    files.push(("password_file", name.clone(), f));
                }
            }
            DeliverConfig::Slack(s) => {
                if let Some(v) = &s.webhook_url_env {
                    wanted.push(("webhook_url_env", name.clone(), v));
                }
                if let Some(f) = &s.webhook_url_file {
                    files.push(("webhook_url_file", name.clone(), f));
                }
            }
            DeliverConfig::File(_) => {}
        }
    }
    if cfg.summarizer.kind == "openai" && !cfg.summarizer.api_key_env.trim().is_empty() {
        wanted.push((
            "api_key_env",
            "the summarizer".into(),
            &cfg.summarizer.api_key_env,
        ));
    }
    for (key, owner, v) in wanted {
        if unset(v) {
            return Some((
                key.into(),
                format!(
                    "{owner:?} reads its secret from the environment variable {v}, which is not set \
                     here (export it, or use a *_file key)"
                ),
            ));
        }
    }
    for (key, owner, f) in files {
        if let Err(e) = std::fs::File::open(f) {
            return Some((
                key.into(),
                format!("{owner:?} reads its secret from {f}, which cannot be read: {e}"),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "[[deliver]]\nkind = \"email\"\nhost = \"smtp.example.org\"\n\
        password_env = \"TRENDD_TEST_PW\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n";

    #[test]
    fn an_unset_password_env_is_named() {
        let cfg = super::super::parse_str(EMAIL, "t.toml").unwrap();
        let (key, msg) = check_secrets(&cfg, &|_| None).expect("unset is an error");
        assert_eq!(key, "password_env");
        assert!(
            msg.contains("TRENDD_TEST_PW") && msg.contains("not set"),
            "{msg}"
        );
        assert_eq!(super::super::line_of(EMAIL, &key), Some(4));
        // Empty counts as unset; a value passes.
        assert!(check_secrets(&cfg, &|_| Some("".into())).is_some());
        assert!(check_secrets(&cfg, &|_| Some("pw".into())).is_none());
    }

    #[test]
    fn a_missing_password_file_is_named() {
        let text = EMAIL.replace(
            "password_env = \"TRENDD_TEST_PW\"",
            "password_file = \"/nonexistent/trendd-pw\"",
        );
        let cfg = super::super::parse_str(&text, "t.toml").unwrap();
        let (key, msg) = check_secrets(&cfg, &|_| None).unwrap();
        assert_eq!(key, "password_file");
        assert!(msg.contains("/nonexistent/trendd-pw"), "{msg}");
    }

    #[test]
    fn effective_values_replace_the_empty_defaults() {
        let cfg = super::super::parse_str("[general]\ntimezone = \"\"\n", "t.toml").unwrap();
        let e = effective(&cfg, Path::new("/srv/trendd"));
        assert!(!e.general.timezone.is_empty());
        assert_eq!(e.general.state_dir, "/srv/trendd");
        let DeliverConfig::File(f) = &e.delivers[0] else {
            panic!("the default channel is a file channel")
        };
        assert_eq!(f.dir, "/srv/trendd/digests");
    }

    #[test]
    fn printed_source_urls_hide_passwords_and_tokens() {
        let shown = shown_url("https://reader:hunter22@example.com/feed.xml?token=abc123&page=2");
        assert!(
            !shown.contains("hunter22") && !shown.contains("abc123"),
            "{shown}"
        );
        assert!(
            shown.contains("reader@") || shown.contains("reader:"),
            "{shown}"
        );
        assert!(
            shown.contains("page=2") && shown.contains("token=***"),
            "{shown}"
        );
        let plain = "https://example.com/feed.xml?page=2";
        assert_eq!(shown_url(plain), plain);
        let text = "[[source]]\nkind = \"feed\"\nname = \"f\"\nurl = \"https://u:pw123456@example.com/rss?api_key=k9k9k9\"\n";
        let cfg = super::super::parse_str(text, "t.toml").unwrap();
        let e = effective(&cfg, Path::new("/srv/trendd"));
        let printed = toml::to_string(&e).unwrap();
        assert!(
            !printed.contains("pw123456") && !printed.contains("k9k9k9"),
            "{printed}"
        );
        // The config in use keeps the real URL.
        assert!(cfg.sources[0].url().unwrap().contains("pw123456"));
    }
}
