//! Scoring sentences: which one states the contribution.

use super::compress::{compress, opener_len};
use super::context;
use super::cues::{find_cues, BACKGROUND, BOILER, MEDIUM, PROPOSE, STRONG};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// Fx-style hashing: words are short and SipHash's flooding resistance buys nothing here.
#[derive(Default)]
pub(super) struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
}

/// Function words and generic paper vocabulary, which say nothing about the topic.
const STOP: &[&str] = &[
    "a", "also", "an", "and", "approach", "are", "as", "at", "based", "be", "been", "being",
    "between", "both", "by", "can", "do", "does", "e", "each", "for", "from", "g", "had", "has",
    "have", "how", "i", "in", "into", "is", "it", "its", "method", "methods", "more", "most",
    "new", "not", "novel", "of", "on", "or", "other", "our", "over", "paper", "propose",
    "proposed", "show", "some", "such", "than", "that", "the", "their", "there", "these", "they",
    "this", "those", "through", "to", "toward", "towards", "under", "us", "use", "used", "using",
    "via", "was", "we", "were", "what", "when", "where", "which", "while", "whose", "with",
    "within", "without", "work",
];

/// Strips a suffix so stems borrow instead of allocating. It only has to be consistent:
/// "studies"/"study" -> "stud", "images"/"image" -> "imag".
fn stem(w: &str) -> &str {
    for suf in ["ies", "ing", "ed", "es", "s", "e", "y"] {
        if w.len() > suf.len() + 3 && w.ends_with(suf) && !w.ends_with("ss") {
            return &w[..w.len() - suf.len()];
        }
    }
    w
}

pub(super) fn content_words(lower: &str) -> impl Iterator<Item = &str> {
    let sep = |c: char| !c.is_alphanumeric();
    static SET: OnceLock<HashSet<&str, BuildHasherDefault<Fx>>> = OnceLock::new();
    let set = SET.get_or_init(|| STOP.iter().copied().collect());
    let stop = |w: &str| w.len() <= 8 && set.contains(w);
    lower
        .split(sep)
        .filter(move |w| !w.is_empty() && !stop(w))
        .map(stem)
}

/// Selection weights, fitted with ListNet on SciTLDR-A dev; order as in `features`.
const W: [f64; NF] = [
    0.44, 0.11, -0.15, 0.16, 0.36, -0.10, -0.08, -0.92, -0.51, 0.19, 0.26, -0.21, -0.18, 0.79,
    0.24, 0.55, -10.0, -0.5,
];
const NF: usize = 18;

pub(super) fn features(sents: &[&str], title: Option<&str>) -> Vec<[f64; NF]> {
    let n = sents.len();
    let lowers: Vec<String> = sents.iter().map(|s| s.to_ascii_lowercase()).collect();
    // Word ids over the whole abstract: one hash lookup per word keeps this linear.
    let capacity = lowers.iter().map(|l| l.len() / 8).sum();
    let mut ids: HashMap<&str, usize, BuildHasherDefault<Fx>> =
        HashMap::with_capacity_and_hasher(capacity, Default::default());
    let mut df: Vec<usize> = Vec::new();
    let mut bags: Vec<Vec<usize>> = Vec::with_capacity(n);
    for lower in &lowers {
        let mut bag: Vec<usize> = content_words(lower)
            .map(|w| {
                let next = ids.len();
                *ids.entry(w).or_insert(next)
            })
            .collect();
        bag.sort_unstable();
        bag.dedup();
        df.resize(ids.len(), 0);
        bag.iter().for_each(|&id| df[id] += 1);
        bags.push(bag);
    }
    let title_lower = title.unwrap_or("").to_ascii_lowercase();
    let title_words: HashSet<&str> = content_words(&title_lower).collect();
    let mut in_title = vec![false; ids.len()];
    for id in title_words.iter().filter_map(|w| ids.get(w)) {
        in_title[*id] = true;
    }

    let flag = |b: bool| b as u8 as f64;
    let shown_lower: Vec<String> = sents
        .iter()
        .map(|s| {
            // The head is enough to judge how it starts, and keeps this linear in long sentences.
            let head = match s.match_indices(' ').nth(23) {
                Some((i, _)) => &s[..i],
                None => s,
            };
            let w = compress(head);
            w[..w.len().min(8)].join(" ").to_ascii_lowercase()
        })
        .collect();
    let shown_head: Vec<Vec<&str>> = shown_lower.iter().map(|s| s.split(' ').collect()).collect();
    let mut out = Vec::with_capacity(n);
    for (i, (lower, bag)) in lowers.iter().zip(&bags).enumerate() {
        let found = find_cues(lower).0;
        let count = |class: usize| found[class].count_ones() as f64;
        let nu = bag.len().max(1) as f64;
        let tcount = bag.iter().filter(|&&id| in_title[id]).count() as f64;
        // Cleaning left single spaces, so spaces count the words.
        let nwords = lower.bytes().filter(|&c| c == b' ').count() + 1;
        let head: Vec<&str> = lower.split(' ').take(16).collect();
        out.push([
            count(STRONG).min(1.0),
            count(MEDIUM).min(2.0),
            count(BACKGROUND).min(2.0),
            tcount / title_words.len().max(1) as f64,
            // Words recurring across sentences are the abstract's topic, which a TL;DR names.
            bag.iter().filter(|&&id| df[id] > 1).count() as f64 / nu,
            i as f64 / (n - 1).max(1) as f64,
            flag(i + 1 == n && n > 1),
            flag(nwords < 8),
            flag(nwords > 45),
            flag(head.get(opener_len(&head, nwords)) == Some(&"we")),
            flag(found[PROPOSE] != 0),
            flag(lower.bytes().any(|c| c.is_ascii_digit())),
            flag(lower.ends_with('?')),
            tcount / nu.sqrt(),
            bag.iter().map(|&id| (df[id] as f64).ln()).sum::<f64>() / nu.sqrt(),
            nu / 20.0,
            // A veto rather than a fitted weight: a code-release note is never the TL;DR.
            flag(found[BOILER] != 0),
            // Judged as it would be shown (openers gone, "we address this by proposing" mended): a
            // sentence that still leans on one the reader does not see ("We revisit this claim").
            // Its weight was set on SciTLDR-A dev (0.3-0.6 all help; more picks background).
            flag(context::leans_back(&shown_head[i])),
        ]);
    }
    out
}

pub(super) fn pick(title: Option<&str>, sents: &[&str]) -> usize {
    let score = |f: &[f64; NF]| f.iter().zip(&W).map(|(a, b)| a * b).sum::<f64>();
    let scores: Vec<f64> = features(sents, title).iter().map(score).collect();
    // Scanning backwards makes the first of equal maxima win: ties favour the earlier sentence.
    (0..scores.len())
        .rev()
        .max_by(|&a, &b| scores[a].total_cmp(&scores[b]))
        .unwrap_or(0)
}
