//! Links the `trendd` binary as a position-dependent executable on Linux. A PIE build of this size
//! carries ~70,000 relative relocations that the loader applies on every start, which is most of the
//! start-up time of a short command such as `trendd fetch` from cron.
//!
//! Also sets `cfg(shared_missing)` when `../shared` (the recorded fixtures beside the checkout) is
//! absent and this is not CI: tests that read it carry
//! `#[cfg_attr(shared_missing, ignore = "needs ../shared …")]`, so `cargo test` counts them as
//! ignored, with the reason, instead of passing them silently. Under `CI=true` they always run and
//! fail loudly when `../shared` is missing.
//!
//! It makes the image of an empty store (`src/store/schema.sql` run by the same bundled SQLite, in
//! WAL mode), which `store::schema::create` writes out instead of running the schema's SQL in every
//! new state directory.
//!
//! And it stamps the build time (`SOURCE_DATE_EPOCH` when set, for reproducible builds): a system
//! clock before it is certainly wrong, and trendd says so instead of dating items in 1970.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo::rustc-check-cfg=cfg(shared_missing)");
    println!("cargo:rerun-if-env-changed=CI");
    // A missing path counts as changed on every build, so the cfg follows ../shared appearing.
    println!("cargo:rerun-if-changed=../shared/fixtures");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let present = std::path::Path::new(&manifest)
        .join("../shared/fixtures")
        .is_dir();
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if !present && !ci {
        println!("cargo:rustc-cfg=shared_missing");
    }
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    println!("cargo:rustc-env=TRENDD_BUILD_EPOCH={secs}");
    empty_store();
}

/// `$OUT_DIR/empty-store.db`: the schema's SQL run in a new database, then WAL mode set.
fn empty_store() {
    println!("cargo:rerun-if-changed=src/store/schema.sql");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let path = out.join("empty-store.db");
    let _ = std::fs::remove_file(&path);
    let conn = rusqlite::Connection::open(&path).expect("a database in OUT_DIR");
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .and_then(|()| conn.execute_batch(include_str!("src/store/schema.sql")))
        .and_then(|()| conn.execute_batch("PRAGMA journal_mode = WAL;"))
        .expect("src/store/schema.sql runs in a new database");
    drop(conn);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(out.join(format!("empty-store.db{suffix}")));
    }
}
