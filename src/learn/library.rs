//! The reader's library: papers from a reference manager, kept in the store's `Library` table under
//! `reader \0 identity key`, so importing a file again (or another export of the same papers) adds
//! nothing twice. Each entry is a liked paper for the model, with its own title and abstract when the
//! file had them and the stored item's otherwise.

use super::formats::{self, Entry, Format, Problem};
use crate::error::{Error, Result};
use crate::store::{Store, Table};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A stored library entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    #[serde(flatten)]
    pub entry: Entry,
    #[serde(with = "crate::store::ts")]
    pub added: DateTime<Utc>,
    /// The file it came from, for `library` listings and for the reader's own memory.
    #[serde(default)]
    pub from: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub format: Option<Format>,
    pub added: Vec<Entry>,
    pub already: usize,
    pub problems: Vec<Problem>,
}

fn key(reader: &str, id: &str) -> String {
    format!("{reader}\0{id}")
}

/// Reads `file` (in `format`, or the one its content shows) and stores its new entries.
pub fn import(
    store: &Store,
    reader: &str,
    file: &Path,
    format: Option<Format>,
    now: DateTime<Utc>,
) -> Result<Report> {
    let bytes =
        std::fs::read(file).map_err(|e| Error::io(format!("reading {}", file.display()), e))?;
    let text = String::from_utf8_lossy(&bytes);
    let format = format.unwrap_or_else(|| Format::detect(&text));
    let parsed = formats::parse(&text, format);
    let mut report = Report {
        format: Some(format),
        problems: parsed.problems,
        ..Default::default()
    };
    let mut new: Vec<(String, Record)> = Vec::new();
    for e in parsed.entries {
        let k = key(reader, &e.id);
        if new.iter().any(|(x, _)| *x == k) || store.kv_get::<Record>(Table::Library, &k)?.is_some()
        {
            report.already += 1;
            continue;
        }
        report.added.push(e.clone());
        new.push((
            k,
            Record {
                entry: e,
                added: now,
                from: file.display().to_string(),
            },
        ));
    }
    if !new.is_empty() {
        store.kv_put_many(Table::Library, &new)?;
    }
    Ok(report)
}

/// Every library entry of the reader.
pub fn list(store: &Store, reader: &str) -> Result<Vec<Record>> {
    Ok(store
        .kv_scan(Table::Library, &format!("{reader}\0"))?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}
