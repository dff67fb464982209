//! A real sled store, written with the sled crate in the layout the previous trendd wrote (schema 1
//! and 2), migrated into SQLite.

use super::codec::enc;
use super::*;
use crate::identity::identify;
use crate::model::{Entry, Signals, Summary};
use chrono::{NaiveDate, TimeZone};

const OLD_HEALTH_KEY: &[u8] = b"\0all";

fn entry(i: usize) -> Entry {
    Entry {
        title: format!("Sparse attention for long documents, part {i}"),
        arxiv_id: Some(format!("2603.{:05}v2", i)),
        url: Some(format!("https://arxiv.org/abs/2603.{:05}", i)),
        abstract_text: format!("We propose method {i}. ").repeat(12),
        authors: vec!["A. Author".into()],
        signals: Signals {
            upvotes: Some(i as u32),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn item(i: usize) -> (Item, Vec<String>) {
    let e = entry(i);
    let id = identify(&e).unwrap();
    let t =
        Utc.with_ymd_and_hms(2026, 3, 1, 6, 0, 0).unwrap() + chrono::Duration::minutes(i as i64);
    let it = Item {
        key: id.key.clone(),
        kind: crate::model::ItemKind::Paper,
        title: e.title.clone(),
        url: e.url.clone(),
        arxiv_id: id.arxiv_id.clone(),
        doi: None,
        authors: e.authors.clone(),
        abstract_text: e.abstract_text.clone(),
        published: Some(t),
        categories: vec!["cs.LG".into()],
        sources: vec![crate::model::SourceHit {
            name: "arxiv".into(),
            kind: "arxiv".into(),
            url: e.url.clone(),
            signals: e.signals.clone(),
            first_seen: t,
            last_seen: t,
        }],
        first_seen: t,
        updated: t,
        summary: (i % 2 == 0).then(|| Summary {
            text: format!("TL;DR {i}"),
            by: "extractive".into(),
        }),
    };
    (it, id.aliases)
}

fn digest_rec() -> DigestRecord {
    let mut channels = std::collections::BTreeMap::new();
    channels.insert(
        "email/reader@example.org".to_string(),
        ChannelState {
            state: DeliveryState::Sent,
            attempts: 1,
            updated: Utc.with_ymd_and_hms(2026, 3, 2, 7, 30, 0).unwrap(),
            receipt: Some("250 ok".into()),
            last_error: None,
        },
    );
    DigestRecord {
        date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        composed_at: Utc.with_ymd_and_hms(2026, 3, 2, 7, 29, 0).unwrap(),
        digest_json: "{\"date\":\"2026-03-02\",\"sections\":[]}".into(),
        keys: vec![item(0).0.key],
        channels,
    }
}

fn health_ok() -> SourceStatus {
    SourceStatus {
        kind: "arxiv".into(),
        last_success: Some(Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap()),
        ..Default::default()
    }
}

/// Writes a store as the sled-based trendd did, with `n` items.
fn write_sled_store(state: &Path, n: usize, schema: u32) {
    let db = sled::open(state.join("store")).unwrap();
    let tree = |name: &str| db.open_tree(name).unwrap();
    tree("meta")
        .insert("schema", &schema.to_be_bytes())
        .unwrap();
    let (items, alias, seen) = (tree("items"), tree("alias"), tree("seen"));
    for i in 0..n {
        let (it, aliases) = item(i);
        let mut sk = (it.first_seen.timestamp_millis() as u64)
            .to_be_bytes()
            .to_vec();
        sk.extend_from_slice(it.key.as_bytes());
        seen.insert(sk, &[]).unwrap();
        items.insert(it.key.as_bytes(), enc(&it)).unwrap();
        for a in aliases {
            alias.insert(a.as_bytes(), it.key.as_bytes()).unwrap();
        }
    }
    let http = HttpState {
        validators: crate::http::Validators {
            etag: Some("\"abc\"".into()),
            last_modified: Some("Mon, 02 Mar 2026 06:00:00 GMT".into()),
        },
        last_status: Some(200),
        last_fetch: Some(Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap()),
    };
    tree("http")
        .insert("https://export.arxiv.org/rss/cs.LG", enc(&http))
        .unwrap();
    let failing = SourceStatus {
        kind: "feed".into(),
        last_error: Some("HTTP 404".into()),
        ..Default::default()
    };
    if schema == 1 {
        tree("sources").insert("arxiv", enc(&health_ok())).unwrap();
        tree("sources").insert("old-blog", enc(&failing)).unwrap();
    } else {
        let mut all = Health::default();
        all.insert("arxiv".into(), health_ok());
        all.insert("old-blog".into(), failing);
        tree("sources").insert(OLD_HEALTH_KEY, enc(&all)).unwrap();
    }
    let rec = digest_rec();
    tree("digests").insert("2026-03-02", enc(&rec)).unwrap();
    for k in &rec.keys {
        tree("sent").insert(k.as_bytes(), b"2026-03-02").unwrap();
    }
    tree("kv_feedback")
        .insert("default\0k1", enc(&1i32))
        .unwrap();
    tree("kv_local").insert("secret", enc(&"s3cr3t")).unwrap();
    db.flush().unwrap();
}

fn assert_everything_migrated(s: &Store, n: usize) {
    assert_eq!(s.item_count(), n);
    let got: Vec<Item> = s.all_items().collect::<Result<_>>().unwrap();
    assert_eq!(got.len(), n);
    for i in 0..n {
        let (want, _) = item(i);
        assert_eq!(s.item(&want.key).unwrap().as_ref(), Some(&want), "item {i}");
    }
    // The aliases came along: the paper seen again under its title only is merged, not new.
    let mut e = entry(1);
    e.arxiv_id = None;
    e.url = None;
    assert_eq!(
        s.upsert("blog", "feed", &e, &identify(&e).unwrap(), Utc::now())
            .unwrap(),
        Upsert::Merged
    );
    assert_eq!(s.item_count(), n);
    let http = s
        .http_state("https://export.arxiv.org/rss/cs.LG")
        .unwrap()
        .unwrap();
    assert_eq!(http.validators.etag.as_deref(), Some("\"abc\""));
    let health = s.source_statuses().unwrap();
    assert_eq!(health.len(), 2);
    assert_eq!(health["arxiv"], health_ok());
    assert_eq!(health["old-blog"].last_error.as_deref(), Some("HTTP 404"));
    assert_eq!(s.digest(digest_rec().date).unwrap(), Some(digest_rec()));
    assert_eq!(
        s.sent_on(&item(0).0.key).unwrap().as_deref(),
        Some("2026-03-02")
    );
    assert_eq!(s.sent_on(&item(1).0.key).unwrap(), None);
    assert_eq!(
        s.kv_get::<i32>(Table::Feedback, "default\0k1").unwrap(),
        Some(1)
    );
    assert_eq!(
        s.kv_get::<String>(Table::Local, "secret")
            .unwrap()
            .as_deref(),
        Some("s3cr3t")
    );
    let since = Utc.with_ymd_and_hms(2026, 3, 1, 6, 2, 0).unwrap();
    assert_eq!(
        s.items_seen_since(since).unwrap().len(),
        n.saturating_sub(2)
    );
    assert_eq!(s.search_items("sparse attention", n + 1).unwrap().len(), n);
}

#[test]
fn a_schema_2_sled_store_is_migrated_losing_nothing_and_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    write_sled_store(dir.path(), 40, 2);
    let s = open_when_released(dir.path());
    assert_everything_migrated(&s, 40);
    assert!(
        !dir.path().join("store").exists(),
        "the old folder is set aside"
    );
    assert!(dir.path().join("store.sled-migrated").join("conf").exists());
    drop(s);
    // Opened again: nothing is migrated twice.
    let s = open_when_released(dir.path());
    assert_eq!(s.item_count(), 40);
    assert!(s.check().problems.is_empty(), "{:?}", s.check().problems);
}

#[test]
fn a_schema_1_sled_store_keeps_its_per_source_health() {
    let dir = tempfile::tempdir().unwrap();
    write_sled_store(dir.path(), 3, 1);
    let s = open_when_released(dir.path());
    assert_everything_migrated(&s, 3);
}

#[test]
fn a_half_made_migration_is_thrown_away_and_done_again() {
    let dir = tempfile::tempdir().unwrap();
    write_sled_store(dir.path(), 5, 2);
    // What a kill leaves: a partial scratch file beside the intact old store.
    std::fs::write(
        dir.path().join("store.db.migrating"),
        b"SQLite format 3\0partial",
    )
    .unwrap();
    let s = open_when_released(dir.path());
    assert_everything_migrated(&s, 5);
    assert!(!dir.path().join("store.db.migrating").exists());
}

#[test]
fn a_kill_at_any_moment_of_the_migration_loses_nothing() {
    let template = tempfile::tempdir().unwrap();
    let n = 3000;
    write_sled_store(template.path(), n, 2);
    let exe = std::env::current_exe().unwrap();
    let mut outcomes = std::collections::BTreeSet::new();
    for delay_ms in [0u64, 30, 100, 250, 500, 1000, 2500] {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("cp")
            .arg("-r")
            .arg(template.path().join("store"))
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success());
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "store::migrate_tests::migrate_in_child",
                "--nocapture",
            ])
            .env("TRENDD_TEST_STORE", dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        // SAFETY: kill(2) on the pid of a child this test spawned.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGKILL);
        }
        let _ = child.wait();
        // Either the old store is whole (migration to be redone) or the new one is complete.
        let db_done = dir.path().join("store.db").exists();
        assert!(db_done || dir.path().join("store").join("conf").exists());
        outcomes.insert(db_done);
        let s = open_when_released(dir.path());
        assert_everything_migrated(&s, n);
    }
    eprintln!("kill outcomes seen (db complete?): {outcomes:?}");
}

#[test]
fn migrate_in_child() {
    if let Ok(p) = std::env::var("TRENDD_TEST_STORE") {
        let _ = Store::open(Path::new(&p));
    }
}

/// sled lets go of its file lock from a background thread, a moment after the last handle drops
/// (a test writes the old store in the same process that migrates it).
fn open_when_released(dir: &Path) -> Store {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match Store::open(dir) {
            Ok(s) => return s,
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            Err(e) => panic!("opening the store: {e}"),
        }
    }
}
