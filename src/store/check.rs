//! A damaged store: found, named, checked, recovered.
//!
//! Damage is found where it is read: SQLite reports a page that does not parse, and every value
//! carries a checksum (`codec`). The first process that meets it leaves a marker beside the
//! database, so every later command fails at once with the same clear error instead of printing
//! half of what it meant to; `store check` reads everything and clears the marker when nothing is
//! wrong, `store recover` copies what is readable into a fresh database.

use super::codec::unpack;
use super::migrate::{remove_db_files, sync_dir, sync_file, FileLock};
use super::{schema, wal_path, Store, DB_FILE};
use crate::error::{Error, Result};
use crate::render::escape::one_line;
use rusqlite::types::Value;
use rusqlite::Connection;
use serde::de::IgnoredAny;
use std::path::{Path, PathBuf};

fn marker_path(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".damaged");
    PathBuf::from(s)
}

/// What a process found when it met damage, if one did.
pub(super) fn damage_marker(db: &Path) -> Option<String> {
    std::fs::read_to_string(marker_path(db))
        .ok()
        .map(|s| format!("{} (found earlier; see `trendd store check`)", one_line(&s)))
}

/// SQLite's integrity check puts a heading and its finding on two lines (`*** in database main ***`
/// then the problem); a command's error, which this becomes, is one.
pub(super) fn mark_damaged(db: &Path, message: &str) {
    let _ = std::fs::write(marker_path(db), format!("{}\n", one_line(message)));
}

pub(super) fn looks_damaged(message: &str) -> bool {
    message.contains("malformed")
        || message.contains("not a database")
        || message.contains("corrupt")
}

/// The tables a check reads and a recovery copies, with their key column and stored-value column.
const TABLES: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "items",
        "id",
        "id, key, first_seen, day, body",
        Some("body"),
    ),
    ("alias", "alias", "alias, item", None),
    ("sent", "key", "key, date", None),
    ("http", "url", "url, body", Some("body")),
    ("digests", "date", "date, body", Some("body")),
    (
        "kv",
        "tbl || char(0) || key",
        "tbl, key, body",
        Some("body"),
    ),
    ("meta", "name", "name, n, body", Some("body")),
];

/// What `store check` found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Rows read per table.
    pub rows: Vec<(String, usize)>,
    /// Everything wrong, one line each; empty when the store is sound.
    pub problems: Vec<String>,
}

/// What `store recover` saved.
#[derive(Debug, Default)]
pub struct RecoverReport {
    /// Rows copied and rows lost per table.
    pub tables: Vec<(String, usize, usize)>,
    /// Where the damaged database was put.
    pub kept_aside: PathBuf,
}

impl Store {
    /// Reads the whole store: SQLite's integrity check, the search index's, and every stored value
    /// decoded. Clears the damage marker when nothing is wrong.
    pub fn check(&self) -> CheckReport {
        let mut rep = CheckReport::default();
        let db = self.db();
        match db.prepare("PRAGMA integrity_check").and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        }) {
            Ok(lines) if lines == ["ok"] => {}
            Ok(lines) => rep.problems.extend(
                lines
                    .into_iter()
                    .map(|l| format!("integrity: {}", one_line(&l))),
            ),
            Err(e) => rep.problems.push(format!("integrity check failed: {e}")),
        }
        if let Err(e) = db.execute(
            "INSERT INTO items_fts (items_fts, rank) VALUES ('integrity-check', 0)",
            [],
        ) {
            rep.problems.push(format!("search index: {e}"));
        }
        for (table, key, cols, body) in TABLES {
            let sql = format!("SELECT {key}, {cols} FROM {table}");
            let mut n = 0;
            let res = db.prepare(&sql).and_then(|mut st| {
                let mut rows = st.query([])?;
                while let Some(r) = rows.next()? {
                    n += 1;
                    if let Some(b) = body {
                        let v: Option<Vec<u8>> = r.get(*b)?;
                        if let Some(v) = v {
                            if let Err(e) = unpack::<IgnoredAny>(&v) {
                                let k: Value = r.get(0)?;
                                rep.problems.push(format!("{table} {}: {e}", show(&k)));
                            }
                        }
                    }
                }
                Ok(())
            });
            if let Err(e) = res {
                rep.problems
                    .push(format!("{table}: reading stopped after {n} rows: {e}"));
            }
            rep.rows.push((table.to_string(), n));
        }
        let counted = rep.rows[0].1 as i64;
        drop(db);
        match self.counter("items") {
            Ok(c) if c == counted || !rep.problems.is_empty() => {}
            Ok(c) => rep
                .problems
                .push(format!("item counter says {c}, the table holds {counted}")),
            Err(e) => rep.problems.push(format!("item counter: {e}")),
        }
        if rep.problems.is_empty() {
            let _ = std::fs::remove_file(marker_path(&self.path));
        } else {
            mark_damaged(&self.path, &rep.problems[0]);
        }
        rep
    }
}

impl Store {
    /// Reads every stored item's value (checksums and all) without keeping it, so a command that
    /// prints them all can fail before printing the first instead of half-way.
    pub fn verify_items(&self) -> Result<()> {
        let db = self.db();
        let mut st = db
            // The order `all_items` reads in, so the index pages it walks are read too.
            .prepare_cached("SELECT key, body FROM items ORDER BY key")
            .map_err(|e| self.sql(e))?;
        let mut rows = st.query([]).map_err(|e| self.sql(e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let body = r.get_ref(1).map_err(|e| self.sql(e))?;
            let ok = body
                .as_blob()
                .map_err(|e| e.to_string())
                .and_then(unpack::<IgnoredAny>);
            if let Err(e) = ok {
                let key: String = r.get(0).unwrap_or_default();
                return Err(self.corrupt(&format!("item {key:?}"), e));
            }
        }
        Ok(())
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::Text(s) => format!("{s:?}"),
        Value::Integer(i) => format!("#{i}"),
        other => format!("{other:?}"),
    }
}

/// Copies what is readable of the store under `state_dir` into a fresh database, which takes the
/// store's place; the damaged file is kept aside. No other trendd process may use the store
/// meanwhile (stop the daemon first).
pub fn recover(state_dir: &Path) -> Result<RecoverReport> {
    let db_path = state_dir.join(DB_FILE);
    if !db_path.exists() {
        return Err(Error::Store {
            path: db_path,
            message: "no store to recover".into(),
        });
    }
    let _lock = FileLock::take(&state_dir.join("store.db.lock"))?;
    let fresh = state_dir.join(format!("{DB_FILE}.recovering"));
    remove_db_files(&fresh)?;
    let qerr = |p: &Path| {
        let p = p.to_path_buf();
        move |e: rusqlite::Error| Error::Store {
            path: p.clone(),
            message: e.to_string(),
        }
    };
    let old = Connection::open(&db_path).map_err(qerr(&db_path))?;
    let _ = old.busy_timeout(schema::BUSY_TIMEOUT);
    let mut new = Connection::open(&fresh).map_err(qerr(&fresh))?;
    new.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .map_err(qerr(&fresh))?;
    new.execute_batch(schema::TABLES).map_err(qerr(&fresh))?;
    let mut rep = RecoverReport::default();
    {
        let tx = new.transaction().map_err(qerr(&fresh))?;
        for (table, key, cols, body) in TABLES {
            let (copied, lost) =
                copy_table(&old, &tx, table, key, cols, *body).map_err(qerr(&fresh))?;
            rep.tables.push((table.to_string(), copied, lost));
        }
        // Aliases of lost items lead nowhere; words are indexed again from the saved items.
        tx.execute_batch(
            "DELETE FROM alias WHERE item NOT IN (SELECT id FROM items);
             UPDATE meta SET n = (SELECT count(*) FROM items) WHERE name = 'items';",
        )
        .map_err(qerr(&fresh))?;
        {
            let mut rd = tx
                .prepare("SELECT id, body FROM items")
                .map_err(qerr(&fresh))?;
            let mut ins = tx
                .prepare("INSERT INTO items_fts (rowid, title, abstract) VALUES (?1, ?2, ?3)")
                .map_err(qerr(&fresh))?;
            let mut rows = rd.query([]).map_err(qerr(&fresh))?;
            while let Some(r) = rows.next().map_err(qerr(&fresh))? {
                let (id, b): (i64, Vec<u8>) = (
                    r.get(0).map_err(qerr(&fresh))?,
                    r.get(1).map_err(qerr(&fresh))?,
                );
                if let Ok(it) = unpack::<crate::model::Item>(&b) {
                    ins.execute(rusqlite::params![id, it.title, it.abstract_text])
                        .map_err(qerr(&fresh))?;
                }
            }
        }
        tx.pragma_update(None, "user_version", schema::SCHEMA_VERSION)
            .map_err(qerr(&fresh))?;
        tx.commit().map_err(qerr(&fresh))?;
    }
    new.execute_batch("PRAGMA journal_mode = WAL;")
        .map_err(qerr(&fresh))?;
    drop(new);
    drop(old);
    sync_file(&fresh)?;
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
    let aside = state_dir.join(format!("{DB_FILE}.damaged-{stamp}"));
    for (from, suffix) in [(db_path.clone(), ""), (wal_path(&db_path), "-wal")] {
        if from.exists() {
            let mut to = aside.as_os_str().to_owned();
            to.push(suffix);
            std::fs::rename(&from, &to)
                .map_err(|e| Error::io(format!("setting {} aside", from.display()), e))?;
        }
    }
    let mut shm = db_path.as_os_str().to_owned();
    shm.push("-shm");
    let _ = std::fs::remove_file(PathBuf::from(shm));
    std::fs::rename(&fresh, &db_path).map_err(|e| {
        Error::io(
            format!("renaming {} to {}", fresh.display(), db_path.display()),
            e,
        )
    })?;
    let _ = std::fs::remove_file(marker_path(&db_path));
    sync_dir(state_dir)?;
    rep.kept_aside = aside;
    Ok(rep)
}

/// Copies the readable rows of one table: forwards in key order until a damaged page stops the
/// scan, then backwards from the end; for `items`, row ids let the scan step over damage. Rows
/// whose value does not decode are left out. Returns (copied, lost).
fn copy_table(
    old: &Connection,
    new: &rusqlite::Transaction<'_>,
    table: &str,
    key: &str,
    cols: &str,
    body: Option<&str>,
) -> rusqlite::Result<(usize, usize)> {
    let ncols = cols.split(',').count();
    let body_at = body.and_then(|b| cols.split(',').position(|c| c.trim() == b));
    let ins_sql = format!(
        "INSERT OR REPLACE INTO {table} ({cols}) VALUES ({})",
        vec!["?"; ncols].join(", ")
    );
    let mut ins = new.prepare(&ins_sql)?;
    let (copied, lost) = (std::cell::Cell::new(0usize), std::cell::Cell::new(0usize));
    let mut put = |vals: Vec<Value>| -> rusqlite::Result<()> {
        if let Some(i) = body_at {
            if let Value::Blob(b) = &vals[i] {
                if unpack::<IgnoredAny>(b).is_err() {
                    lost.set(lost.get() + 1);
                    return Ok(());
                }
            }
        }
        ins.execute(rusqlite::params_from_iter(vals))?;
        copied.set(copied.get() + 1);
        Ok(())
    };
    let page =
        |op: &str, order: &str, from: &Value| -> rusqlite::Result<Vec<(Value, Vec<Value>)>> {
            let sql = format!(
            "SELECT {key}, {cols} FROM {table} WHERE {key} {op} ?1 ORDER BY {key} {order} LIMIT 256"
        );
            let mut st = old.prepare(&sql)?;
            let rows = st.query_map([from], |r| {
                let k: Value = r.get(0)?;
                let vals = (1..=ncols)
                    .map(|i| r.get(i))
                    .collect::<rusqlite::Result<Vec<Value>>>()?;
                Ok((k, vals))
            })?;
            rows.collect()
        };
    let start = if table == "items" {
        Value::Integer(i64::MIN)
    } else {
        Value::Text(String::new())
    };
    let mut cursor = start.clone();
    let mut stopped = false;
    let mut skip: i64 = 1;
    loop {
        match page(">", "ASC", &cursor) {
            Ok(rows) if rows.is_empty() => break,
            Ok(rows) => {
                skip = 1;
                for (k, vals) in rows {
                    cursor = k;
                    put(vals)?;
                }
            }
            Err(_) if table == "items" => {
                // Step over the damaged rows: row ids are dense, so growing steps find the next
                // readable page quickly.
                let Value::Integer(c) = cursor else { break };
                if skip > 1 << 40 {
                    break;
                }
                lost.set(lost.get() + 1);
                cursor = Value::Integer(c.max(0) + skip);
                skip *= 2;
            }
            Err(_) => {
                stopped = true;
                break;
            }
        }
    }
    if stopped {
        // Keys are text here: read from the end back to where the forward scan stopped.
        let mut back = Value::Text("\u{10FFFF}".repeat(4));
        while let Ok(rows) = page("<", "DESC", &back) {
            let mut done = rows.is_empty();
            for (k, vals) in rows {
                if cmp_text(&k, &cursor) {
                    done = true;
                    break;
                }
                back = k;
                put(vals)?;
            }
            if done {
                break;
            }
        }
        lost.set(lost.get() + 1);
    }
    Ok((copied.get(), lost.get()))
}

/// True when `k` is at or before `cursor` (both text keys).
fn cmp_text(k: &Value, cursor: &Value) -> bool {
    match (k, cursor) {
        (Value::Text(a), Value::Text(b)) => a <= b,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_finding_on_several_lines_is_told_on_one() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("store.db");
        super::mark_damaged(
            &db,
            "integrity: *** in database main ***\nMultiple uses for byte 3820 of page 76\n",
        );
        let told = super::damage_marker(&db).unwrap();
        assert_eq!(told.lines().count(), 1, "{told}");
        assert!(
            told.starts_with("integrity: *** in database main *** Multiple uses for byte 3820"),
            "{told}"
        );
    }
}
