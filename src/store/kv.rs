//! Keyed records for the parts that need a table of their own (feedback, the reader's library, the
//! learned model, model-written TL;DRs, the web secret). Each table is named by `Table`, so the engine
//! behind `Store` maps them to whatever it keeps (a sled tree, a database table) and nothing outside the
//! store names a storage detail.

use super::{dec, enc, Store};
use crate::error::Result;
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
            Table::Deadlines => "kv_deadlines",
        }
    }
}

impl Store {
    fn kv_tree(&self, t: Table) -> Result<sled::Tree> {
        self.db.open_tree(t.name()).map_err(|e| self.err(e))
    }

    pub fn kv_get<T: DeserializeOwned>(&self, t: Table, key: &str) -> Result<Option<T>> {
        let tree = self.kv_tree(t)?;
        self.get_rec(&tree, key.as_bytes())
    }

    /// Stores and flushes: these records are few and each one is something a person did.
    pub fn kv_put<T: Serialize>(&self, t: Table, key: &str, v: &T) -> Result<()> {
        let tree = self.kv_tree(t)?;
        self.put_rec(&tree, key.as_bytes(), v)?;
        self.flush()
    }

    /// Stores many records in one atomic write.
    pub fn kv_put_many<T: Serialize>(&self, t: Table, recs: &[(String, T)]) -> Result<()> {
        let tree = self.kv_tree(t)?;
        let mut batch = sled::Batch::default();
        for (k, v) in recs {
            batch.insert(k.as_bytes(), enc(v));
        }
        tree.apply_batch(batch).map_err(|e| self.err(e))?;
        self.flush()
    }

    /// Removes a record; true when there was one.
    pub fn kv_delete(&self, t: Table, key: &str) -> Result<bool> {
        let tree = self.kv_tree(t)?;
        let had = tree
            .remove(key.as_bytes())
            .map_err(|e| self.err(e))?
            .is_some();
        self.flush()?;
        Ok(had)
    }

    /// Every record whose key starts with `prefix`, in key order.
    pub fn kv_scan<T: DeserializeOwned>(&self, t: Table, prefix: &str) -> Result<Vec<(String, T)>> {
        let tree = self.kv_tree(t)?;
        let mut out = Vec::new();
        for kv in tree.scan_prefix(prefix.as_bytes()) {
            let (k, v) = kv.map_err(|e| self.err(e))?;
            let key = String::from_utf8_lossy(&k).into_owned();
            let val = dec(&v).map_err(|e| self.err(format!("corrupt record {key}: {e}")))?;
            out.push((key, val));
        }
        Ok(out)
    }

    /// Stored items whose title or abstract holds every word of `query` (case-insensitive), best
    /// first (more hits in the title count more), at most `limit`. The engine may answer this from
    /// an index; the result is the same.
    pub fn search_items(&self, query: &str, limit: usize) -> Result<Vec<crate::model::Item>> {
        let words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.to_lowercase())
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut hits: Vec<(usize, crate::model::Item)> = Vec::new();
        for it in self.all_items() {
            let it = it?;
            let title = it.title.to_lowercase();
            let body = it.abstract_text.to_lowercase();
            if !words.iter().all(|w| title.contains(w) || body.contains(w)) {
                continue;
            }
            let score = words
                .iter()
                .map(|w| 3 * title.matches(w.as_str()).count() + body.matches(w.as_str()).count())
                .sum();
            hits.push((score, it));
        }
        hits.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then_with(|| b.1.first_seen.cmp(&a.1.first_seen))
        });
        Ok(hits.into_iter().take(limit).map(|(_, it)| it).collect())
    }
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
