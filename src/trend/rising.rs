//! What is rising: phrases whose share of papers in the last 7 days (by each paper's own date) rose
//! significantly against the trailing weeks of the store's window.
//!
//! The statistic is the log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi & Quinn
//! (2008, "Fightin' Words"), taken per paper rather than per token: the question is "what share of
//! papers mention it", so one paper repeating a phrase ten times counts once. The prior is a Beta
//! centred on the phrase's pooled share over the whole window and worth a tenth of this week's papers, so a
//! phrase seen in three papers this week and none before is pulled towards "no change" instead of
//! looking infinitely up. Each phrase with at least `min_papers` papers in the whole window is tested
//! (one-sided z → p), Benjamini–Hochberg at `fdr` over all of them decides what is significant, and a
//! significant phrase is shown when it has `min_papers` papers this week: with thousands of phrases
//! tested, a stream that did not change yields nothing.
//!
//! Several phrases rise together when one topic rises ("spectral", "token routing", "spectral token
//! routing"). A shorter phrase is kept only if it still rises significantly without the papers of a
//! longer phrase it is part of, and of phrases on nearly the same papers (Jaccard ≥ 0.8) the first in
//! (longest, strongest, rarest words) order stands for them all.

use super::phrases::{is_part_of, PhraseId, Vocab};
use crate::config::Rising as RisingConfig;
use chrono::{DateTime, Duration, Utc};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};

/// Weight of the prior, as a share of this week's papers: enough to quiet phrases of a handful of
/// papers (about ten prior papers for a week of 100), small next to a real trend (20 papers of 105
/// this week against 4 of 840 before gives z ≈ 6.9). Scaling it with the week keeps the shrinkage of
/// a phrase the same at any stream size, where a fixed weight would cap the z of a phrase new this
/// week near 5 however many papers carry it.
pub const PRIOR_SHARE: f64 = 0.1;
/// "This week": the last 7 days up to the end of the digest's day.
pub const RECENT_DAYS: i64 = 7;
/// Fewer days of papers before this week than this, and there is no baseline to compare with.
pub const MIN_HISTORY_DAYS: i64 = 14;
/// Of two phrases on nearly the same papers, one is shown.
const SAME_PAPERS: f64 = 0.8;
/// Papers shown under a phrase in the digest.
const EXAMPLES: usize = 2;

/// One paper as the detector sees it.
#[derive(Debug, Clone, Copy)]
pub struct Doc<'a> {
    pub key: &'a str,
    pub title: &'a str,
    pub abstract_text: &'a str,
    pub url: Option<&'a str>,
    /// The paper's own date.
    pub date: DateTime<Utc>,
}

/// A paper shown under a rising phrase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaperRef {
    pub key: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One rising phrase (`digest.json` "rising").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RisingPhrase {
    pub phrase: String,
    /// Papers of the last 7 days that mention it.
    pub count: u32,
    /// Their share of the last 7 days' papers (0–1).
    pub share: f64,
    /// Its share of the papers of the weeks before (0–1).
    pub baseline_share: f64,
    /// Every paper of the last 7 days that mentions it, newest first.
    pub keys: Vec<String>,
    /// One or two of them, to show.
    #[serde(default)]
    pub papers: Vec<PaperRef>,
    /// The z-score of the rise (log-odds ratio over its standard error).
    #[serde(default)]
    pub score: f64,
}

/// What the detector found, and what it had to go on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub phrases: Vec<RisingPhrase>,
    /// Said instead of phrases when there is too little history ("not enough history yet (5 days)").
    pub note: Option<String>,
    pub recent_papers: usize,
    pub baseline_papers: usize,
    /// Phrases with enough papers in the window to be tested.
    pub tested: usize,
}

/// The earliest own date of a paper the detector reads for a digest ending at `end`.
pub fn window_start(end: DateTime<Utc>, cfg: &RisingConfig) -> DateTime<Utc> {
    end - Duration::days(RECENT_DAYS + 7 * cfg.baseline_weeks as i64)
}

/// The rising phrases of the week ending at `end` (the end of the digest's day).
pub fn detect(docs: &[Doc<'_>], end: DateTime<Utc>, cfg: &RisingConfig) -> Outcome {
    let recent_start = end - Duration::days(RECENT_DAYS);
    let start = window_start(end, cfg);
    let mut recent = Vec::new();
    let mut baseline = Vec::new();
    let mut earliest = end;
    for (i, d) in docs.iter().enumerate() {
        if d.date > end || d.date < start {
            continue;
        }
        earliest = earliest.min(d.date);
        if d.date > recent_start {
            recent.push(i);
        } else {
            baseline.push(i);
        }
    }
    let mut out = Outcome {
        recent_papers: recent.len(),
        baseline_papers: baseline.len(),
        ..Default::default()
    };
    // No papers at all (a store of blogs, or deadlines only): nothing to say.
    if recent.is_empty() && baseline.is_empty() {
        return out;
    }
    let history = recent_start - earliest;
    if baseline.is_empty() || history < Duration::days(MIN_HISTORY_DAYS) {
        let days = ((end - earliest).num_hours().max(0) + 23) / 24;
        out.note = Some(format!("not enough history yet ({days} days)"));
        return out;
    }
    let min_papers = cfg.min_papers.max(1);
    if recent.len() < min_papers as usize {
        return out;
    }

    // Pass 1: papers per phrase, this week and before.
    let mut vocab = Vocab::default();
    let mut counts: HashMap<PhraseId, [u32; 2]> = HashMap::default();
    let mut ids = Vec::new();
    let mut text = String::new();
    for (period, list) in [(0, &recent), (1, &baseline)] {
        for &i in list.iter() {
            doc_text(&docs[i], &mut text);
            vocab.phrase_ids(&text, &mut ids);
            for id in &ids {
                counts.entry(*id).or_default()[period] += 1;
            }
        }
    }
    let (n, nb) = (recent.len() as f64, baseline.len() as f64);
    // Which phrases are tested must not depend on this week's count: selecting those frequent this
    // week would pick the lucky ones of an unchanged stream and then test them as if unselected. The
    // count over the whole window says nothing about how it splits under "no change".
    let mut tests: Vec<(f64, f64, PhraseId)> = counts
        .iter()
        .filter(|(_, c)| c[0] + c[1] >= min_papers)
        .filter_map(|(id, c)| {
            let z = z_score(c[0] as f64, n, c[1] as f64, nb)?;
            Some((p_value(z), z, *id))
        })
        .collect();
    out.tested = tests.len();
    tests.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
    let m = tests.len() as f64;
    let passed = tests
        .iter()
        .enumerate()
        .filter(|(i, t)| t.0 <= cfg.fdr * (*i as f64 + 1.0) / m)
        .map(|(i, _)| i + 1)
        .last()
        .unwrap_or(0);
    if passed == 0 {
        return out;
    }
    let p_star = tests[passed - 1].0;
    // Shown only with enough papers this week to be worth a line.
    let significant: HashMap<PhraseId, f64> = tests[..passed]
        .iter()
        .filter(|t| counts[&t.2][0] >= min_papers)
        .map(|t| (t.2, t.1))
        .collect();
    if significant.is_empty() {
        return out;
    }

    // Pass 2, this week's papers only: which papers hold each significant phrase, and how it is written.
    let mut papers: HashMap<PhraseId, Vec<usize>> = HashMap::default();
    let mut written: HashMap<PhraseId, HashMap<String, u32>> = HashMap::default();
    for &i in &recent {
        doc_text(&docs[i], &mut text);
        let mut seen = HashSet::default();
        for f in vocab.phrases(&text) {
            if !significant.contains_key(&f.id) {
                continue;
            }
            *written
                .entry(f.id)
                .or_default()
                .entry(f.surface)
                .or_default() += 1;
            if seen.insert(f.id) {
                papers.entry(f.id).or_default().push(i);
            }
        }
    }

    // Longest first, then strongest, then the one whose words were rarest before (the most specific).
    let rarity = |id: PhraseId| -> u64 {
        Vocab::unpack(id)
            .into_iter()
            .map(|s| counts.get(&Vocab::single(s)).map_or(0, |c| c[1] as u64))
            .sum()
    };
    let mut order: Vec<(PhraseId, f64, usize, u64)> = significant
        .iter()
        .map(|(&id, &z)| (id, z, Vocab::unpack(id).len(), rarity(id)))
        .collect();
    order.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then(b.1.total_cmp(&a.1))
            .then(a.3.cmp(&b.3))
            .then(a.0.cmp(&b.0))
    });
    let mut seen_longer: Vec<PhraseId> = Vec::new();
    let mut kept: Vec<(PhraseId, f64)> = Vec::new();
    for &(id, z, _, _) in &order {
        let mine: HashSet<usize> = papers
            .get(&id)
            .map(|v| v.iter().copied().collect())
            .unwrap_or_default();
        let c = counts[&id];
        let same_as_kept = kept.iter().any(|(k, _)| {
            let theirs = papers.get(k).map(Vec::as_slice).unwrap_or(&[]);
            jaccard(&mine, theirs) >= SAME_PAPERS
        });
        let explained = seen_longer.iter().any(|&big| {
            if !is_part_of(id, big) {
                return false;
            }
            // Every paper with the longer phrase has this one too: what is left without them?
            let cb = counts[&big];
            let rest = z_score(
                c[0].saturating_sub(cb[0]) as f64,
                n,
                c[1].saturating_sub(cb[1]) as f64,
                nb,
            );
            rest.is_none_or(|z| p_value(z) > p_star)
        });
        seen_longer.push(id);
        if !same_as_kept && !explained {
            kept.push((id, z));
        }
    }
    kept.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    kept.truncate(cfg.max_phrases as usize);

    out.phrases = kept
        .into_iter()
        .map(|(id, z)| {
            let c = counts[&id];
            let mut list = papers.remove(&id).unwrap_or_default();
            list.sort_by(|&a, &b| {
                docs[b]
                    .date
                    .cmp(&docs[a].date)
                    .then(docs[a].key.cmp(docs[b].key))
            });
            let phrase = written
                .remove(&id)
                .and_then(|w| {
                    w.into_iter()
                        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                })
                .map(|w| w.0)
                .unwrap_or_default();
            RisingPhrase {
                phrase,
                count: c[0],
                share: round4(c[0] as f64 / n),
                baseline_share: round4(c[1] as f64 / nb),
                keys: list.iter().map(|&i| docs[i].key.to_string()).collect(),
                papers: list
                    .iter()
                    .take(EXAMPLES)
                    .map(|&i| PaperRef {
                        key: docs[i].key.to_string(),
                        title: docs[i].title.to_string(),
                        url: docs[i].url.map(str::to_string),
                    })
                    .collect(),
                score: (z * 100.0).round() / 100.0,
            }
        })
        .collect();
    out
}

fn doc_text(d: &Doc<'_>, buf: &mut String) {
    buf.clear();
    buf.push_str(d.title);
    // The title's last word and the abstract's first are not one phrase.
    buf.push_str(" . ");
    buf.push_str(d.abstract_text);
}

/// The z-score of the rise of a phrase in `y` of `n` papers this week against `yb` of `nb` before:
/// the log-odds ratio with a Beta prior at the pooled share worth [`PRIOR_SHARE`] × `n` papers, over its
/// approximate standard error (Monroe et al. 2008, eq. 16–18, per paper). `None` when the phrase is
/// in every paper (no odds to compare).
pub fn z_score(y: f64, n: f64, yb: f64, nb: f64) -> Option<f64> {
    let pooled = (y + yb) / (n + nb);
    if !(pooled > 0.0 && pooled < 1.0) {
        return None;
    }
    let weight = PRIOR_SHARE * n;
    let a = weight * pooled;
    let b = weight * (1.0 - pooled);
    let delta = ((y + a) / (n - y + b)).ln() - ((yb + a) / (nb - yb + b)).ln();
    let var = 1.0 / (y + a) + 1.0 / (n - y + b) + 1.0 / (yb + a) + 1.0 / (nb - yb + b);
    Some(delta / var.sqrt())
}

/// One-sided p-value of a z-score (the chance of a rise at least this strong with no change).
pub fn p_value(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

fn jaccard(a: &HashSet<usize>, b: &[usize]) -> f64 {
    let inter = b.iter().filter(|i| a.contains(i)).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
#[path = "rising_tests.rs"]
mod tests;
