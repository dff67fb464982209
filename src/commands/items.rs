//! `trendd items`.

use super::output::{one_line, Lines};
use crate::error::Result;
use crate::model::Item;
use crate::pipeline::App;
use serde_json::{json, Value};

fn item_json(it: &Item) -> Value {
    json!({
        "key": it.key,
        "kind": it.kind.as_str(),
        "title": it.title,
        "url": it.url,
        "arxiv_id": it.arxiv_id,
        "doi": it.doi,
        "authors": it.authors,
        "published": it.published,
        "sources": it.sources.iter().map(|h| json!({"name": h.name, "kind": h.kind, "url": h.url, "signals": h.signals, "first_seen": h.first_seen})).collect::<Vec<_>>(),
        "first_seen": it.first_seen,
        "summary": it.summary.as_ref().map(|s| s.text.clone()),
    })
}

/// `trendd items [--json] [--since D]`.
pub fn items(app: &App, as_json: bool, since: Option<chrono::NaiveDate>) -> Result<i32> {
    let mut out = Lines::new();
    let list: Box<dyn Iterator<Item = Result<Item>>> = match since {
        Some(d) => Box::new(
            app.store
                .items_seen_since(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())?
                .into_iter()
                .map(Ok),
        ),
        None => {
            // The whole list is streamed: a damaged store fails here, before the first line,
            // rather than half-way through it. (`--since` reads its window before printing.)
            app.store.verify_items()?;
            Box::new(app.store.all_items())
        }
    };
    for it in list {
        let it = it?;
        let line = if as_json {
            item_json(&it).to_string()
        } else {
            let id = it
                .arxiv_id
                .as_deref()
                .map(|a| format!("arXiv:{a}"))
                .unwrap_or_else(|| it.key.clone());
            let srcs: Vec<&str> = it.sources.iter().map(|h| h.name.as_str()).collect();
            format!(
                "{}  {}  [{}]  {}",
                it.first_seen.format("%Y-%m-%d"),
                id,
                one_line(&srcs.join(",")),
                one_line(&it.title)
            )
        };
        out.line(&line)?;
    }
    out.finish()?;
    Ok(0)
}
