//! Merging one source's entry into the item it is about (item + aliases + search words).

use super::batch::Words;
use super::{pack, unpack, Store};
use crate::error::Result;
use crate::identity::Identity;
use crate::model::{Entry, Item, ItemKind, SourceHit};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

/// What storing one entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    New,
    Merged,
    Unchanged,
}

impl Store {
    /// Stores what `source` (of `kind`) says about `entry`: a new item, or a merge into the item any
    /// of its identifiers already leads to.
    pub fn upsert(
        &self,
        source: &str,
        kind: &str,
        entry: &Entry,
        id: &Identity,
        now: DateTime<Utc>,
    ) -> Result<Upsert> {
        let out = self.upsert_many(source, kind, &[(entry, id.clone())], now)?;
        Ok(out[0])
    }

    /// Stores every entry of one response in one transaction: either all of them with their
    /// aliases and search words, or (on an error) none. One commit per response instead of per
    /// entry keeps ingest CPU-bound.
    pub fn upsert_many(
        &self,
        source: &str,
        kind: &str,
        entries: &[(&Entry, Identity)],
        now: DateTime<Utc>,
    ) -> Result<Vec<Upsert>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        self.write(|tx| {
            entries
                .iter()
                .map(|(entry, id)| upsert_one(self, tx, source, kind, entry, id, now))
                .collect()
        })
    }
}

pub(super) fn upsert_one(
    s: &Store,
    tx: &Connection,
    source: &str,
    kind: &str,
    entry: &Entry,
    id: &Identity,
    now: DateTime<Utc>,
) -> Result<Upsert> {
    let (item, old, outcome) = match find_existing(s, tx, id)? {
        None => (new_item(source, kind, entry, id, now), None, Upsert::New),
        Some((rowid, old)) => {
            let mut it = old.clone();
            merge_into(&mut it, source, kind, entry, id, now);
            let changed = it != old;
            if !changed && aliases_complete(s, tx, id)? {
                return Ok(Upsert::Unchanged);
            }
            if changed {
                it.updated = now;
            }
            (it, Some((rowid, old)), Upsert::Merged)
        }
    };
    let rowid = write_item(s, tx, &item, old.as_ref())?;
    let mut st = tx
        .prepare_cached("INSERT OR IGNORE INTO alias (alias, item) VALUES (?1, ?2)")
        .map_err(|e| s.sql(e))?;
    for a in &id.aliases {
        st.execute(params![a, rowid]).map_err(|e| s.sql(e))?;
    }
    Ok(outcome)
}

/// Writes `item` (with its search words when they changed); `old` is the stored row, if known.
/// Returns the row id.
pub(super) fn write_item(
    s: &Store,
    tx: &Connection,
    item: &Item,
    old: Option<&(i64, Item)>,
) -> Result<i64> {
    let sqlerr = |e| s.sql(e);
    let loaded;
    let old = match old {
        Some(o) => Some(o),
        None => {
            loaded = load(s, tx, &item.key)?;
            loaded.as_ref()
        }
    };
    let body = pack(item);
    let day = item.date().timestamp_millis();
    match old {
        None => {
            tx.prepare_cached(
                "INSERT INTO items (key, first_seen, day, body) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    item.key,
                    item.first_seen.timestamp_millis(),
                    day,
                    body
                ])
            })
            .map_err(sqlerr)?;
            let rowid = tx.last_insert_rowid();
            index_words(s, tx, rowid, item)?;
            Ok(rowid)
        }
        Some((rowid, was)) => {
            tx.prepare_cached("UPDATE items SET body = ?2, day = ?3 WHERE id = ?1")
                .and_then(|mut st| st.execute(params![rowid, body, day]))
                .map_err(sqlerr)?;
            if was.title != item.title || was.abstract_text != item.abstract_text {
                words(s, tx, Words::Remove { rowid: *rowid })?;
                index_words(s, tx, *rowid, item)?;
            }
            Ok(*rowid)
        }
    }
}

fn index_words(s: &Store, tx: &Connection, rowid: i64, item: &Item) -> Result<()> {
    let add = Words::Add {
        rowid,
        title: item.title.clone(),
        abstract_text: item.abstract_text.clone(),
    };
    words(s, tx, add)
}

/// A change to the search index: made with the open batch's commit, else now.
fn words(s: &Store, tx: &Connection, w: Words) -> Result<()> {
    match s.hold_words(w) {
        None => Ok(()),
        Some(w) => w.apply(tx).map_err(|e| s.sql(e)),
    }
}

/// The stored item with this key and its row id.
pub(super) fn load(s: &Store, tx: &Connection, key: &str) -> Result<Option<(i64, Item)>> {
    load_where(
        s,
        tx,
        "SELECT id, body FROM items WHERE key = ?1",
        [key],
        key,
    )
}

fn load_id(s: &Store, tx: &Connection, rowid: i64) -> Result<Option<(i64, Item)>> {
    load_where(
        s,
        tx,
        "SELECT id, body FROM items WHERE id = ?1",
        [rowid],
        &format!("#{rowid}"),
    )
}

fn load_where(
    s: &Store,
    tx: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    label: &str,
) -> Result<Option<(i64, Item)>> {
    let row: Option<(i64, Vec<u8>)> = tx
        .prepare_cached(sql)
        .and_then(|mut st| {
            st.query_row(params, |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(|e| s.sql(e))?;
    decode_row(s, row, label)
}

fn decode_row(s: &Store, row: Option<(i64, Vec<u8>)>, key: &str) -> Result<Option<(i64, Item)>> {
    match row {
        None => Ok(None),
        Some((id, b)) => unpack(&b)
            .map(|it| Some((id, it)))
            .map_err(|e| s.corrupt(&format!("item {key:?}"), e)),
    }
}

fn alias_target(s: &Store, tx: &Connection, alias: &str) -> Result<Option<i64>> {
    tx.prepare_cached("SELECT item FROM alias WHERE alias = ?1")
        .and_then(|mut st| st.query_row([alias], |r| r.get(0)).optional())
        .map_err(|e| s.sql(e))
}

fn aliases_complete(s: &Store, tx: &Connection, id: &Identity) -> Result<bool> {
    for a in &id.aliases {
        if alias_target(s, tx, a)?.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The item this identity already leads to. The strongest identifier that leads somewhere wins. A
/// title alone only links a paper without ids to one that has them, never two blog posts that
/// happen to share a title.
fn find_existing(s: &Store, tx: &Connection, id: &Identity) -> Result<Option<(i64, Item)>> {
    for a in &id.aliases {
        let Some(rowid) = alias_target(s, tx, a)? else {
            continue;
        };
        // An alias of a pruned item leads nowhere (retention removes them together; this is belt
        // and braces for a store recovered from damage).
        let Some((rowid, it)) = load_id(s, tx, rowid)? else {
            continue;
        };
        if a.starts_with("title:") {
            let linkable = match (&it.arxiv_id, &id.arxiv_id) {
                (Some(x), Some(y)) => x == y,
                (Some(_), None) | (None, Some(_)) => true,
                (None, None) => it.doi.is_some() && id.doi.is_some() && it.doi == id.doi,
            };
            if !linkable {
                continue;
            }
        }
        return Ok(Some((rowid, it)));
    }
    // A store recovered from damage may hold an item whose aliases were lost: it is still found
    // by its key.
    load(s, tx, &id.key)
}

fn hit(source: &str, kind: &str, entry: &Entry, id: &Identity, now: DateTime<Utc>) -> SourceHit {
    let mut signals = entry.signals.clone();
    if signals.version.is_none() {
        signals.version = id.version;
    }
    SourceHit {
        name: source.into(),
        kind: kind.into(),
        url: entry.url.clone(),
        signals,
        first_seen: now,
        last_seen: now,
    }
}

fn item_kind(entry: &Entry, id: &Identity) -> ItemKind {
    if id.arxiv_id.is_some() || entry.kind == Some(ItemKind::Paper) {
        ItemKind::Paper
    } else {
        ItemKind::Post
    }
}

/// The link a reader should follow: the arXiv abstract page for papers, else the entry's own http(s) link.
fn best_url(entry: &Entry, id: &Identity) -> Option<String> {
    if let Some(a) = &id.arxiv_id {
        return Some(format!("https://arxiv.org/abs/{a}"));
    }
    entry
        .url
        .clone()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}

fn new_item(source: &str, kind: &str, entry: &Entry, id: &Identity, now: DateTime<Utc>) -> Item {
    Item {
        key: id.key.clone(),
        kind: item_kind(entry, id),
        title: entry.title.clone(),
        url: best_url(entry, id),
        arxiv_id: id.arxiv_id.clone(),
        doi: id.doi.clone(),
        authors: entry.authors.clone(),
        abstract_text: entry.abstract_text.clone(),
        published: entry.published,
        categories: entry.categories.clone(),
        sources: vec![hit(source, kind, entry, id, now)],
        first_seen: now,
        updated: now,
        summary: None,
    }
}

/// Keeps every source's hit with its latest signals, the longest abstract, the earliest dates; a
/// replacement (vN, `replace`) updates the item and never makes it new again.
fn merge_into(
    it: &mut Item,
    source: &str,
    kind: &str,
    entry: &Entry,
    id: &Identity,
    now: DateTime<Utc>,
) {
    if it.title.trim().is_empty()
        || (id.arxiv_id.is_some() && kind == "arxiv") && !entry.title.trim().is_empty()
    {
        it.title = entry.title.clone();
    }
    if entry.abstract_text.len() > it.abstract_text.len() {
        it.abstract_text = entry.abstract_text.clone();
        it.summary = None;
    }
    if it.authors.is_empty() {
        it.authors = entry.authors.clone();
    }
    if it.arxiv_id.is_none() && id.arxiv_id.is_some() {
        it.arxiv_id = id.arxiv_id.clone();
        it.kind = ItemKind::Paper;
        it.url = best_url(entry, id);
    }
    if it.doi.is_none() {
        it.doi = id.doi.clone();
    }
    if it.url.is_none() {
        it.url = best_url(entry, id);
    }
    if let Some(p) = entry.published {
        if it.published.is_none_or(|q| p < q) {
            it.published = Some(p);
        }
    }
    for c in &entry.categories {
        if !it.categories.contains(c) {
            it.categories.push(c.clone());
        }
    }
    let new_hit = hit(source, kind, entry, id, now);
    match it.sources.iter_mut().find(|h| h.name == source) {
        Some(h) => {
            if h.signals != new_hit.signals || h.url != new_hit.url {
                h.signals = new_hit.signals;
                h.url = new_hit.url;
                h.last_seen = now;
            }
        }
        None => it.sources.push(new_hit),
    }
}
