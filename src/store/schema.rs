//! The SQLite database: how a connection is set up and the tables it holds.
//!
//! Several processes share the store (the daemon, and any command run beside it): WAL mode lets
//! readers go on while one writer writes, and a busy timeout makes a writer wait for another's
//! transaction instead of failing.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// `PRAGMA user_version` of the database. 3: the first SQLite schema (1 and 2 were sled stores).
/// 4: values may be kept raw with a CRC-32 (`codec`), which a trendd of schema 3 cannot read; a
/// schema 3 store is read as it is and marked 4 when opened. 5: values of 1–64 KiB may be LZ4
/// blocks (`codec`); older stores are read as they are and marked 5.
pub const SCHEMA_VERSION: i64 = 5;

/// How long a writer waits for another process's write transaction. The longest one is
/// `store compact`'s VACUUM of a large store; a fetch holds the lock for at most one batch of
/// responses at a time (`batch`).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// SQLite's page cache per connection, in KiB: the store is read in ranges (a day's window, one
/// item by key), so a small cache costs little and keeps the idle daemon small.
const CACHE_KIB: i64 = 2048;

pub(crate) const TABLES: &str = "
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    first_seen INTEGER NOT NULL,  -- ms since the epoch; the window index
    day INTEGER NOT NULL,         -- the item's own date (published, else first seen), ms
    body BLOB NOT NULL
);
CREATE INDEX items_first_seen ON items(first_seen);
-- identifier (arXiv id, DOI, URL, title fingerprint) -> items.id
CREATE TABLE alias (alias TEXT PRIMARY KEY, item INTEGER NOT NULL) WITHOUT ROWID;
-- item key -> date of the digest that carried it
CREATE TABLE sent (key TEXT PRIMARY KEY, date TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE http (url TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE digests (date TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;
-- keyed records of every store::Table, by Table::name()
CREATE TABLE kv (tbl TEXT NOT NULL, key TEXT NOT NULL, body BLOB NOT NULL, PRIMARY KEY (tbl, key)) WITHOUT ROWID;
-- small records (source health) and counters, so no command counts a table to print a number
CREATE TABLE meta (name TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0, body BLOB) WITHOUT ROWID;
INSERT INTO meta (name, n) VALUES ('items', 0);
CREATE TRIGGER items_counted_in AFTER INSERT ON items BEGIN UPDATE meta SET n = n + 1 WHERE name = 'items'; END;
CREATE TRIGGER items_counted_out AFTER DELETE ON items BEGIN UPDATE meta SET n = n - 1 WHERE name = 'items'; END;
-- words of title and abstract for search_items; the text itself stays in items.body only
CREATE VIRTUAL TABLE items_fts USING fts5(title, abstract, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');
";

/// SQLite's settings for the whole process, made before its first connection (later, SQLite
/// refuses them and keeps its defaults, which are only slower). Its memory statistics, which the
/// store never reads, took a process-wide lock around every allocation SQLite made.
fn configure_library() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `sqlite3_config` before SQLite is initialized, from one thread (`Once`); after
        // initialization it only returns SQLITE_MISUSE.
        unsafe {
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
                0 as std::ffi::c_int,
            );
        }
    });
}

/// Opens a connection with the store's settings (the file must be a store or not exist yet).
pub(crate) fn connect(path: &Path) -> rusqlite::Result<Connection> {
    configure_library();
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Room for every statement the store keeps prepared (rusqlite's default of 16 is fewer, and an
    // evicted statement is parsed again at its next use).
    conn.set_prepared_statement_cache_capacity(64);
    // The last process to close would otherwise checkpoint and delete the WAL (four syncs, most of
    // the cost of a short command); the next writer's automatic checkpoint does it instead.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )?;
    // WAL is kept in the file once set; asking again costs nothing. NORMAL syncs at checkpoints,
    // not at every commit: a power cut may lose the last fetched responses (they are fetched
    // again), never corrupt the file. The delivery ledger is synced at once (`Store::durable`).
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // The WAL is cut back to this size after each checkpoint instead of keeping its peak.
    conn.pragma_update(None, "journal_size_limit", 8 << 20)?;
    Ok(conn)
}

/// Makes a new, empty store at `path`, complete or not at all: built in a scratch file without
/// syncs or journal and renamed into place (every first command makes one; the eight syncs SQLite
/// spends on a new WAL database were most of a short command's time).
pub(crate) fn create(path: &Path) -> Result<(), String> {
    configure_library();
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".new-{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let conn = Connection::open(&tmp).map_err(|e| e.to_string())?;
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .and_then(|()| conn.execute_batch(TABLES))
        .and_then(|()| conn.pragma_update(None, "user_version", SCHEMA_VERSION))
        .and_then(|()| conn.execute_batch("PRAGMA journal_mode = WAL;"))
        .map_err(|e| e.to_string())?;
    drop(conn);
    // A WAL left by a store that is gone would be read as this new store's (its frames carry no
    // tie to the file): remove it first.
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
    // Not synced here: `Store::flush` syncs the new file before any command reports success.
    std::fs::rename(&tmp, path).map_err(|e| format!("creating {}: {e}", path.display()))
}

/// Creates the tables in a new database; refuses a newer schema than this build knows.
pub(crate) fn ensure(conn: &mut Connection) -> Result<(), String> {
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if v > SCHEMA_VERSION {
        return Err(format!(
            "schema version {v} is newer than this trendd understands ({SCHEMA_VERSION}); upgrade trendd"
        ));
    }
    if v == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| e.to_string())?;
    // Another process may have created it while this one waited for the write lock.
    let v: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if v == 0 {
        tx.execute_batch(TABLES).map_err(|e| e.to_string())?;
    }
    if v == 0 || v == 3 || v == 4 {
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(|e| e.to_string())?;
    }
    tx.commit().map_err(|e| e.to_string())
}
