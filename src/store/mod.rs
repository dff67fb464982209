//! The store: sled, opened once under the state directory, behind this type so the engine can change
//! without touching the pipeline.
//!
//! Trees: `items` (key → item), `alias` (identifier → key), `seen` (first-seen time ‖ key, for window
//! scans), `http` (URL → validators and last status), `sources` (one record: source name → health, read
//! and written once per fetch), `digests` (date →
//! composed digest and per-channel delivery state), `sent` (key → date of the digest that carried it),
//! `meta` (schema version). Values are MessagePack with field names, so fields can be added later.

mod kv;
mod merge;
mod records;
pub mod ts;

pub use kv::Table;
pub use merge::Upsert;
pub use records::*;

use crate::error::{Error, Result};
use crate::model::Item;
use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Serialize};
use std::path::{Path, PathBuf};

/// 2: source health is one record in the `sources` tree instead of one key per source.
pub const SCHEMA_VERSION: u32 = 2;

/// The key of the one health record in the `sources` tree.
const HEALTH_KEY: &[u8] = b"\0all";

#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    items: sled::Tree,
    alias: sled::Tree,
    seen: sled::Tree,
    http: sled::Tree,
    sources: sled::Tree,
    digests: sled::Tree,
    sent: sled::Tree,
    /// One writer of items at a time (fetch and digest may run concurrently in the daemon).
    write_lock: std::sync::Arc<std::sync::Mutex<()>>,
}

pub(crate) fn enc<T: Serialize>(v: &T) -> Vec<u8> {
    rmp_serde::to_vec_named(v).expect("serializing a store record cannot fail")
}

pub(crate) fn dec<T: DeserializeOwned>(b: &[u8]) -> std::result::Result<T, String> {
    rmp_serde::from_slice(b).map_err(|e| e.to_string())
}

impl Store {
    /// Opens (creating if needed) the store under `state_dir`. A second process gets `StoreInUse`.
    pub fn open(state_dir: &Path) -> Result<Store> {
        let path = state_dir.join("store");
        std::fs::create_dir_all(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        let db = sled::Config::new()
            .path(&path)
            // sled keeps this much of the store in memory for as long as the daemon runs: 16 MiB
            // made a daemon idle at 43 MiB after a 500-feed cycle, 4 MiB at 34 MiB (BENCHMARKS.md).
            .cache_capacity(4 * 1024 * 1024)
            .open()
            .map_err(|e| {
                let msg = e.to_string();
                if msg.contains("lock")
                    || msg.contains("WouldBlock")
                    || msg.contains("temporarily unavailable")
                {
                    Error::StoreInUse {
                        path: state_dir.to_path_buf(),
                    }
                } else {
                    Error::Store {
                        path: path.clone(),
                        message: msg,
                    }
                }
            })?;
        let err = |e: sled::Error| Error::Store {
            path: path.clone(),
            message: e.to_string(),
        };
        let meta = db.open_tree("meta").map_err(err)?;
        let found = match meta.get("schema").map_err(err)? {
            None => None,
            Some(v) => Some(u32::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 4]))),
        };
        if let Some(v) = found.filter(|v| *v > SCHEMA_VERSION) {
            return Err(Error::Store {
                path,
                message: format!("schema version {v} is newer than this trendd understands ({SCHEMA_VERSION}); upgrade trendd"),
            });
        }
        let tree = |n: &str| db.open_tree(n).map_err(err);
        let store = Store {
            items: tree("items")?,
            alias: tree("alias")?,
            seen: tree("seen")?,
            http: tree("http")?,
            sources: tree("sources")?,
            digests: tree("digests")?,
            sent: tree("sent")?,
            write_lock: Default::default(),
            db,
            path,
        };
        if found.is_some_and(|v| v < 2) {
            store.migrate_health_to_one_record()?;
        }
        if found != Some(SCHEMA_VERSION) {
            meta.insert("schema", &SCHEMA_VERSION.to_be_bytes())
                .map_err(|e| store.err(e))?;
        }
        Ok(store)
    }

    /// Schema 1 kept one key per source; fold them into the one record, in one atomic batch so an
    /// interrupted migration is simply done again at the next open.
    fn migrate_health_to_one_record(&self) -> Result<()> {
        let mut all = self.source_statuses()?;
        let mut batch = sled::Batch::default();
        for kv in self.sources.iter() {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            if &*k == HEALTH_KEY {
                continue;
            }
            let st: SourceStatus = dec(&v).map_err(|e| self.err(e))?;
            all.insert(String::from_utf8_lossy(&k).into_owned(), st);
            batch.remove(k);
        }
        batch.insert(HEALTH_KEY, enc(&all));
        self.sources.apply_batch(batch).map_err(|e| self.err(e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: impl std::fmt::Display) -> Error {
        Error::Store {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// Makes every write so far durable; call before reporting success.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.err(e))?;
        Ok(())
    }

    fn get_rec<T: DeserializeOwned>(&self, tree: &sled::Tree, key: &[u8]) -> Result<Option<T>> {
        match tree.get(key).map_err(|e| self.err(e))? {
            None => Ok(None),
            Some(v) => dec(&v).map(Some).map_err(|e| {
                self.err(format!(
                    "corrupt record {}: {e}",
                    String::from_utf8_lossy(key)
                ))
            }),
        }
    }

    fn put_rec<T: Serialize>(&self, tree: &sled::Tree, key: &[u8], v: &T) -> Result<()> {
        tree.insert(key, enc(v)).map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn item(&self, key: &str) -> Result<Option<Item>> {
        self.get_rec(&self.items, key.as_bytes())
    }

    /// Stores an item that already exists (e.g. with its summary filled in).
    pub fn put_item(&self, item: &Item) -> Result<()> {
        let _w = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        self.put_rec(&self.items, item.key.as_bytes(), item)
    }

    /// Stores a summary on the item as it is now (a fetch may have merged into it meanwhile).
    pub fn put_summary(&self, key: &str, summary: &crate::model::Summary) -> Result<()> {
        let _w = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mut it) = self.item(key)? {
            it.summary = Some(summary.clone());
            self.put_rec(&self.items, key.as_bytes(), &it)?;
        }
        Ok(())
    }

    pub fn item_count(&self) -> usize {
        self.items.len()
    }

    /// Items first seen at or after `since`, oldest first: a range scan of the `seen` index, so the
    /// cost follows the window, not the size of the store.
    pub fn items_seen_since(&self, since: DateTime<Utc>) -> Result<Vec<Item>> {
        let start = seen_key(since, "");
        let mut out = Vec::new();
        let mut keys = std::collections::HashSet::new();
        for kv in self.seen.range(start..) {
            let (k, _) = kv.map_err(|e| self.err(e))?;
            let key = std::str::from_utf8(&k[8..]).map_err(|e| self.err(e))?;
            // A crash can leave a second index entry for one item; it is listed once.
            if !keys.insert(key.to_string()) {
                continue;
            }
            if let Some(it) = self.item(key)? {
                out.push(it);
            }
        }
        Ok(out)
    }

    /// Every item, in key order.
    pub fn all_items(&self) -> impl Iterator<Item = Result<Item>> + '_ {
        self.items.iter().map(move |kv| {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            dec(&v)
                .map_err(|e| self.err(format!("corrupt item {}: {e}", String::from_utf8_lossy(&k))))
        })
    }

    pub fn http_state(&self, url: &str) -> Result<Option<HttpState>> {
        self.get_rec(&self.http, url.as_bytes())
    }

    pub fn put_http_state(&self, url: &str, s: &HttpState) -> Result<()> {
        self.put_rec(&self.http, url.as_bytes(), s)
    }

    /// The health of every source that was ever fetched, by name.
    pub fn source_statuses(&self) -> Result<Health> {
        Ok(self.get_rec(&self.sources, HEALTH_KEY)?.unwrap_or_default())
    }

    pub fn put_source_status(&self, name: &str, s: &SourceStatus) -> Result<()> {
        self.put_source_statuses([(name, s)])
    }

    /// Updates the health of many sources at once. Health is one record because sled pays several
    /// microseconds per key written: a thousand-feed fetch spent more time storing health than
    /// parsing feeds.
    pub fn put_source_statuses<'a>(
        &self,
        list: impl IntoIterator<Item = (&'a str, &'a SourceStatus)>,
    ) -> Result<()> {
        let _guard = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = self.source_statuses()?;
        for (name, st) in list {
            all.insert(name.to_string(), st.clone());
        }
        self.write_health(&all)
    }

    fn write_health(&self, all: &Health) -> Result<()> {
        self.put_rec(&self.sources, HEALTH_KEY, all)
    }

    pub fn digest(&self, date: chrono::NaiveDate) -> Result<Option<DigestRecord>> {
        self.get_rec(&self.digests, date.to_string().as_bytes())
    }

    /// Stores a digest record and flushes: the ledger must be on disk before and after each send.
    pub fn put_digest(&self, rec: &DigestRecord) -> Result<()> {
        self.put_rec(&self.digests, rec.date.to_string().as_bytes(), rec)?;
        self.flush()
    }

    /// The most recent digests, newest first.
    pub fn recent_digests(&self, n: usize) -> Result<Vec<DigestRecord>> {
        let mut out = Vec::new();
        for kv in self.digests.iter().rev().take(n) {
            let (_, v) = kv.map_err(|e| self.err(e))?;
            out.push(dec(&v).map_err(|e| self.err(e))?);
        }
        Ok(out)
    }

    /// Records that `keys` went out in the digest of `date` (they never come again), together with
    /// the digest record itself, in one transaction.
    pub fn put_digest_and_mark_sent(&self, rec: &DigestRecord) -> Result<()> {
        use sled::Transactional;
        let date = rec.date.to_string();
        let value = enc(rec);
        (&self.digests, &self.sent)
            .transaction(|(d, s)| {
                d.insert(date.as_bytes(), value.clone())?;
                for k in &rec.keys {
                    s.insert(k.as_bytes(), date.as_bytes())?;
                }
                Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
            })
            .map_err(|e| self.err(format!("{e:?}")))?;
        self.flush()
    }

    /// The date of the digest that carried `key`, if any.
    pub fn sent_on(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .sent
            .get(key.as_bytes())
            .map_err(|e| self.err(e))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }
}

/// `seen` index key: big-endian milliseconds (so byte order is time order) then the item key.
pub(crate) fn seen_key(t: DateTime<Utc>, key: &str) -> Vec<u8> {
    let ms = t.timestamp_millis().max(0) as u64;
    let mut k = ms.to_be_bytes().to_vec();
    k.extend_from_slice(key.as_bytes());
    k
}

#[cfg(test)]
mod tests;
