//! What every format shows of one entry besides its title, authors and TL;DR, computed in one place:
//! the date, the links, and the small print ("why · via sources"). A renderer only lays these out, so a
//! new piece of small print (who wrote the TL;DR, 👍/👎) is added here once for HTML, text and Slack.

use super::escape::{self, plain, safe_url, shorten};
use crate::compose::DigestEntry;
use chrono::NaiveDate;

/// The entry's own date for a reader: "29 Apr 2026"; empty when the entry has none (or a bad one).
pub(super) fn date(e: &DigestEntry) -> String {
    NaiveDate::parse_from_str(e.published.trim(), "%Y-%m-%d")
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_default()
}

/// The entry's links as (label, URL): labels are plain text, URLs safe http(s), none twice.
pub(super) fn links(e: &DigestEntry) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for l in &e.links {
        let label = shorten(&plain(&l.label), 40);
        let Some(url) = safe_url(Some(&l.url)) else {
            continue;
        };
        if label.is_empty() || out.iter().any(|(_, u)| *u == url) {
            continue;
        }
        out.push((label, url));
    }
    out
}

/// The sources, by label, as plain text: "arXiv, Hugging Face daily".
pub(super) fn sources(e: &DigestEntry) -> String {
    let names: Vec<String> = e
        .sources
        .iter()
        .map(|s| plain(s))
        .filter(|s| !s.is_empty())
        .collect();
    names.join(", ")
}

/// "why · via arXiv, Hugging Face daily", plain text.
pub(super) fn meta_line(e: &DigestEntry) -> String {
    let why = shorten(&plain(&e.why), 300);
    let sources = shorten(&sources(e), 300);
    match (why.is_empty(), sources.is_empty()) {
        (true, true) => String::new(),
        (false, true) => why,
        (true, false) => format!("via {sources}"),
        (false, false) => format!("{why} · via {sources}"),
    }
}

/// A section's heading line under its title: "4 new since yesterday".
pub(super) fn new_line(n: u32) -> String {
    match n {
        0 => "none new since yesterday".to_string(),
        n => format!("{n} new since yesterday"),
    }
}

/// An error text as the reader should see it: one line, markup kept as text (escaped by each format,
/// never stripped: "document ends inside <rss>" must keep its `<rss>`), attribute-looking `name=`
/// sequences defanged as in any feed text.
pub(super) fn literal(s: &str) -> String {
    escape::defang(&escape::one_line(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::Link;

    fn e() -> DigestEntry {
        DigestEntry {
            published: "2026-04-29".into(),
            links: vec![
                Link {
                    label: "abstract".into(),
                    url: "https://arxiv.org/abs/2604.26904".into(),
                },
                Link {
                    label: "PDF".into(),
                    url: "https://arxiv.org/pdf/2604.26904".into(),
                },
                Link {
                    label: "again".into(),
                    url: "https://arxiv.org/pdf/2604.26904".into(),
                },
                Link {
                    label: "bad".into(),
                    url: "javascript:alert(1)".into(),
                },
            ],
            why: "matches 'diffusion'".into(),
            sources: vec!["arXiv".into(), "<b>Hugging Face</b> daily".into()],
            ..Default::default()
        }
    }

    #[test]
    fn dates_read_as_days_and_bad_ones_vanish() {
        assert_eq!(date(&e()), "29 Apr 2026");
        let bad = DigestEntry {
            published: "29/04/2026".into(),
            ..Default::default()
        };
        assert_eq!(date(&bad), "");
    }

    #[test]
    fn links_are_safe_and_unique() {
        let l = links(&e());
        assert_eq!(
            l,
            vec![
                ("abstract".into(), "https://arxiv.org/abs/2604.26904".into()),
                ("PDF".into(), "https://arxiv.org/pdf/2604.26904".into()),
            ]
        );
    }

    #[test]
    fn meta_line_names_sources_by_label() {
        assert_eq!(
            meta_line(&e()),
            "matches 'diffusion' · via arXiv, Hugging Face daily"
        );
    }

    #[test]
    fn error_markup_is_kept_as_text() {
        assert_eq!(
            literal("document ends inside <rss> (truncated)\r\n"),
            "document ends inside <rss> (truncated)"
        );
        assert!(!literal("<img src=x onerror=alert(1)>").contains("onerror="));
    }
}
