//! Ingest throughput: parse + normalize + identify + store, in MB/s and items/s, over the feedparser
//! well-formed corpus and the recorded fixtures, beside Python feedparser 6.0.14 (parse only) on the
//! same files in the same run.
//!
//! In-process: the library on bytes already in memory, CPU time of this process (sled's threads
//! included). Whole-process: `trendd fetch` over a config with one file:// source per file, as the
//! `ratio` check does, against a Python process parsing the same files; medians of `BENCH_RUNS` (3).
//!
//!     cargo bench --bench ingest

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use trendd::identity::identify;
use trendd::sources::{self, Body};
use trendd::store::Store;

/// One input file and the source kind that reads it.
struct Input {
    kind: &'static str,
    path: PathBuf,
    bytes: Vec<u8>,
}

fn read_inputs(files: Vec<(&'static str, PathBuf)>) -> Vec<Input> {
    files
        .into_iter()
        .map(|(kind, p)| Input {
            kind,
            bytes: std::fs::read(&p).unwrap(),
            path: p,
        })
        .collect()
}

fn corpus_inputs(shared: &Path) -> Vec<Input> {
    read_inputs(
        corpus_files(shared)
            .into_iter()
            .map(|p| ("feed", p))
            .collect(),
    )
}

fn fixture_inputs(shared: &Path) -> Vec<Input> {
    read_inputs(fixture_files(shared))
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// The sources, built through the real config loader (one `[[source]]` per input).
fn build_sources(inputs: &[Input], dir: &Path) -> Vec<Box<dyn sources::Source>> {
    let cfg = dir.join("inproc.toml");
    let list: Vec<(&str, String)> = inputs.iter().map(|i| (i.kind, file_url(&i.path))).collect();
    write_config(&cfg, "[general]\ntimezone = \"UTC\"\n", &list);
    let loaded = trendd::config::load(Some(&cfg)).expect("bench config loads");
    loaded.config.sources.iter().map(sources::build).collect()
}

struct Stage {
    cpu: Duration,
    wall: Duration,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Stage) {
    let (c0, w0) = (cpu_time(), Instant::now());
    let r = f();
    (
        r,
        Stage {
            cpu: cpu_time() - c0,
            wall: w0.elapsed(),
        },
    )
}

/// In-process figures for one set of inputs.
fn in_process(label: &str, inputs: &[Input], runs: usize, tmp: &Path) -> f64 {
    let srcs = build_sources(inputs, tmp);
    let urls: Vec<String> = inputs.iter().map(|i| file_url(&i.path)).collect();
    let bytes: usize = inputs.iter().map(|i| i.bytes.len()).sum();
    let parse_all = || {
        let mut entries = Vec::new();
        let mut failed = 0;
        for (i, inp) in inputs.iter().enumerate() {
            let body = Body {
                bytes: &inp.bytes,
                content_type: None,
                url: &urls[i],
            };
            match srcs[i].parse(&body) {
                Ok(p) => entries.push(p.entries),
                Err(_) => {
                    failed += 1;
                    entries.push(Vec::new())
                }
            }
        }
        (entries, failed)
    };
    let mut parse_cpu = Vec::new();
    let mut ident_cpu = Vec::new();
    let mut store_cpu = Vec::new();
    let mut full_cpu = Vec::new();
    let mut full_wall = Vec::new();
    let (mut n_entries, mut n_failed, mut n_items) = (0, 0, 0);
    for r in 0..runs {
        // Stage by stage, to see where the time goes.
        let ((entries, failed), st) = timed(parse_all);
        parse_cpu.push(st.cpu.as_secs_f64());
        n_entries = entries.iter().map(Vec::len).sum::<usize>();
        n_failed = failed;
        let (ids, st) = timed(|| {
            entries
                .iter()
                .map(|es| es.iter().map(identify).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        });
        ident_cpu.push(st.cpu.as_secs_f64());
        let store = Store::open(&tmp.join(format!("{label}-stage-{r}"))).unwrap();
        let now = chrono::Utc::now();
        let (_, st) = timed(|| {
            for (i, (es, is)) in entries.iter().zip(&ids).enumerate() {
                for (e, id) in es.iter().zip(is) {
                    if let Some(id) = id {
                        store
                            .upsert(srcs[i].name(), srcs[i].kind(), e, id, now)
                            .unwrap();
                    }
                }
            }
            store.flush().unwrap();
        });
        store_cpu.push(st.cpu.as_secs_f64());
        n_items = store.item_count();
        drop(store);

        // The whole pipeline in one pass, as `run_fetch` does it per body.
        let store = Store::open(&tmp.join(format!("{label}-full-{r}"))).unwrap();
        let (_, st) = timed(|| {
            let now = chrono::Utc::now();
            for (i, inp) in inputs.iter().enumerate() {
                let body = Body {
                    bytes: &inp.bytes,
                    content_type: None,
                    url: &urls[i],
                };
                let Ok(p) = srcs[i].parse(&body) else {
                    continue;
                };
                for e in &p.entries {
                    if let Some(id) = identify(e) {
                        store
                            .upsert(srcs[i].name(), srcs[i].kind(), e, &id, now)
                            .unwrap();
                    }
                }
            }
            store.flush().unwrap();
        });
        full_cpu.push(st.cpu.as_secs_f64());
        full_wall.push(st.wall.as_secs_f64());
    }
    let mb = bytes as f64 / 1e6;
    let (p, i, s, f) = (
        median(&parse_cpu),
        median(&ident_cpu),
        median(&store_cpu),
        median(&full_cpu),
    );
    println!(
        "[{label}] in-process: {} files, {:.2} MB, {n_entries} entries ({n_failed} files refused), {n_items} items stored",
        inputs.len(),
        mb
    );
    println!(
        "[{label}]   parse+normalize  cpu {:>8.1} ms  {:>7.1} MB/s  {:>9.0} entries/s",
        p * 1e3,
        mb / p,
        n_entries as f64 / p
    );
    println!(
        "[{label}]   identify         cpu {:>8.1} ms  {:>9.0} entries/s",
        i * 1e3,
        n_entries as f64 / i
    );
    println!(
        "[{label}]   store (upsert)   cpu {:>8.1} ms  {:>9.0} entries/s",
        s * 1e3,
        n_entries as f64 / s
    );
    println!(
        "[{label}]   full pipeline    cpu {:>8.1} ms  {:>7.1} MB/s  {:>9.0} entries/s  (wall {:.1} ms; medians of {runs})",
        f * 1e3,
        mb / f,
        n_entries as f64 / f,
        median(&full_wall) * 1e3
    );
    f
}

const FP_INPROC: &str = r#"
import sys, time, json, feedparser
paths = open(sys.argv[1]).read().split()
runs = int(sys.argv[2])
data = [open(p, "rb").read() for p in paths]
cpu, n = [], 0
for _ in range(runs):
    t = time.process_time(); n = 0
    for b in data:
        n += len(feedparser.parse(b).entries)
    cpu.append(time.process_time() - t)
print(json.dumps({"cpu": cpu, "entries": n}))
"#;

const FP_WHOLE: &str = "import sys, feedparser\nn = 0\nfor p in open(sys.argv[1]).read().split():\n    n += len(feedparser.parse(open(p, \"rb\").read()).entries)\nprint(n)\n";

/// Python feedparser in one process over the same bytes (parse only): median CPU seconds and entries.
fn feedparser_in_process(py: &Path, list: &Path, runs: usize, tmp: &Path) -> Option<(f64, u64)> {
    let script = tmp.join("fp_inproc.py");
    std::fs::write(&script, FP_INPROC).unwrap();
    let out = Command::new(py)
        .arg(&script)
        .arg(list)
        .arg(runs.to_string())
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    let cpu: Vec<f64> = v["cpu"]
        .as_array()?
        .iter()
        .filter_map(|x| x.as_f64())
        .collect();
    Some((median(&cpu), v["entries"].as_u64()?))
}

/// `trendd fetch` whole-process against Python whole-process, alternated, as the ratio check runs them.
fn whole_process(label: &str, inputs: &[&Input], runs: usize, tmp: &Path, py: Option<&Path>) {
    let cfg = tmp.join(format!("{label}-whole.toml"));
    let list: Vec<(&str, String)> = inputs.iter().map(|i| (i.kind, file_url(&i.path))).collect();
    write_config(&cfg, "[general]\ntimezone = \"UTC\"\n", &list);
    let files = tmp.join(format!("{label}-files.txt"));
    std::fs::write(
        &files,
        inputs
            .iter()
            .map(|i| i.path.display().to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let script = tmp.join("fp_whole.py");
    std::fs::write(&script, FP_WHOLE).unwrap();
    let bytes: usize = inputs.iter().map(|i| i.bytes.len()).sum();
    let (mut tr, mut trss, mut tp) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..runs {
        let state = tmp.join(format!("{label}-whole-state-{k}"));
        let r = run_child(
            &mut trendd(&cfg, &state, &["fetch"]),
            Duration::from_secs(600),
        );
        assert!(r.code == 0, "trendd fetch exited {}", r.code);
        tr.push(r.wall.as_secs_f64());
        trss.push(r.max_rss_kib as f64);
        if let Some(py) = py {
            let r = run_child(
                Command::new(py)
                    .arg(&script)
                    .arg(&files)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null()),
                Duration::from_secs(600),
            );
            tp.push(r.wall.as_secs_f64());
        }
    }
    let t = median(&tr);
    print!(
        "[{label}] whole-process: trendd fetch over {} file:// sources ({:.2} MB): {:.0} ms ({:.1} MB/s), peak RSS {:.1} MiB",
        inputs.len(),
        bytes as f64 / 1e6,
        t * 1e3,
        bytes as f64 / 1e6 / t,
        median(&trss) / 1024.0
    );
    if !tp.is_empty() {
        let p = median(&tp);
        print!(
            "; feedparser process {:.0} ms; ratio {:.1}x",
            p * 1e3,
            p / t
        );
    }
    println!(
        "  (medians of {runs}; runs {:?} vs {:?} ms)",
        ms(&tr),
        ms(&tp)
    );
}

/// The costs `trendd fetch` pays once per process, whatever the number of feeds: config load,
/// store open, HTTP client, the final flush; and a whole process over a single feed.
fn fixed_costs(inputs: &[Input], tmp: &Path) {
    let cfg = tmp.join("fixed.toml");
    let list: Vec<(&str, String)> = inputs.iter().map(|i| (i.kind, file_url(&i.path))).collect();
    write_config(&cfg, "[general]\ntimezone = \"UTC\"\n", &list);
    let t = Instant::now();
    let loaded = trendd::config::load(Some(&cfg)).unwrap();
    let load = t.elapsed();
    let t = Instant::now();
    let store = Store::open(&tmp.join("fixed-state")).unwrap();
    let open = t.elapsed();
    let t = Instant::now();
    let app = trendd::pipeline::App::new(
        loaded.config,
        Some(cfg.clone()),
        tmp.join("fixed-state"),
        store.clone(),
    )
    .unwrap();
    let client = t.elapsed();
    store.put_source_status("x", &Default::default()).unwrap();
    let t = Instant::now();
    store.flush().unwrap();
    let flush = t.elapsed();
    drop(app);
    drop(store);
    let one = tmp.join("one.toml");
    write_config(&one, "[general]\ntimezone = \"UTC\"\n", &list[..1]);
    let mut walls = Vec::new();
    for k in 0..5 {
        let r = run_child(
            &mut trendd(&one, &tmp.join(format!("one-{k}")), &["fetch"]),
            Duration::from_secs(60),
        );
        walls.push(r.wall.as_secs_f64());
    }
    println!(
        "fixed costs: config load of {} sources {:.1} ms, Store::open (new) {:.1} ms, App::new (HTTP client) {:.1} ms, flush {:.1} ms; `trendd fetch` of one feed {:.0} ms (median of 5)",
        inputs.len(),
        load.as_secs_f64() * 1e3,
        open.as_secs_f64() * 1e3,
        client.as_secs_f64() * 1e3,
        flush.as_secs_f64() * 1e3,
        median(&walls) * 1e3
    );
}

/// How `file://` bodies are read: through tokio::fs (open, metadata, read: each a blocking-pool hand-off,
/// as the HTTP client's file path does) against one std::fs::read per file, eight at a time in a
/// multi-thread runtime as `run_fetch` does.
fn file_reads(inputs: &[Input]) {
    use futures_util::StreamExt;
    use tokio::io::AsyncReadExt;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let paths: Vec<PathBuf> = inputs.iter().map(|i| i.path.clone()).collect();
    let mut tok = Vec::new();
    let mut std_ = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        rt.block_on(
            futures_util::stream::iter(paths.iter())
                .map(|p| async move {
                    let f = tokio::fs::File::open(p).await.unwrap();
                    let m = f.metadata().await.unwrap();
                    let mut b = Vec::with_capacity(m.len() as usize);
                    f.take(m.len() + 1).read_to_end(&mut b).await.unwrap();
                    b.len()
                })
                .buffer_unordered(8)
                .collect::<Vec<_>>(),
        );
        tok.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        rt.block_on(
            futures_util::stream::iter(paths.iter())
                .map(|p| async move { std::fs::read(p).unwrap().len() })
                .buffer_unordered(8)
                .collect::<Vec<_>>(),
        );
        std_.push(t.elapsed().as_secs_f64());
    }
    println!(
        "file:// reads of {} files, 8 at a time: tokio::fs open+metadata+read {:.1} ms, std::fs::read {:.1} ms (medians of 5)",
        paths.len(),
        median(&tok) * 1e3,
        median(&std_) * 1e3
    );
}

fn ms(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| (x * 1e3).round() as u64).collect()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and friends: nothing to enumerate
    }
    let Some(shared) = shared_dir() else { return };
    let runs = env_or("BENCH_RUNS", 3usize);
    println!("machine: {}", machine());
    let tmp = tempfile::tempdir().unwrap();
    let py = feedparser_python();
    for (label, inputs) in [
        ("corpus-wellformed", corpus_inputs(&shared)),
        ("fixtures", fixture_inputs(&shared)),
    ] {
        if label == "corpus-wellformed" {
            fixed_costs(&inputs, tmp.path());
            file_reads(&inputs);
        }
        let cpu = in_process(label, &inputs, runs, tmp.path());
        // feedparser reads XML only; the JSON fixtures (Hugging Face, Papers with Code) have no Python twin.
        let xml: Vec<&Input> = inputs
            .iter()
            .filter(|i| i.path.extension().is_some_and(|x| x == "xml"))
            .collect();
        if let Some(py) = &py {
            let list = tmp.path().join(format!("{label}-xml.txt"));
            std::fs::write(
                &list,
                xml.iter()
                    .map(|i| i.path.display().to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
            .unwrap();
            let xml_only = if xml.len() == inputs.len() {
                cpu
            } else {
                let owned: Vec<Input> = xml
                    .iter()
                    .map(|i| Input {
                        kind: i.kind,
                        path: i.path.clone(),
                        bytes: i.bytes.clone(),
                    })
                    .collect();
                in_process(&format!("{label}-xml"), &owned, runs, tmp.path())
            };
            if let Some((fp, n)) = feedparser_in_process(py, &list, runs, tmp.path()) {
                let mb = xml.iter().map(|i| i.bytes.len()).sum::<usize>() as f64 / 1e6;
                println!(
                    "[{label}] feedparser 6.0.14 in-process (parse only, {} XML files): cpu {:.0} ms, {:.2} MB/s, {n} entries; trendd full pipeline is {:.1}x faster (CPU)",
                    xml.len(),
                    fp * 1e3,
                    mb / fp,
                    fp / xml_only
                );
            }
        }
        whole_process(label, &xml, runs, tmp.path(), py.as_deref());
        println!("load after {label}: {}", loadavg());
    }
}
