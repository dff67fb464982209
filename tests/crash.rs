//! Crash safety: the real binary is killed with SIGKILL at random points of `fetch` and
//! `digest --now --date D`, over and over, against many sources (recorded responses, through file:// and
//! a loopback HTTP server) and a `file` delivery channel. After every kill the store must open, hold no
//! arXiv id twice, and lose nothing a clean run stores; the day's digest is delivered exactly once.

mod support;

use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{shared, Server};

const DATE: &str = "2026-11-22";
/// Dates the digests in the kill loop are for (the ledger shows the last 7, so at most 7 with D).
const DATES: [&str; 4] = ["2026-11-19", "2026-11-20", "2026-11-21", DATE];
/// Kill points to try, and a bound on the loop's wall time (the test stops early rather than overrun).
const KILL_POINTS: usize = 36;
const LOOP_BUDGET: Duration = Duration::from_secs(45);

fn source(kind: &str, name: &str, url: &str, extra: &str) -> String {
    format!("[[source]]\nkind = \"{kind}\"\nname = \"{name}\"\nurl = \"{url}\"\n{extra}\n")
}

/// A config with many sources and a file channel in `out`.
fn config_toml(fixtures: &Path, feeds: &Path, server: &Server, out: &Path) -> String {
    let mut cfg = String::from(
        "[general]\ntimezone = \"UTC\"\n\n[http]\nretries = 0\nper_host_interval_secs = 0.0\n\n\
         [digest]\nmax_age_days = 100000\n\n",
    );
    let mut blog_files: Vec<PathBuf> = std::fs::read_dir(fixtures.join("blogs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    blog_files.sort();
    // Three copies of every blog under different paths: many sources, many writes in flight.
    for copy in 0..3 {
        for p in &blog_files {
            let name = format!("{copy}-{}", p.file_name().unwrap().to_string_lossy());
            let dst = feeds.join(&name);
            std::fs::copy(p, &dst).unwrap();
            cfg.push_str(&source(
                "feed",
                &name,
                &format!("file://{}", dst.display()),
                "",
            ));
        }
    }
    for dir in ["arxiv-rss", "arxiv-api"] {
        let mut files: Vec<_> = std::fs::read_dir(fixtures.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for p in files {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            cfg.push_str(&source(
                "arxiv",
                &name,
                &format!("file://{}", p.display()),
                "",
            ));
        }
    }
    // Hugging Face appends ?date=…, so it goes through the HTTP server (which ignores the query).
    let mut hf: Vec<_> = std::fs::read_dir(fixtures.join("hf-daily"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    hf.sort();
    for f in hf {
        cfg.push_str(&source(
            "huggingface",
            &f,
            &server.url(&format!("hf-daily/{f}")),
            "max_catch_up_days = 1",
        ));
    }
    let pwc = fixtures.join("pwc/pwc-api-v1-papers-list-page1-2021-05-28.json");
    cfg.push_str(&source(
        "paperswithcode",
        "pwc",
        &format!("file://{}", pwc.display()),
        "",
    ));
    cfg.push_str(&format!(
        "[[deliver]]\nkind = \"file\"\ndir = \"{}\"\n",
        out.display()
    ));
    cfg
}

fn run(config: &Path, state: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_trendd"))
        .arg("--config")
        .arg(config)
        .arg("--state-dir")
        .arg(state)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run trendd");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The stored items, after checking that the store opens cleanly and holds no arXiv id twice.
fn checked_items(config: &Path, state: &Path, when: &str) -> Vec<Value> {
    let (code, out, err) = run(config, state, &["items", "--json"]);
    assert_eq!(
        code, 0,
        "{when}: `items` failed (store did not open?):\n{err}"
    );
    assert!(
        !err.contains("already in use"),
        "{when}: the killed process's lock outlived it:\n{err}"
    );
    assert!(
        !err.to_lowercase().contains("corrupt") && !err.contains("panicked"),
        "{when}:\n{err}"
    );
    let items: Vec<Value> = out
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{when}: bad JSON line {l:?}: {e}"))
        })
        .collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for it in &items {
        if let Some(a) = it["arxiv_id"].as_str() {
            *count.entry(a).or_default() += 1;
        }
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "{when}: arXiv ids stored twice: {twice:?}"
    );
    items
}

/// What a clean run must not lose: every arXiv id, and the key of every item without one.
fn identities(items: &[Value]) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut ids = BTreeSet::new();
    let mut others = BTreeSet::new();
    for it in items {
        match it["arxiv_id"].as_str() {
            Some(a) => ids.insert(a.to_string()),
            None => others.insert(it["key"].as_str().unwrap_or_default().to_string()),
        };
    }
    (ids, others)
}

#[cfg_attr(
    shared_missing,
    ignore = "needs ../shared (recorded fixtures beside the checkout)"
)]
#[test]
fn sigkill_at_random_points_loses_nothing_and_sends_once() {
    let shared = shared();
    let fixtures = shared.join("fixtures");
    let server = Server::start(fixtures.clone());
    let dir = tempfile::tempdir().unwrap();
    let feeds = dir.path().join("feeds");
    std::fs::create_dir_all(&feeds).unwrap();
    let out = dir.path().join("out");
    let config = dir.path().join("c.toml");
    std::fs::write(&config, config_toml(&fixtures, &feeds, &server, &out)).unwrap();
    let state = dir.path().join("state");

    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    let mut rng = fastrand::Rng::with_seed(seed);
    eprintln!("crash test seed {seed} (CRASH_SEED={seed} repeats this run)");

    let started = Instant::now();
    let (mut tried, mut killed, mut finished_first) = (0usize, 0usize, 0usize);
    while tried < KILL_POINTS && started.elapsed() < LOOP_BUDGET {
        // Every third point is a digest; those alternate between fetching first and composing at once
        // (so kills land in the compose, ledger and delivery steps too), over a few dates besides D.
        let digest = tried % 3 == 2;
        let date = DATES[(tried / 3) % DATES.len()];
        let args: Vec<&str> = match (digest, tried % 2 == 0) {
            (false, _) => vec!["fetch"],
            (true, true) => vec!["digest", "--now", "--date", date],
            (true, false) => vec!["digest", "--now", "--no-fetch", "--date", date],
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_trendd"))
            .arg("--config")
            .arg(&config)
            .arg("--state-dir")
            .arg(&state)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let delay = rng.u64(5..=400);
        std::thread::sleep(Duration::from_millis(delay));
        tried += 1;
        match child.try_wait().unwrap() {
            Some(_) => finished_first += 1,
            None => {
                child.kill().unwrap(); // SIGKILL
                killed += 1;
            }
        }
        child.wait().unwrap();
        checked_items(
            &config,
            &state,
            &format!("after kill point {tried} ({} at {delay} ms)", args[0]),
        );
    }

    // A complete fetch after the crashes, and a clean reference run from an empty store.
    let (code, fout, ferr) = run(&config, &state, &["fetch"]);
    assert!(code == 0, "final fetch failed ({code}):\n{fout}\n{ferr}");
    let after = checked_items(&config, &state, "after the final fetch");
    let reference_state = dir.path().join("reference");
    let (code, _, ferr) = run(&config, &reference_state, &["fetch"]);
    assert_eq!(code, 0, "reference fetch failed:\n{ferr}");
    let reference = checked_items(&config, &reference_state, "reference run");
    let (ref_ids, ref_others) = identities(&reference);
    let (ids, others) = identities(&after);
    let lost_ids: Vec<_> = ref_ids.difference(&ids).collect();
    let lost_others: Vec<_> = ref_others.difference(&others).collect();
    assert!(
        lost_ids.is_empty(),
        "arXiv papers lost after the crashes: {lost_ids:?}"
    );
    assert!(
        lost_others.is_empty(),
        "items lost after the crashes: {lost_others:?}"
    );

    // Each day's digest: exactly one D.json in the channel, recorded as sent once; a rerun sends nothing.
    for d in DATES {
        let (code, _, derr) = run(&config, &state, &["digest", "--now", "--date", d]);
        assert_eq!(code, 0, "final digest of {d} failed:\n{derr}");
    }
    let day_files = |ext: &str| -> Vec<String> {
        std::fs::read_dir(&out)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(ext) && !n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut files = day_files(".json");
    files.sort();
    let want: Vec<String> = DATES.iter().map(|d| format!("{d}.json")).collect();
    assert_eq!(
        files, want,
        "the file channel should hold exactly one digest per date"
    );
    for d in DATES {
        let v: Value =
            serde_json::from_slice(&std::fs::read(out.join(format!("{d}.json"))).unwrap())
                .unwrap_or_else(|e| panic!("{d}.json is not whole JSON: {e}"));
        assert_eq!(v["date"], d);
    }
    let json_path = out.join(format!("{DATE}.json"));
    let first = std::fs::read(&json_path).unwrap();
    let parsed: Value = serde_json::from_slice(&first).expect("the delivered digest is whole JSON");
    assert_eq!(parsed["date"], DATE);
    let (code, status, _) = run(&config, &state, &["status"]);
    assert_eq!(code, 0);
    let digests: Vec<&str> = status
        .lines()
        .skip_while(|l| !l.starts_with("digests:"))
        .collect();
    for d in DATES {
        assert_eq!(
            digests
                .iter()
                .filter(|l| l.trim_start().starts_with(&format!("{d}:")))
                .count(),
            1,
            "{status}"
        );
    }
    let sent: Vec<&&str> = digests
        .iter()
        .filter(|l| l.trim_start().starts_with("file:"))
        .collect();
    assert_eq!(
        sent.len(),
        DATES.len(),
        "one ledger line for the file channel per date:\n{status}"
    );
    assert!(
        sent.iter().all(|l| l.contains("sent")),
        "the file channel is recorded as sent:\n{status}"
    );
    let (code, _, again) = run(&config, &state, &["digest", "--now", "--date", DATE]);
    assert_eq!(code, 0, "{again}");
    assert!(
        again.contains("delivered: none"),
        "a second digest run sent something:\n{again}"
    );
    assert_eq!(
        std::fs::read(&json_path).unwrap(),
        first,
        "a second digest run rewrote the delivered digest"
    );
    assert_eq!(day_files(".json").len(), DATES.len());
    let litter: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();

    println!(
        "crash safety: {tried} kill points ({killed} killed mid-run, {finished_first} finished before the kill; \
         {} fetch, {} digest) in {:.1}s, seed {seed}; store opened after every kill, no arXiv id twice, \
         {} papers + {} other items all kept (reference run: {} + {}); one D.json per date for {} dates, each sent once, rerun sent nothing; \
         {} temp files left by killed writers",
        tried - tried / 3,
        tried / 3,
        started.elapsed().as_secs_f64(),
        ids.len(),
        others.len(),
        ref_ids.len(),
        ref_others.len(),
        DATES.len(),
        litter.len()
    );
}
