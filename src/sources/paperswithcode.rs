//! Papers with Code. paperswithcode.com closed in July 2025 and now redirects to Hugging Face's trending
//! papers page, which this source reads by default (scraped from its hydration blob, falling back to the
//! order of `/papers/{id}` links). With a `url`, it reads any PwC-v1-compatible JSON API
//! (`{count, next, results: [{arxiv_id, url_abs, title, abstract, authors, published, proceeding}]}`),
//! following `next` for at most `max_pages` pages. The body decides which it is.

use super::{Body, Parsed, PlanContext, Request, Source};
use crate::config::PwcSource;
use crate::identity::{find_arxiv_id, parse_arxiv_id};
use crate::model::{Entry, ItemKind, Signals};
use crate::text::clean_inline;
use chrono::NaiveDate;
use serde_json::Value;

pub const TRENDING_URL: &str = "https://huggingface.co/papers/trending";

pub struct PapersWithCode {
    cfg: PwcSource,
}

impl PapersWithCode {
    pub fn new(cfg: PwcSource) -> Self {
        PapersWithCode { cfg }
    }
}

impl Source for PapersWithCode {
    fn name(&self) -> &str {
        &self.cfg.name
    }
    fn kind(&self) -> &'static str {
        "paperswithcode"
    }
    fn plan(&self, _ctx: &PlanContext) -> Vec<Request> {
        vec![Request::get(
            self.cfg
                .url
                .clone()
                .unwrap_or_else(|| TRENDING_URL.to_string()),
        )]
    }
    fn max_pages(&self) -> u32 {
        self.cfg.max_pages.max(1)
    }
    fn parse(&self, body: &Body<'_>) -> Result<Parsed, String> {
        let start = body
            .bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|i| body.bytes[i]);
        if matches!(start, Some(b'{') | Some(b'[')) {
            parse_api(body.bytes)
        } else {
            parse_trending_page(&String::from_utf8_lossy(body.bytes), body.url)
        }
    }
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(Value::as_str)
        .map(clean_inline)
        .filter(|s| !s.is_empty())
}

fn parse_api(bytes: &[u8]) -> Result<Parsed, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let results = v
        .get("results")
        .and_then(Value::as_array)
        .ok_or("not a Papers with Code API response: no `results` list")?;
    let entries = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let arxiv = s(r, "arxiv_id").and_then(|a| parse_arxiv_id(&a));
            let url_abs = s(r, "url_abs").filter(|u| u.starts_with("http"));
            let title = s(r, "title")?;
            let authors = r
                .get("authors")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(clean_inline))
                        .collect()
                })
                .unwrap_or_default();
            let published = s(r, "published")
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc());
            Some(Entry {
                title,
                url: url_abs.clone(),
                guid: s(r, "id"),
                arxiv_id: arxiv.as_ref().map(|a| a.0.clone()),
                abstract_text: s(r, "abstract").unwrap_or_default(),
                authors,
                published,
                kind: Some(ItemKind::Paper),
                signals: Signals {
                    version: arxiv.and_then(|a| a.1),
                    proceeding: s(r, "proceeding").or_else(|| s(r, "conference")),
                    rank: Some(i as u32 + 1),
                    ..Default::default()
                },
                ..Default::default()
            })
        })
        .collect();
    let next = s(&v, "next").filter(|n| n.starts_with("http"));
    Ok(Parsed {
        entries,
        next,
        note: None,
    })
}

/// The trending page: an element with `data-target` and `data-props` holds HTML-escaped JSON with a list
/// of `{paper: {…}}`; without it, the order of `/papers/{id}` links gives the trend. Read with linear
/// scans rather than a DOM: html5ever's tree building grows much faster than the input on deeply
/// nested markup, and a hostile page of a few hundred KB stalled it for a minute.
fn parse_trending_page(html: &str, base: &str) -> Result<Parsed, String> {
    for props in attribute_values(html, "data-props") {
        let Ok(v) = serde_json::from_str::<Value>(&crate::text::decode_entities(props)) else {
            continue;
        };
        let list = ["dailyPapers", "papers", "trendingPapers"]
            .iter()
            .find_map(|k| v.get(*k).and_then(Value::as_array));
        if let Some(list) = list {
            let entries: Vec<Entry> = list
                .iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    let mut entry = super::huggingface::paper_entry(e, i)?;
                    entry.signals.trending_rank = Some(i as u32 + 1);
                    Some(entry)
                })
                .collect();
            return Ok(Parsed {
                entries,
                ..Default::default()
            });
        }
    }
    let mut entries: Vec<Entry> = Vec::new();
    for (href, inner) in links(html) {
        let Some(rest) = href
            .strip_prefix("/papers/")
            .or_else(|| href.split("huggingface.co/papers/").nth(1))
        else {
            continue;
        };
        let Some((id, _)) = parse_arxiv_id(rest.split(['#', '?']).next().unwrap_or(""))
            .or_else(|| find_arxiv_id(href))
        else {
            continue;
        };
        let title = crate::text::html_to_text(inner);
        // The first link is often an image; a later one carries the title.
        if let Some(e) = entries
            .iter_mut()
            .find(|e| e.arxiv_id.as_deref() == Some(&id))
        {
            if e.title.is_empty() {
                e.title = title;
            }
            continue;
        }
        let rank = entries.len() as u32 + 1;
        entries.push(Entry {
            title,
            url: Some(format!("https://huggingface.co/papers/{id}")),
            arxiv_id: Some(id),
            kind: Some(ItemKind::Paper),
            signals: Signals {
                trending_rank: Some(rank),
                ..Default::default()
            },
            ..Default::default()
        });
    }
    if entries.is_empty() {
        return Err(format!(
            "no trending papers found on {base} (neither a data-props blob nor /papers/ links)"
        ));
    }
    Ok(Parsed {
        entries,
        ..Default::default()
    })
}

/// Every double-quoted value of attribute `name` (still HTML-escaped).
fn attribute_values<'a>(html: &'a str, name: &str) -> impl Iterator<Item = &'a str> + 'a {
    let needle = format!("{name}=\"");
    let mut rest = html;
    std::iter::from_fn(move || {
        let i = rest.find(&needle)? + needle.len();
        let end = rest[i..].find('"')? + i;
        let v = &rest[i..end];
        rest = &rest[end..];
        Some(v)
    })
}

/// `(href, inner HTML)` of each `<a …href="…"…>…</a>`, in document order.
fn links(html: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<a ") {
        let tag_end = match rest[i..].find('>') {
            Some(e) => i + e,
            None => break,
        };
        let tag = &rest[i..tag_end];
        let close = rest[tag_end..]
            .find("</a>")
            .map(|c| tag_end + c)
            .unwrap_or(tag_end + 1);
        let inner = rest.get(tag_end + 1..close).unwrap_or("");
        if let Some(h) = tag.find("href=") {
            let v = &tag[h + 5..];
            let href = match v.chars().next() {
                Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
                _ => v.split([' ', '>']).next().unwrap_or(""),
            };
            out.push((href, inner));
        }
        rest = &rest[close.max(tag_end + 1).min(rest.len())..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<Parsed, String> {
        let src = PapersWithCode::new(PwcSource {
            name: "pwc".into(),
            max_pages: 1,
            enabled: true,
            ..Default::default()
        });
        src.parse(&Body {
            bytes: body.as_bytes(),
            content_type: None,
            url: TRENDING_URL,
        })
    }

    #[test]
    fn trending_page_hydration_blob() {
        let page = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/hf-trending.html"
        ))
        .unwrap();
        let p = parse(&page).unwrap();
        assert_eq!(p.entries.len(), 3);
        assert_eq!(p.entries[0].arxiv_id.as_deref(), Some("2604.26951"));
        assert_eq!(p.entries[0].signals.trending_rank, Some(1));
        assert_eq!(p.entries[0].signals.github_stars, Some(2300));
    }

    #[test]
    fn trending_page_without_blob_falls_back_to_links() {
        let page = r#"<html><body><a href="/papers/2604.00002"><img></a><a href="/papers/2604.00002">Second paper</a><a href="/papers/2604.00001">First</a></body></html>"#;
        let p = parse(page).unwrap();
        assert_eq!(p.entries.len(), 2);
        assert_eq!(p.entries[0].title, "Second paper");
        assert_eq!(p.entries[1].signals.trending_rank, Some(2));
    }

    #[test]
    fn deeply_nested_markup_is_read_in_linear_time() {
        let page = format!(
            "{}<a href=\"/papers/2604.00001\">Deep</a>{}",
            "<div>".repeat(50_000),
            "</div>".repeat(50_000)
        );
        let p = parse(&page).unwrap();
        assert_eq!(p.entries[0].title, "Deep");
    }

    #[test]
    fn v1_api_results_and_next() {
        let body = r#"{"count":2,"next":"https://example.org/api/v1/papers/?page=2","results":[
            {"id":"gan","arxiv_id":"1406.2661","url_abs":"https://arxiv.org/abs/1406.2661v1","title":"Generative Adversarial Networks","abstract":"We propose.","authors":["I. Goodfellow"],"published":"2014-06-10","proceeding":null},
            {"id":"hop","arxiv_id":null,"url_abs":"https://www.pnas.org/content/79/8/2554","title":"Hopfield","abstract":"","authors":[],"published":"1982-04-01"}]}"#;
        let p = parse(body).unwrap();
        assert_eq!(p.entries.len(), 2);
        assert_eq!(p.entries[0].arxiv_id.as_deref(), Some("1406.2661"));
        assert_eq!(
            p.next.as_deref(),
            Some("https://example.org/api/v1/papers/?page=2")
        );
    }
}
