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

/// The tables of a new store. `build.rs` runs them once at build time into the image of an empty
/// store (`EMPTY_STORE`), which `create` writes out.
pub(crate) const TABLES: &str = include_str!("schema.sql");

/// An empty store made at build time by running `TABLES` (see `build.rs`), journal mode WAL,
/// `user_version` still 0. Writing it out skips parsing the schema's SQL: that was half the
/// instructions of a command that makes a store, such as the first `fetch` in a new directory.
const EMPTY_STORE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/empty-store.db"));

/// Where SQLite keeps `PRAGMA user_version` in a database file's header (4 bytes, big-endian).
const USER_VERSION_AT: usize = 60;

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

/// Makes a new, empty store at `path`, complete or not at all: the build-time image written to a
/// scratch file, unsynced, and renamed into place (every first command makes one; the eight syncs
/// SQLite spends on a new WAL database, and parsing the schema, were most of a short command's time).
pub(crate) fn create(path: &Path) -> Result<(), String> {
    configure_library();
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".new-{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    let mut image = EMPTY_STORE.to_vec();
    image[USER_VERSION_AT..USER_VERSION_AT + 4]
        .copy_from_slice(&(SCHEMA_VERSION as u32).to_be_bytes());
    std::fs::write(&tmp, &image).map_err(|e| format!("writing {}: {e}", tmp.display()))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_of(conn: &Connection) -> Vec<(String, String, Option<String>)> {
        let mut st = conn
            .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name")
            .unwrap();
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)));
        rows.unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn a_new_store_is_what_the_schema_sql_makes() {
        let dir = tempfile::tempdir().unwrap();
        let made = dir.path().join("store.db");
        create(&made).unwrap();
        let by_sql = Connection::open(dir.path().join("by-sql.db")).unwrap();
        by_sql.execute_batch(TABLES).unwrap();
        let conn = connect(&made).unwrap();
        assert_eq!(schema_of(&conn), schema_of(&by_sql));
        let pragma = |name: &str| -> String {
            conn.query_row(&format!("PRAGMA {name}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| format!("{v:?}"))
            .unwrap()
        };
        assert_eq!(pragma("user_version"), format!("Integer({SCHEMA_VERSION})"));
        assert_eq!(pragma("journal_mode"), "Text(\"wal\")");
        assert_eq!(pragma("integrity_check"), "Text(\"ok\")");
        let items: i64 = conn
            .query_row("SELECT n FROM meta WHERE name = 'items'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(items, 0);
        // Writable, its search index too.
        conn.execute_batch(
            "INSERT INTO items (key, first_seen, day, body) VALUES ('k', 1, 1, x'00');
             INSERT INTO items_fts (rowid, title, abstract) VALUES (1, 'sparse kernels', '');",
        )
        .unwrap();
        let hits: i64 = conn
            .query_row(
                "SELECT count(*) FROM items_fts WHERE items_fts MATCH 'kernels'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hits, 1);
    }
}
