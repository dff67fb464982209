//! What's rising, today's pick and the deadlines, through the real binary: an arXiv-API-shaped feed on
//! disk, `trendd fetch` into a real store, `trendd digest --now --no-fetch --dry-run --out`, and the
//! digest.json / digest.txt / digest.html it writes. Deadlines come from the recorded ai-deadlines
//! files in `../shared/fixtures/deadlines`, as a folder and through a loopback HTTP index.

mod support;

use serde_json::Value;
use std::path::Path;

const SENTENCE: &str = "We call this mechanism spectral token routing.";

struct Paper {
    id: String,
    title: String,
    abstract_text: String,
    day: chrono::NaiveDate,
}

/// `days` days of 15 papers a day up to today, real abstracts drawn from SciTLDR (with repeats,
/// as a real stream has near-duplicates); with `inject`, the sentence goes into 20 of the last
/// week's papers and 4 of those before. Returns the papers and the ids of the injected recent ones.
fn stream(shared: &Path, days: i64, inject: bool) -> (Vec<Paper>, Vec<String>) {
    let text = std::fs::read_to_string(shared.join("bench/scitldr/dev.jsonl")).unwrap();
    let pool: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let today = chrono::Utc::now().date_naive();
    let mut rng = fastrand::Rng::with_seed(11);
    let mut papers = Vec::new();
    for back in (0..days).rev() {
        for _ in 0..15 {
            let r = &pool[rng.usize(..pool.len())];
            let n = papers.len() + 1;
            papers.push(Paper {
                id: format!("2611.{n:05}"),
                title: r["title"].as_str().unwrap().to_string(),
                abstract_text: r["abstract"].as_str().unwrap().to_string(),
                day: today - chrono::Duration::days(back),
            });
        }
    }
    let mut injected = Vec::new();
    if inject {
        let cut = today - chrono::Duration::days(6);
        let (mut recent, mut before): (Vec<usize>, Vec<usize>) =
            (0..papers.len()).partition(|&i| papers[i].day >= cut);
        rng.shuffle(&mut recent);
        rng.shuffle(&mut before);
        for &i in recent.iter().take(20).chain(before.iter().take(4)) {
            papers[i].abstract_text = format!("{} {SENTENCE}", papers[i].abstract_text);
        }
        injected = recent
            .iter()
            .take(20)
            .map(|&i| papers[i].id.clone())
            .collect();
    }
    (papers, injected)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The papers as the arXiv export API answers (Atom with `arxiv:` extensions).
fn write_feed(path: &Path, papers: &[Paper]) {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:arxiv=\"http://arxiv.org/schemas/atom\">\n<id>https://arxiv.org/api/test</id><title>arXiv Query: test</title>\n",
    );
    for p in papers {
        x.push_str(&format!(
            "<entry><id>http://arxiv.org/abs/{id}v1</id><published>{d}T17:00:00Z</published><updated>{d}T17:00:00Z</updated>\
             <title>{t}</title><summary>{a}</summary><author><name>A. Author</name></author>\
             <link href=\"http://arxiv.org/abs/{id}v1\" rel=\"alternate\" type=\"text/html\"/>\
             <arxiv:primary_category term=\"cs.LG\"/><category term=\"cs.LG\"/></entry>\n",
            id = p.id,
            d = p.day,
            t = esc(&p.title),
            a = esc(&p.abstract_text),
        ));
    }
    x.push_str("</feed>\n");
    std::fs::write(path, x).unwrap();
}

fn file_url(p: &Path) -> String {
    url::Url::from_file_path(p).unwrap().to_string()
}

/// Fetches, then composes a dry-run digest into `dir/out`; returns digest.json, .txt and .html.
fn digest(dir: &Path, config: &str, extra: &[&str]) -> (Value, String, String) {
    let cfg = dir.join("trendd.toml");
    std::fs::write(&cfg, config).unwrap();
    let state = dir.join("state");
    let (code, out, err) = support::trendd(&cfg, &state, &["fetch"]);
    assert_eq!(code, 0, "fetch: {out}{err}");
    let out_dir = dir.join("out");
    let mut args = vec!["digest", "--now", "--no-fetch", "--dry-run", "--out"];
    args.push(out_dir.to_str().unwrap());
    args.extend_from_slice(extra);
    let (code, out, err) = support::trendd(&cfg, &state, &args);
    assert_eq!(code, 0, "digest: {out}{err}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("digest.json")).unwrap())
            .unwrap();
    let txt = std::fs::read_to_string(out_dir.join("digest.txt")).unwrap();
    let html = std::fs::read_to_string(out_dir.join("digest.html")).unwrap();
    (json, txt, html)
}

fn arxiv_config(feed: &Path) -> String {
    format!(
        "[general]\ntimezone = \"UTC\"\n[digest]\nmax_age_days = 7\n\n[[source]]\nkind = \"arxiv\"\nname = \"arxiv\"\nurl = \"{}\"\n",
        file_url(feed)
    )
}

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "needs ../shared (recorded fixtures beside the checkout)"
)]
fn an_injected_phrase_leads_rising_with_its_papers_and_shows_first() {
    let sh = support::shared();
    let dir = tempfile::tempdir().unwrap();
    let (papers, injected) = stream(&sh, 63, true);
    let feed = dir.path().join("feed.xml");
    write_feed(&feed, &papers);
    let (json, txt, html) = digest(dir.path(), &arxiv_config(&feed), &[]);
    let rising = json["rising"].as_array().expect("rising list");
    let top = &rising[0];
    let phrase = top["phrase"].as_str().unwrap();
    assert!(
        phrase.split(' ').count() >= 2 && SENTENCE.to_lowercase().contains(phrase),
        "{rising:#?}"
    );
    let keys: Vec<&str> = top["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    for id in &injected {
        assert!(
            keys.iter().any(|k| k.contains(id.as_str())),
            "{id} not in {keys:?}"
        );
    }
    assert_eq!(top["count"], 20);
    assert!((top["share"].as_f64().unwrap() - 20.0 / 105.0).abs() < 0.001);
    assert!((top["baseline_share"].as_f64().unwrap() - 4.0 / 840.0).abs() < 0.001);
    // Shown first, with its numbers and one of its papers.
    let line = format!("Rising: *{phrase}* — 20 papers this week (0.5% → 19%)");
    let at = txt
        .find(&line)
        .unwrap_or_else(|| panic!("{line} missing:\n{txt}"));
    let first_section = ["TRENDING", "FOR YOU", "BLOGS"]
        .iter()
        .filter_map(|s| txt.find(&format!("\n{s}\n")))
        .min()
        .expect("a section");
    assert!(at < first_section);
    let first_paper = top["papers"][0]["title"].as_str().unwrap();
    assert!(txt[at..].contains(&first_paper[..first_paper.len().min(40)]));
    assert!(html.find("Rising this week").unwrap() < html.find("Today's pick").unwrap());
    // Today's pick: a paper of the digest, with its whole abstract.
    let pick = &json["pick"];
    let key = pick["key"].as_str().unwrap();
    let in_digest = support::digest_entries(&json)
        .iter()
        .any(|e| e["key"] == key);
    assert!(in_digest, "pick {key} is not in the digest");
    let abs = pick["abstract"].as_str().unwrap();
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let whole = papers.iter().any(|p| norm(&p.abstract_text) == norm(abs));
    assert!(
        whole,
        "the pick's abstract is not a paper's whole abstract: {abs}"
    );
    assert!(txt.contains("TODAY'S PICK"));
}

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "needs ../shared (recorded fixtures beside the checkout)"
)]
fn the_same_stream_without_it_yields_nothing() {
    let sh = support::shared();
    let dir = tempfile::tempdir().unwrap();
    let (papers, _) = stream(&sh, 63, false);
    let feed = dir.path().join("feed.xml");
    write_feed(&feed, &papers);
    let (json, txt, _) = digest(dir.path(), &arxiv_config(&feed), &[]);
    assert_eq!(
        json["rising"].as_array().unwrap().len(),
        0,
        "{:#?}",
        json["rising"]
    );
    assert!(json.get("rising_note").is_none());
    assert!(!txt.contains("RISING THIS WEEK"));
}

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "needs ../shared (recorded fixtures beside the checkout)"
)]
fn little_history_says_so() {
    let sh = support::shared();
    let dir = tempfile::tempdir().unwrap();
    let (papers, _) = stream(&sh, 5, false);
    let feed = dir.path().join("feed.xml");
    write_feed(&feed, &papers);
    let (json, txt, _) = digest(dir.path(), &arxiv_config(&feed), &[]);
    assert_eq!(json["rising"].as_array().unwrap().len(), 0);
    // The oldest paper is from 17:00 four days ago: 4 days 7 hours before the end of today.
    assert_eq!(json["rising_note"], "not enough history yet (5 days)");
    assert!(txt.contains("Rising: not enough history yet (5 days)."));
    // No deadlines source, no deadlines.
    assert_eq!(json["deadlines"].as_array().unwrap().len(), 0);
    assert!(!txt.contains("DEADLINES AHEAD"));
}

fn deadlines_config(url: &str) -> String {
    format!(
        "[general]\ntimezone = \"Europe/Berlin\"\n[digest]\ndeadline_days = 45\n\n[[source]]\nkind = \"deadlines\"\nname = \"deadlines\"\nurl = \"{url}\"\ntags = [\"machine-learning\"]\n"
    )
}

fn deadline_titles(json: &Value) -> Vec<(String, String, String)> {
    json["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["title"].as_str().unwrap().to_string(),
                d["label"].as_str().unwrap().to_string(),
                d["deadline"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "needs ../shared (recorded fixtures beside the checkout)"
)]
fn deadlines_from_the_recorded_folder_filtered_and_in_the_readers_zone() {
    let sh = support::shared();
    let folder = sh.join("fixtures/deadlines");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/", file_url(&folder));
    // As the digest of 1 April 2026 would have listed them.
    let (json, txt, _) = digest(
        dir.path(),
        &deadlines_config(&url),
        &["--date", "2026-04-01"],
    );
    let got = deadline_titles(&json);
    // neurips.yml: 2026-05-04 and 05-06 23:59:59 AoE, tagged machine-learning.
    let abs = (
        "NeurIPS 2026".to_string(),
        "Abstract registration deadline".to_string(),
        "2026-05-05T11:59:59Z".to_string(),
    );
    assert!(got.contains(&abs), "{got:#?}");
    assert!(got
        .iter()
        .any(|d| d.0 == "NeurIPS 2026" && d.2 == "2026-05-07T11:59:59Z"));
    let times: Vec<&String> = got.iter().map(|d| &d.2).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "soonest first");
    assert!(times
        .iter()
        .all(|t| t.as_str() > "2026-04-01T23:59:59Z" && t.as_str() <= "2026-05-16T23:59:59Z"));
    // In the reader's zone: 11:59:59 UTC is 13:59 in Berlin (CEST).
    let flat = txt.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "NeurIPS 2026 abstract registration deadline: Tue 5 May, 13:59 your time — 34 days"
        ),
        "{txt}"
    );
    // The tags filter: rss.yml (robotics only) lists nothing here.
    let (code, out, _) = support::trendd(
        &dir.path().join("trendd.toml"),
        &dir.path().join("state"),
        &["status"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("deadlines (deadlines): last success"), "{out}");
    assert!(!out.contains("FAILING"), "{out}");
    assert!(!got.iter().any(|d| d.0.starts_with("RSS ")), "{got:#?}");
}

#[test]
#[cfg_attr(
    shared_missing,
    ignore = "needs ../shared (recorded fixtures beside the checkout)"
)]
fn deadlines_through_an_http_index_survive_not_modified_and_name_bad_entries() {
    let sh = support::shared();
    let www = tempfile::tempdir().unwrap();
    for f in ["neurips.yml", "icml.yml", "rss.yml"] {
        std::os::unix::fs::symlink(sh.join("fixtures/deadlines").join(f), www.path().join(f))
            .unwrap();
    }
    std::fs::write(
        www.path().join("broken.yml"),
        "- title: BAD\n  year: 2026\n  deadlines:\n  - type: paper\n    label: Paper\n    date: 'next spring'\n    timezone: AoE\n  tags: [machine-learning]\n",
    )
    .unwrap();
    std::fs::write(
        www.path().join("index.html"),
        "<html><body><a href=\"neurips.yml\">neurips</a> <a href=\"icml.yml\">icml</a> \
         <a href=\"rss.yml\">rss</a> <a href=\"broken.yml\">broken</a> <a href=\"../\">up</a></body></html>",
    )
    .unwrap();
    let server = support::Server::start(www.path().to_path_buf());
    let dir = tempfile::tempdir().unwrap();
    let (json, _, _) = digest(
        dir.path(),
        &deadlines_config(&server.url("index.html")),
        &["--date", "2026-04-01"],
    );
    let first = deadline_titles(&json);
    assert!(first.iter().any(|d| d.0 == "NeurIPS 2026"), "{first:#?}");
    let cfg = dir.path().join("trendd.toml");
    let state = dir.path().join("state");
    let (_, out, _) = support::trendd(&cfg, &state, &["status"]);
    assert!(
        out.contains("skipped 1 malformed deadline entry: broken.yml: BAD 2026 Paper: bad date \"next spring\""),
        "{out}"
    );
    // Again: the files answer 304 and their deadlines stay.
    let (json, _, _) = digest(
        dir.path(),
        &deadlines_config(&server.url("index.html")),
        &["--date", "2026-04-01"],
    );
    assert_eq!(deadline_titles(&json), first);
    let not_modified = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(".yml") && r.status == 304)
        .count();
    assert_eq!(not_modified, 4, "{:?}", server.requests());
}
