//! The store: one SQLite database (`store.db`) under the state directory, behind this type so the
//! engine can change without touching the pipeline.
//!
//! Several processes share it: the daemon and any command run beside it each open their own
//! connection. The database is in WAL mode (readers never wait; one writer at a time) with a busy
//! timeout (a writer waits for another's transaction). Writes that must agree are one transaction
//! or savepoint: a fetched response's items with their aliases and search words (see `batch`), a
//! digest with the keys it carries, a retention pass. The delivery ledger and what a person did (`kv_put`) are
//! synced to disk before the call returns; ingest is synced at the end of a fetch (`flush`).
//!
//! Tables (see `schema`): `items` (key, first-seen time for the window scan, own date for
//! retention, the item), `alias` (identifier → item), `sent` (key → digest date), `http` (URL →
//! validators), `digests` (date → composed digest and its ledger), `kv` (every `Table`), `meta`
//! (source health and counters), `items_fts` (words of titles and abstracts). Values are
//! MessagePack with field names, compressed when large (`codec`).

mod batch;
mod check;
mod codec;
mod kv;
mod merge;
mod migrate;
mod records;
mod retention;
mod schema;
pub mod ts;

pub use batch::ResponseWrite;
pub use check::{recover, CheckReport, RecoverReport};
pub use kv::Table;
pub use merge::Upsert;
pub use records::*;
pub use retention::PruneReport;
pub use schema::SCHEMA_VERSION;

use codec::{pack, unpack};

use crate::error::{Error, Result};
use crate::model::Item;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// The database file under the state directory.
pub const DB_FILE: &str = "store.db";

/// The `meta` row holding every source's health.
const HEALTH: &str = "health";

/// The sync of a database file this process made.
enum FileSync {
    Running(std::thread::JoinHandle<std::io::Result<()>>),
    /// No thread could be started: `flush` syncs it itself.
    Pending,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A failed sync of the store file or its WAL.
fn syncing(p: &Path, e: std::io::Error) -> Error {
    Error::io(format!("syncing {}", p.display()), e)
}

fn sync_file(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path).and_then(|f| f.sync_all())
}

#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    /// One connection per process; the jobs of the daemon take turns on it.
    conn: Arc<Mutex<Connection>>,
    /// This process made the database file: the sync of it, begun at once in the background so
    /// that it overlaps the command's work; `flush` waits for it.
    file_sync: Arc<Mutex<Option<FileSync>>>,
    /// The open batch of fetched responses (`batch`).
    batch: Arc<Mutex<batch::BatchState>>,
}

impl Store {
    /// Opens (creating if needed, migrating a sled store made by an older trendd) the store under
    /// `state_dir`. Any number of processes may have it open at once.
    pub fn open(state_dir: &Path) -> Result<Store> {
        let store = Store::open_unchecked(state_dir)?;
        store.ensure_sound()?;
        tracing::trace!(
            "store {} open: {} items",
            store.path.display(),
            store.item_count()
        );
        Ok(store)
    }

    /// Fails with `StoreCorrupt` when any process has met damage in this store.
    pub fn ensure_sound(&self) -> Result<()> {
        match check::damage_marker(&self.path) {
            None => Ok(()),
            Some(message) => Err(Error::StoreCorrupt {
                path: self.path.clone(),
                message,
            }),
        }
    }

    /// Opens without refusing a store marked damaged (for `store check` and `store recover`).
    pub fn open_unchecked(state_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(state_dir)
            .map_err(|e| Error::io(format!("creating {}", state_dir.display()), e))?;
        let path = state_dir.join(DB_FILE);
        migrate::from_sled_if_present(state_dir, &path)?;
        let mut created = false;
        if !path.exists() {
            // One process makes it; another starting at the same moment waits, then opens it.
            let _lock = migrate::FileLock::take(&state_dir.join("store.db.lock"))?;
            if !path.exists() {
                schema::create(&path).map_err(|m| Error::Store {
                    path: path.clone(),
                    message: m,
                })?;
                created = true;
            }
        }
        let store = Store::open_file(&path)?;
        if created {
            // The file is complete (`schema::create`) and SQLite writes to it again only at a
            // checkpoint, which syncs what it wrote.
            let file = path.clone();
            let sync = std::thread::Builder::new()
                .name("store-sync".into())
                .spawn(move || sync_file(&file));
            *lock(&store.file_sync) = Some(match sync {
                Ok(handle) => FileSync::Running(handle),
                Err(_) => FileSync::Pending,
            });
            // The WAL is made here without SQLite's syncs of its header and folder; the first
            // `flush` syncs it, which (on the same journal commit) makes their folder durable too.
            store
                .db()
                .execute_batch(
                    "PRAGMA synchronous = OFF; \
                     INSERT OR REPLACE INTO meta (name, n) VALUES ('created', CAST(unixepoch('subsec') * 1000 AS INTEGER)); \
                     PRAGMA synchronous = NORMAL;",
                )
                .map_err(|e| store.sql(e))?;
        }
        Ok(store)
    }

    fn open_file(path: &Path) -> Result<Store> {
        let conn = schema::connect(path).map_err(|e| sql_error(path, e))?;
        let store = Store {
            path: path.to_path_buf(),
            conn: Arc::new(Mutex::new(conn)),
            file_sync: Default::default(),
            batch: Default::default(),
        };
        schema::ensure(&mut store.db()).map_err(|m| store.classify(m))?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    /// Locked only while holding `db()`.
    fn batch_state(&self) -> MutexGuard<'_, batch::BatchState> {
        lock(&self.batch)
    }

    /// The connection with no batch open: what a transaction of its own, or a sync, starts from.
    fn db_settled(&self) -> Result<MutexGuard<'_, Connection>> {
        let db = self.db();
        self.commit_locked(&db, &mut self.batch_state())?;
        Ok(db)
    }

    /// A store error from SQLite; damage is named as such, and remembered (`check`).
    pub(crate) fn sql(&self, e: rusqlite::Error) -> Error {
        sql_error(&self.path, e)
    }

    fn classify(&self, message: String) -> Error {
        if check::looks_damaged(&message) {
            check::mark_damaged(&self.path, &message);
            Error::StoreCorrupt {
                path: self.path.clone(),
                message,
            }
        } else {
            self.err(message)
        }
    }

    pub(crate) fn err(&self, e: impl std::fmt::Display) -> Error {
        Error::Store {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// A stored value that does not decode: the file is damaged.
    pub(crate) fn corrupt(&self, what: &str, e: impl std::fmt::Display) -> Error {
        let message = format!("{what} does not decode: {e}");
        check::mark_damaged(&self.path, &message);
        Error::StoreCorrupt {
            path: self.path.clone(),
            message,
        }
    }

    /// Makes every write so far durable; call before reporting success. Commits go to the WAL, and
    /// a checkpoint syncs the database file itself, so syncing the WAL is enough (and the file
    /// once, when this process made it).
    pub fn flush(&self) -> Result<()> {
        self.settle()?;
        let wal = wal_path(&self.path);
        match std::fs::File::open(&wal) {
            Ok(f) => f.sync_all().map_err(|e| syncing(&wal, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("opening {}", wal.display()), e)),
        }
        Ok(())
    }

    /// Commits every write so far, and makes the store file durable when this process made it, but
    /// leaves the WAL to be synced at the next checkpoint, as every commit under `synchronous =
    /// NORMAL` is: what a fetch stored survives the process ending any way at all, and a power cut
    /// may lose only its last responses, which the next fetch asks for again. The fetch's sync of
    /// the WAL was about 1 ms of a 17 ms fetch of a thousand local feeds.
    pub fn settle(&self) -> Result<()> {
        let _db = self.db_settled()?;
        match lock(&self.file_sync).take() {
            None => {}
            Some(FileSync::Running(handle)) => match handle.join() {
                Ok(done) => done.map_err(|e| syncing(&self.path, e))?,
                Err(_) => return Err(self.err("the sync of the new store file failed")),
            },
            Some(FileSync::Pending) => sync_file(&self.path).map_err(|e| syncing(&self.path, e))?,
        }
        Ok(())
    }

    /// Runs `f` in one write transaction (taken at once, so two writers queue instead of failing).
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut db = self.db_settled()?;
        let tx = db
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.sql(e))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| self.sql(e))?;
        Ok(out)
    }

    /// Like `write`, and on disk before it returns: for the delivery ledger.
    fn write_durable<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let out = self.write(f)?;
        self.flush()?;
        Ok(out)
    }

    fn get_blob<T: DeserializeOwned>(&self, sql: &str, key: &str, what: &str) -> Result<Option<T>> {
        self.get_blob_where(sql, [key], &format!("{what} {key:?}"))
    }

    /// The one value a query of a `body` column gives, decoded; `what` names it in a damage error.
    pub(crate) fn get_blob_where<T: DeserializeOwned>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        what: &str,
    ) -> Result<Option<T>> {
        let db = self.db();
        let blob: Option<Vec<u8>> = db
            .prepare_cached(sql)
            .and_then(|mut s| s.query_row(params, |r| r.get(0)).optional())
            .map_err(|e| self.sql(e))?;
        drop(db);
        match blob {
            None => Ok(None),
            Some(b) => unpack(&b).map(Some).map_err(|e| self.corrupt(what, e)),
        }
    }

    pub fn item(&self, key: &str) -> Result<Option<Item>> {
        self.get_blob("SELECT body FROM items WHERE key = ?1", key, "item")
    }

    /// The item an identifier of identity's (`arxiv:…`, `doi:…`, `url:…`) leads to: a paper merged
    /// under another key is still found by each of its ids.
    pub fn item_by_alias(&self, alias: &str) -> Result<Option<Item>> {
        self.get_blob(
            "SELECT i.body FROM alias a JOIN items i ON i.id = a.item WHERE a.alias = ?1",
            alias,
            "item with alias",
        )
    }

    /// Stores an item that already exists (e.g. with its summary filled in).
    pub fn put_item(&self, item: &Item) -> Result<()> {
        self.write(|tx| merge::write_item(self, tx, item, None).map(drop))
    }

    /// Stores a summary on the item as it is now (a fetch may have merged into it meanwhile).
    pub fn put_summary(&self, key: &str, summary: &crate::model::Summary) -> Result<()> {
        self.write(|tx| {
            let Some((id, mut it)) = merge::load(self, tx, key)? else {
                return Ok(());
            };
            it.summary = Some(summary.clone());
            tx.prepare_cached("UPDATE items SET body = ?2 WHERE id = ?1")
                .and_then(|mut s| s.execute(params![id, pack(&it)]))
                .map_err(|e| self.sql(e))?;
            Ok(())
        })
    }

    /// The number of stored items, from a counter (no table is counted).
    pub fn item_count(&self) -> usize {
        self.counter("items").unwrap_or(0).max(0) as usize
    }

    pub(crate) fn counter(&self, name: &str) -> Result<i64> {
        let db = self.db();
        db.prepare_cached("SELECT n FROM meta WHERE name = ?1")
            .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
            .map(|n| n.unwrap_or(0))
            .map_err(|e| self.sql(e))
    }

    /// Items first seen at or after `since`, oldest first: a range scan of the first-seen index, so
    /// the cost follows the window, not the size of the store.
    pub fn items_seen_since(&self, since: DateTime<Utc>) -> Result<Vec<Item>> {
        let mut out = Vec::new();
        self.each_item_seen_since(since, |it| out.push(it))?;
        Ok(out)
    }

    /// `items_seen_since`, each item handed to `each` as it is read instead of all kept at once.
    pub fn each_item_seen_since(&self, since: DateTime<Utc>, each: impl FnMut(Item)) -> Result<()> {
        self.each_item_where(
            "SELECT key, body FROM items WHERE first_seen >= ?1 ORDER BY first_seen, key",
            [since.timestamp_millis()],
            each,
        )
    }

    /// The items a query of `(key, body)` rows gives, in its order.
    pub(crate) fn items_where(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Item>> {
        let mut out = Vec::new();
        self.each_item_where(sql, params, |it| out.push(it))?;
        Ok(out)
    }

    fn each_item_where(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        mut each: impl FnMut(Item),
    ) -> Result<()> {
        let db = self.db();
        let mut st = db.prepare_cached(sql).map_err(|e| self.sql(e))?;
        let rows = st
            .query_map(params, |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        for row in rows {
            let (key, body) = row.map_err(|e| self.sql(e))?;
            each(unpack(&body).map_err(|e| self.corrupt(&format!("item {key:?}"), e))?);
        }
        Ok(())
    }

    /// Every item, in key order, read a page at a time (the store may be far larger than memory
    /// should hold, and other jobs write in between).
    pub fn all_items(&self) -> impl Iterator<Item = Result<Item>> + '_ {
        let mut after: Option<String> = Some(String::new());
        let mut page: std::vec::IntoIter<Result<Item>> = Vec::new().into_iter();
        std::iter::from_fn(move || loop {
            if let Some(x) = page.next() {
                return Some(x);
            }
            let from = after.take()?;
            match self.items_page(&from, 512) {
                Ok(list) if list.is_empty() => return None,
                Ok(list) => {
                    after = list.last().map(|(k, _)| k.clone());
                    page = list
                        .into_iter()
                        .map(|(_, it)| it)
                        .collect::<Vec<_>>()
                        .into_iter();
                }
                Err(e) => return Some(Err(e)),
            }
        })
    }

    fn items_page(&self, after: &str, n: usize) -> Result<Vec<(String, Result<Item>)>> {
        let db = self.db();
        let mut st = db
            .prepare_cached("SELECT key, body FROM items WHERE key > ?1 ORDER BY key LIMIT ?2")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map(params![after, n as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::with_capacity(n);
        for row in rows {
            let (key, body) = row.map_err(|e| self.sql(e))?;
            let it = unpack(&body).map_err(|e| self.corrupt(&format!("item {key:?}"), e));
            out.push((key, it));
        }
        Ok(out)
    }

    pub fn http_state(&self, url: &str) -> Result<Option<HttpState>> {
        self.get_blob("SELECT body FROM http WHERE url = ?1", url, "HTTP state")
    }

    pub fn put_http_state(&self, url: &str, s: &HttpState) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached("INSERT OR REPLACE INTO http (url, body) VALUES (?1, ?2)")
                .and_then(|mut st| st.execute(params![url, pack(s)]))
                .map_err(|e| self.sql(e))?;
            Ok(())
        })
    }

    /// The health of every source that was ever fetched, by name.
    pub fn source_statuses(&self) -> Result<Health> {
        let db = self.db();
        let blob: Option<Option<Vec<u8>>> = db
            .prepare_cached("SELECT body FROM meta WHERE name = ?1")
            .and_then(|mut s| s.query_row([HEALTH], |r| r.get(0)).optional())
            .map_err(|e| self.sql(e))?;
        drop(db);
        match blob.flatten() {
            None => Ok(Health::default()),
            Some(b) => unpack(&b).map_err(|e| self.corrupt("source health", e)),
        }
    }

    pub fn put_source_status(&self, name: &str, s: &SourceStatus) -> Result<()> {
        self.put_source_statuses([(name, s)])
    }

    /// Updates the health of many sources at once (one record: a fetch reads and writes it once).
    pub fn put_source_statuses<'a>(
        &self,
        list: impl IntoIterator<Item = (&'a str, &'a SourceStatus)>,
    ) -> Result<()> {
        // By name, the last word on a name winning: merged with the stored health (sorted too) in
        // one pass and written straight from both, with no map built or status copied.
        let mut list: Vec<_> = list.into_iter().collect();
        if !list.is_sorted_by(|a, b| a.0 < b.0) {
            list.reverse();
            list.sort_by(|a, b| a.0.cmp(b.0));
            list.dedup_by(|later, kept| later.0 == kept.0);
        }
        self.write(|tx| {
            let old: Option<Option<Vec<u8>>> = tx
                .query_row("SELECT body FROM meta WHERE name = ?1", [HEALTH], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(|e| self.sql(e))?;
            let old: Health = match old.flatten() {
                None => Health::default(),
                Some(b) => unpack(&b).map_err(|e| self.corrupt("source health", e))?,
            };
            let body = codec::pack_compact(&MergedHealth(merge_sorted(&old, &list)));
            put_meta_packed(self, tx, HEALTH, &body)
        })
    }

    pub fn digest(&self, date: chrono::NaiveDate) -> Result<Option<DigestRecord>> {
        self.get_blob(
            "SELECT body FROM digests WHERE date = ?1",
            &date.to_string(),
            "digest",
        )
    }

    /// Stores a digest record, on disk before it returns: the ledger must be durable before and
    /// after each send.
    pub fn put_digest(&self, rec: &DigestRecord) -> Result<()> {
        self.write_durable(|tx| put_digest_row(self, tx, rec))
    }

    /// The most recent digests, newest first.
    pub fn recent_digests(&self, n: usize) -> Result<Vec<DigestRecord>> {
        let db = self.db();
        let mut st = db
            .prepare_cached("SELECT date, body FROM digests ORDER BY date DESC LIMIT ?1")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([n as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (date, body) = row.map_err(|e| self.sql(e))?;
            out.push(unpack(&body).map_err(|e| self.corrupt(&format!("digest {date}"), e))?);
        }
        Ok(out)
    }

    /// Records that `keys` went out in the digest of `date` (they never come again), together with
    /// the digest record itself, in one transaction, on disk before it returns.
    pub fn put_digest_and_mark_sent(&self, rec: &DigestRecord) -> Result<()> {
        self.write_durable(|tx| {
            put_digest_row(self, tx, rec)?;
            let date = rec.date.to_string();
            let mut st = tx
                .prepare_cached("INSERT OR REPLACE INTO sent (key, date) VALUES (?1, ?2)")
                .map_err(|e| self.sql(e))?;
            for k in &rec.keys {
                st.execute(params![k, date]).map_err(|e| self.sql(e))?;
            }
            Ok(())
        })
    }

    /// The date of the digest that carried `key`, if any.
    pub fn sent_on(&self, key: &str) -> Result<Option<String>> {
        let db = self.db();
        db.prepare_cached("SELECT date FROM sent WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(|e| self.sql(e))
    }
}

fn put_digest_row(s: &Store, tx: &rusqlite::Transaction<'_>, rec: &DigestRecord) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO digests (date, body) VALUES (?1, ?2)")
        .and_then(|mut st| st.execute(params![rec.date.to_string(), pack(rec)]))
        .map_err(|e| s.sql(e))?;
    Ok(())
}

/// Health as stored: a map by source name.
struct MergedHealth<'a>(Vec<(&'a str, &'a SourceStatus)>);

impl Serialize for MergedHealth<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// `old` with `new` (sorted by name, one entry a name) over it, in name order.
fn merge_sorted<'a>(
    old: &'a Health,
    new: &[(&'a str, &'a SourceStatus)],
) -> Vec<(&'a str, &'a SourceStatus)> {
    let mut out = Vec::with_capacity(old.len() + new.len());
    let mut old = old.iter().map(|(k, v)| (k.as_str(), v)).peekable();
    for &(name, st) in new {
        while let Some(o) = old.next_if(|o| o.0 < name) {
            out.push(o);
        }
        old.next_if(|o| o.0 == name);
        out.push((name, st));
    }
    out.extend(old);
    out
}

/// A `meta` record with its fields by name, as health was stored before it went by position.
#[cfg(test)]
pub(crate) fn put_meta<T: Serialize>(
    s: &Store,
    tx: &rusqlite::Connection,
    name: &str,
    v: &T,
) -> Result<()> {
    put_meta_packed(s, tx, name, &pack(v))
}

fn put_meta_packed(s: &Store, tx: &rusqlite::Connection, name: &str, body: &[u8]) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO meta (name, body) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET body = ?2",
    )
    .and_then(|mut st| st.execute(params![name, body]))
    .map_err(|e| s.sql(e))?;
    Ok(())
}

/// A store error from SQLite, for a file that may not be open yet.
fn sql_error(path: &Path, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseCorrupt, DatabaseLocked, NotADatabase};
    match e.sqlite_error_code() {
        Some(DatabaseCorrupt | NotADatabase) => {
            let message = e.to_string();
            check::mark_damaged(path, &message);
            Error::StoreCorrupt {
                path: path.to_path_buf(),
                message,
            }
        }
        Some(DatabaseBusy | DatabaseLocked) => Error::Store {
            path: path.to_path_buf(),
            message: format!(
                "another trendd process held the store for more than {} s ({e})",
                schema::BUSY_TIMEOUT.as_secs()
            ),
        },
        _ => Error::Store {
            path: path.to_path_buf(),
            message: e.to_string(),
        },
    }
}

pub(crate) fn wal_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push("-wal");
    PathBuf::from(s)
}

#[cfg(test)]
mod migrate_tests;
#[cfg(test)]
mod retention_tests;
#[cfg(test)]
mod tests;
