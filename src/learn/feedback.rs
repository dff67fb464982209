//! Ratings per reader, kept in the store's `Feedback` table under `reader \0 item key`. The CLI, the
//! web page behind 👍/👎 links and the learned model all read and write them through this file.

use crate::error::Result;
use crate::store::{Store, Table};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    Up,
    Down,
}

impl Vote {
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Up => "up",
            Vote::Down => "down",
        }
    }
    pub fn parse(s: &str) -> Option<Vote> {
        match s {
            "up" => Some(Vote::Up),
            "down" => Some(Vote::Down),
            _ => None,
        }
    }
}

/// One rating: what the reader said about one item, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub key: String,
    pub vote: Vote,
    #[serde(with = "crate::store::ts")]
    pub at: DateTime<Utc>,
    /// The item's title when it was rated (the item itself may be pruned later).
    #[serde(default)]
    pub title: String,
}

fn record_key(reader: &str, key: &str) -> String {
    format!("{reader}\0{key}")
}

/// Records (or replaces) the reader's rating of one item.
pub fn record(store: &Store, reader: &str, rating: &Rating) -> Result<()> {
    store.kv_put(Table::Feedback, &record_key(reader, &rating.key), rating)
}

/// The reader's rating of `key`, if any.
pub fn get(store: &Store, reader: &str, key: &str) -> Result<Option<Rating>> {
    store.kv_get(Table::Feedback, &record_key(reader, key))
}

/// Removes the reader's rating of `key`; true when there was one.
pub fn clear(store: &Store, reader: &str, key: &str) -> Result<bool> {
    store.kv_delete(Table::Feedback, &record_key(reader, key))
}

/// Every rating of the reader, newest first.
pub fn list(store: &Store, reader: &str) -> Result<Vec<Rating>> {
    let mut out: Vec<Rating> = store
        .kv_scan(Table::Feedback, &format!("{reader}\0"))?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    out.sort_by(|a: &Rating, b: &Rating| b.at.cmp(&a.at).then_with(|| a.key.cmp(&b.key)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_kept_per_reader_and_replaced_not_doubled() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let at = |ms| DateTime::from_timestamp_millis(ms).unwrap();
        let r = |k: &str, v, ms| Rating {
            key: k.into(),
            vote: v,
            at: at(ms),
            title: k.to_uppercase(),
        };
        record(&s, "default", &r("a", Vote::Up, 1000)).unwrap();
        record(&s, "default", &r("a", Vote::Down, 3000)).unwrap();
        record(&s, "default", &r("b", Vote::Up, 2000)).unwrap();
        record(&s, "other", &r("c", Vote::Up, 2000)).unwrap();
        let got = list(&s, "default").unwrap();
        assert_eq!(
            got.iter()
                .map(|x| (x.key.as_str(), x.vote))
                .collect::<Vec<_>>(),
            vec![("a", Vote::Down), ("b", Vote::Up)]
        );
        assert!(clear(&s, "default", "a").unwrap());
        assert_eq!(list(&s, "default").unwrap().len(), 1);
        assert_eq!(list(&s, "other").unwrap().len(), 1);
    }
}
