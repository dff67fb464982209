//! Where ingest time goes in the store, and what a different write path would save. The entries of the
//! well-formed corpus and the fixtures go through `Store::upsert` (one sled transaction per entry,
//! today's path); then the same reads and writes (alias lookups, item get/insert, new aliases, `seen`
//! key, the same MessagePack values) are replayed on a bare sled database three ways: a transaction
//! per entry (checks the replay matches the real thing), plain tree operations with no transaction,
//! and one transaction per body (per source response). Each sled transaction seals and writes the
//! current log buffer when it commits, so the number of transactions, not the bytes, sets the cost.
//!
//!     cargo bench --bench store_write

mod common;

use common::*;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use sled::Transactional;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use trendd::identity::{identify, Identity};
use trendd::model::Entry;
use trendd::sources::{self, Body};
use trendd::store::Store;

struct Body1 {
    name: String,
    kind: &'static str,
    entries: Vec<(Entry, Identity)>,
}

fn inputs(shared: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut out: Vec<_> = corpus_files(shared)
        .into_iter()
        .map(|p| ("feed", p))
        .collect();
    out.extend(fixture_files(shared));
    out
}

fn open_bare(dir: &Path) -> (sled::Db, sled::Tree, sled::Tree, sled::Tree) {
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(16 * 1024 * 1024)
        .open()
        .unwrap();
    let (i, a, s) = (
        db.open_tree("items").unwrap(),
        db.open_tree("alias").unwrap(),
        db.open_tree("seen").unwrap(),
    );
    (db, i, a, s)
}

type Tx<T> = Result<T, ConflictableTransactionError<()>>;

/// The reads and writes one upsert does, inside a transaction.
fn replay_tx(
    items: &TransactionalTree,
    alias: &TransactionalTree,
    seen: &TransactionalTree,
    id: &Identity,
    value: &[u8],
    seen_key: &[u8],
) -> Tx<()> {
    let mut found = None;
    for a in &id.aliases {
        if let Some(k) = alias.get(a.as_bytes())? {
            if items.get(&k)?.is_some() {
                found = Some(k);
                break;
            }
        }
    }
    let key = found
        .map(|k| k.to_vec())
        .unwrap_or_else(|| id.key.as_bytes().to_vec());
    for a in &id.aliases {
        if alias.get(a.as_bytes())?.is_none() {
            alias.insert(a.as_bytes(), key.as_slice())?;
        }
    }
    if items.get(&key)?.is_none() {
        seen.insert(seen_key, &[][..])?;
    }
    items.insert(key, value)?;
    Ok(())
}

/// The same reads and writes on the bare trees, no transaction.
fn replay_plain(
    items: &sled::Tree,
    alias: &sled::Tree,
    seen: &sled::Tree,
    id: &Identity,
    value: &[u8],
    seen_key: &[u8],
) {
    let mut found = None;
    for a in &id.aliases {
        if let Some(k) = alias.get(a.as_bytes()).unwrap() {
            if items.get(&k).unwrap().is_some() {
                found = Some(k);
                break;
            }
        }
    }
    let key = found
        .map(|k| k.to_vec())
        .unwrap_or_else(|| id.key.as_bytes().to_vec());
    // Item first, then its index entries: a crash in between leaves an item without an alias (found
    // again by its key on the next fetch), never an alias to nothing.
    let new = items.get(&key).unwrap().is_none();
    items.insert(key.as_slice(), value).unwrap();
    for a in &id.aliases {
        if alias.get(a.as_bytes()).unwrap().is_none() {
            alias.insert(a.as_bytes(), key.as_slice()).unwrap();
        }
    }
    if new {
        seen.insert(seen_key, &[][..]).unwrap();
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Some(shared) = shared_dir() else { return };
    let runs = env_or("BENCH_RUNS", 3usize);
    println!("machine: {}", machine());
    let tmp = tempfile::tempdir().unwrap();
    let files = inputs(&shared);
    let cfg = tmp.path().join("c.toml");
    let list: Vec<(&str, String)> = files
        .iter()
        .map(|(k, p)| (*k, format!("file://{}", p.display())))
        .collect();
    write_config(&cfg, "[general]\ntimezone = \"UTC\"\n", &list);
    let config = trendd::config::load(Some(&cfg)).unwrap().config;
    let mut bodies = Vec::new();
    for (i, s) in config.sources.iter().enumerate() {
        let src = sources::build(s);
        let bytes = std::fs::read(&files[i].1).unwrap();
        let Ok(p) = src.parse(&Body {
            bytes: &bytes,
            content_type: None,
            url: &list[i].1,
        }) else {
            continue;
        };
        let entries = p
            .entries
            .into_iter()
            .filter_map(|e| identify(&e).map(|id| (e, id)))
            .collect();
        bodies.push(Body1 {
            name: src.name().to_string(),
            kind: src.kind(),
            entries,
        });
    }
    let n: usize = bodies.iter().map(|b| b.entries.len()).sum();
    println!(
        "{} bodies, {n} identified entries (corpus well-formed + fixtures)",
        bodies.len()
    );

    let report = |label: &str, cpu: &[f64], wall: &[f64]| {
        let (c, w) = (median(cpu), median(wall));
        println!("  {label:<44} cpu {:>7.1} ms  wall {:>7.1} ms  {:>8.0} entries/s (wall)  {:>6.1} µs/entry", c * 1e3, w * 1e3, n as f64 / w, w * 1e6 / n as f64);
    };

    // Today's path, and the values it stored (replayed below).
    let (mut cpu, mut wall) = (Vec::new(), Vec::new());
    let mut values: HashMap<String, Vec<u8>> = HashMap::new();
    for r in 0..runs {
        let store = Store::open(&tmp.path().join(format!("real{r}"))).unwrap();
        let now = chrono::Utc::now();
        let (c0, w0) = (cpu_time(), Instant::now());
        for b in &bodies {
            for (e, id) in &b.entries {
                store.upsert(&b.name, b.kind, e, id, now).unwrap();
            }
        }
        store.flush().unwrap();
        cpu.push((cpu_time() - c0).as_secs_f64());
        wall.push(w0.elapsed().as_secs_f64());
        if values.is_empty() {
            for it in store.all_items() {
                let it = it.unwrap();
                values.insert(it.key.clone(), rmp_serde::to_vec_named(&it).unwrap());
            }
        }
    }
    println!("load {}", loadavg());
    report("Store::upsert (transaction per entry)", &cpu, &wall);
    let value_of = |id: &Identity| {
        values
            .get(&id.key)
            .cloned()
            .unwrap_or_else(|| vec![0u8; 1500])
    };
    let seen_key = |id: &Identity| {
        let mut k = 1_700_000_000_000u64.to_be_bytes().to_vec();
        k.extend_from_slice(id.key.as_bytes());
        k
    };

    for variant in [
        "replay: transaction per entry",
        "replay: plain tree operations",
        "replay: one transaction per body",
    ] {
        let (mut cpu, mut wall) = (Vec::new(), Vec::new());
        for r in 0..runs {
            let (db, items, alias, seen) = open_bare(
                &tmp.path()
                    .join(format!("{}-{r}", variant.len()))
                    .join(format!("v{r}")),
            );
            let (c0, w0) = (cpu_time(), Instant::now());
            for b in &bodies {
                match variant {
                    "replay: transaction per entry" => {
                        for (_, id) in &b.entries {
                            let (v, s) = (value_of(id), seen_key(id));
                            (&items, &alias, &seen)
                                .transaction(|(i, a, se)| replay_tx(i, a, se, id, &v, &s))
                                .unwrap();
                        }
                    }
                    "replay: plain tree operations" => {
                        for (_, id) in &b.entries {
                            replay_plain(&items, &alias, &seen, id, &value_of(id), &seen_key(id));
                        }
                    }
                    _ => {
                        let prepared: Vec<(&Identity, Vec<u8>, Vec<u8>)> = b
                            .entries
                            .iter()
                            .map(|(_, id)| (id, value_of(id), seen_key(id)))
                            .collect();
                        (&items, &alias, &seen)
                            .transaction(|(i, a, se)| {
                                for (id, v, s) in &prepared {
                                    replay_tx(i, a, se, id, v, s)?;
                                }
                                Ok(())
                            })
                            .unwrap();
                    }
                }
            }
            db.flush().unwrap();
            cpu.push((cpu_time() - c0).as_secs_f64());
            wall.push(w0.elapsed().as_secs_f64());
        }
        report(variant, &cpu, &wall);
    }
    println!("load {}", loadavg());
}
