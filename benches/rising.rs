//! What's rising at scale: `BENCH_RISING_SIZES` (default 10000,100000) arXiv-like papers in the
//! detector's window (nine weeks, each paper first seen on its own date), real SciTLDR abstracts from
//! `../shared` when present (else generated prose; one word in ten swapped for another so every paper
//! is distinct), one phrase injected into 19% of the last week's
//! papers. For each size: the store's window scan (`Store::items_seen_since`), the detector alone
//! (`trend::rising::detect`, median of 3), the two together as the digest runs them
//! (`trend::rising_in_store`), this process's peak memory, and what was found.
//!
//!     cargo bench --bench rising
//!     BENCH_RISING_SIZES=10000 cargo bench --bench rising

mod common;

use chrono::{Duration as Days, TimeZone, Utc};
use common::*;
use std::time::Instant;
use trendd::identity::identify;
use trendd::model::{Entry, ItemKind};
use trendd::pipeline::App;
use trendd::store::Store;
use trendd::trend::{self, rising};

const PHRASE: &str = "We call this mechanism spectral token routing.";

fn abstracts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(s) = shared_dir() {
        if let Ok(text) = std::fs::read_to_string(s.join("bench/scitldr/dev.jsonl")) {
            for line in text.lines() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                    if let (Some(t), Some(a)) = (v["title"].as_str(), v["abstract"].as_str()) {
                        out.push((t.to_string(), a.to_string()));
                    }
                }
            }
        }
    }
    if out.is_empty() {
        eprintln!("no SciTLDR abstracts: generated prose instead");
        let w: Vec<&str> = "we study sparse attention for diffusion policies and language models that reason over graphs with contrastive retrieval and federated privacy under adversarial noise".split(' ').collect();
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..600 {
            let a: Vec<&str> = (0..150).map(|_| w[rng.usize(..w.len())]).collect();
            let t: Vec<&str> = (0..8).map(|_| w[rng.usize(..w.len())]).collect();
            out.push((t.join(" "), a.join(" ")));
        }
    }
    out
}

fn main() {
    println!("{}", machine());
    let sizes: Vec<usize> = std::env::var("BENCH_RISING_SIZES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let pool = abstracts();
    let words: Vec<&str> = pool.iter().flat_map(|(_, a)| a.split(' ')).collect();
    let end = Utc.with_ymd_and_hms(2026, 12, 2, 23, 59, 59).unwrap();
    let days = 63usize;
    for n in sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        let mut rng = fastrand::Rng::with_seed(7);
        let per_day = n.div_ceil(days);
        let t_ins = Instant::now();
        for i in 0..n {
            let back = days - 1 - i / per_day;
            let at = end - Days::days(back as i64) - Days::hours(6);
            let (title, abs) = &pool[rng.usize(..pool.len())];
            // One word in ten replaced by another of the corpus, so 100k papers are 100k distinct
            // abstracts (as a real stream's are) rather than 619 abstracts repeated.
            let mut abs: String = abs
                .split(' ')
                .map(|w| {
                    if rng.u8(..10) == 0 {
                        words[rng.usize(..words.len())]
                    } else {
                        w
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
            if back < 7 && rng.u8(..100) < 19 {
                abs.push(' ');
                abs.push_str(PHRASE);
            }
            let id = format!("{:02}{:02}.{:05}", 20 + i / 99_999, 1, i % 99_999 + 1);
            let e = Entry {
                title: title.clone(),
                url: Some(format!("https://arxiv.org/abs/{id}")),
                arxiv_id: Some(id),
                abstract_text: abs,
                published: Some(at),
                kind: Some(ItemKind::Paper),
                ..Default::default()
            };
            let key = identify(&e).expect("an id");
            store
                .upsert("arxiv", "arxiv", &e, &key, at)
                .expect("upsert");
        }
        store.flush().expect("flush");
        let ins = t_ins.elapsed();
        let cfg = trendd::config::parse_str("[general]\ntimezone = \"UTC\"\n", "<bench>")
            .expect("config");
        let start = rising::window_start(end, &cfg.rising);

        let t = Instant::now();
        let items = store.items_seen_since(start).expect("scan");
        let scan = t.elapsed();
        let docs = trendd::trend::paper_docs(&items);
        let mut runs = Vec::new();
        let mut out = rising::Outcome::default();
        let mut cpu = Vec::new();
        for _ in 0..3 {
            let (t, c) = (Instant::now(), cpu_time());
            out = rising::detect(&docs, end, &cfg.rising);
            runs.push(t.elapsed().as_secs_f64());
            cpu.push((cpu_time() - c).as_secs_f64());
        }
        let app = App::new(cfg, None, dir.path().to_path_buf(), store.clone()).expect("app");
        let t = Instant::now();
        let whole = trend::rising_in_store(&app, end).expect("rising");
        let total = t.elapsed();
        let (_, hwm) = self_rss_kib();
        println!(
            "rising n={n}: insert {:.1}s; window scan {} items {:.0} ms; detect median {:.0} ms (min {:.0}, max {:.0}; CPU median {:.0} ms); scan+detect {:.0} ms; peak RSS {} MiB; {} recent / {} baseline papers, {} phrases tested",
            ins.as_secs_f64(),
            items.len(),
            scan.as_secs_f64() * 1e3,
            median(&runs) * 1e3,
            runs.iter().cloned().fold(f64::INFINITY, f64::min) * 1e3,
            runs.iter().cloned().fold(0.0, f64::max) * 1e3,
            median(&cpu) * 1e3,
            total.as_secs_f64() * 1e3,
            hwm / 1024,
            out.recent_papers,
            out.baseline_papers,
            out.tested,
        );
        for p in whole.phrases.iter().take(3) {
            println!(
                "    {:?}: {} papers ({:.2}% -> {:.1}%), z = {:.1}",
                p.phrase,
                p.count,
                p.baseline_share * 100.0,
                p.share * 100.0,
                p.score
            );
        }
    }
}
