//! Store scale: synthetic arXiv-like items (≈1 KB abstract, title, 3–8 authors, 1–3 sources with
//! signals) upserted through `identity::identify` + `Store::upsert`, growing one store through the
//! checkpoints in `BENCH_STORE_SIZES` (default 10000,100000,1000000). At each checkpoint: insert rate,
//! bytes on disk per item, the time to reopen the store, to scan the latest day's window, to compose
//! that day's digest (`pipeline::compose_digest`), and `trendd items --since D` as a process.
//! `BENCH_ITEMS_PER_DAY` (default 1000) fixes the window's size, so a figure that grows with the
//! store's size is a cost that does not follow the window.
//!
//!     cargo bench --bench store
//!     BENCH_STORE_SIZES=10000,100000 cargo bench --bench store
//!     BENCH_KEEP=$TMPDIR/trendd-store BENCH_STORE_SIZES=100000 cargo bench --bench store   # keep it to profile

mod common;

use chrono::{DateTime, Duration as Days, NaiveDate, TimeZone, Utc};
use common::*;
use std::path::Path;
use std::time::{Duration, Instant};
use trendd::identity::identify;
use trendd::model::{Entry, ItemKind, Signals};
use trendd::pipeline::{compose_digest, App};
use trendd::store::Store;

const FIRST: &[&str] = &[
    "Wei", "Anna", "Rahul", "Maria", "Jun", "David", "Sofia", "Kenji", "Olga", "Ahmed", "Lucas",
    "Mei", "Pierre", "Aisha", "Tom", "Ines",
];
const LAST: &[&str] = &[
    "Zhang", "Smith", "Kumar", "Garcia", "Li", "Müller", "Rossi", "Tanaka", "Ivanova", "Hassan",
    "Silva", "Chen", "Dubois", "Okafor", "Brown", "Novak",
];
const CATS: &[&str] = &[
    "cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML", "cs.RO", "cs.IR", "eess.AS",
];

/// Real abstracts to reuse (SciTLDR dev), else generated prose; and a vocabulary for titles.
fn corpus(shared: Option<&Path>) -> (Vec<String>, Vec<String>) {
    let mut abstracts = Vec::new();
    if let Some(s) = shared {
        if let Ok(text) = std::fs::read_to_string(s.join("bench/scitldr/dev.jsonl")) {
            for line in text.lines() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                    if let Some(a) = v["abstract"].as_str() {
                        abstracts.push(a.to_string());
                    }
                }
            }
        }
    }
    if abstracts.is_empty() {
        let words = "we propose a novel method for learning representations of large language models that improves reasoning on benchmarks while reducing compute and memory by training with sparse attention diffusion policies";
        let w: Vec<&str> = words.split(' ').collect();
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..500 {
            let mut s = String::new();
            while s.len() < 1000 {
                for _ in 0..15 {
                    s.push_str(w[rng.usize(..w.len())]);
                    s.push(' ');
                }
                s.pop();
                s.push_str(". ");
            }
            abstracts.push(s.trim().to_string());
        }
    }
    let mut vocab: Vec<String> = abstracts
        .iter()
        .flat_map(|a| {
            a.split(|c: char| !c.is_alphabetic())
                .filter(|w| w.len() > 3)
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect();
    vocab.sort();
    vocab.dedup();
    (abstracts, vocab)
}

struct Gen {
    rng: fastrand::Rng,
    abstracts: Vec<String>,
    vocab: Vec<String>,
    per_day: u64,
    t0: DateTime<Utc>,
}

impl Gen {
    /// When item `i` is first seen: `per_day` items spread over each day.
    fn seen_at(&self, i: u64) -> DateTime<Utc> {
        self.t0
            + Days::days((i / self.per_day) as i64)
            + Days::milliseconds(((i % self.per_day) * 86_400_000 / self.per_day) as i64)
    }

    /// An arXiv-like id: YYMM of the item's month since 2020-01, then its number within the month.
    fn arxiv_id(&self, i: u64) -> String {
        let per_month = self.per_day * 30;
        let month = i / per_month;
        format!(
            "{:02}{:02}.{:05}",
            20 + month / 12 % 80,
            month % 12 + 1,
            i % per_month + 1
        )
    }

    /// The entries the sources report about item `i`: arXiv always, Hugging Face for 40%, PwC for 20%.
    fn entries(&mut self, i: u64) -> Vec<(&'static str, &'static str, Entry)> {
        let id = self.arxiv_id(i);
        let published = Some(self.seen_at(i));
        let r = &mut self.rng;
        let nt = r.usize(6..11);
        let title: Vec<&str> = (0..nt)
            .map(|_| self.vocab[r.usize(..self.vocab.len())].as_str())
            .collect();
        let title = title.join(" ");
        let authors: Vec<String> = (0..r.usize(3..9))
            .map(|_| {
                format!(
                    "{} {}",
                    FIRST[r.usize(..FIRST.len())],
                    LAST[r.usize(..LAST.len())]
                )
            })
            .collect();
        let cats: Vec<String> = (0..r.usize(1..4))
            .map(|_| CATS[r.usize(..CATS.len())].to_string())
            .collect();
        let abs = self.abstracts[r.usize(..self.abstracts.len())].clone();
        let arxiv = Entry {
            title: title.clone(),
            url: Some(format!("https://arxiv.org/abs/{id}v1")),
            guid: Some(format!("oai:arXiv.org:{id}v1")),
            arxiv_id: Some(format!("{id}v1")),
            authors: authors.clone(),
            abstract_text: abs.clone(),
            published,
            categories: cats,
            kind: Some(ItemKind::Paper),
            signals: Signals {
                announce_type: Some("new".into()),
                rank: Some((i % self.per_day) as u32 + 1),
                ..Default::default()
            },
            ..Default::default()
        };
        let mut out = vec![("arxiv", "arxiv", arxiv)];
        if r.u8(..100) < 40 {
            let summary: String = abs.split(". ").next().unwrap_or("").to_string();
            out.push((
                "hf-daily",
                "huggingface",
                Entry {
                    title: title.clone(),
                    url: Some(format!("https://huggingface.co/papers/{id}")),
                    arxiv_id: Some(id.clone()),
                    authors: authors.clone(),
                    abstract_text: abs.clone(),
                    published,
                    kind: Some(ItemKind::Paper),
                    signals: Signals {
                        upvotes: Some(r.u32(0..300)),
                        comments: Some(r.u32(0..20)),
                        ai_summary: Some(summary),
                        ai_keywords: vec!["llm".into(), "reasoning".into()],
                        github_repo: (r.u8(..2) == 0)
                            .then(|| format!("https://github.com/lab{}/repo{i}", r.u32(..1000))),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            ));
        }
        if r.u8(..100) < 20 {
            out.push((
                "pwc",
                "paperswithcode",
                Entry {
                    title,
                    url: Some(format!("https://paperswithcode.com/paper/p{i}")),
                    arxiv_id: Some(id),
                    published,
                    kind: Some(ItemKind::Paper),
                    signals: Signals {
                        github_stars: Some(r.u32(0..5000)),
                        trending_rank: Some(r.u32(1..100)),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            ));
        }
        out
    }
}

fn config_text() -> &'static str {
    "[general]\ntimezone = \"UTC\"\n\n[digest]\nmax_age_days = 1\n"
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let sizes: Vec<u64> = std::env::var("BENCH_STORE_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let per_day = env_or("BENCH_ITEMS_PER_DAY", 1000u64);
    let runs = env_or("BENCH_RUNS", 3usize);
    let max = *sizes.iter().max().expect("at least one size");
    println!("machine: {}", machine());
    let shared = shared_dir();
    let (abstracts, vocab) = corpus(shared.as_deref());
    let today = Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let t0 = today - Days::days((max / per_day) as i64 - 1);
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(42),
        abstracts,
        vocab,
        per_day,
        t0,
    };

    // BENCH_KEEP=DIR keeps the store (and its config) in DIR for profiling afterwards.
    let keep = std::env::var_os("BENCH_KEEP").map(std::path::PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    let root = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&root).unwrap();
    let state = root.join("state");
    let cfg_path = root.join("trendd.toml");
    std::fs::write(&cfg_path, config_text()).unwrap();
    let config = trendd::config::parse_str(config_text(), "bench").unwrap();
    println!(
        "store at {}; {per_day} items per day; sizes {sizes:?}",
        state.display()
    );

    let mut store = Store::open(&state).unwrap();
    let mut next = 0u64;
    for &size in &sizes {
        // Insert up to `size` items.
        let before = store.item_count() as u64;
        let (c0, w0) = (cpu_time(), Instant::now());
        let mut upserts = 0u64;
        let mut ident = Duration::ZERO;
        while next < size {
            let now = g.seen_at(next);
            for (name, kind, e) in g.entries(next) {
                let t = Instant::now();
                let id = identify(&e).expect("synthetic entries have ids");
                ident += t.elapsed();
                store.upsert(name, kind, &e, &id, now).unwrap();
                upserts += 1;
            }
            next += 1;
        }
        store.flush().unwrap();
        let (cpu, wall) = ((cpu_time() - c0).as_secs_f64(), w0.elapsed().as_secs_f64());
        let n_items = store.item_count() as u64;
        let (disk, logical) = dir_usage(store.path());
        let added = n_items - before;
        println!("== {size} items (store holds {n_items}) load {}", loadavg());
        println!(
            "  insert: {upserts} upserts in {wall:.1} s wall / {cpu:.1} s cpu: {:.0} upserts/s, {:.0} new items/s (wall); identify {:.1} µs/entry",
            upserts as f64 / wall,
            added as f64 / wall,
            ident.as_secs_f64() * 1e6 / upserts.max(1) as f64
        );
        // What an item itself weighs (MessagePack, as stored), from a sample.
        let sample: Vec<usize> = store
            .all_items()
            .take(2000)
            .map(|it| rmp_serde::to_vec_named(&it.unwrap()).unwrap().len())
            .collect();
        let payload = sample.iter().sum::<usize>() as f64 / sample.len().max(1) as f64;
        println!(
            "  disk: {:.0} MB allocated ({:.0} B/item), {:.0} MB logical ({:.0} B/item); an item's value is {payload:.0} B (mean of {})",
            disk as f64 / 1e6,
            disk as f64 / n_items as f64,
            logical as f64 / 1e6,
            logical as f64 / n_items as f64,
            sample.len()
        );

        // The latest day's window and its digest.
        let last = g.seen_at(size - 1);
        let date: NaiveDate = last.date_naive();
        let since = Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap());
        let app = App::new(
            config.clone(),
            Some(cfg_path.clone()),
            state.clone(),
            store.clone(),
        )
        .unwrap();
        let (mut scan, mut comp) = (Vec::new(), Vec::new());
        let (mut window, mut in_digest) = (0, 0);
        for _ in 0..runs {
            let t = Instant::now();
            window = store.items_seen_since(since).unwrap().len();
            scan.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            let d = compose_digest(&app, date, false).unwrap();
            comp.push(t.elapsed().as_secs_f64());
            in_digest = d.item_count();
        }
        println!(
            "  window {date}: {window} items; items_seen_since {:.1} ms; compose_digest {:.1} ms ({in_digest} entries; medians of {runs})",
            median(&scan) * 1e3,
            median(&comp) * 1e3
        );
        drop(app);
        drop(store);

        // `trendd items --since D` as a user runs it (process start, store open, scan, print).
        let mut lat = Vec::new();
        let mut rss = Vec::new();
        for _ in 0..runs {
            let since = date.to_string();
            let r = run_child(
                &mut trendd(&cfg_path, &state, &["items", "--since", &since]),
                Duration::from_secs(600),
            );
            assert_eq!(r.code, 0, "trendd items failed");
            lat.push(r.wall.as_secs_f64());
            rss.push(r.max_rss_kib as f64);
        }
        let t = Instant::now();
        store = Store::open(&state).unwrap();
        let open = t.elapsed().as_secs_f64();
        println!(
            "  trendd items --since {date}: {:.0} ms (peak RSS {:.1} MiB); Store::open {:.0} ms",
            median(&lat) * 1e3,
            median(&rss) / 1024.0,
            open * 1e3
        );
        let (rss_now, hwm) = self_rss_kib();
        println!(
            "  bench process RSS {:.0} MiB (peak {:.0} MiB)",
            rss_now as f64 / 1024.0,
            hwm as f64 / 1024.0
        );
    }
}
