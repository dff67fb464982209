//! A fetch's writes, batched: each response is one savepoint inside a write transaction that several
//! responses share, so a fetch of many small local feeds commits a few times instead of once per
//! response (a commit's WAL frames and locks cost more than storing a small feed's entries).
//!
//! A response is still stored whole or not at all: its entries, aliases, search words, own-date
//! keys, validators and deadlines are one savepoint, rolled back on any error. What a crash can lose
//! is only the open batch, whose responses are fetched again next time (their validators are lost
//! with them). The batch is committed before the fetch waits on the network (`commit_batch`), by any
//! other write of this process, by `flush`, and once it has been open for `MAX_OPEN`, so it never
//! holds the store's write lock across a wait: other processes' writers wait for it meanwhile.

use super::kv::{put_row, Table};
use super::{merge, pack, HttpState, Store, Upsert};
use crate::error::Result;
use crate::identity::Identity;
use crate::model::Entry;
use crate::sources::deadlines::Deadline;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use std::time::{Duration, Instant};

/// The longest a batch stays open while responses keep coming.
const MAX_OPEN: Duration = Duration::from_millis(50);

/// The open batch of this process's connection (locked after the connection, never alone).
#[derive(Debug, Default)]
pub(super) struct BatchState {
    /// When the open batch began; `None`: no batch is open.
    since: Option<Instant>,
    /// Why a batch was lost (its commit failed), until `end_batch` reports it.
    lost: Option<String>,
    /// The search-index changes of the open batch, in order, made just before it commits: FTS5
    /// writes its pending words to disk as a new segment at every savepoint, so indexing each
    /// response's items inside its own savepoint cost a segment (and later merges) per response.
    words: Vec<Words>,
}

/// A change to the search index (`items_fts`).
#[derive(Debug)]
pub(super) enum Words {
    Add {
        rowid: i64,
        title: String,
        abstract_text: String,
    },
    Remove {
        rowid: i64,
    },
}

impl Words {
    pub(super) fn apply(&self, db: &Connection) -> rusqlite::Result<()> {
        match self {
            Words::Add {
                rowid,
                title,
                abstract_text,
            } => db
                .prepare_cached(
                    "INSERT INTO items_fts (rowid, title, abstract) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![rowid, title, abstract_text])
                .map(drop),
            Words::Remove { rowid } => db
                .prepare_cached("DELETE FROM items_fts WHERE rowid = ?1")?
                .execute([rowid])
                .map(drop),
        }
    }
}

/// What one fetched response leaves in the store.
pub struct ResponseWrite<'a> {
    pub source: &'a str,
    pub kind: &'a str,
    pub entries: &'a [(&'a Entry, Identity)],
    /// Each entry's own-date index key (`None`: it has no date of its own), written for new items.
    pub dated: &'a [Option<String>],
    pub now: DateTime<Utc>,
    /// The URL's validators, kept only together with what its body gave.
    pub http: Option<(&'a str, &'a HttpState)>,
    /// The deadlines the body lists, under their key.
    pub deadlines: Option<(&'a str, &'a [Deadline])>,
}

impl ResponseWrite<'_> {
    fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.http.is_none() && self.deadlines.is_none()
    }
}

impl Store {
    /// Stores one response in the open batch (beginning one when none is open): everything it gave,
    /// or on an error nothing. Durable once the batch is committed and flushed.
    pub fn put_response(&self, w: &ResponseWrite<'_>) -> Result<Vec<Upsert>> {
        if w.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.db();
        let mut batch = self.batch_state();
        if batch.since.is_none() {
            run(&db, "BEGIN IMMEDIATE").map_err(|e| self.sql(e))?;
            batch.since = Some(Instant::now());
        }
        let mark = batch.words.len();
        // Let go while the response is written, which adds to `words` (`hold_words`); nothing
        // else takes the batch meanwhile, as the connection stays locked.
        drop(batch);
        let written = Unit::begin(&db, self, mark)
            .map_err(|e| self.sql(e))
            .and_then(|unit| {
                // A unit dropped on an error (or a panic) rolls back, its search words too.
                let out = write_response(self, &db, w)?;
                unit.release().map_err(|e| self.sql(e))?;
                Ok(out)
            });
        let mut batch = self.batch_state();
        // Some errors (a full disk, I/O) make SQLite roll back the whole transaction.
        if db.is_autocommit() && batch.since.take().is_some() {
            batch.words.clear();
            batch.lost = Some(match &written {
                Err(e) => e.to_string(),
                Ok(_) => "the batch's transaction ended".into(),
            });
            return written.and_then(|_| Err(self.err("fetched responses were lost")));
        }
        let out = written?;
        if batch.since.is_some_and(|t| t.elapsed() >= MAX_OPEN) {
            self.commit_locked(&db, &mut batch)?;
        }
        Ok(out)
    }

    /// Commits the open batch, if any.
    pub fn commit_batch(&self) -> Result<()> {
        let db = self.db();
        let mut batch = self.batch_state();
        self.commit_locked(&db, &mut batch)
    }

    /// Commits the open batch, and fails if this or any batch since the last call was lost: the end
    /// of a fetch, which must not report as stored what is not.
    pub fn end_batch(&self) -> Result<()> {
        let db = self.db();
        let mut batch = self.batch_state();
        self.commit_locked(&db, &mut batch)?;
        match batch.lost.take() {
            None => Ok(()),
            Some(why) => Err(self.err(format!(
                "fetched responses were not stored (their commit failed: {why})"
            ))),
        }
    }

    /// Holds `w` for the open batch's commit, when this connection (locked by the caller) has a
    /// batch open; else gives it back, to be made at once.
    pub(super) fn hold_words(&self, w: Words) -> Option<Words> {
        let mut batch = self.batch_state();
        if batch.since.is_none() {
            return Some(w);
        }
        batch.words.push(w);
        None
    }

    /// Commits the open batch; `db` and `batch` are this store's, locked by the caller.
    pub(super) fn commit_locked(&self, db: &Connection, batch: &mut BatchState) -> Result<()> {
        if batch.since.take().is_none() {
            return Ok(());
        }
        let words = std::mem::take(&mut batch.words);
        let committed = words
            .iter()
            .try_for_each(|w| w.apply(db))
            .and_then(|()| run(db, "COMMIT"));
        if let Err(e) = committed {
            if !db.is_autocommit() {
                let _ = run(db, "ROLLBACK");
            }
            let e = self.sql(e);
            batch.lost = Some(e.to_string());
            return Err(e);
        }
        Ok(())
    }
}

/// Runs a statement without rows, kept prepared: these run once or twice per response, and
/// parsing them each time cost more than some of the inserts.
fn run(db: &Connection, sql: &str) -> rusqlite::Result<()> {
    db.prepare_cached(sql)?.execute([]).map(drop)
}

/// One response's savepoint: released when it was stored whole, else rolled back when dropped,
/// with the search words it held for the batch (those after `mark`).
struct Unit<'c> {
    db: &'c Connection,
    store: &'c Store,
    mark: usize,
    open: bool,
}

impl<'c> Unit<'c> {
    fn begin(db: &'c Connection, store: &'c Store, mark: usize) -> rusqlite::Result<Self> {
        run(db, "SAVEPOINT response")?;
        Ok(Unit {
            db,
            store,
            mark,
            open: true,
        })
    }

    fn release(mut self) -> rusqlite::Result<()> {
        self.open = false;
        run(self.db, "RELEASE response")
    }
}

impl Drop for Unit<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = run(self.db, "ROLLBACK TO response");
            let _ = run(self.db, "RELEASE response");
            self.store.batch_state().words.truncate(self.mark);
        }
    }
}

fn write_response(s: &Store, conn: &Connection, w: &ResponseWrite<'_>) -> Result<Vec<Upsert>> {
    let outcomes = w
        .entries
        .iter()
        .map(|(entry, id)| merge::upsert_one(s, conn, w.source, w.kind, entry, id, w.now))
        .collect::<Result<Vec<_>>>()?;
    for (o, key) in outcomes.iter().zip(w.dated) {
        if let (Upsert::New, Some(key)) = (o, key) {
            put_row(s, conn, Table::Dated, key, &pack(&0u8))?;
        }
    }
    if let Some((url, st)) = w.http {
        conn.prepare_cached("INSERT OR REPLACE INTO http (url, body) VALUES (?1, ?2)")
            .and_then(|mut q| q.execute(params![url, pack(st)]))
            .map_err(|e| s.sql(e))?;
    }
    if let Some((key, list)) = w.deadlines {
        put_row(s, conn, Table::Deadlines, key, &pack(&list))?;
    }
    Ok(outcomes)
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
