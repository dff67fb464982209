//! feed-rs, made safe to call on anything: one parser per document (a parser reused after a failed
//! parse can panic), no invented ids, our tolerant date parser, and a panic guard that turns a bug in
//! the library into an ordinary error for this one feed.

use super::{dates, RawEntry, RawFeed};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;
use url::Url;

thread_local! {
    /// How many guarded calls this thread is inside; the panic hook stays quiet while it is not zero.
    static GUARDED: Cell<u32> = const { Cell::new(0) };
}

/// Installs (once) a panic hook that is silent for guarded parses and defers to the previous hook
/// for every other panic, so a caught library panic is reported as a feed error, not printed as a crash.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, converting a panic into `Err`.
pub(crate) fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    install_quiet_hook();
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(g.get().saturating_sub(1)));
    result.unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(format!("feed parser failed internally: {msg}"))
    })
}

/// Parses with feed-rs into the raw shape.
pub(super) fn parse(doc: &[u8], base: Option<&Url>) -> Result<RawFeed, String> {
    let feed = guarded(|| {
        let parser = feed_rs::parser::Builder::new()
            .base_uri(base.map(Url::as_str))
            // Entries without an id stay without one; feed-rs would otherwise hash or randomise one.
            .id_generator(|_, _, _| String::new())
            .timestamp_parser(dates::parse_date)
            .sanitize_content(false)
            .build();
        parser.parse(doc).map_err(|e| e.to_string())
    })?;
    let link = pick_link(&feed.links);
    let entries = feed
        .entries
        .into_iter()
        .map(|e| RawEntry {
            title: e.title.map(|t| t.content).filter(|t| !t.trim().is_empty()),
            link: pick_link(&e.links),
            base: None,
            id: Some(e.id).filter(|id| !id.trim().is_empty()),
            summary: e
                .summary
                .map(|t| t.content)
                .filter(|t| !t.trim().is_empty()),
            content: e
                .content
                .and_then(|c| c.body)
                .filter(|t| !t.trim().is_empty()),
            published: e.published,
            updated: e.updated,
            authors: e.authors.into_iter().filter_map(|p| p.name).collect(),
            categories: e
                .categories
                .into_iter()
                .map(|c| c.label.unwrap_or(c.term))
                .collect(),
        })
        .collect();
    Ok(RawFeed { link, entries })
}

/// The entry's own page: an alternate (or rel-less) link that is not a comments link, else the first.
fn pick_link(links: &[feed_rs::model::Link]) -> Option<String> {
    links
        .iter()
        .find(|l| {
            l.target.is_none()
                && l.rel
                    .as_deref()
                    .is_none_or(|r| r.eq_ignore_ascii_case("alternate"))
        })
        .or_else(|| {
            links
                .iter()
                .find(|l| l.target.is_none() && l.rel.as_deref() != Some("self"))
        })
        .or_else(|| links.first())
        .map(|l| l.href.clone())
        .filter(|h| !h.trim().is_empty())
}
