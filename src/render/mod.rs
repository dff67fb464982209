//! Rendering a composed digest: HTML email, plain text, Slack Block Kit, digest.json.
//!
//! Every text that came from a feed is cleaned by [`escape::plain`] (one line, no control or bidi
//! characters, no markup) and then escaped for its format; a link is only ever made from an http(s)
//! URL. None of the renderers fails: an empty digest renders a short "nothing new" message.

pub mod atom;
mod dark;
mod entry;
pub(crate) mod escape;
mod html;
#[cfg(test)]
mod shown_tests;
mod slack;
#[cfg(test)]
mod tests;
mod text;
mod trend;

use crate::compose::{Digest, DigestEntry, Health};

/// The HTML email: a full document, inline CSS, a 600-px table that reads at 375 px.
pub fn html(d: &Digest) -> String {
    html::render(d, &|e| {
        d.feedback_links.get(&e.key).map(|l| FeedbackLinks {
            up: l.up.clone(),
            down: l.down.clone(),
            rated: None,
        })
    })
}

/// 👍/👎 links of one entry (signed by `learn::token`; absolute, or relative on the web face).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackLinks {
    pub up: String,
    pub down: String,
    /// The reader's rating so far, shown as the chosen button (the web face knows it; an email does not).
    pub rated: Option<crate::learn::Vote>,
}

/// The HTML email with 👍/👎 links under each entry that `links` gives them for.
pub fn html_with_feedback(
    d: &Digest,
    links: &dyn Fn(&DigestEntry) -> Option<FeedbackLinks>,
) -> String {
    html::render(d, links)
}

/// The plain-text alternative, wrapped at 76 columns.
pub fn text(d: &Digest) -> String {
    text::render(d)
}

/// The Slack Block Kit message: `{"text": fallback, "blocks": [...]}`, within Slack's limits.
pub fn slack(d: &Digest) -> serde_json::Value {
    slack::render(d)
}

/// `digest.json`: the digest serialized as-is (the contract in DESIGN.md).
pub fn json(d: &Digest) -> String {
    // Serializing plain structs with string keys cannot fail; the fallback keeps this total anyway.
    serde_json::to_string_pretty(d)
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
}

/// The email subject, e.g. "trendd · Sun 22 Nov · 14 papers, 3 posts · 9 min": one line, ≤ 120 chars.
pub fn subject(d: &Digest) -> String {
    let date = d.date.format("%a %-d %b");
    let s = if d.item_count() == 0 {
        format!("trendd · {date} · nothing new")
    } else {
        format!("trendd · {date} · {} · {} min", counts(d), minutes(d))
    };
    escape::shorten(&escape::one_line(&s), 120)
}

/// Reading time in whole minutes, rounded up, at least 1 when there is anything to read.
fn minutes(d: &Digest) -> u32 {
    if d.item_count() == 0 {
        return 0;
    }
    d.estimated_seconds.div_ceil(60).max(1)
}

/// "About 9 min read · Sunday 22 November 2026".
fn reading_line(d: &Digest) -> String {
    let date = d.date.format("%A %-d %B %Y");
    if d.item_count() == 0 {
        format!("{date}")
    } else {
        format!("About {} min read · {date}", minutes(d))
    }
}

/// "14 papers, 3 posts" (kinds other than "paper" count as posts).
fn counts(d: &Digest) -> String {
    let papers = d
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .filter(|e| e.kind == "paper")
        .count();
    let posts = d.item_count() - papers;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (papers, posts) {
        (p, 0) => plural(p, "paper"),
        (0, q) => plural(q, "post"),
        (p, q) => format!("{}, {}", plural(p, "paper"), plural(q, "post")),
    }
}

/// The entry's title as plain text (at most [`MAX_TITLE`] characters), "(untitled)" when a feed gave none.
fn title_of(e: &DigestEntry) -> String {
    let t = escape::plain(&e.title);
    if t.is_empty() {
        "(untitled)".to_string()
    } else {
        escape::shorten(&t, MAX_TITLE)
    }
}

/// The authors line as plain text, at most [`MAX_TITLE`] characters (compose already says "et al.").
fn authors_of(e: &DigestEntry) -> String {
    escape::shorten(&escape::plain(&e.authors), MAX_TITLE)
}

/// No real title or authors line is this long; a feed that sends one should not fill the screen.
const MAX_TITLE: usize = 300;

/// "label: error (failing since Fri 20 Nov 2026 07:00 UTC)" for a failing source, as plain text. The
/// error keeps any markup it quotes as text (each format escapes it).
fn health_line(h: &Health) -> String {
    let mut s = escape::plain(if h.label.trim().is_empty() {
        &h.name
    } else {
        &h.label
    });
    if s.is_empty() {
        s.push_str("(unnamed source)");
    }
    let err = h.error.as_deref().map(entry::literal).unwrap_or_default();
    s.push_str(": ");
    s.push_str(if err.is_empty() { "failing" } else { &err });
    if let Some(since) = h.since {
        s.push_str(&format!(
            " (failing since {})",
            since.format("%a %-d %b %Y %H:%M UTC")
        ));
    }
    s
}

/// The failing sources, in the digest's order.
fn failing(d: &Digest) -> impl Iterator<Item = &Health> {
    d.source_health.iter().filter(|h| !h.ok)
}

/// Said when every source answered.
fn all_ok_line(d: &Digest) -> Option<String> {
    let n = d.source_health.len();
    if n == 0 || failing(d).next().is_some() {
        return None;
    }
    Some(if n == 1 {
        "The one source answered.".to_string()
    } else {
        format!("All {n} sources answered.")
    })
}

const NOTHING_NEW: &str = "Nothing new since the last digest.";

/// The footer's last line: how to change or stop the digest, as composed for the config in use.
fn settings_hint(d: &Digest) -> String {
    let s = escape::plain(&d.settings_hint);
    if s.is_empty() {
        // Digests stored before the hint existed: true whatever the config holds.
        "To change or stop this digest, edit trendd's config file (`trendd config check` shows it)."
            .into()
    } else {
        s
    }
}
