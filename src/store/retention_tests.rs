//! Retention on a real store: what goes, what stays, and a kill in the middle.

use super::*;
use crate::identity::identify;
use crate::model::Entry;
use chrono::{Duration, NaiveDate};

fn paper(i: usize, published: DateTime<Utc>) -> Entry {
    Entry {
        title: format!("Retention paper number {i} about graphs"),
        arxiv_id: Some(format!("2501.{i:05}")),
        abstract_text: "We propose a retention study of graphs. ".repeat(8),
        published: Some(published),
        ..Default::default()
    }
}

/// `n` papers first seen and published `age` days before `now`.
fn fill(s: &Store, from: usize, n: usize, age: i64, now: DateTime<Utc>) -> Vec<String> {
    let t = now - Duration::days(age);
    let list: Vec<(Entry, crate::identity::Identity)> = (from..from + n)
        .map(|i| {
            let e = paper(i, t);
            let id = identify(&e).unwrap();
            (e, id)
        })
        .collect();
    let refs: Vec<(&Entry, crate::identity::Identity)> =
        list.iter().map(|(e, id)| (e, id.clone())).collect();
    s.upsert_many("arxiv", "arxiv", &refs, t).unwrap();
    list.into_iter().map(|(_, id)| id.key).collect()
}

fn digest_of(keys: &[String]) -> DigestRecord {
    DigestRecord {
        date: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        composed_at: Utc::now(),
        digest_json: "{}".into(),
        keys: keys.to_vec(),
        channels: Default::default(),
    }
}

#[test]
fn prune_removes_only_old_undigested_unrated_items_with_their_aliases_and_words() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let now = Utc::now();
    let old = fill(&s, 0, 50, 400, now);
    let young = fill(&s, 50, 20, 10, now);
    s.put_digest_and_mark_sent(&digest_of(&old[..5])).unwrap();
    s.kv_put(Table::Feedback, &format!("default\0{}", old[5]), &1i32)
        .unwrap();
    s.kv_put(Table::Library, "default\0x", &"entry").unwrap();
    let health = SourceStatus {
        kind: "arxiv".into(),
        ..Default::default()
    };
    s.put_source_status("arxiv", &health).unwrap();
    // Seen long ago but published recently (or the other way round) is not old by both dates.
    let mut late = paper(900, now - Duration::days(3));
    late.title = "Recently published, seen long ago".into();
    s.upsert(
        "arxiv",
        "arxiv",
        &late,
        &identify(&late).unwrap(),
        now - Duration::days(400),
    )
    .unwrap();

    let rep = s.prune(180, now).unwrap();
    assert_eq!(rep.pruned, 44, "{rep:?}");
    assert_eq!(s.item_count(), 5 + 1 + 20 + 1);
    assert_eq!(rep.kept, s.item_count());
    assert!(rep.aliases >= 44);
    for k in &old[..6] {
        assert!(
            s.item(k).unwrap().is_some(),
            "digested or rated {k} is kept"
        );
    }
    for k in &old[6..] {
        assert!(s.item(k).unwrap().is_none(), "{k} was pruned");
    }
    for k in &young {
        assert!(s.item(k).unwrap().is_some());
    }
    assert_eq!(super::retention::dangling_aliases(&s), 0);
    // Search no longer finds what went; the kept ones still are.
    assert_eq!(s.search_items("retention graphs", 1000).unwrap().len(), 27);
    assert!(s.digest(digest_of(&[]).date).unwrap().is_some());
    assert_eq!(s.kv_scan::<String>(Table::Library, "").unwrap().len(), 1);
    assert_eq!(s.source_statuses().unwrap()["arxiv"], health);
    // A pruned paper fetched again is simply new again.
    let e = paper(10, now);
    assert_eq!(
        s.upsert("arxiv", "arxiv", &e, &identify(&e).unwrap(), now)
            .unwrap(),
        Upsert::New
    );
    assert!(s.check().problems.is_empty(), "{:?}", s.check().problems);
    assert_eq!(
        s.prune(180, now).unwrap().pruned,
        0,
        "a second pass finds nothing"
    );
}

#[test]
fn compact_gives_the_space_back() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let now = Utc::now();
    for day in 0..20 {
        fill(&s, day * 100, 100, 300 + day as i64, now);
    }
    let keep = fill(&s, 5000, 10, 1, now);
    s.flush().unwrap();
    let rep = s.compact(180, now).unwrap();
    assert_eq!(rep.pruned, 2000);
    assert_eq!(s.item_count(), 10);
    assert!(
        rep.bytes_after * 5 < rep.bytes_before,
        "{} -> {} bytes",
        rep.bytes_before,
        rep.bytes_after
    );
    for k in &keep {
        assert!(s.item(k).unwrap().is_some());
    }
    assert!(s.check().problems.is_empty());
}

#[test]
fn a_kill_during_a_prune_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    {
        let s = Store::open(dir.path()).unwrap();
        for day in 0..30 {
            fill(&s, day * 200, 200, 200 + day as i64, now);
        }
        fill(&s, 9000, 7, 1, now);
        s.flush().unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let mut child = std::process::Command::new(exe)
        .args([
            "--exact",
            "store::retention_tests::prune_in_child",
            "--nocapture",
        ])
        .env("TRENDD_TEST_STORE", dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(60));
    // SAFETY: kill(2) on the pid of a child this test spawned.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGKILL);
    }
    let _ = child.wait();
    let s = Store::open(dir.path()).unwrap();
    let n = s.item_count();
    assert!(n == 6007 || n == 7, "all or nothing, found {n}");
    let counted = s.all_items().count();
    assert_eq!(counted, n, "the counter agrees with the table");
    assert!(s.check().problems.is_empty(), "{:?}", s.check().problems);
    assert_eq!(s.prune(180, now).unwrap().kept, 7);
}

#[test]
fn prune_in_child() {
    if let Ok(p) = std::env::var("TRENDD_TEST_STORE") {
        let s = Store::open(std::path::Path::new(&p)).unwrap();
        s.prune(180, Utc::now()).unwrap();
    }
}
