//! `trendd items` and `trendd summarize`.

use crate::error::{Error, Result};
use crate::model::Item;
use crate::pipeline::App;
use crate::summarize::{Extractive, Summarizer};
use serde_json::{json, Value};
use std::io::{BufRead, Write};

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
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
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
                srcs.join(","),
                it.title
            )
        };
        if writeln!(out, "{line}").is_err() {
            break; // a closed pipe (e.g. `| head`) is not an error
        }
    }
    Ok(0)
}

/// `trendd summarize [--in FILE] [--out FILE]`: JSON lines in, JSON lines out.
pub fn summarize(input: Option<&std::path::Path>, output: Option<&std::path::Path>) -> Result<i32> {
    let reader: Box<dyn BufRead> = match input {
        Some(p) => Box::new(std::io::BufReader::new(
            std::fs::File::open(p).map_err(|e| Error::io(format!("opening {}", p.display()), e))?,
        )),
        None => Box::new(std::io::stdin().lock()),
    };
    let writer: Box<dyn Write> = match output {
        Some(p) => Box::new(
            std::fs::File::create(p)
                .map_err(|e| Error::io(format!("creating {}", p.display()), e))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut writer = std::io::BufWriter::new(writer);
    let s = Extractive;
    let origin = input
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "<stdin>".into());
    for (n, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Error::io(format!("reading {origin}"), e))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&line)
            .map_err(|e| Error::Other(format!("{origin}:{}: not JSON: {e}", n + 1)))?;
        let text = |k: &str| match v.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Array(a)) => Some(
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => None,
        };
        let id = v.get("id").cloned().unwrap_or(Value::Null);
        let tldr = s.summarize(
            text("title").as_deref(),
            &text("abstract").unwrap_or_default(),
        );
        writeln!(writer, "{}", json!({"id": id, "tldr": tldr}))
            .map_err(|e| Error::io("writing summaries", e))?;
    }
    writer
        .flush()
        .map_err(|e| Error::io("writing summaries", e))?;
    Ok(0)
}
