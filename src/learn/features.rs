//! Text → sparse feature vectors for the learned ranker: lower-case words (stop words out), their
//! adjacent pairs, and whole author names, each hashed into a fixed space, weighted by sublinear tf ×
//! smoothed idf and L2-normalized (the TF-IDF of arxiv-sanity-lite's compute.py, without a vocabulary
//! to keep: the hash is the vocabulary, so a model is its weights and nothing else).

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Hashed features live in 2^24 buckets: collisions between the few thousand features a reader's
/// papers use are rare, and a bucket is a u32.
const BUCKETS: u32 = 1 << 24;

/// FNV-1a, written out because a stored model must hash words the same way in every later release
/// (std's `DefaultHasher` promises no such thing).
fn fnv1a(parts: &[&[u8]]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    ((h >> 32) ^ h) as u32 % BUCKETS
}

/// English function words and the boilerplate of abstracts: they say nothing about a topic.
const STOP: &[&str] = &[
    "a",
    "about",
    "above",
    "across",
    "after",
    "again",
    "against",
    "all",
    "almost",
    "along",
    "also",
    "although",
    "always",
    "am",
    "among",
    "an",
    "and",
    "another",
    "any",
    "approach",
    "are",
    "around",
    "art",
    "as",
    "at",
    "based",
    "be",
    "became",
    "because",
    "become",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "cannot",
    "could",
    "demonstrate",
    "do",
    "does",
    "done",
    "due",
    "during",
    "each",
    "either",
    "else",
    "enough",
    "etc",
    "even",
    "ever",
    "every",
    "existing",
    "experiments",
    "few",
    "first",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "hence",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "less",
    "many",
    "may",
    "me",
    "method",
    "methods",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "neither",
    "new",
    "no",
    "nor",
    "not",
    "novel",
    "now",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "onto",
    "or",
    "other",
    "others",
    "otherwise",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "paper",
    "per",
    "present",
    "propose",
    "proposed",
    "rather",
    "results",
    "same",
    "several",
    "she",
    "should",
    "show",
    "shows",
    "since",
    "so",
    "some",
    "state",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "themselves",
    "then",
    "there",
    "therefore",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "too",
    "two",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "use",
    "used",
    "uses",
    "using",
    "very",
    "via",
    "was",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "whereas",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "work",
    "would",
    "yet",
    "you",
    "your",
];

fn is_stop(w: &str) -> bool {
    STOP.binary_search(&w).is_ok()
}

/// Lower-case words of at least two characters that start with a letter, stop words out.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 2 && w.chars().next().is_some_and(|c| c.is_alphabetic()))
        .map(|w| w.to_lowercase())
        .filter(|w| !is_stop(w))
        .collect()
}

/// Raw feature counts of one paper: words and word pairs of title and abstract, and each author.
pub fn counts(
    title: &str,
    abstract_text: &str,
    authors: &[String],
    bigrams: bool,
) -> HashMap<u32, f32> {
    let mut out: HashMap<u32, f32> = HashMap::new();
    for part in [title, abstract_text] {
        let w = words(part);
        for (i, x) in w.iter().enumerate() {
            *out.entry(fnv1a(&[b"1", x.as_bytes()])).or_default() += 1.0;
            if let Some(y) = w.get(i + 1).filter(|_| bigrams) {
                *out.entry(fnv1a(&[b"2", x.as_bytes(), y.as_bytes()]))
                    .or_default() += 1.0;
            }
        }
    }
    for a in authors {
        let name = author_key(a);
        if !name.is_empty() {
            *out.entry(fnv1a(&[b"a", name.as_bytes()])).or_default() += 1.0;
        }
    }
    out
}

/// One form of an author's name whatever the export wrote ("Doe, Jane", "Jane Doe", "J. Doe" → "j doe").
pub fn author_key(name: &str) -> String {
    let name = name.trim();
    let (given, family) = match name.split_once(',') {
        Some((f, g)) => (g.trim(), f.trim()),
        None => match name.rsplit_once(' ') {
            Some((g, f)) => (g.trim(), f.trim()),
            None => ("", name),
        },
    };
    let initial = given
        .chars()
        .find(|c| c.is_alphabetic())
        .map(|c| c.to_lowercase().to_string())
        .unwrap_or_default();
    let family = family.to_lowercase();
    if family.is_empty() {
        return String::new();
    }
    if initial.is_empty() {
        family
    } else {
        format!("{initial} {family}")
    }
}

/// A sparse vector, sorted by feature.
pub type Sparse = Vec<(u32, f32)>;

pub fn dot(a: &Sparse, b: &Sparse) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// Document frequencies over a corpus, kept for the features that occur in at least `min_df` papers
/// and at most `max_df` of them (rarer ones cannot generalize, commoner ones cannot tell apart).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Idf {
    pub docs: u32,
    /// (feature, idf), sorted by feature.
    pub idf: Vec<(u32, f32)>,
}

impl Idf {
    pub fn fit<'a>(corpus: impl IntoIterator<Item = &'a HashMap<u32, f32>>, max_df: f32) -> Idf {
        let mut df: HashMap<u32, u32> = HashMap::new();
        let mut n = 0u32;
        for doc in corpus {
            n += 1;
            for f in doc.keys() {
                *df.entry(*f).or_default() += 1;
            }
        }
        // Small corpora (a library before the first fetch) keep every feature.
        let min_df = if n < 50 { 1 } else { 2 };
        let max = ((max_df * n as f32).ceil() as u32).max(min_df);
        let mut idf: Vec<(u32, f32)> = df
            .into_iter()
            .filter(|&(_, d)| d >= min_df && d <= max)
            .map(|(f, d)| (f, ((1.0 + n as f32) / (1.0 + d as f32)).ln() + 1.0))
            .collect();
        idf.sort_unstable_by_key(|x| x.0);
        Idf { docs: n, idf }
    }

    fn get(&self, f: u32) -> Option<f32> {
        self.idf
            .binary_search_by_key(&f, |x| x.0)
            .ok()
            .map(|i| self.idf[i].1)
    }

    /// Sublinear tf × idf over the kept features, L2-normalized.
    pub fn vector(&self, counts: &HashMap<u32, f32>) -> Sparse {
        let mut v: Sparse = counts
            .iter()
            .filter_map(|(&f, &tf)| self.get(f).map(|idf| (f, (1.0 + tf.ln()) * idf)))
            .collect();
        v.sort_unstable_by_key(|x| x.0);
        let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        if norm > 0.0 {
            for x in &mut v {
                x.1 /= norm;
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stop_list_is_sorted_for_binary_search() {
        let mut s = STOP.to_vec();
        s.sort_unstable();
        assert_eq!(s, STOP);
    }

    #[test]
    fn words_drop_stop_words_numbers_and_single_letters() {
        assert_eq!(
            words("We propose a Diffusion model for 3D x-ray images, in 2024."),
            vec!["diffusion", "model", "ray", "images"]
        );
    }

    #[test]
    fn author_names_in_every_export_form_agree() {
        assert_eq!(author_key("Doe, Jane"), "j doe");
        assert_eq!(author_key("Jane Doe"), "j doe");
        assert_eq!(author_key("J. Doe"), "j doe");
        assert_eq!(author_key("Plato"), "plato");
    }

    #[test]
    fn similar_papers_are_closer_than_unrelated_ones() {
        let a = counts(
            "Diffusion models for images",
            "Denoising diffusion models generate images.",
            &[],
            true,
        );
        let b = counts(
            "Faster diffusion models",
            "We speed up denoising diffusion sampling.",
            &[],
            true,
        );
        let c = counts(
            "Graph neural networks for molecules",
            "Message passing on molecular graphs.",
            &[],
            true,
        );
        let idf = Idf::fit([&a, &b, &c], 1.0);
        let (va, vb, vc) = (idf.vector(&a), idf.vector(&b), idf.vector(&c));
        assert!((dot(&va, &va) - 1.0).abs() < 1e-5);
        assert!(dot(&va, &vb) > 0.1);
        assert_eq!(dot(&va, &vc), 0.0);
    }
}
