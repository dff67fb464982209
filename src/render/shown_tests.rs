//! What every format shows of an entry and a section: its date and links, "N new since yesterday",
//! source labels, error texts that keep their markup, and a settings hint true for the config.

use chrono::{NaiveDate, Utc};

use crate::compose::{Digest, DigestEntry, Health, Link, Section};

fn paper() -> DigestEntry {
    DigestEntry {
        key: "arxiv:2604.26904".into(),
        title: "A Paper".into(),
        url: Some("https://arxiv.org/abs/2604.26904".into()),
        summary: "We show a thing.".into(),
        why: "matches 'diffusion'".into(),
        sources: vec!["arXiv".into(), "Hugging Face daily".into()],
        kind: "paper".into(),
        published: "2026-04-29".into(),
        links: [
            ("abstract", "https://arxiv.org/abs/2604.26904"),
            ("PDF", "https://arxiv.org/pdf/2604.26904"),
            ("Hugging Face", "https://huggingface.co/papers/2604.26904"),
            ("code", "https://github.com/org/repo"),
        ]
        .into_iter()
        .map(|(l, u)| Link {
            label: l.into(),
            url: u.into(),
        })
        .collect(),
        ..Default::default()
    }
}

fn digest() -> Digest {
    Digest {
        date: NaiveDate::from_ymd_opt(2026, 4, 30).unwrap(),
        budget_seconds: 600,
        estimated_seconds: 60,
        sections: vec![Section {
            title: "Trending".into(),
            items: vec![paper()],
            new_since_yesterday: 1,
        }],
        source_health: vec![Health {
            name: "s002-reuters".into(),
            label: "reuters.com".into(),
            ok: false,
            error: Some("document ends inside <rss> (truncated)".into()),
            since: None,
        }],
        generated_at: Utc::now(),
        settings_hint: "This digest uses trendd's built-in settings.".into(),
        ..Default::default()
    }
}

#[test]
fn html_shows_date_links_new_count_and_error_markup() {
    let h = super::html(&digest());
    for needle in [
        "29 Apr 2026",
        "<a href=\"https://arxiv.org/pdf/2604.26904\"",
        ">PDF</a>",
        "<a href=\"https://huggingface.co/papers/2604.26904\"",
        ">code</a>",
        "1 new since yesterday",
        "via arXiv, Hugging Face daily",
        "reuters.com: document ends inside &lt;rss&gt; (truncated)",
        "This digest uses trendd&#39;s built-in settings.",
        "prefers-color-scheme:dark",
        "<meta name=\"color-scheme\" content=\"light dark\">",
    ] {
        assert!(h.contains(needle), "missing {needle:?}");
    }
    assert!(!h.contains("s002-reuters"), "a slug is shown");
    assert!(!h.contains("[[deliver]]"));
}

#[test]
fn text_shows_date_links_on_their_own_lines() {
    let t = super::text(&digest());
    for needle in [
        "1 new since yesterday",
        "   Date: 29 Apr 2026",
        "   PDF: https://arxiv.org/pdf/2604.26904\n",
        "   code: https://github.com/org/repo\n",
        "Sources: arXiv, Hugging Face daily",
        "reuters.com: document ends inside \u{2039}rss> (truncated)",
    ] {
        assert!(t.contains(needle), "missing {needle:?} in\n{t}");
    }
    // The title's own link is not repeated as "abstract".
    assert!(
        !t.contains("abstract: https://arxiv.org/abs/2604.26904"),
        "{t}"
    );
    assert!(t
        .lines()
        .all(|l| l.chars().count() <= 76 || l.contains("https://")));
}

#[test]
fn slack_shows_date_and_links() {
    let v = super::slack(&digest());
    let s = v.to_string();
    for needle in [
        "29 Apr 2026 · <https://arxiv.org/abs/2604.26904|abstract> · <https://arxiv.org/pdf/2604.26904|PDF>",
        "1 new since yesterday",
        "document ends inside &lt;rss&gt; (truncated)",
    ] {
        assert!(s.contains(needle), "missing {needle:?} in {s}");
    }
}

#[test]
fn no_new_entries_is_said_as_none() {
    let mut d = digest();
    d.sections[0].new_since_yesterday = 0;
    assert!(super::text(&d).contains("none new since yesterday"));
}
