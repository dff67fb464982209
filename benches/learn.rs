//! The ranking benchmark: simulated readers over real papers (`../shared/bench/papers/`), each with a
//! hidden taste, and the share of liked papers in what each ranker shows them.
//!
//! - `daily`: the `learn` check's protocol in-process: a 5-paper library, then 10 days of 60 new
//!   papers, the top 13 shown and every one rated 👍/👎.
//! - `curve`: precision of the top 13 of 60 fresh papers after 0, 5, 20, 50 ratings of random papers
//!   (no library), averaged over readers and trials.
//! - `speed`: training and scoring time at 100 / 1,000 / 10,000 rated papers.
//!
//! Rankers: `keywords` (today's ranker with no keywords configured, i.e. listing order), `sanity`
//! (arxiv-sanity-lite's recipe: TF-IDF 1–2-grams, squared-hinge linear SVM, C = 0.01, balanced, rated
//! positives against every other paper), `trendd` (the model trendd ships, with its explore slot and
//! the digest's rule that papers it expects a 👎 for fill at most half the digest).
//!
//! `LEARN_PLANS=DIR` replays readers from `DIR/p{seed}.json` (the `learn` check's plans), `LEARN_SHOWN`
//! sets the papers a digest holds (13), `LEARN_READERS` how many readers from seed 11 (3).
//!
//!     cargo bench --bench learn                      # all three, on both paper sets
//!     cargo bench --bench learn -- daily papers.jsonl

#[path = "common/mod.rs"]
mod common;

use chrono::Utc;
use std::time::Instant;
use trendd::compose::DOUBT_FLOOR_PAPERS;
use trendd::learn::model::{train, Example, Label, Params};
use trendd::learn::rerank::{explore_pick, trusts_its_doubts, EXPLORE_FLOOR_PERCENT};

#[derive(Clone)]
struct Paper {
    title: String,
    abstract_text: String,
    topic: String,
}

fn load(path: &std::path::Path) -> Vec<Paper> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            Paper {
                title: v["title"].as_str().unwrap_or("").into(),
                abstract_text: v["abstract"].as_str().unwrap_or("").into(),
                topic: v["topic"].as_str().unwrap_or("").into(),
            }
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Ranker {
    Keywords,
    Sanity,
    Trendd,
}

const SHOWN: usize = 13;

fn example(p: &Paper, label: Label, weight: f32) -> Example {
    Example {
        title: p.title.clone(),
        abstract_text: p.abstract_text.clone(),
        authors: vec![],
        label,
        weight,
    }
}

/// The indices of `cands` a ranker shows, given what the reader said so far.
fn show(
    r: Ranker,
    papers: &[Paper],
    liked: &[(usize, f32)],
    disliked: &[(usize, f32)],
    unrated: &[usize],
    cands: &[usize],
) -> Vec<usize> {
    if r == Ranker::Keywords || liked.is_empty() {
        return cands.iter().take(shown_per_day()).copied().collect();
    }
    let p = if r == Ranker::Sanity {
        Params::arxiv_sanity()
    } else {
        tuned()
    };
    // The check's library entries all carry the same two authors; the listing carries none.
    let mut ex: Vec<Example> = liked
        .iter()
        .enumerate()
        .map(|(n, &(i, w))| {
            let mut e = example(&papers[i], Label::Liked, w);
            if n < 5 && std::env::var("LEARN_LIBAUTH").is_ok() {
                e.authors = vec!["Doe, Jane".into(), "Roe, Richard".into()];
            }
            e
        })
        .collect();
    ex.extend(
        disliked
            .iter()
            .map(|&(i, w)| example(&papers[i], Label::Disliked, w * dislike_weight())),
    );
    ex.extend(
        unrated
            .iter()
            .map(|&i| example(&papers[i], Label::Unrated, 1.0)),
    );
    let Some(m) = train(&ex, p, 0, Utc::now()) else {
        return cands.iter().take(shown_per_day()).copied().collect();
    };
    let js: Vec<_> = cands
        .iter()
        .map(|&i| m.judge(&papers[i].title, &papers[i].abstract_text, &[]))
        .collect();
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_by(|&a, &b| js[b].score.total_cmp(&js[a].score));
    // The digest's rule for trendd: once the model trusts its doubts, papers it scores below zero
    // fill no more than half the digest (and For you keeps its floor of papers).
    let trusted = r == Ranker::Trendd && trusts_its_doubts(&m);
    let n = shown_per_day().min(order.len());
    let keep = if trusted {
        let sure = order[..n].iter().filter(|&&i| js[i].score >= 0.0).count();
        sure.max(DOUBT_FLOOR_PAPERS).max(n / 2).min(n)
    } else {
        n
    };
    let mut shown: Vec<usize> = order.iter().take(keep).map(|&i| cands[i]).collect();
    if r == Ranker::Trendd && std::env::var("LEARN_EXPLORE").map_or(true, |v| v != "0") {
        if let Some(e) = explore_pick(
            &m,
            &js,
            &order[..shown_per_day().min(order.len())],
            std::env::var("LEARN_FLOOR")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(EXPLORE_FLOOR_PERCENT),
        ) {
            shown.pop();
            shown.push(cands[e]);
        }
    }
    shown
}

/// `Params::default()`, or `LEARN_PARAMS=c,unrated_weight,neighbours,max_df,bigrams,k,contrast` to try others.
fn tuned() -> Params {
    let mut p = Params::default();
    if let Ok(v) = std::env::var("LEARN_PARAMS") {
        let f: Vec<f32> = v.split(',').map(|x| x.parse().expect("a number")).collect();
        p.c = f[0];
        p.unrated_weight = f[1];
        p.neighbours = f[2];
        p.max_df = f[3];
        p.bigrams = f[4] > 0.0;
        p.k = f[5] as usize;
        p.contrast = f[6];
    }
    p
}

fn dislike_weight() -> f32 {
    std::env::var("LEARN_DW")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0)
}

/// Two topics covering 15–30% of the papers, as the check picks them.
fn taste(papers: &[Paper], rng: &mut fastrand::Rng) -> Vec<String> {
    let mut n: std::collections::BTreeMap<&str, usize> = Default::default();
    for p in papers {
        *n.entry(&p.topic).or_default() += 1;
    }
    let mut pairs = Vec::new();
    for (a, &na) in &n {
        for (b, &nb) in &n {
            let share = (na + nb) as f64 / papers.len() as f64;
            if a < b && na.min(nb) >= 30 && (0.15..=0.30).contains(&share) {
                pairs.push(vec![a.to_string(), b.to_string()]);
            }
        }
    }
    pairs[rng.usize(..pairs.len())].clone()
}

const HALF_LIFE_DAYS: f32 = 30.0;

/// One reader's plan: the library, ten days of 60 candidates, and which papers they like. With
/// `LEARN_PLANS=DIR` it is read from `DIR/p{seed}.json` (`lib`, `days`, `liked` as the `learn` check
/// writes them), so the bench replays the check's own readers.
struct Plan {
    papers: Vec<Paper>,
    likes: Vec<String>,
    lib: Vec<usize>,
    days: Vec<Vec<usize>>,
}

fn plan(papers: &[Paper], seed: u64) -> Plan {
    if let Ok(dir) = std::env::var("LEARN_PLANS") {
        let path = std::path::Path::new(&dir).join(format!("p{seed}.json"));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("plan file"))
                .expect("plan JSON");
        let paper = |x: &serde_json::Value| Paper {
            title: x["title"].as_str().unwrap_or("").into(),
            abstract_text: x["abstract"].as_str().unwrap_or("").into(),
            topic: x["topic"].as_str().unwrap_or("").into(),
        };
        let mut ps: Vec<Paper> = v["lib"]
            .as_array()
            .expect("lib")
            .iter()
            .map(paper)
            .collect();
        let lib = (0..ps.len()).collect();
        let mut days = Vec::new();
        for d in v["days"].as_array().expect("days") {
            let start = ps.len();
            ps.extend(d.as_array().expect("day").iter().map(paper));
            days.push((start..ps.len()).collect());
        }
        let likes = v["liked"]
            .as_array()
            .expect("liked")
            .iter()
            .map(|t| t.as_str().unwrap_or("").to_string())
            .collect();
        return Plan {
            papers: ps,
            likes,
            lib,
            days,
        };
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let likes = taste(papers, &mut rng);
    let mut idx: Vec<usize> = (0..papers.len()).collect();
    rng.shuffle(&mut idx);
    let lib: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|&i| likes.contains(&papers[i].topic))
        .take(5)
        .collect();
    let rest: Vec<usize> = idx.into_iter().filter(|i| !lib.contains(i)).collect();
    let days = (0..10)
        .map(|d| rest[d * 60..(d + 1) * 60].to_vec())
        .collect();
    Plan {
        papers: papers.to_vec(),
        likes,
        lib,
        days,
    }
}

fn shown_per_day() -> usize {
    std::env::var("LEARN_SHOWN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SHOWN)
}

fn daily(papers: &[Paper], r: Ranker, seed: u64) -> (Vec<(usize, usize)>, f64) {
    let Plan {
        papers,
        likes,
        lib,
        days,
    } = plan(papers, seed);
    let papers = &papers[..];
    let good = |i: usize| likes.contains(&papers[i].topic);
    let base = days.iter().flatten().filter(|&&i| good(i)).count() as f64 / 600.0;
    let (mut liked, mut disliked) = (Vec::<(usize, usize)>::new(), Vec::<(usize, usize)>::new());
    let mut per_day = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    for (d, cands) in days.iter().enumerate() {
        let cands = cands.clone();
        seen.extend(&cands);
        let w = |day: usize| 0.5f32.powf((d - day) as f32 / HALF_LIFE_DAYS);
        let l: Vec<(usize, f32)> = lib
            .iter()
            .map(|&i| (i, 1.0))
            .chain(liked.iter().map(|&(i, day)| (i, w(day))))
            .collect();
        let dl: Vec<(usize, f32)> = disliked.iter().map(|&(i, day)| (i, w(day))).collect();
        let rated: std::collections::HashSet<usize> =
            liked.iter().chain(&disliked).map(|x| x.0).collect();
        let unrated: Vec<usize> = seen
            .iter()
            .copied()
            .filter(|i| !rated.contains(i))
            .collect();
        let shown = show(r, papers, &l, &dl, &unrated, &cands);
        let up = shown.iter().filter(|&&i| good(i)).count();
        per_day.push((up, shown.len()));
        for i in shown {
            if good(i) {
                liked.push((i, d));
            } else {
                disliked.push((i, d));
            }
        }
    }
    (per_day, base)
}

fn curve(papers: &[Paper], r: Ranker, n: usize, seed: u64) -> f64 {
    let mut rng = fastrand::Rng::with_seed(seed);
    let likes = taste(papers, &mut rng);
    let good = |i: usize| likes.contains(&papers[i].topic);
    let (mut hit, mut all) = (0, 0);
    for _ in 0..20 {
        let mut idx: Vec<usize> = (0..papers.len()).collect();
        rng.shuffle(&mut idx);
        let rated = &idx[..n];
        let cands = &idx[n..n + 60];
        let unrated = &idx[n + 60..(n + 360).min(idx.len())];
        let l: Vec<(usize, f32)> = rated
            .iter()
            .filter(|&&i| good(i))
            .map(|&i| (i, 1.0))
            .collect();
        let dl: Vec<(usize, f32)> = rated
            .iter()
            .filter(|&&i| !good(i))
            .map(|&i| (i, 1.0))
            .collect();
        let mut un = unrated.to_vec();
        un.extend(cands);
        let shown = show(r, papers, &l, &dl, &un, cands);
        hit += shown.iter().filter(|&&i| good(i)).count();
        all += shown.len();
    }
    hit as f64 / all as f64
}

fn speed(papers: &[Paper]) {
    println!("\n| rated papers | train | score one candidate | model size |");
    println!("| ---: | ---: | ---: | ---: |");
    for n in [100usize, 1000, 10_000] {
        let ex: Vec<Example> = (0..n)
            .map(|i| {
                let p = &papers[i % papers.len()];
                let label = if i % 4 == 0 {
                    Label::Liked
                } else {
                    Label::Disliked
                };
                // Distinct texts past the data's size: the round number makes each copy a new paper.
                let title = format!("{} r{}", p.title, i / papers.len());
                Example {
                    title,
                    abstract_text: p.abstract_text.clone(),
                    authors: vec![],
                    label,
                    weight: 1.0,
                }
            })
            .collect();
        let t = Instant::now();
        let m = train(&ex, Params::default(), 0, Utc::now()).expect("liked papers");
        let train_t = t.elapsed();
        let t = Instant::now();
        let reps = 2000;
        let mut sink = 0f32;
        for i in 0..reps {
            let p = &papers[i % papers.len()];
            sink += m.judge(&p.title, &p.abstract_text, &[]).score;
        }
        let per = t.elapsed() / reps as u32;
        let size = rmp_serde::to_vec_named(&m).map(|b| b.len()).unwrap_or(0);
        println!(
            "| {n} | {:.1} ms | {:.1} µs | {} KiB |",
            train_t.as_secs_f64() * 1e3,
            per.as_secs_f64() * 1e6,
            size / 1024
        );
        std::hint::black_box(sink);
    }
}

/// Readers 11–13, or `LEARN_READERS=N` readers from seed 11 on.
fn seeds() -> std::ops::RangeInclusive<u64> {
    let n: u64 = std::env::var("LEARN_READERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    11..=10 + n
}

fn main() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let what = args.first().map(String::as_str).unwrap_or("all");
    let sets: Vec<String> = match args.get(1) {
        Some(f) => vec![f.clone()],
        None => vec!["papers.jsonl".into(), "arxiv-dev.jsonl".into()],
    };
    println!("{}", common::machine());
    let rankers = [
        ("keywords only", Ranker::Keywords),
        ("arxiv-sanity recipe", Ranker::Sanity),
        ("trendd", Ranker::Trendd),
    ];
    for set in &sets {
        let papers = load(&shared.join("bench/papers").join(set));
        if what == "all" || what == "daily" {
            println!(
                "\n{set}, daily protocol (3 readers, seeds 11-13): share of liked papers shown"
            );
            println!("| ranker | base | days 1-2 | days 6-10 | per day |");
            println!("| --- | ---: | ---: | ---: | --- |");
            for (name, r) in rankers {
                let runs: Vec<_> = seeds().map(|s| daily(&papers, r, s)).collect();
                let share = |a: usize, b: usize| {
                    let (h, n) = runs
                        .iter()
                        .flat_map(|x| &x.0[a..b])
                        .fold((0, 0), |s, x| (s.0 + x.0, s.1 + x.1));
                    h as f64 / n.max(1) as f64
                };
                let base = runs.iter().map(|x| x.1).sum::<f64>() / runs.len() as f64;
                let per: Vec<String> = (0..10).map(|d| format!("{:.2}", share(d, d + 1))).collect();
                println!(
                    "| {name} | {base:.2} | {:.2} | {:.2} | {} |",
                    share(0, 2),
                    share(5, 10),
                    per.join(" ")
                );
            }
        }
        if what == "all" || what == "curve" {
            println!(
                "\n{set}, precision of the top 13 of 60 after N ratings (3 readers x 20 trials)"
            );
            println!("| ranker | 0 | 5 | 20 | 50 |");
            println!("| --- | ---: | ---: | ---: | ---: |");
            for (name, r) in rankers {
                let cells: Vec<String> = [0, 5, 20, 50]
                    .iter()
                    .map(|&n| {
                        let v: f64 = (11..=13).map(|s| curve(&papers, r, n, s)).sum::<f64>() / 3.0;
                        format!("{v:.2}")
                    })
                    .collect();
                println!("| {name} | {} |", cells.join(" | "));
            }
        }
        if (what == "all" || what == "speed") && set == &sets[0] {
            speed(&papers);
        }
    }
}
