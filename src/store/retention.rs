//! Retention: items no digest carried (and no reader rated), older than `keep_days` by both their
//! own date and when trendd first saw them, are removed with their aliases and search words.
//! Digests, the items they carried, keyed records (feedback, library, model) and source health are
//! kept. One transaction per pass, so a kill at any point leaves the store as it was before or after.

use super::{Store, Table};
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};

/// What a retention pass (and a compaction) did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneReport {
    pub pruned: usize,
    pub aliases: usize,
    pub kept: usize,
    /// Bytes of the database before and after (compaction only).
    pub bytes_before: u64,
    pub bytes_after: u64,
}

impl Store {
    /// Removes what retention allows to go, as of `now`.
    pub fn prune(&self, keep_days: u32, now: DateTime<Utc>) -> Result<PruneReport> {
        let cutoff = (now - Duration::days(i64::from(keep_days))).timestamp_millis();
        // A rated item is kept whatever its age: the reader's model learns from its words.
        let rated: Vec<String> = self
            .kv_scan::<serde::de::IgnoredAny>(Table::Feedback, "")?
            .into_iter()
            .filter_map(|(k, _)| k.split_once('\0').map(|(_, key)| key.to_string()))
            .collect();
        let (pruned, aliases) = self.write(|tx| {
            let e = |e| self.sql(e);
            tx.execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS keep_rated (key TEXT PRIMARY KEY) WITHOUT ROWID;
                 DELETE FROM keep_rated;
                 CREATE TEMP TABLE IF NOT EXISTS doomed (id INTEGER PRIMARY KEY);
                 DELETE FROM doomed;",
            )
            .map_err(e)?;
            {
                let mut st = tx
                    .prepare("INSERT OR IGNORE INTO keep_rated (key) VALUES (?1)")
                    .map_err(e)?;
                for k in &rated {
                    st.execute([k]).map_err(e)?;
                }
            }
            // Only old items are looked at (the first-seen index), so a daily pass costs what a
            // day's items cost, not what the store holds.
            let pruned = tx
                .execute(
                    "INSERT INTO doomed (id) SELECT id FROM items
                     WHERE first_seen < ?1 AND day < ?1
                       AND key NOT IN (SELECT key FROM sent)
                       AND key NOT IN (SELECT key FROM keep_rated)",
                    [cutoff],
                )
                .map_err(e)?;
            if pruned == 0 {
                return Ok((0, 0));
            }
            let aliases = tx
                .execute(
                    "DELETE FROM alias WHERE item IN (SELECT id FROM doomed)",
                    [],
                )
                .map_err(e)?;
            tx.execute(
                "DELETE FROM items_fts WHERE rowid IN (SELECT id FROM doomed)",
                [],
            )
            .map_err(e)?;
            tx.execute("DELETE FROM items WHERE id IN (SELECT id FROM doomed)", [])
                .map_err(e)?;
            tx.execute("DELETE FROM doomed", []).map_err(e)?;
            Ok((pruned, aliases))
        })?;
        if pruned > 0 {
            tracing::info!("retention: removed {pruned} items older than {keep_days} days");
        }
        Ok(PruneReport {
            pruned,
            aliases,
            kept: self.item_count(),
            ..Default::default()
        })
    }

    /// `prune`, then give the freed space back to the file system: the search index is merged
    /// and the database rewritten (VACUUM), and the WAL emptied.
    pub fn compact(&self, keep_days: u32, now: DateTime<Utc>) -> Result<PruneReport> {
        let bytes_before = self.disk_bytes();
        let mut rep = self.prune(keep_days, now)?;
        {
            let db = self.db_settled()?;
            db.execute("INSERT INTO items_fts (items_fts) VALUES ('optimize')", [])
                .map_err(|e| self.sql(e))?;
            db.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
                .map_err(|e| self.sql(e))?;
        }
        self.flush()?;
        rep.bytes_before = bytes_before;
        rep.bytes_after = self.disk_bytes();
        Ok(rep)
    }

    /// Bytes of the database file and its WAL.
    pub fn disk_bytes(&self) -> u64 {
        [self.path.clone(), super::wal_path(&self.path)]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }
}

/// Row ids in `doomed` that the alias table still references (none after a pass): for tests.
#[cfg(test)]
pub(crate) fn dangling_aliases(s: &Store) -> i64 {
    s.db()
        .query_row(
            "SELECT count(*) FROM alias WHERE item NOT IN (SELECT id FROM items)",
            [],
            |r| r.get(0),
        )
        .unwrap()
}
