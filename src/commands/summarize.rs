//! `trendd summarize [--in FILE] [--out FILE]`: JSON lines `{"id","abstract","title"?}` in,
//! `{"id","tldr"}` out, with the configured summarizer.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::summarize::{configured, Paper};
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::path::Path;

/// Lines summarized per batch by the offline summarizer (a model backend takes `max_items` at a time,
/// so each batch keeps the model's time bound).
const OFFLINE_BATCH: usize = 512;

pub async fn summarize(
    config: &Config,
    state_dir: &Path,
    input: Option<&Path>,
    output: Option<&Path>,
) -> Result<i32> {
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
    // Only a model backend needs the store (its cache) and the network.
    let model = config.summarizer.kind == "openai";
    let store = if model {
        Some(crate::store::Store::open(state_dir)?)
    } else {
        None
    };
    let http = crate::http::HttpClient::new(&config.http, &config.general.user_agent)?;
    let s = configured(&config.summarizer, &http, store.as_ref());
    let batch = if model {
        config.summarizer.max_items.max(1) as usize
    } else {
        OFFLINE_BATCH
    };
    let origin = input
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "<stdin>".into());
    let mut ids = Vec::new();
    let mut papers = Vec::new();
    let mut fallbacks = Vec::new();
    let mut lines = reader.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let line = line.map_err(|e| Error::io(format!("reading {origin}"), e))?;
        if !line.trim().is_empty() {
            let v: Value = serde_json::from_str(&line)
                .map_err(|e| Error::Other(format!("{origin}:{}: not JSON: {e}", n + 1)))?;
            let text = |k: &str| match v.get(k) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
                _ => String::new(),
            };
            let id = v.get("id").cloned().unwrap_or(Value::Null);
            let key = match &id {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            papers.push(Paper {
                key,
                title: text("title"),
                abstract_text: text("abstract"),
            });
            ids.push(id);
        }
        if papers.len() >= batch || (lines.peek().is_none() && !papers.is_empty()) {
            let tldrs = s.summarize_batch(&papers).await;
            for (id, t) in ids.drain(..).zip(&tldrs) {
                writeln!(writer, "{}", json!({"id": id, "tldr": t.text})).map_err(write_error)?;
            }
            fallbacks.extend(tldrs.into_iter().filter(|t| t.failure.is_some()));
            papers.clear();
        }
    }
    writer.flush().map_err(write_error)?;
    if let Some(note) = crate::summarize::for_digest::fallback_note(&s.origin(), &fallbacks) {
        eprintln!("{note}");
    }
    Ok(0)
}

/// A closed pipe ends quietly (see `output`); any other write error is an error.
fn write_error(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Error::OutputClosed
    } else {
        Error::io("writing summaries", e)
    }
}
