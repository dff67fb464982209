use super::*;
use crate::identity::identify;
use crate::model::{Entry, Signals};

fn entry(title: &str, arxiv: Option<&str>, url: Option<&str>) -> Entry {
    Entry {
        title: title.into(),
        arxiv_id: arxiv.map(Into::into),
        url: url.map(Into::into),
        abstract_text: "An abstract.".into(),
        ..Default::default()
    }
}

fn put(s: &Store, src: &str, e: &Entry) -> Upsert {
    s.upsert(src, "test", e, &identify(e).unwrap(), Utc::now())
        .unwrap()
}

#[test]
fn one_paper_from_three_sources_is_one_item_with_three_hits() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(
        put(
            &s,
            "arxiv",
            &entry("Paper X about things", Some("2604.00001v1"), None)
        ),
        Upsert::New
    );
    let mut hf = entry(
        "Paper X about things",
        None,
        Some("https://huggingface.co/papers/2604.00001"),
    );
    hf.signals = Signals {
        upvotes: Some(42),
        ..Default::default()
    };
    assert_eq!(put(&s, "hf", &hf), Upsert::Merged);
    assert_eq!(put(&s, "hf", &hf), Upsert::Unchanged);
    // No id at all: the title links it to the paper.
    assert_eq!(
        put(&s, "blog", &entry("Paper X: About Things", None, None)),
        Upsert::Merged
    );
    // A replacement updates, never duplicates.
    assert_eq!(
        put(
            &s,
            "arxiv",
            &entry("Paper X about things", Some("2604.00001v2"), None)
        ),
        Upsert::Merged
    );
    let items: Vec<_> = s.all_items().collect::<Result<_>>().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].sources.len(), 3);
    assert_eq!(items[0].arxiv_id.as_deref(), Some("2604.00001"));
    assert_eq!(items[0].sources[0].signals.version, Some(2));
}

#[test]
fn two_posts_with_one_title_stay_two() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    put(
        &s,
        "a",
        &entry("Weekly notes on things", None, Some("https://a.example/1")),
    );
    assert_eq!(
        put(
            &s,
            "b",
            &entry("Weekly notes on things", None, Some("https://b.example/1"))
        ),
        Upsert::New
    );
}

#[test]
fn a_second_process_gets_a_clear_in_use_error() {
    let dir = tempfile::tempdir().unwrap();
    let _s = Store::open(dir.path()).unwrap();
    // sled's lock is per process; a child process must see it.
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args(["--exact", "store::tests::open_in_child", "--nocapture"])
        .env("TRENDD_TEST_STORE", dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("already in use"), "{text}");
}

#[test]
fn open_in_child() {
    if let Ok(p) = std::env::var("TRENDD_TEST_STORE") {
        match Store::open(std::path::Path::new(&p)) {
            Ok(_) => println!("opened"),
            Err(e) => println!("{e}"),
        }
    }
}

#[test]
fn window_scan_returns_only_recent_items() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let old = Utc::now() - chrono::Duration::days(30);
    let e = entry("Old paper title here", Some("2001.00001"), None);
    s.upsert("a", "t", &e, &identify(&e).unwrap(), old).unwrap();
    put(
        &s,
        "a",
        &entry("New paper title here", Some("2604.00002"), None),
    );
    let recent = s
        .items_seen_since(Utc::now() - chrono::Duration::days(1))
        .unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].arxiv_id.as_deref(), Some("2604.00002"));
}

#[test]
fn health_of_many_sources_is_kept_and_updated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let failing = SourceStatus {
        kind: "feed".into(),
        last_error: Some("HTTP 500".into()),
        ..Default::default()
    };
    let ok = SourceStatus {
        kind: "arxiv".into(),
        ..Default::default()
    };
    s.put_source_statuses([("blog", &failing), ("arxiv", &ok)])
        .unwrap();
    // Updating one source keeps the others.
    s.put_source_status("blog", &ok).unwrap();
    let all = s.source_statuses().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all["blog"], ok);
    assert_eq!(all.get("arxiv"), Some(&ok));
    assert_eq!(all.get("nope"), None);
}

#[test]
fn a_schema_1_store_keeps_its_source_health() {
    let dir = tempfile::tempdir().unwrap();
    let st = SourceStatus {
        kind: "feed".into(),
        last_error: Some("HTTP 404".into()),
        ..Default::default()
    };
    {
        // The layout schema 1 wrote: one key per source.
        let db = sled::open(dir.path().join("store")).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("schema", &1u32.to_be_bytes())
            .unwrap();
        let sources = db.open_tree("sources").unwrap();
        sources.insert("old-blog", enc(&st)).unwrap();
        sources
            .insert("arxiv", enc(&SourceStatus::default()))
            .unwrap();
        db.flush().unwrap();
    }
    let s = open_when_released(dir.path());
    let all = s.source_statuses().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all["old-blog"], st);
    assert_eq!(
        s.sources.len(),
        1,
        "the per-source keys are folded into one record"
    );
    drop(s);
    let s = open_when_released(dir.path());
    assert_eq!(s.source_statuses().unwrap().len(), 2);
}

/// sled lets go of its file lock from a background thread, a moment after the last handle drops.
fn open_when_released(dir: &Path) -> Store {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match Store::open(dir) {
            Ok(s) => return s,
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            Err(e) => panic!("reopening the store: {e}"),
        }
    }
}
