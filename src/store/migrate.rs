//! Moving a store made by an older trendd (sled, in the `store/` folder, schema 1 or 2) into the
//! SQLite database, once, at the first open.
//!
//! Atomic by construction: everything is written into `store.db.migrating`, which becomes
//! `store.db` by one rename only when complete and on disk; the sled folder is then renamed to
//! `store.sled-migrated` (kept, never read again). A kill at any point leaves either the old store
//! alone (the half-made file is removed and the migration redone) or the complete new one (the
//! old folder is set aside at the next open).

use super::codec::{dec, pack, pack_encoded};
use super::{schema, DigestRecord, Health, HttpState, SourceStatus};
use crate::error::{Error, Result};
use crate::model::Item;
use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};

/// The folder an older trendd kept its sled store in, and where it goes once migrated.
const SLED_DIR: &str = "store";
const SLED_KEPT: &str = "store.sled-migrated";
/// The one health record of a schema-2 sled store.
const SLED_HEALTH_KEY: &[u8] = b"\0all";

pub(super) fn from_sled_if_present(state_dir: &Path, db: &Path) -> Result<()> {
    let sled_dir = state_dir.join(SLED_DIR);
    if !sled_dir.join("conf").exists() && !sled_dir.join("db").exists() {
        return Ok(());
    }
    // One process migrates; another that opens meanwhile waits here, then finds it done.
    let _lock = FileLock::take(&state_dir.join("store.db.lock"))?;
    if !sled_dir.exists() {
        return Ok(());
    }
    if !db.exists() {
        let tmp = sibling(db, ".migrating");
        remove_db_files(&tmp)?;
        let counts = copy(&sled_dir, &tmp)?;
        sync_file(&tmp)?;
        std::fs::rename(&tmp, db)
            .map_err(|e| Error::io(format!("renaming {} to {}", tmp.display(), db.display()), e))?;
        sync_dir(state_dir)?;
        tracing::info!(
            "migrated the sled store in {} to {}: {counts}",
            sled_dir.display(),
            db.display()
        );
    }
    let kept = state_dir.join(SLED_KEPT);
    let kept = if kept.exists() {
        state_dir.join(format!(
            "{SLED_KEPT}.{}",
            chrono::Utc::now().format("%Y%m%d%H%M%S")
        ))
    } else {
        kept
    };
    std::fs::rename(&sled_dir, &kept)
        .map_err(|e| Error::io(format!("setting {} aside", sled_dir.display()), e))?;
    sync_dir(state_dir)
}

/// Copies every tree of the sled store into a new database at `to`; returns what it copied.
fn copy(sled_dir: &Path, to: &Path) -> Result<String> {
    let serr = |e: sled::Error| Error::Store {
        path: sled_dir.to_path_buf(),
        message: format!("reading the old sled store: {e}"),
    };
    let old = sled::Config::new()
        .path(sled_dir)
        .cache_capacity(4 << 20)
        .open()
        .map_err(|e| match e.to_string() {
            m if m.contains("lock") || m.contains("WouldBlock") || m.contains("unavailable") => {
                Error::Store {
                    path: sled_dir.to_path_buf(),
                    message: "the old sled store is in use by an older trendd process; stop it, then run this trendd to migrate the store".into(),
                }
            }
            _ => serr(e),
        })?;
    let derr = |what: &str, k: &[u8], e: String| Error::Store {
        path: sled_dir.to_path_buf(),
        message: format!(
            "the old sled store's {what} {:?} does not decode ({e}); nothing was migrated",
            String::from_utf8_lossy(k)
        ),
    };
    let qerr = |e: rusqlite::Error| Error::Store {
        path: to.to_path_buf(),
        message: format!("writing the migrated store: {e}"),
    };
    let mut conn = Connection::open(to).map_err(qerr)?;
    // Nothing reads this file until it is complete, and an interrupted one is thrown away.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .map_err(qerr)?;
    conn.execute_batch(schema::TABLES).map_err(qerr)?;
    let tx = conn.transaction().map_err(qerr)?;
    let mut n = Counts::default();
    {
        let tree = |name: &str| old.open_tree(name).map_err(serr);
        let mut ins_item = tx
            .prepare("INSERT INTO items (key, first_seen, day, body) VALUES (?1, ?2, ?3, ?4)")
            .map_err(qerr)?;
        let mut ins_fts = tx
            .prepare("INSERT INTO items_fts (rowid, title, abstract) VALUES (?1, ?2, ?3)")
            .map_err(qerr)?;
        for kv in tree("items")?.iter() {
            let (k, v) = kv.map_err(serr)?;
            let it: Item = dec(&v).map_err(|e| derr("item", &k, e))?;
            ins_item
                .execute(params![
                    it.key,
                    it.first_seen.timestamp_millis(),
                    it.date().timestamp_millis(),
                    pack(&it)
                ])
                .map_err(qerr)?;
            ins_fts
                .execute(params![tx.last_insert_rowid(), it.title, it.abstract_text])
                .map_err(qerr)?;
            n.items += 1;
        }
        // sled's aliases lead to item keys; here they lead to row ids.
        let mut ins_alias = tx
            .prepare(
                "INSERT OR IGNORE INTO alias (alias, item) SELECT ?1, id FROM items WHERE key = ?2",
            )
            .map_err(qerr)?;
        for kv in tree("alias")?.iter() {
            let (k, v) = kv.map_err(serr)?;
            let (a, key) = (String::from_utf8_lossy(&k), String::from_utf8_lossy(&v));
            n.aliases += ins_alias.execute(params![a, key]).map_err(qerr)?;
        }
        let plain = |tree_name: &str, sql: &str, count: &mut usize| -> Result<()> {
            let mut st = tx.prepare(sql).map_err(qerr)?;
            for kv in tree(tree_name)?.iter() {
                let (k, v) = kv.map_err(serr)?;
                st.execute(params![String::from_utf8_lossy(&k), v.to_vec()])
                    .map_err(qerr)?;
                *count += 1;
            }
            Ok(())
        };
        // `sent` values are dates as text; http, digests and kv values are re-packed below.
        plain(
            "sent",
            "INSERT INTO sent (key, date) VALUES (?1, CAST(?2 AS TEXT))",
            &mut n.sent,
        )?;
        // Values are the same MessagePack records as before, only wrapped in the new format; the
        // ones whose type the store knows are decoded first, so a damaged one stops the migration.
        let repack = |tree_name: &str,
                      sql: &str,
                      tbl: Option<&str>,
                      valid: &dyn Fn(&[u8]) -> std::result::Result<(), String>|
         -> Result<usize> {
            let mut st = tx.prepare(sql).map_err(qerr)?;
            let mut count = 0;
            for kv in tree(tree_name)?.iter() {
                let (k, v) = kv.map_err(serr)?;
                valid(&v).map_err(|e| derr(tree_name, &k, e))?;
                let key = String::from_utf8_lossy(&k).into_owned();
                match tbl {
                    Some(t) => st.execute(params![t, key, pack_encoded(&v)]),
                    None => st.execute(params![key, pack_encoded(&v)]),
                }
                .map_err(qerr)?;
                count += 1;
            }
            Ok(count)
        };
        n.http = repack(
            "http",
            "INSERT INTO http (url, body) VALUES (?1, ?2)",
            None,
            &|v| dec::<HttpState>(v).map(drop),
        )?;
        n.digests = repack(
            "digests",
            "INSERT INTO digests (date, body) VALUES (?1, ?2)",
            None,
            &|v| dec::<DigestRecord>(v).map(drop),
        )?;
        for name in old.tree_names() {
            let name = String::from_utf8_lossy(&name).into_owned();
            if name.starts_with("kv_") {
                n.kv += repack(
                    &name,
                    "INSERT INTO kv (tbl, key, body) VALUES (?1, ?2, ?3)",
                    Some(name.as_str()),
                    &|_| Ok(()),
                )?;
            }
        }
        // Health: one record (schema 2) and/or one key per source (schema 1); a per-source record
        // is folded into the one record, as the sled store's own schema-2 migration did.
        let mut health = Health::default();
        let sources = tree("sources")?;
        if let Some(v) = sources.get(SLED_HEALTH_KEY).map_err(serr)? {
            health = dec(&v).map_err(|e| derr("source health", SLED_HEALTH_KEY, e))?;
        }
        for kv in sources.iter() {
            let (k, v) = kv.map_err(serr)?;
            if &*k != SLED_HEALTH_KEY {
                let st: SourceStatus = dec(&v).map_err(|e| derr("source health", &k, e))?;
                health.insert(String::from_utf8_lossy(&k).into_owned(), st);
            }
        }
        n.sources = health.len();
        tx.execute(
            "INSERT INTO meta (name, body) VALUES ('health', ?1)",
            [pack(&health)],
        )
        .map_err(qerr)?;
    }
    tx.pragma_update(None, "user_version", schema::SCHEMA_VERSION)
        .map_err(qerr)?;
    tx.commit().map_err(qerr)?;
    // The new file is a WAL database like any other store from here on.
    conn.execute_batch("PRAGMA journal_mode = WAL;")
        .map_err(qerr)?;
    drop(conn);
    Ok(n.to_string())
}

#[derive(Default)]
struct Counts {
    items: usize,
    aliases: usize,
    sent: usize,
    http: usize,
    digests: usize,
    kv: usize,
    sources: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} items, {} aliases, {} sent keys, {} HTTP validators, {} digests, {} keyed records, {} sources' health",
            self.items, self.aliases, self.sent, self.http, self.digests, self.kv, self.sources
        )
    }
}

fn sibling(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

pub(super) fn remove_db_files(db: &Path) -> Result<()> {
    for p in [
        db.to_path_buf(),
        sibling(db, "-wal"),
        sibling(db, "-shm"),
        sibling(db, "-journal"),
    ] {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("removing {}", p.display()), e)),
        }
    }
    Ok(())
}

pub(super) fn sync_file(p: &Path) -> Result<()> {
    std::fs::File::open(p)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(format!("syncing {}", p.display()), e))
}

pub(super) fn sync_dir(p: &Path) -> Result<()> {
    sync_file(p)
}

/// An exclusive advisory lock on a file, released when dropped.
pub(super) struct FileLock(std::fs::File);

impl FileLock {
    pub(super) fn take(p: &Path) -> Result<FileLock> {
        use std::os::fd::AsRawFd;
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(p)
            .map_err(|e| Error::io(format!("opening {}", p.display()), e))?;
        // SAFETY: flock on a descriptor this function owns; no memory is involved.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(Error::io(
                format!("locking {}", p.display()),
                std::io::Error::last_os_error(),
            ));
        }
        Ok(FileLock(f))
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: as above.
        unsafe {
            libc::flock(self.0.as_raw_fd(), libc::LOCK_UN);
        }
    }
}
