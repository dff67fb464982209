//! What the model learns from and when: the reader's ratings and library, and the recent papers of the
//! store they left unrated. The model is trained when feedback changes (`feedback`, `library import`)
//! and again at digest time when what it was trained on has changed since (new papers arrived), and is
//! kept in the store's `Model` table.

use super::feedback::{self, Vote};
use super::library;
use super::model::{self, Example, Label, Model, Params};
use crate::error::{Error, Result};
use crate::model::Item;
use crate::store::{Store, Table};
use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// Unrated papers of this many recent days are the model's weak negatives (and its document
/// frequencies).
const CORPUS_DAYS: i64 = 30;
/// At most this many of them, newest first.
const CORPUS_MAX: usize = 3000;
/// A rating loses half its weight in this many days: tastes drift.
const HALF_LIFE_DAYS: f64 = 90.0;
/// Old ratings never count less than this.
const MIN_WEIGHT: f64 = 0.25;

fn recency(at: DateTime<Utc>, now: DateTime<Utc>) -> f32 {
    let days = (now - at).num_hours().max(0) as f64 / 24.0;
    0.5f64.powf(days / HALF_LIFE_DAYS).max(MIN_WEIGHT) as f32
}

fn example(it: &Item, label: Label, weight: f32) -> Example {
    Example {
        title: it.title.clone(),
        abstract_text: it.abstract_text.clone(),
        authors: it.authors.clone(),
        label,
        weight,
    }
}

/// The examples of `reader` (liked first, newest first) and a fingerprint of what they are.
pub fn examples(store: &Store, reader: &str, now: DateTime<Utc>) -> Result<(Vec<Example>, u64)> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let ratings = feedback::list(store, reader)?;
    let lib = library::list(store, reader)?;
    // A reader who rated nothing and imported nothing has no model: the recent corpus is not read.
    if ratings.is_empty() && lib.is_empty() {
        return Ok((Vec::new(), h.finish()));
    }
    let corpus = store.items_seen_since(now - Duration::days(CORPUS_DAYS))?;
    let by_key: HashMap<&str, &Item> = corpus.iter().map(|it| (it.key.as_str(), it)).collect();
    let mut rated: HashSet<String> = HashSet::new();
    let mut liked = Vec::new();
    let mut other = Vec::new();
    for r in &ratings {
        (&r.key, r.vote.as_str()).hash(&mut h);
        rated.insert(r.key.clone());
        let item = match by_key.get(r.key.as_str()) {
            Some(it) => Some((*it).clone()),
            None => store.item(&r.key)?,
        };
        let w = recency(r.at, now);
        let label = match r.vote {
            Vote::Up => Label::Liked,
            Vote::Down => Label::Disliked,
        };
        let ex = match item {
            Some(it) => example(&it, label, w),
            // A pruned item still has the title it was rated by.
            None if !r.title.is_empty() => Example {
                title: r.title.clone(),
                abstract_text: String::new(),
                authors: vec![],
                label,
                weight: w,
            },
            None => continue,
        };
        if label == Label::Liked {
            liked.push(ex);
        } else {
            other.push(ex);
        }
    }
    for rec in &lib {
        let e = &rec.entry;
        e.id.hash(&mut h);
        if rated.contains(&e.id) {
            continue; // the reader's own rating says more than the library
        }
        rated.insert(e.id.clone());
        let stored = if e.abstract_text.is_empty() {
            match by_key.get(e.id.as_str()) {
                Some(it) => Some((*it).clone()),
                None => store.item(&e.id)?,
            }
        } else {
            None
        };
        let w = recency(rec.added, now);
        match stored {
            Some(it) => liked.push(example(&it, Label::Liked, w)),
            None if !e.title.is_empty() => liked.push(Example {
                title: e.title.clone(),
                abstract_text: e.abstract_text.clone(),
                authors: e.authors.clone(),
                label: Label::Liked,
                weight: w,
            }),
            // An id whose paper is not stored yet: nothing to learn from until it arrives.
            None => {}
        }
    }
    let mut unrated: Vec<&Item> = corpus
        .iter()
        .filter(|it| !rated.contains(&it.key) && !it.title.trim().is_empty())
        .collect();
    unrated.sort_by(|a, b| b.first_seen.cmp(&a.first_seen).then(a.key.cmp(&b.key)));
    unrated.truncate(CORPUS_MAX);
    unrated.len().hash(&mut h);
    if let Some(first) = unrated.first() {
        first.key.hash(&mut h);
    }
    liked.extend(other);
    liked.extend(
        unrated
            .into_iter()
            .map(|it| example(it, Label::Unrated, 1.0)),
    );
    Ok((liked, h.finish()))
}

/// Trains the reader's model on what the store holds now and keeps it; None (and no model kept)
/// while nothing is liked.
pub fn refresh(store: &Store, reader: &str, now: DateTime<Utc>) -> Result<Option<Model>> {
    let (ex, fp) = examples(store, reader, now)?;
    let m = model::train(&ex, Params::default(), fp, now);
    match &m {
        Some(m) => store.kv_put(Table::Model, reader, m)?,
        None => {
            store.kv_delete(Table::Model, reader)?;
        }
    }
    Ok(m)
}

/// The reader's model, trained again first when what it learns from changed since; with `save`
/// false a new model is used but not kept (a dry run records nothing).
pub fn current(
    store: &Store,
    reader: &str,
    now: DateTime<Utc>,
    save: bool,
) -> Result<Option<Model>> {
    let stored: Option<Model> = match store.kv_get(Table::Model, reader) {
        Ok(m) => m,
        // A model from an incompatible release is only a cache: train a new one.
        Err(Error::Store { .. }) => None,
        Err(e) => return Err(e),
    };
    let (ex, fp) = examples(store, reader, now)?;
    if let Some(m) = stored.filter(|m| m.fingerprint == fp) {
        return Ok(Some(m));
    }
    let m = model::train(&ex, Params::default(), fp, now);
    if save {
        if let Some(m) = &m {
            store.kv_put(Table::Model, reader, m)?;
        }
    }
    Ok(m)
}
