//! A lenient JSON Feed reader for what feed-rs's strict one refuses: numeric ids, a missing
//! `version` or `title`, attachments without a MIME type, fields of the wrong type (ignored).

use super::{dates, RawEntry, RawFeed};
use serde_json::Value;

/// Reads the `items` of a JSON Feed-shaped document.
pub(super) fn parse(doc: &[u8]) -> Result<RawFeed, String> {
    let v: Value = serde_json::from_slice(doc)
        .map_err(|e| format!("JSON error at line {} column {}: {e}", e.line(), e.column()))?;
    let Some(items) = v.get("items").and_then(Value::as_array) else {
        return Err("not a feed: JSON without a JSON Feed \"items\" list".into());
    };
    let entries = items
        .iter()
        .filter(|i| i.is_object())
        .map(|i| {
            let s = |k: &str| i.get(k).and_then(string).filter(|s| !s.trim().is_empty());
            let mut authors: Vec<String> = Vec::new();
            for a in i
                .get("authors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(i.get("author"))
            {
                if let Some(n) = a.get("name").and_then(Value::as_str) {
                    authors.push(n.to_string());
                }
            }
            RawEntry {
                title: s("title"),
                link: s("url").or_else(|| s("external_url")),
                base: None,
                id: s("id"),
                summary: s("summary"),
                content: s("content_html").or_else(|| {
                    s("content_text").map(|t| t.replace('&', "&amp;").replace('<', "&lt;"))
                }),
                published: s("date_published").and_then(|d| dates::parse_date(&d)),
                updated: s("date_modified").and_then(|d| dates::parse_date(&d)),
                authors,
                categories: i
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(string)
                    .collect(),
            }
        })
        .collect();
    Ok(RawFeed {
        link: v.get("home_page_url").and_then(string),
        entries,
    })
}

/// A string, or a number written as one (ids are often numbers in the wild).
fn string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
