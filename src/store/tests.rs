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
fn a_second_process_writes_beside_the_first_and_each_sees_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    put(
        &s,
        "a",
        &entry("Written by the parent", Some("2604.00010"), None),
    );
    // A real second process, as the daemon and a command are.
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args(["--exact", "store::tests::write_in_child", "--nocapture"])
        .env("TRENDD_TEST_STORE", dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("child saw 1 item, wrote one"), "{text}");
    assert_eq!(s.item_count(), 2);
    let titles: Vec<String> = s.all_items().map(|i| i.unwrap().title).collect();
    assert!(
        titles.contains(&"Written by the child".to_string()),
        "{titles:?}"
    );
}

#[test]
fn write_in_child() {
    if let Ok(p) = std::env::var("TRENDD_TEST_STORE") {
        let s = Store::open(std::path::Path::new(&p)).unwrap();
        let n = s.item_count();
        put(
            &s,
            "b",
            &entry("Written by the child", Some("2604.00011"), None),
        );
        println!("child saw {n} item, wrote one");
    }
}

#[test]
fn counter_follows_inserts_and_summaries_keep_the_item() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    for i in 0..5 {
        put(
            &s,
            "a",
            &entry(
                &format!("Paper number {i} on graphs"),
                Some(&format!("2604.0010{i}")),
                None,
            ),
        );
    }
    assert_eq!(s.item_count(), 5);
    let key = s.all_items().next().unwrap().unwrap().key;
    let sum = crate::model::Summary {
        text: "A TL;DR.".into(),
        by: "extractive".into(),
    };
    s.put_summary(&key, &sum).unwrap();
    assert_eq!(s.item(&key).unwrap().unwrap().summary, Some(sum));
    assert_eq!(s.item_count(), 5);
    drop(s);
    assert_eq!(Store::open(dir.path()).unwrap().item_count(), 5);
}

#[test]
fn search_finds_every_word_title_hits_first_and_follows_merges() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let mut a = entry("Diffusion models for graphs", Some("2604.00201"), None);
    a.abstract_text = "We study sampling.".into();
    let mut b = entry("Sampling methods", Some("2604.00202"), None);
    b.abstract_text = "Diffusion appears once in this graph paper.".into();
    let mut c = entry("Unrelated work", Some("2604.00203"), None);
    c.abstract_text = "Nothing here.".into();
    for e in [&a, &b, &c] {
        put(&s, "x", e);
    }
    let titles = |q: &str| -> Vec<String> {
        s.search_items(q, 10)
            .unwrap()
            .into_iter()
            .map(|i| i.title)
            .collect()
    };
    assert_eq!(
        titles("diffusion graph"),
        vec!["Diffusion models for graphs", "Sampling methods"]
    );
    assert_eq!(
        titles("DIFFUS"),
        titles("diffusion"),
        "a word matches words it begins"
    );
    assert!(titles("diffusion nothing").is_empty());
    assert!(titles("  ").is_empty());
    assert_eq!(s.search_items("diffusion", 1).unwrap().len(), 1);
    // A longer abstract merged later is what search reads.
    c.abstract_text = "Nothing here, but a much longer abstract about transformers.".into();
    put(&s, "y", &c);
    assert_eq!(titles("transformers"), vec!["Unrelated work"]);
    assert!(
        titles("\"quoted\" AND OR NEAR(").is_empty(),
        "query syntax is not interpreted"
    );
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
fn health_updates_in_any_order_merge_by_name_and_the_last_word_wins() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let st = |kind: &str| SourceStatus {
        kind: kind.into(),
        ..Default::default()
    };
    let (a, c, e) = (st("a"), st("c"), st("e"));
    s.put_source_statuses([("e", &e), ("a", &a), ("c", &c)])
        .unwrap();
    let (b, c2, c3, f) = (st("b"), st("c2"), st("c3"), st("f"));
    s.put_source_statuses([("f", &f), ("c", &c2), ("b", &b), ("c", &c3)])
        .unwrap();
    let all = s.source_statuses().unwrap();
    let got: Vec<(&str, &str)> = all
        .iter()
        .map(|(k, v)| (k.as_str(), v.kind.as_str()))
        .collect();
    assert_eq!(
        got,
        [("a", "a"), ("b", "b"), ("c", "c3"), ("e", "e"), ("f", "f")]
    );
}

#[test]
fn health_stored_by_field_name_is_still_read_and_is_rewritten_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let at = DateTime::from_timestamp_millis(1_700_000_000_123);
    let blog = SourceStatus {
        kind: "feed".into(),
        last_attempt: at,
        failing_since: at,
        last_error: Some("HTTP 500".into()),
        note: Some("2 entries without a date".into()),
        last_counts: FetchCounts {
            new: 3,
            errors: 1,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut old = Health::new();
    old.insert("blog".into(), blog.clone());
    // The form every store written before this one holds.
    s.write(|tx| put_meta(&s, tx, HEALTH, &old)).unwrap();
    assert_eq!(s.source_statuses().unwrap(), old);
    let quiet = SourceStatus {
        kind: "arxiv".into(),
        last_success: at,
        ..Default::default()
    };
    s.put_source_status("arxiv", &quiet).unwrap();
    let all = s.source_statuses().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all["blog"], blog);
    assert_eq!(all["arxiv"], quiet);
}

#[test]
fn older_schemas_open_as_they_are_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let version = |s: &Store| -> i64 {
        s.db()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    {
        let s = Store::open(dir.path()).unwrap();
        put(&s, "a", &entry("A kept paper", Some("2604.00001"), None));
    }
    for old in [3, 4] {
        let s = Store::open(dir.path()).unwrap();
        s.db().pragma_update(None, "user_version", old).unwrap();
        s.flush().unwrap();
        drop(s);
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(version(&s), SCHEMA_VERSION, "a schema {old} store");
        assert_eq!(s.item_count(), 1);
    }
    let s = Store::open(dir.path()).unwrap();
    s.db()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(s);
    let e = Store::open(dir.path())
        .err()
        .expect("a newer schema is refused");
    assert!(e.to_string().contains("upgrade trendd"), "{e}");
}
