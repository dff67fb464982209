//! Keyed records for the parts that need a table of their own (feedback, the reader's library, the
//! learned model, model-written TL;DRs, the web secret). Each table is named by `Table`, so the engine
//! behind `Store` maps them to whatever it keeps (here: rows of one `kv` table keyed by `Table::name()`) and nothing outside the
//! store names a storage detail.

use super::{pack, unpack, Store};
use crate::error::Result;
use rusqlite::params;
use serde::{de::DeserializeOwned, Serialize};

/// The tables of keyed records. Keys are strings; a reader's records start with `reader id` + '\0' so
/// one daemon can later serve many readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// (reader, item key) → a rating.
    Feedback,
    /// (reader, entry id) → a library entry imported from a reference manager.
    Library,
    /// reader → the learned ranking model.
    Model,
    /// (item key, model, language, prompt version) → a model-written TL;DR.
    Summaries,
    /// name → a small piece of local state (e.g. the secret that signs feedback links).
    Local,
    /// (item's own date YYYY-MM-DD, item key) → nothing: finds a day's items by their own date, so an
    /// item first seen under a wrong clock is still a candidate for the digest of its day.
    Dated,
    /// (source name, file URL) → the conference deadlines that file lists.
    Deadlines,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Feedback => "kv_feedback",
            Table::Library => "kv_library",
            Table::Model => "kv_model",
            Table::Summaries => "kv_summaries",
            Table::Local => "kv_local",
            Table::Dated => "kv_dated",
            Table::Deadlines => "kv_deadlines",
        }
    }
}

impl Store {
    pub fn kv_get<T: DeserializeOwned>(&self, t: Table, key: &str) -> Result<Option<T>> {
        self.get_blob_where(
            "SELECT body FROM kv WHERE tbl = ?1 AND key = ?2",
            [t.name(), key],
            &format!("{} record {key:?}", t.name()),
        )
    }

    /// Stores, on disk before it returns: these records are few and each one is something a
    /// person did.
    pub fn kv_put<T: Serialize>(&self, t: Table, key: &str, v: &T) -> Result<()> {
        self.write_durable(|tx| put_row(self, tx, t, key, &pack(v)))
    }

    /// Stores many records in one atomic write.
    pub fn kv_put_many<T: Serialize>(&self, t: Table, recs: &[(String, T)]) -> Result<()> {
        self.write_durable(|tx| {
            for (k, v) in recs {
                put_row(self, tx, t, k, &pack(v))?;
            }
            Ok(())
        })
    }

    /// Removes a record; true when there was one.
    pub fn kv_delete(&self, t: Table, key: &str) -> Result<bool> {
        self.write_durable(|tx| {
            tx.prepare_cached("DELETE FROM kv WHERE tbl = ?1 AND key = ?2")
                .and_then(|mut s| s.execute([t.name(), key]))
                .map(|n| n > 0)
                .map_err(|e| self.sql(e))
        })
    }

    /// Every record whose key starts with `prefix`, in key order.
    pub fn kv_scan<T: DeserializeOwned>(&self, t: Table, prefix: &str) -> Result<Vec<(String, T)>> {
        let db = self.db();
        // A range on the primary key: keys from `prefix` up to the first one that no longer starts
        // with it (text compares bytewise, and keys are UTF-8).
        let mut st = db
            .prepare_cached("SELECT key, body FROM kv WHERE tbl = ?1 AND key >= ?2 ORDER BY key")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([t.name(), prefix], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, body) = row.map_err(|e| self.sql(e))?;
            if !key.starts_with(prefix) {
                break;
            }
            let val = unpack(&body)
                .map_err(|e| self.corrupt(&format!("{} record {key:?}", t.name()), e))?;
            out.push((key, val));
        }
        Ok(out)
    }

    /// Stored items whose title or abstract holds every word of `query` (case-insensitive; a
    /// word matches the words of the text it begins), best first (a hit in the title counts three
    /// times one in the abstract), at most `limit`. Answered from the words index, so its cost
    /// follows the number of hits, not the size of the store.
    pub fn search_items(&self, query: &str, limit: usize) -> Result<Vec<crate::model::Item>> {
        let words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{}\"*", w.to_lowercase()))
            .collect();
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        self.items_where(
            "SELECT i.key, i.body FROM items_fts f JOIN items i ON i.id = f.rowid \
             WHERE items_fts MATCH ?1 ORDER BY bm25(items_fts, 3.0, 1.0), i.first_seen DESC LIMIT ?2",
            params![words.join(" AND "), limit as i64],
        )
    }
}

pub(super) fn put_row(
    s: &Store,
    tx: &rusqlite::Connection,
    t: Table,
    key: &str,
    body: &[u8],
) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO kv (tbl, key, body) VALUES (?1, ?2, ?3)")
        .and_then(|mut st| st.execute(params![t.name(), key, body]))
        .map_err(|e| s.sql(e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_by_prefix_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(dir.path()).unwrap();
            s.kv_put(Table::Feedback, "default\0a", &1i32).unwrap();
            s.kv_put_many(
                Table::Feedback,
                &[
                    ("default\0b".to_string(), -1i32),
                    ("other\0c".to_string(), 1),
                ],
            )
            .unwrap();
            assert!(s.kv_delete(Table::Feedback, "other\0c").unwrap());
            assert!(!s.kv_delete(Table::Feedback, "other\0c").unwrap());
        }
        let s = Store::open(dir.path()).unwrap();
        let got: Vec<(String, i32)> = s.kv_scan(Table::Feedback, "default\0").unwrap();
        assert_eq!(
            got,
            vec![("default\0a".into(), 1), ("default\0b".into(), -1)]
        );
        assert_eq!(
            s.kv_get::<i32>(Table::Feedback, "default\0b").unwrap(),
            Some(-1)
        );
        assert_eq!(s.kv_get::<i32>(Table::Model, "default").unwrap(), None);
    }
}
