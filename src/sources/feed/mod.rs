//! Any RSS 0.9x/1.0/2.0, Atom, RDF, CDF or JSON Feed.
//!
//! The bytes are decoded to UTF-8 (`encoding`) and repaired so an XML parser accepts them (`repair`).
//! XML is read by a tolerant, namespace-agnostic walk (`walk`) that knows every RSS/Atom/RDF/CDF
//! dialect's entry and field names; feed-rs (`via_feedrs`) reads JSON Feed and gets a second try at
//! XML the walk gives up on. Both produce the same raw shape, which `finish` turns into clean
//! `Entry`s with absolute http(s) links only.

pub mod dates;
pub mod encoding;
mod json;
pub mod repair;
mod via_feedrs;
mod walk;

use super::{Body, Parsed, PlanContext, Request, Source};
use crate::config::FeedSource;
use crate::model::{Entry, ItemKind};
use crate::text::{clean_inline, html_hrefs, html_to_text};
use chrono::{DateTime, Utc};
use url::Url;

/// A configured blog or news feed.
pub struct Feed {
    cfg: FeedSource,
}

impl Feed {
    pub fn new(cfg: FeedSource) -> Self {
        Feed { cfg }
    }
}

impl Source for Feed {
    fn name(&self) -> &str {
        &self.cfg.name
    }
    fn kind(&self) -> &'static str {
        "feed"
    }
    fn plan(&self, _ctx: &PlanContext) -> Vec<Request> {
        vec![Request::get(self.cfg.url.clone())]
    }
    fn parse(&self, body: &Body<'_>) -> Result<Parsed, String> {
        let entries = parse_feed(body.bytes, body.content_type, body.url)?;
        Ok(Parsed {
            entries,
            ..Default::default()
        })
    }
}

/// A feed as read, before cleaning: text fields may hold HTML, links may be relative.
#[derive(Debug, Default)]
pub(crate) struct RawFeed {
    /// The feed's own site link (base for relative entry links when the document URL is not http).
    pub link: Option<String>,
    pub entries: Vec<RawEntry>,
}

#[derive(Debug, Default)]
pub(crate) struct RawEntry {
    pub title: Option<String>,
    pub link: Option<String>,
    /// Base in force where the link appeared (xml:base), when known.
    pub base: Option<Url>,
    pub id: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
}

impl RawEntry {
    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.link.is_none()
            && self.id.is_none()
            && self.summary.is_none()
            && self.content.is_none()
    }
}

/// Parses a feed document into entries (clean text, absolute links). `content_type` is the HTTP
/// header, whose charset may override the document's own declaration; `base_url` resolves relative links.
pub fn parse_feed(
    bytes: &[u8],
    content_type: Option<&str>,
    base_url: &str,
) -> Result<Vec<Entry>, String> {
    parse(bytes, content_type, base_url, false)
}

/// Like `parse_feed`, but keeps the entries that have nothing to show (no title, link, id or text,
/// e.g. only a date), which `parse_feed` drops: for comparing with other parsers entry by entry.
pub fn parse_feed_all(
    bytes: &[u8],
    content_type: Option<&str>,
    base_url: &str,
) -> Result<Vec<Entry>, String> {
    parse(bytes, content_type, base_url, true)
}

fn parse(
    bytes: &[u8],
    content_type: Option<&str>,
    base_url: &str,
    keep_all: bool,
) -> Result<Vec<Entry>, String> {
    // The last guard: whatever goes wrong inside, one bad feed is one error, never a crash.
    via_feedrs::guarded(|| {
        let (text, _, _) = encoding::decode(bytes, content_type);
        let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        if trimmed.is_empty() {
            return Err("empty document".into());
        }
        // Only a web page can be a base for links; a local feed's file:// URL is not parsed at all.
        let doc_base = base_url
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("http"))
            .then(|| Url::parse(base_url).ok())
            .flatten()
            .filter(is_http);
        let raw = if trimmed.starts_with('{') || trimmed.starts_with('[') {
            via_feedrs::parse(trimmed.as_bytes(), None)
                .or_else(|_| json::parse(trimmed.as_bytes()))?
        } else {
            parse_xml(&repair::repair(trimmed), doc_base.as_ref())?
        };
        Ok(finish(raw, doc_base, keep_all))
    })
}

/// The tolerant walk first: on feedparser's 1,160 well-formed test feeds it finds every entry
/// feedparser finds (810) and takes a third of feed-rs's time, while feed-rs rejects 71 of them and
/// misses the entries of dialects it does not know. feed-rs gets the documents the walk gives up on.
fn parse_xml(xml: &str, doc_base: Option<&Url>) -> Result<RawFeed, String> {
    match walk::parse(xml, doc_base) {
        Ok(feed) => Ok(feed),
        Err(walk_error) => match via_feedrs::parse(xml.as_bytes(), doc_base) {
            Ok(feed) if !feed.entries.is_empty() => Ok(feed),
            _ => Err(walk_error),
        },
    }
}

/// Cleans raw entries: plain single-line titles, text abstracts, absolute http(s) links only.
fn finish(raw: RawFeed, doc_base: Option<Url>, keep_all: bool) -> Vec<Entry> {
    let site = doc_base.or_else(|| {
        raw.link
            .as_deref()
            .and_then(|l| absolute_http(l, None))
            .and_then(|l| Url::parse(&l).ok())
    });
    let mut out = Vec::with_capacity(raw.entries.len());
    for e in raw.entries {
        if e.is_empty() && !keep_all {
            continue;
        }
        let base = e.base.clone().filter(is_http).or_else(|| site.clone());
        let guid = e.id.as_deref().map(clean_inline).filter(|g| !g.is_empty());
        let url = e
            .link
            .as_deref()
            .and_then(|l| absolute_http(l, base.as_ref()))
            // An RSS guid is a permalink unless it says otherwise; an absolute http(s) one is the best link left.
            .or_else(|| {
                guid.as_deref()
                    .filter(|g| g.starts_with("http://") || g.starts_with("https://"))
                    .and_then(|g| absolute_http(g, None))
            });
        let summary = e.summary.as_deref().map(html_to_text).unwrap_or_default();
        let abstract_text = if summary.is_empty() {
            e.content.as_deref().map(html_to_text).unwrap_or_default()
        } else {
            summary
        };
        // A post's relative links are relative to the post's own page.
        let page = url
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
            .or_else(|| base.clone());
        let mut links: Vec<String> = Vec::new();
        for html in [e.summary.as_deref(), e.content.as_deref()]
            .into_iter()
            .flatten()
        {
            if !html.contains("href") {
                continue;
            }
            // In-page anchors (`#section`) say nothing about what the post links to.
            for href in html_hrefs(html)
                .into_iter()
                .filter(|h| !h.starts_with('#'))
                .take(MAX_LINKS)
            {
                if let Some(abs) = absolute_http(&href, page.as_ref()) {
                    if links.len() < MAX_LINKS && !links.contains(&abs) {
                        links.push(abs);
                    }
                }
            }
        }
        let mut authors: Vec<String> = Vec::new();
        for a in &e.authors {
            let a = html_to_text(a);
            if !a.is_empty() && !authors.contains(&a) {
                authors.push(a);
            }
        }
        let mut categories: Vec<String> = Vec::new();
        for c in &e.categories {
            let c = html_to_text(c);
            if !c.is_empty() && !categories.contains(&c) {
                categories.push(c);
            }
        }
        out.push(Entry {
            title: e.title.as_deref().map(html_to_text).unwrap_or_default(),
            url,
            guid,
            abstract_text,
            published: e.published.or(e.updated),
            authors,
            categories,
            links,
            kind: Some(ItemKind::Post),
            ..Default::default()
        });
    }
    out
}

/// Links kept per entry: enough for any real post, and a bound on the work a hostile one causes.
const MAX_LINKS: usize = 100;

fn is_http(u: &Url) -> bool {
    matches!(u.scheme(), "http" | "https")
}

/// `href` as an absolute http(s) URL (resolved against `base` when relative); None for any other
/// scheme (`javascript:`, `data:`, `file:` …) or when it cannot be resolved.
pub(crate) fn absolute_http(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.len() > 4096 {
        return None;
    }
    let parsed = match Url::parse(href) {
        Ok(u) => Some(u),
        Err(url::ParseError::RelativeUrlWithoutBase) => match base {
            Some(b) => b.join(href).ok(),
            None if href.starts_with("//") => Url::parse(&format!("https:{href}")).ok(),
            None => None,
        },
        Err(_) => None,
    };
    parsed.filter(is_http).map(String::from)
}

#[cfg(test)]
mod tests;
