//! What a digest says about its sources: whether any of them answers (no digest is composed while
//! none does), the human label of each, and how to change the digest.

use super::App;
use crate::config::{default_label, SourceConfig};
use crate::error::Result;
use std::collections::HashMap;

/// Source name → the label readers see.
#[derive(Debug, Clone, Default)]
pub struct Labels(HashMap<String, String>);

/// The labels of the configured sources.
pub fn labels(app: &App) -> Labels {
    Labels(
        app.config
            .sources
            .iter()
            .map(|s| (s.name().to_string(), s.label()))
            .collect(),
    )
}

impl Labels {
    /// The label of source `name`; for a source no longer configured, the default of its kind (a
    /// feed's host), and only as a last resort the name.
    pub fn of(&self, name: &str, kind: &str, url: Option<&str>) -> String {
        if let Some(l) = self.0.get(name) {
            return l.clone();
        }
        default_label(kind, url).unwrap_or_else(|| name.to_string())
    }
}

/// Why no digest should be composed now, when no enabled source answers: every one failed its last
/// fetch or was never fetched. None when at least one answers.
pub fn nothing_reached(app: &App) -> Result<Option<String>> {
    let statuses = app.store.source_statuses()?;
    let enabled: Vec<&SourceConfig> = app.config.sources.iter().filter(|s| s.enabled()).collect();
    if enabled.is_empty() {
        return Ok(Some(
            "no source is configured (every [[source]] is disabled), so there is nothing to compose"
                .into(),
        ));
    }
    let mut failing = Vec::new();
    let mut never = 0;
    for s in &enabled {
        match statuses.get(s.name()) {
            Some(st) if st.last_error.is_none() && st.last_attempt.is_some() => return Ok(None),
            Some(st) if st.last_error.is_some() => failing.push(format!(
                "{}: {}",
                s.label(),
                st.last_error.as_deref().unwrap_or_default()
            )),
            _ => never += 1,
        }
    }
    if failing.is_empty() {
        return Ok(Some(format!(
            "no source has been fetched yet ({never} configured) and nothing is stored: \
             run `trendd digest --now` without --no-fetch, or `trendd fetch` first"
        )));
    }
    let shown: Vec<&str> = failing.iter().take(3).map(String::as_str).collect();
    let more = failing.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!("; and {more} more")
    } else {
        String::new()
    };
    Ok(Some(format!(
        "could not reach any source ({} tried: {}{more}). Is the network down, or does it need a \
         proxy (HTTPS_PROXY)? No digest was stored for the day; the next run that reaches a source \
         composes it",
        failing.len() + never,
        shown.join("; ")
    )))
}

/// The footer's last line: how to change or stop this digest, true for the config in use (the
/// built-in defaults have no [[deliver]] block to edit).
pub fn settings_hint(app: &App) -> String {
    let Some(p) = &app.config_path else {
        return "This digest uses trendd's built-in settings. To change or stop it, save the output \
                of `trendd config check` as ~/.config/trendd/trendd.toml and edit it."
            .into();
    };
    let has_deliver = std::fs::read_to_string(p)
        .is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("[[deliver]]")));
    if has_deliver {
        format!(
            "To change or stop this digest, edit the [[deliver]] blocks of {}.",
            p.display()
        )
    } else {
        format!(
            "To change or stop this digest, edit {} (it has no [[deliver]] block yet, so digests \
             go to files under the state directory).",
            p.display()
        )
    }
}
