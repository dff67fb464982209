//! The digest end to end: a store filled from the recorded responses, composed within the reading
//! budget, written as digest.html / .txt / .json, never repeating an item sent in an earlier digest.

mod support;

use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;
use support::{shared, trendd};

fn fixture_config(shared: &Path, extra: &str) -> String {
    let mut cfg = format!("[general]\ntimezone = \"UTC\"\n\n[digest]\nmax_age_days = 100000\n\n[interests]\nkeywords = [\"language model\", \"diffusion\", \"reasoning\"]\n\n{extra}\n");
    for dir in ["arxiv-api", "arxiv-rss", "hf-daily", "blogs"] {
        let kind = match dir {
            "blogs" => "feed",
            "hf-daily" => "huggingface",
            _ => "arxiv",
        };
        for e in std::fs::read_dir(shared.join("fixtures").join(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_stem().unwrap().to_str().unwrap();
            cfg.push_str(&format!(
                "[[source]]\nkind = \"{kind}\"\nname = \"{name}\"\nurl = \"file://{}\"\n\n",
                p.display()
            ));
        }
    }
    cfg
}

fn keys(digest: &Value) -> Vec<String> {
    digest["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["key"].as_str().unwrap().to_string())
        })
        .collect()
}

#[cfg_attr(
    shared_missing,
    ignore = "needs ../shared (recorded fixtures beside the checkout)"
)]
#[test]
fn digest_fills_the_budget_and_never_repeats() {
    let shared = shared();
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        fixture_config(
            &shared,
            &format!(
                "[[deliver]]\nkind = \"file\"\ndir = \"{}\"\n",
                files.display()
            ),
        ),
    )
    .unwrap();
    let state = dir.path().join("s");
    let (code, out, err) = trendd(&config, &state, &["fetch"]);
    assert_eq!(code, 0, "{out}{err}");

    // A dry run writes the three files and records nothing.
    let out_dir = dir.path().join("out");
    let (code, _, err) = trendd(
        &config,
        &state,
        &[
            "digest",
            "--now",
            "--no-fetch",
            "--dry-run",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    for f in ["digest.html", "digest.txt", "digest.json"] {
        assert!(std::fs::metadata(out_dir.join(f)).unwrap().len() > 0, "{f}");
    }
    let d: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("digest.json")).unwrap())
            .unwrap();
    for k in [
        "date",
        "budget_seconds",
        "estimated_seconds",
        "sections",
        "source_health",
    ] {
        assert!(d.get(k).is_some(), "digest.json lacks {k}");
    }
    let (budget, est) = (
        d["budget_seconds"].as_u64().unwrap(),
        d["estimated_seconds"].as_u64().unwrap(),
    );
    assert_eq!(budget, 600);
    assert!(
        est <= budget && est as f64 >= 0.8 * budget as f64,
        "estimated {est} of {budget}"
    );
    let entries = support::digest_entries(&d);
    let sum: u64 = entries
        .iter()
        .map(|e| e["estimated_seconds"].as_u64().unwrap())
        .sum();
    assert!(sum <= est, "entries {sum} > total {est}");
    for e in &entries {
        for k in [
            "key",
            "title",
            "url",
            "summary",
            "why",
            "sources",
            "estimated_seconds",
        ] {
            assert!(e.get(k).is_some(), "entry lacks {k}: {e}");
        }
        if let Some(u) = e["url"].as_str() {
            assert!(u.starts_with("https://") || u.starts_with("http://"), "{u}");
        }
    }
    let with_tldr = entries
        .iter()
        .filter(|e| !e["summary"].as_str().unwrap_or("").trim().is_empty())
        .count();
    assert!(
        with_tldr * 10 >= entries.len() * 8,
        "{with_tldr} of {} with a TL;DR",
        entries.len()
    );
    let k1 = keys(&d);
    assert_eq!(
        k1.len(),
        k1.iter().collect::<HashSet<_>>().len(),
        "a key twice"
    );
    let titles: HashSet<&str> = d["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains("Trending") && titles.contains("Blogs"),
        "{titles:?}"
    );

    // Day 1 for real, then day 2: nothing from day 1 comes again.
    let (code, _, err) = trendd(
        &config,
        &state,
        &["digest", "--now", "--no-fetch", "--date", "2026-11-20"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = trendd(
        &config,
        &state,
        &["digest", "--now", "--no-fetch", "--date", "2026-11-21"],
    );
    assert_eq!(code, 0, "{err}");
    let day = |d: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(files.join(format!("{d}.json"))).unwrap())
            .unwrap()
    };
    let (a, b) = (keys(&day("2026-11-20")), keys(&day("2026-11-21")));
    assert!(!a.is_empty() && !b.is_empty());
    let overlap: Vec<_> = a.iter().filter(|k| b.contains(k)).collect();
    assert!(overlap.is_empty(), "sent again on day 2: {overlap:?}");
    // The dry run recorded nothing: day 1 could use what it showed.
    assert!(k1.iter().any(|k| a.contains(k)));
}

/// A store whose sources all fail gives no digest at all, not an empty one that would use up the day.
#[test]
fn an_empty_store_whose_source_fails_gives_no_digest() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[[source]]\nkind = \"feed\"\nname = \"empty\"\nurl = \"file://{}\"\n",
            dir.path().join("none.xml").display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, stdout, err) = trendd(
        &config,
        &dir.path().join("s"),
        &[
            "digest",
            "--now",
            "--dry-run",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{stdout}{err}");
    assert!(stdout.contains("could not reach any source"), "{stdout}");
    assert!(
        stdout.contains("none.xml"),
        "the failing source's error is named: {stdout}"
    );
    assert!(!out.join("digest.json").exists());
}

/// The helper behind every test that reads ../shared fails with the reason when it is absent.
#[test]
#[should_panic(expected = "this test needs the recorded fixtures beside the checkout")]
fn a_missing_shared_folder_fails_with_the_reason() {
    support::shared_at(Path::new("/nonexistent/shared"));
}
