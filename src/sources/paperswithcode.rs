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
use chrono::{DateTime, NaiveDate, Utc};
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
        vec![Request::get(self.cfg.url.clone().unwrap_or_else(|| TRENDING_URL.to_string()))]
    }
    fn max_pages(&self) -> u32 {
        self.cfg.max_pages.max(1)
    }
    fn parse(&self, body: &Body<'_>) -> Result<Parsed, String> {
        let start = body.bytes.iter().position(|b| !b.is_ascii_whitespace()).map(|i| body.bytes[i]);
        if matches!(start, Some(b'{') | Some(b'[')) {
            parse_api(body.bytes)
        } else {
            parse_trending_page(&String::from_utf8_lossy(body.bytes), body.url)
        }
    }
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(clean_inline).filter(|s| !s.is_empty())
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
                .map(|a| a.iter().filter_map(|x| x.as_str().map(clean_inline)).collect())
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
    Ok(Parsed { entries, next, note: None })
}

/// The trending page: a `[data-target][data-props]` element holds HTML-escaped JSON with a list of
/// `{paper: {…}}`; without it, the order of `/papers/{id}` links gives the trend.
fn parse_trending_page(html: &str, base: &str) -> Result<Parsed, String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("[data-target][data-props]").expect("valid selector");
    for el in doc.select(&sel) {
        let Some(props) = el.value().attr("data-props") else { continue };
        let Ok(v) = serde_json::from_str::<Value>(props) else { continue };
        let list = ["dailyPapers", "papers", "trendingPapers"].iter().find_map(|k| v.get(*k).and_then(Value::as_array));
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
            return Ok(Parsed { entries, ..Default::default() });
        }
    }
    let a = scraper::Selector::parse("a[href]").expect("valid selector");
    let mut seen = std::collections::HashSet::new();
    let mut entries = Vec::new();
    for el in doc.select(&a) {
        let href = el.value().attr("href").unwrap_or_default();
        let Some(rest) = href.strip_prefix("/papers/").or_else(|| href.split("huggingface.co/papers/").nth(1)) else { continue };
        let Some((id, _)) = parse_arxiv_id(rest.split(['#', '?']).next().unwrap_or("")).or_else(|| find_arxiv_id(href)) else { continue };
        let title = clean_inline(&el.text().collect::<String>());
        if !seen.insert(id.clone()) {
            // The first link is often an image; a later one carries the title.
            if let Some(e) = entries.iter_mut().find(|e: &&mut Entry| e.arxiv_id.as_deref() == Some(&id)) {
                if e.title.is_empty() {
                    e.title = title;
                }
            }
            continue;
        }
        let rank = entries.len() as u32 + 1;
        entries.push(Entry {
            title,
            url: Some(format!("https://huggingface.co/papers/{id}")),
            arxiv_id: Some(id),
            kind: Some(ItemKind::Paper),
            signals: Signals { trending_rank: Some(rank), ..Default::default() },
            ..Default::default()
        });
    }
    if entries.is_empty() {
        return Err(format!("no trending papers found on {base} (neither a data-props blob nor /papers/ links)"));
    }
    let _: Option<DateTime<Utc>> = None;
    Ok(Parsed { entries, ..Default::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<Parsed, String> {
        let src = PapersWithCode::new(PwcSource { name: "pwc".into(), max_pages: 1, enabled: true, url: None });
        src.parse(&Body { bytes: body.as_bytes(), content_type: None, url: TRENDING_URL })
    }

    #[test]
    fn trending_page_hydration_blob() {
        let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hf-trending.html")).unwrap();
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
    fn v1_api_results_and_next() {
        let body = r#"{"count":2,"next":"https://example.org/api/v1/papers/?page=2","results":[
            {"id":"gan","arxiv_id":"1406.2661","url_abs":"https://arxiv.org/abs/1406.2661v1","title":"Generative Adversarial Networks","abstract":"We propose.","authors":["I. Goodfellow"],"published":"2014-06-10","proceeding":null},
            {"id":"hop","arxiv_id":null,"url_abs":"https://www.pnas.org/content/79/8/2554","title":"Hopfield","abstract":"","authors":[],"published":"1982-04-01"}]}"#;
        let p = parse(body).unwrap();
        assert_eq!(p.entries.len(), 2);
        assert_eq!(p.entries[0].arxiv_id.as_deref(), Some("1406.2661"));
        assert_eq!(p.next.as_deref(), Some("https://example.org/api/v1/papers/?page=2"));
    }
}
