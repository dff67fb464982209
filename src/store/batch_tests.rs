use super::*;
use crate::identity::identify;

fn entry(title: &str, url: &str) -> Entry {
    Entry {
        title: title.into(),
        url: Some(url.into()),
        abstract_text: "An abstract.".into(),
        ..Default::default()
    }
}

/// Stores `entries` as one response of source "s", with validators for `url` when given.
fn respond(s: &Store, entries: &[Entry], url: Option<&str>) -> Result<Vec<Upsert>> {
    let ids: Vec<_> = entries.iter().map(|e| (e, identify(e).unwrap())).collect();
    let dated = vec![None; ids.len()];
    let st = HttpState {
        last_status: Some(200),
        ..Default::default()
    };
    s.put_response(&ResponseWrite {
        source: "s",
        kind: "feed",
        entries: &ids,
        dated: &dated,
        now: Utc::now(),
        http: url.map(|u| (u, &st)),
        deadlines: None,
    })
}

fn count(s: &Store) -> i64 {
    s.db()
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_batch_is_seen_by_other_connections_once_committed() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let other = Store::open(dir.path()).unwrap();
    let a = [entry("First paper here", "https://a.example/1")];
    let b = [entry("Second paper here", "https://a.example/2")];
    assert_eq!(respond(&s, &a, None).unwrap(), vec![Upsert::New]);
    assert_eq!(
        respond(&s, &b, Some("https://a.example/feed")).unwrap(),
        vec![Upsert::New]
    );
    assert_eq!(count(&s), 2, "this process reads its own batch");
    assert_eq!(count(&other), 0, "not committed yet");
    s.end_batch().unwrap();
    assert_eq!(count(&other), 2);
    assert!(other
        .http_state("https://a.example/feed")
        .unwrap()
        .is_some());
}

#[test]
fn any_other_write_commits_the_open_batch_first() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let other = Store::open(dir.path()).unwrap();
    respond(&s, &[entry("A paper to keep", "https://a.example/1")], None).unwrap();
    s.kv_put(Table::Local, "k", &1u8).unwrap();
    assert_eq!(count(&other), 1);
    respond(&s, &[entry("Another paper", "https://a.example/2")], None).unwrap();
    s.flush().unwrap();
    assert_eq!(count(&other), 2);
}

#[test]
fn a_failed_response_leaves_nothing_and_the_rest_of_the_batch_stays() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    s.db()
        .execute_batch(
            "CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.http WHEN NEW.url = 'https://bad/'
             BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        )
        .unwrap();
    respond(&s, &[entry("A good paper", "https://a.example/1")], None).unwrap();
    let bad = [entry("A paper with bad validators", "https://a.example/2")];
    assert!(respond(&s, &bad, Some("https://bad/")).is_err());
    respond(
        &s,
        &[entry("Another good paper", "https://a.example/3")],
        None,
    )
    .unwrap();
    s.end_batch().unwrap();
    let other = Store::open(dir.path()).unwrap();
    assert_eq!(count(&other), 2, "the failed response's entry went with it");
    assert!(other.http_state("https://bad/").unwrap().is_none());
    // Its search words went too, though the next item took its row id.
    let titles = |q: &str| -> Vec<String> {
        let found = other.search_items(q, 10).unwrap();
        found.into_iter().map(|i| i.title).collect()
    };
    assert!(
        titles("validators").is_empty(),
        "{:?}",
        titles("validators")
    );
    assert_eq!(titles("good").len(), 2);
    // Asked again, it is new: nothing of it was kept.
    s.db().execute_batch("DROP TRIGGER refuse").unwrap();
    assert_eq!(
        respond(&s, &bad, Some("https://bad/")).unwrap(),
        vec![Upsert::New]
    );
}

#[test]
fn an_empty_response_opens_no_batch() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    assert!(respond(&s, &[], None).unwrap().is_empty());
    assert!(s.db().is_autocommit());
}

#[test]
fn search_words_follow_an_item_changed_within_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let mut bare = entry("Sparse attention kernels", "https://a.example/1");
    bare.abstract_text.clear();
    respond(&s, &[bare], None).unwrap();
    let mut full = entry("Sparse attention kernels", "https://a.example/1");
    full.abstract_text = "Mixture of experts routing.".into();
    assert_eq!(respond(&s, &[full], None).unwrap(), vec![Upsert::Merged]);
    s.end_batch().unwrap();
    let hits = |q: &str| s.search_items(q, 10).unwrap().len();
    assert_eq!(hits("routing"), 1, "the words of the abstract it gained");
    assert_eq!(hits("kernels"), 1, "indexed once, not once per version");
}
