//! The read-only pages: the archive, one digest (HTML, BibTeX, JSON), search and the Atom feed.

use super::{layout::page, Ctx};
use crate::compose::Digest;
use crate::learn::{token, Vote, DEFAULT_READER};
use crate::render::{self, FeedbackLinks};
use crate::store::DigestRecord;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};
use serde::Deserialize;

/// Results shown for one search.
pub const SEARCH_LIMIT: usize = 50;
/// A longer query is cut to this many characters.
const MAX_QUERY_CHARS: usize = 200;

pub(super) fn routes() -> Router<Ctx> {
    Router::new()
        .route("/", get(index))
        .route("/digests/{name}", get(digest))
        .route("/items", get(search))
        .route("/feed.atom", get(feed))
        .merge(super::feedback::routes())
        .fallback(not_found)
}

/// Why a page could not be shown, answered as a page with the right status.
#[derive(Debug)]
pub(super) enum PageError {
    NotFound(String),
    Forbidden(String),
    Internal(crate::Error),
}

impl From<crate::Error> for PageError {
    fn from(e: crate::Error) -> Self {
        PageError::Internal(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, text) = match self {
            PageError::NotFound(t) => (StatusCode::NOT_FOUND, "Not found", t),
            PageError::Forbidden(t) => (StatusCode::FORBIDDEN, "Not a valid link", t),
            PageError::Internal(e) => {
                // The page says little (store paths are nobody's business); the log says all.
                tracing::error!("web face: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "trendd could not read its store; the daemon's log says why.".to_string(),
                )
            }
        };
        let body = page(title, html! { h1 { (title) } p { (text) } });
        (status, body).into_response()
    }
}

/// Runs store work off the async threads (the store's calls block).
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PageError> + Send + 'static,
) -> Result<T, PageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PageError::Internal(crate::Error::Other(format!("a page task failed: {e}"))))?
}

pub(super) fn parse_digest(rec: &DigestRecord) -> Result<Digest, PageError> {
    serde_json::from_str(&rec.digest_json).map_err(|e| {
        PageError::Internal(crate::Error::Other(format!(
            "the stored digest of {} is unreadable: {e}",
            rec.date
        )))
    })
}

async fn not_found() -> PageError {
    PageError::NotFound("There is no page at this address.".into())
}

async fn index(State(c): State<Ctx>) -> Result<Markup, PageError> {
    let store = c.store.clone();
    let recs = blocking(move || Ok(store.recent_digests(usize::MAX)?)).await?;
    let latest = recs.first().map(parse_digest).transpose()?;
    let mut months: Vec<((i32, u32), Vec<&DigestRecord>)> = Vec::new();
    for r in &recs {
        let m = (r.date.year(), r.date.month());
        match months.last_mut() {
            Some((k, v)) if *k == m => v.push(r),
            _ => months.push((m, vec![r])),
        }
    }
    Ok(page(
        "Digests",
        html! {
            @match &latest {
                None => {
                    h1 { "No digest yet" }
                    p { "The first digest appears here once " code { "trendd digest --now" } " or the daemon has made one." }
                }
                Some(d) => {
                    h1 { "Latest: " (d.date.format("%A %-d %B %Y")) }
                    p.muted { (render::subject(d)) " · " a href={"/digests/" (d.date)} { "read it" } " · " a href={"/digests/" (d.date) ".bib"} { "BibTeX" } }
                    (digest_list(d))
                }
            }
            @if !months.is_empty() {
                h2 { "Archive" }
                @for ((y, m), days) in &months {
                    h3 { (NaiveDate::from_ymd_opt(*y, *m, 1).map(|d| d.format("%B %Y").to_string()).unwrap_or_default()) }
                    ul.days {
                        @for r in days {
                            li { a href={"/digests/" (r.date)} { (r.date.format("%a %-d")) } " · " (r.keys.len()) " items" }
                        }
                    }
                }
            }
        },
    ))
}

/// A digest's entries as a short list (titles, TL;DRs), for the front page.
fn digest_list(d: &Digest) -> Markup {
    html! {
        @for s in d.sections.iter().filter(|s| !s.items.is_empty()) {
            h2 { (s.title) }
            @for e in &s.items {
                div.hit {
                    @let title = render::escape::plain(&e.title);
                    @match render::escape::safe_url(e.url.as_deref()) {
                        Some(u) => a href=(u) { strong { (title) } },
                        None => strong { (title) },
                    }
                    @let tldr = render::escape::plain(&e.summary);
                    @if !tldr.is_empty() { br; (tldr) }
                }
            }
        }
    }
}

/// `/digests/YYYY-MM-DD` (the email's HTML with live 👍/👎), `.bib` and `.json`.
async fn digest(State(c): State<Ctx>, Path(name): Path<String>) -> Result<Response, PageError> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s, e),
        None => (name.as_str(), "html"),
    };
    let date = NaiveDate::parse_from_str(stem, "%Y-%m-%d")
        .map_err(|_| PageError::NotFound(format!("{name:?} is not a digest (YYYY-MM-DD).")))?;
    let store = c.store.clone();
    let rec = blocking(move || Ok(store.digest(date)?))
        .await?
        .ok_or_else(|| PageError::NotFound(format!("There is no digest of {date}.")))?;
    match ext {
        "html" => {
            let d = parse_digest(&rec)?;
            let store = c.store.clone();
            let keys = rec.keys.clone();
            // Live: each entry shows the reader's rating so far.
            let rated = blocking(move || {
                let mut m = std::collections::HashMap::new();
                for k in keys {
                    if let Some(r) = crate::learn::feedback::get(&store, DEFAULT_READER, &k)? {
                        m.insert(k, r.vote);
                    }
                }
                Ok(m)
            })
            .await?;
            let links = |e: &crate::compose::DigestEntry| {
                Some(feedback_links(&c, date, &e.key, rated.get(&e.key).copied()))
            };
            let body = render::html_with_feedback(&d, &links);
            Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response())
        }
        "json" => {
            let d = parse_digest(&rec)?;
            Ok((
                [(header::CONTENT_TYPE, "application/json")],
                render::json(&d),
            )
                .into_response())
        }
        "bib" => {
            let store = c.store.clone();
            let keys = rec.keys.clone();
            let items = blocking(move || {
                let mut out = Vec::new();
                for k in &keys {
                    if let Some(it) = store.item(k)? {
                        out.push(it);
                    }
                }
                Ok(out)
            })
            .await?;
            Ok((
                [
                    (header::CONTENT_TYPE, "application/x-bibtex; charset=utf-8"),
                    (header::CONTENT_DISPOSITION, "inline"),
                ],
                super::bibtex::digest(&items),
            )
                .into_response())
        }
        _ => Err(PageError::NotFound(format!(
            "{name:?}: no such format (html, bib, json)."
        ))),
    }
}

/// The signed 👍/👎 links of one entry of the digest of `date`.
fn feedback_links(c: &Ctx, date: NaiveDate, key: &str, rated: Option<Vote>) -> FeedbackLinks {
    let claim = |vote| token::Claim {
        reader: DEFAULT_READER.to_string(),
        date,
        key: key.to_string(),
        vote,
    };
    FeedbackLinks {
        up: token::link(c.link_base(), &c.secret, &claim(Vote::Up)),
        down: token::link(c.link_base(), &c.secret, &claim(Vote::Down)),
        rated,
    }
}

#[derive(Debug, Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
}

async fn search(State(c): State<Ctx>, Query(p): Query<SearchParams>) -> Result<Markup, PageError> {
    let q: String = p.q.trim().chars().take(MAX_QUERY_CHARS).collect();
    let store = c.store.clone();
    let query = q.clone();
    let hits = blocking(move || {
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let items = store.search_items(&query, SEARCH_LIMIT)?;
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            let sent = store.sent_on(&it.key)?;
            out.push((it, sent));
        }
        Ok(out)
    })
    .await?;
    let tz = c.tz;
    Ok(page(
        if q.is_empty() { "Search" } else { &q },
        html! {
            h1 { "Search" }
            form method="get" action="/items" role="search" {
                input type="search" name="q" value=(q) placeholder="words in titles and abstracts" aria-label="Search";
            }
            @if !q.is_empty() {
                p.muted { (hits.len()) @if hits.len() == SEARCH_LIMIT { "+" } " results for “" (q) "”" }
                @for (it, sent) in &hits {
                    div.hit {
                        @let title = render::escape::plain(&it.title);
                        @match render::escape::safe_url(it.url.as_deref()) {
                            Some(u) => a href=(u) { strong { (title) } },
                            None => strong { (title) },
                        }
                        br;
                        span.muted {
                            (it.date().with_timezone(&tz).format("%-d %b %Y"))
                            @if !it.authors.is_empty() { " · " (crate::compose::authors_line(&it.authors)) }
                            @if let Some(d) = sent { " · in the " a href={"/digests/" (d)} { "digest of " (d) } }
                        }
                        br;
                        (snippet(it))
                    }
                }
            }
        },
    ))
}

/// The TL;DR when there is one, else the abstract's first 300 characters.
fn snippet(it: &crate::model::Item) -> String {
    if let Some(s) = it.summary.as_ref().filter(|s| !s.text.trim().is_empty()) {
        return crate::render::escape::plain(&s.text);
    }
    let a = crate::render::escape::plain(&it.abstract_text);
    let a = a.trim();
    if a.chars().count() <= 300 {
        return a.to_string();
    }
    format!("{}…", a.chars().take(300).collect::<String>().trim_end())
}

async fn feed(State(c): State<Ctx>) -> Result<Response, PageError> {
    let store = c.store.clone();
    let recs = blocking(move || Ok(store.recent_digests(render::atom::MAX_ENTRIES)?)).await?;
    let digests = recs
        .iter()
        .map(parse_digest)
        .collect::<Result<Vec<_>, _>>()?;
    let base = &c.settings.base;
    let href = |d: NaiveDate| format!("{base}/digests/{d}");
    let xml = render::atom::feed(
        &digests,
        &render::atom::FeedLinks {
            self_href: &format!("{base}/feed.atom"),
            site_href: &format!("{base}/"),
            digest_href: &href,
        },
    );
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}
