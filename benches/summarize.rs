//! Summarizer: abstracts per second of the offline extractive TL;DR over the SciTLDR dev abstracts
//! (`../shared/bench/scitldr/dev.jsonl`, fields `abstract` and `title`). Run it on one core:
//!
//!     cargo bench --no-run && taskset -c 0 cargo bench --bench summarize

mod common;

use common::*;
use std::time::{Duration, Instant};
use trendd::summarize::extractive::tldr;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Some(shared) = shared_dir() else { return };
    println!("machine: {}", machine());
    let text = std::fs::read_to_string(shared.join("bench/scitldr/dev.jsonl")).expect("dev.jsonl");
    let docs: Vec<(Option<String>, String)> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            let s = |k: &str| match &v[k] {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Array(a) => Some(
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                _ => None,
            };
            (s("title"), s("abstract").unwrap_or_default())
        })
        .collect();
    let bytes: usize = docs.iter().map(|d| d.1.len()).sum();
    let min_time = Duration::from_secs_f64(env_or("BENCH_SECONDS", 3.0f64));
    // One warm-up pass (regexes and tables are built on first use).
    let mut sink = 0usize;
    for (t, a) in &docs {
        sink += tldr(t.as_deref(), a).len();
    }
    let mut passes = Vec::new();
    let (c0, w0) = (cpu_time(), Instant::now());
    while w0.elapsed() < min_time {
        let t = Instant::now();
        for (title, a) in &docs {
            sink += tldr(title.as_deref(), a).len();
        }
        passes.push(t.elapsed().as_secs_f64());
    }
    let cpu = (cpu_time() - c0).as_secs_f64();
    let n = docs.len() as f64;
    let p = median(&passes);
    let mut affinity = String::new();
    if let Ok(s) = std::fs::read_to_string("/proc/self/status") {
        affinity = s
            .lines()
            .find(|l| l.starts_with("Cpus_allowed_list"))
            .unwrap_or("")
            .replace('\t', " ");
    }
    println!(
        "extractive tldr over {} SciTLDR dev abstracts ({:.2} MB): {:.0} abstracts/s, {:.1} µs/abstract, {:.1} MB/s (median of {} passes; cpu/wall {:.2}; {affinity}; checksum {sink})",
        docs.len(),
        bytes as f64 / 1e6,
        n / p,
        p / n * 1e6,
        bytes as f64 / 1e6 / p,
        passes.len(),
        cpu / w0.elapsed().as_secs_f64()
    );
}
