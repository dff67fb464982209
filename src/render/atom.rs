//! The digests as an Atom feed (RFC 4287), one entry per digest, for feed readers: served by the web
//! face at `/feed.atom` and written by the file channel beside the dated files. Every element a
//! validator asks for is there: feed and entry `id`, `title`, `updated`, an `author`, the feed's
//! `rel="self"` link and each entry's `alternate` link.

use super::escape;
use crate::compose::Digest;
use atom_syndication::{Content, Entry, Feed, Generator, Link, Person, Text};
use chrono::{DateTime, NaiveDate, Utc};
use maud::html;

/// Digests at most in one feed (newest first); a reader that polls daily never misses one.
pub const MAX_ENTRIES: usize = 30;

/// Where the feed and its entries live; every URL absolute.
pub struct FeedLinks<'a> {
    /// The feed's own URL (`rel="self"`), which is also its `id`.
    pub self_href: &'a str,
    /// The page the feed stands for (`rel="alternate"`).
    pub site_href: &'a str,
    /// One digest's page, which is also its entry's `id`.
    pub digest_href: &'a dyn Fn(NaiveDate) -> String,
}

/// The feed of `digests` (any order; the newest [`MAX_ENTRIES`] are kept).
pub fn feed(digests: &[Digest], links: &FeedLinks) -> String {
    let mut ds: Vec<&Digest> = digests.iter().collect();
    ds.sort_by(|a, b| b.date.cmp(&a.date));
    ds.truncate(MAX_ENTRIES);
    let entries: Vec<Entry> = ds.iter().map(|d| entry(d, links)).collect();
    let updated = ds
        .iter()
        .map(|d| d.generated_at)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let feed = Feed {
        title: Text::plain("trendd digests"),
        id: links.self_href.to_string(),
        updated: updated.fixed_offset(),
        authors: vec![author()],
        generator: Some(Generator {
            value: "trendd".into(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        links: vec![
            link(links.self_href, "self", "application/atom+xml"),
            link(links.site_href, "alternate", "text/html"),
        ],
        subtitle: Some(Text::plain(
            "The day's machine-learning research trends, one digest a day",
        )),
        entries,
        lang: Some("en".into()),
        ..Default::default()
    };
    feed.to_string()
}

fn author() -> Person {
    Person {
        name: "trendd".into(),
        ..Default::default()
    }
}

fn link(href: &str, rel: &str, mime: &str) -> Link {
    Link {
        href: href.into(),
        rel: rel.into(),
        mime_type: Some(mime.into()),
        ..Default::default()
    }
}

fn entry(d: &Digest, links: &FeedLinks) -> Entry {
    let href = (links.digest_href)(d.date);
    Entry {
        title: Text::plain(super::subject(d)),
        id: href.clone(),
        updated: d.generated_at.fixed_offset(),
        published: Some(d.generated_at.fixed_offset()),
        authors: vec![author()],
        links: vec![link(&href, "alternate", "text/html")],
        content: Some(Content {
            value: Some(content(d)),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The digest as a fragment a feed reader shows: each section's titles (linked), authors and TL;DRs.
fn content(d: &Digest) -> String {
    html! {
        p { (super::reading_line(d)) }
        @if d.item_count() == 0 { p { (super::NOTHING_NEW) } }
        @for s in d.sections.iter().filter(|s| !s.items.is_empty()) {
            h2 { (escape::plain(&s.title)) }
            ul {
                @for e in &s.items {
                    li {
                        @match escape::safe_url(e.url.as_deref()) {
                            Some(u) => a href=(u) { (super::title_of(e)) },
                            None => (super::title_of(e)),
                        }
                        @let authors = super::authors_of(e);
                        @if !authors.is_empty() { br; small { (authors) } }
                        @let tldr = escape::plain(&e.summary);
                        @if !tldr.is_empty() { br; (tldr) }
                    }
                }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{DigestEntry, Section};

    fn digest(day: u32, title: &str) -> Digest {
        Digest {
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            budget_seconds: 600,
            estimated_seconds: 30,
            sections: vec![Section {
                title: "Trending".into(),
                items: vec![DigestEntry {
                    key: "2611.00001".into(),
                    title: title.into(),
                    url: Some("https://arxiv.org/abs/2611.00001".into()),
                    summary: "We show <b>bold</b> & more.".into(),
                    why: String::new(),
                    sources: vec!["arxiv".into()],
                    estimated_seconds: 20,
                    authors: "A. Author".into(),
                    kind: "paper".into(),
                    published: format!("2026-11-{day:02}"),
                    links: vec![],
                    first_seen: chrono::Utc::now(),
                    ..Default::default()
                }],
                new_since_yesterday: 1,
            }],
            source_health: vec![],
            arxiv_note: None,
            settings_hint: String::new(),
            generated_at: NaiveDate::from_ymd_opt(2026, 11, day)
                .unwrap()
                .and_hms_opt(7, 30, 0)
                .unwrap()
                .and_utc(),
            ..Default::default()
        }
    }

    #[test]
    fn one_entry_per_digest_newest_first_with_what_validators_require() {
        let href = |d: NaiveDate| format!("http://127.0.0.1:8025/digests/{d}");
        let links = FeedLinks {
            self_href: "http://127.0.0.1:8025/feed.atom",
            site_href: "http://127.0.0.1:8025/",
            digest_href: &href,
        };
        let xml = feed(&[digest(1, "Old: 3 <b 4 & x"), digest(2, "New")], &links);
        let parsed = feed_rs::parser::parse(xml.as_bytes()).expect("the feed parses");
        assert_eq!(parsed.entries.len(), 2);
        assert_eq!(parsed.id, "http://127.0.0.1:8025/feed.atom");
        assert_eq!(
            parsed.entries[0].id,
            "http://127.0.0.1:8025/digests/2026-11-02"
        );
        assert!(parsed.updated.is_some());
        assert_eq!(parsed.authors[0].name.as_deref(), Some("trendd"));
        assert!(parsed
            .links
            .iter()
            .any(|l| l.rel.as_deref() == Some("self") && l.href.ends_with("/feed.atom")));
        // Text is escaped for the HTML content, and that content again for XML: a reader sees text.
        let body = parsed.entries[1]
            .content
            .as_ref()
            .unwrap()
            .body
            .clone()
            .unwrap();
        assert!(body.contains("3 &lt;b 4 &amp; x"), "{body}");
        assert!(body.contains("We show bold &amp; more."), "{body}");
        assert!(body.contains("href=\"https://arxiv.org/abs/2611.00001\""));
    }

    #[test]
    fn an_empty_archive_is_still_a_valid_feed() {
        let href = |d: NaiveDate| format!("file:///d/{d}.html");
        let xml = feed(
            &[],
            &FeedLinks {
                self_href: "file:///d/feed.atom",
                site_href: "file:///d/",
                digest_href: &href,
            },
        );
        let parsed = feed_rs::parser::parse(xml.as_bytes()).unwrap();
        assert!(parsed.entries.is_empty());
        assert!(xml.contains("<updated>1970-01-01T00:00:00+00:00</updated>"));
    }
}
