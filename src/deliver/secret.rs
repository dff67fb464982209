//! Secrets (SMTP passwords, webhook URLs) read from an environment variable or a file at send time,
//! so a rotated credential is picked up without a restart and a missing one fails only its channel.

use crate::error::{Error, Result};

/// A secret value. `Debug` and `Display` never show it; only [`Secret::expose`] does.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for handing to the transport that needs it (never for messages).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces every occurrence of the secret in `text` (a server reply, a library error) with `***`.
    pub fn scrub(&self, text: &str) -> String {
        if self.0.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.0, "***")
        }
    }
}

impl Secret {
    /// Like [`Secret::scrub`] for a secret URL (a webhook): its path, query and long path segments
    /// (the token) are taken out too, since a server may echo any of them.
    pub fn scrub_url(&self, text: &str) -> String {
        let Ok(u) = url::Url::parse(&self.0) else {
            return self.scrub(text);
        };
        let mut parts: Vec<&str> = vec![&self.0, u.as_str(), u.path()];
        parts.extend(u.query());
        parts.extend(u.path().split('/').filter(|s| s.len() >= 12));
        crate::http::scrub_all(text, parts)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Reads the secret named by `env` (an environment variable) or `file` (trimmed of surrounding
/// whitespace, so a trailing newline from `echo` does not become part of a password). `Ok(None)` when
/// neither is configured. `what` names the key family in messages ("password", "webhook_url").
pub fn read(
    channel: &str,
    what: &str,
    env: Option<&str>,
    file: Option<&str>,
) -> Result<Option<Secret>> {
    let fail = |message: String| Error::Deliver {
        channel: channel.to_string(),
        message,
    };
    if let Some(var) = env.filter(|v| !v.is_empty()) {
        return match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(Secret(v.trim().to_string()))),
            Ok(_) => Err(fail(format!(
                "environment variable {var} is empty (it should hold the {what})"
            ))),
            Err(std::env::VarError::NotPresent) => {
                Err(fail(format!("environment variable {var} is not set")))
            }
            Err(std::env::VarError::NotUnicode(_)) => Err(fail(format!(
                "environment variable {var} is not valid UTF-8"
            ))),
        };
    }
    if let Some(path) = file.filter(|p| !p.is_empty()) {
        // The io error names only the failure kind; the file's contents never reach a message.
        let text = std::fs::read_to_string(path)
            .map_err(|e| fail(format!("cannot read {what}_file {path}: {e}")))?;
        let v = text.trim();
        if v.is_empty() {
            return Err(fail(format!("{what}_file {path} is empty")));
        }
        return Ok(Some(Secret(v.to_string())));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hunter2-pw");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.scrub("auth hunter2-pw failed"), "auth *** failed");
        let hook = Secret::new("https://hooks.example/services/T0AB/B0CD/zzTokenSecret42");
        let echoed = "no_service: /services/T0AB/B0CD/zzTokenSecret42 (token zzTokenSecret42)";
        let clean = hook.scrub_url(echoed);
        assert!(
            !clean.contains("zzTokenSecret42") && !clean.contains("/services/T0AB"),
            "{clean}"
        );
    }

    #[test]
    fn file_is_trimmed_and_missing_env_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pw");
        std::fs::write(&p, "  s3cret\n").unwrap();
        let s = read("email", "password", None, Some(p.to_str().unwrap()))
            .unwrap()
            .unwrap();
        assert_eq!(s.expose(), "s3cret");
        let e = read(
            "email",
            "password",
            Some("TRENDD_TEST_SURELY_UNSET_VAR"),
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "delivery 'email': environment variable TRENDD_TEST_SURELY_UNSET_VAR is not set"
        );
        assert!(read("email", "password", None, None).unwrap().is_none());
        std::fs::write(&p, "\n").unwrap();
        assert!(read("email", "password", None, Some(p.to_str().unwrap()))
            .unwrap_err()
            .to_string()
            .contains("is empty"));
    }
}
