//! Merging one source's entry into the item it is about (item + aliases + seen index).

use super::{enc, seen_key, Store};
use crate::error::Result;
use crate::identity::Identity;
use crate::model::{Entry, Item, ItemKind, SourceHit};
use chrono::{DateTime, Utc};

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
    ///
    /// Not a sled transaction: sled seals and writes its log buffer at every transaction commit, which
    /// made ingest wait on the disk once per entry. Instead one writer at a time (`write_lock`) writes in
    /// an order whose every prefix is safe after a crash: `seen` first (a dangling entry is skipped),
    /// then the item, then the aliases (an item found by its own key without them is merged and its
    /// aliases written again).
    pub fn upsert(
        &self,
        source: &str,
        kind: &str,
        entry: &Entry,
        id: &Identity,
        now: DateTime<Utc>,
    ) -> Result<Upsert> {
        let _w = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let (item, outcome) = match self.find_existing(id)? {
            None => (new_item(source, kind, entry, id, now), Upsert::New),
            Some(old) => {
                let mut it = old.clone();
                merge_into(&mut it, source, kind, entry, id, now);
                let changed = it != old;
                if !changed && self.aliases_complete(id)? {
                    return Ok(Upsert::Unchanged);
                }
                if changed {
                    it.updated = now;
                }
                (it, Upsert::Merged)
            }
        };
        let err = |e: sled::Error| self.err(format!("storing {:?} from {source}: {e}", item.key));
        if outcome == Upsert::New {
            self.seen
                .insert(seen_key(item.first_seen, &item.key), &[])
                .map_err(err)?;
        }
        self.items
            .insert(item.key.as_bytes(), enc(&item))
            .map_err(err)?;
        for a in &id.aliases {
            if self.alias.get(a.as_bytes()).map_err(err)?.is_none() {
                self.alias
                    .insert(a.as_bytes(), item.key.as_bytes())
                    .map_err(err)?;
            }
        }
        Ok(outcome)
    }

    fn aliases_complete(&self, id: &Identity) -> Result<bool> {
        for a in &id.aliases {
            if self
                .alias
                .get(a.as_bytes())
                .map_err(|e| self.err(e))?
                .is_none()
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The item this identity already leads to. The strongest identifier that leads somewhere wins. A
    /// title alone only links a paper without ids to one that has them, never two blog posts that
    /// happen to share a title.
    fn find_existing(&self, id: &Identity) -> Result<Option<Item>> {
        for a in &id.aliases {
            let Some(k) = self.alias.get(a.as_bytes()).map_err(|e| self.err(e))? else {
                continue;
            };
            let Some(it) = self.item(&String::from_utf8_lossy(&k))? else {
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
            return Ok(Some(it));
        }
        // After a crash between writing an item and its aliases, the item is still found by its key.
        self.item(&id.key)
    }
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
