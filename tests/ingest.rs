//! Ingest end to end: the recorded responses of arXiv, Hugging Face, Papers with Code and blogs served
//! by a real loopback HTTP server (and file://), fetched twice by the real binary into a real store.

mod support;

use serde_json::Value;
use std::collections::{HashMap, HashSet};
use support::{shared, trendd, Rule, Server};

fn source(kind: &str, name: &str, url: &str) -> String {
    format!("[[source]]\nkind = \"{kind}\"\nname = \"{name}\"\nurl = \"{url}\"\n\n")
}

#[cfg_attr(
    shared_missing,
    ignore = "needs ../shared (recorded fixtures beside the checkout)"
)]
#[test]
fn recorded_responses_become_one_item_per_paper() {
    let shared = shared();
    let fixtures = shared.join("fixtures");
    let server = Server::start(fixtures.clone());
    let mut cfg = String::from("[general]\ntimezone = \"UTC\"\n\n[http]\nretries = 2\n\n");
    let mut http_paths = Vec::new();
    for (dir, kind) in [
        ("arxiv-api", "arxiv"),
        ("arxiv-rss", "arxiv"),
        ("hf-daily", "huggingface"),
        ("pwc", "paperswithcode"),
    ] {
        let mut files: Vec<_> = std::fs::read_dir(fixtures.join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        for f in files {
            if dir == "pwc" && !f.contains("papers-list") {
                continue;
            }
            let path = format!("{dir}/{f}");
            cfg.push_str(&source(kind, &f, &server.url(&path)));
            http_paths.push(path);
        }
    }
    for e in std::fs::read_dir(fixtures.join("blogs")).unwrap() {
        let p = e.unwrap().path();
        cfg.push_str(&source(
            "feed",
            p.file_name().unwrap().to_str().unwrap(),
            &format!("file://{}", p.display()),
        ));
    }
    // Faults: a server error, a rate limit that clears after Retry-After, a body that is not a feed.
    server.rule("broken/feed.xml", Rule::Status(500, "oops"));
    cfg.push_str(&source(
        "feed",
        "broken-500",
        &server.url("broken/feed.xml"),
    ));
    let limited = "hf-daily/hf-daily-2026-04-27.json";
    server.rule(
        limited,
        Rule::TooManyThenOk {
            times: 1,
            retry_after: 1,
        },
    );
    let garbage = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/not-a-feed.html"
    );
    cfg.push_str(&source("feed", "not-a-feed", &format!("file://{garbage}")));

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(&config, cfg).unwrap();
    let state = dir.path().join("state");

    let (code, out, err) = trendd(&config, &state, &["fetch"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("broken-500: ") && out.contains("HTTP 500"),
        "a failing source is named with its reason:\n{out}"
    );
    assert!(
        out.contains("not-a-feed: ") && out.contains("error"),
        "{out}"
    );
    assert!(!err.contains("panicked"), "{err}");

    // The rate-limited URL was asked twice, the second time no sooner than Retry-After allowed.
    let reqs = server.requests();
    let limited_reqs: Vec<_> = reqs.iter().filter(|r| r.path == limited).collect();
    // (The source asks for two days; the server ignores the query, so both land on one file.)
    assert!(limited_reqs.len() >= 2, "{limited_reqs:?}");
    assert_eq!(limited_reqs[0].status, 429);
    assert!(
        limited_reqs[1..].iter().all(|r| r.status == 200),
        "{limited_reqs:?}"
    );
    assert!(
        limited_reqs[1]
            .at
            .duration_since(limited_reqs[0].at)
            .as_millis()
            >= 1000,
        "Retry-After not honoured"
    );
    let line = out
        .lines()
        .find(|l| l.starts_with("hf-daily-2026-04-27.json:"))
        .unwrap();
    assert!(!line.contains("error"), "{line}");

    // Second pass over unchanged URLs: validators sent, every answer a 304.
    let mark = server.requests().len();
    let (code, out, _) = trendd(&config, &state, &["fetch"]);
    assert_eq!(code, 0);
    let second: Vec<_> = server.requests()[mark..]
        .iter()
        .filter(|r| !r.path.starts_with("broken/") && !r.path.contains("-error-"))
        .cloned()
        .collect();
    assert!(!second.is_empty());
    assert!(
        second.iter().all(|r| r.status == 304),
        "second pass: {second:?}\n{out}"
    );

    let (code, items, _) = trendd(&config, &state, &["items", "--json"]);
    assert_eq!(code, 0);
    let items: Vec<Value> = items
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut by_id: HashMap<String, Vec<&Value>> = HashMap::new();
    for it in &items {
        if let Some(a) = it["arxiv_id"].as_str() {
            by_id.entry(a.to_string()).or_default().push(it);
        }
        assert_ne!(
            it["title"].as_str().unwrap_or("").trim().to_lowercase(),
            "error",
            "an API error entry was stored"
        );
    }
    assert!(
        by_id.values().all(|v| v.len() == 1),
        "an arXiv id is stored twice"
    );
    // Papers met by several sources carry them all; e.g. one met in arXiv's listing and on HF.
    let multi = by_id
        .values()
        .filter(|v| v[0]["sources"].as_array().unwrap().len() > 1)
        .count();
    assert!(multi >= 5, "only {multi} papers carry several sources");
    // Signals are kept per source.
    let upvoted = items
        .iter()
        .filter(|it| {
            it["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["signals"]["upvotes"].as_u64().is_some())
        })
        .count();
    assert!(upvoted > 50);
    // Old-style ids keep their archive.
    assert!(by_id.contains_key("astro-ph/0601001"));
    let posts: HashSet<&str> = items
        .iter()
        .filter(|it| it["arxiv_id"].is_null())
        .filter_map(|it| it["key"].as_str())
        .collect();
    assert!(posts.len() > 500, "{} posts", posts.len());
    eprintln!(
        "items={} papers={} multi_source={} posts={} requests={}",
        items.len(),
        by_id.len(),
        multi,
        posts.len(),
        server.requests().len()
    );
}
