//! Phrases of a paper: runs of one to three content words (stop words, boilerplate, numbers and
//! punctuation break a run), each word stemmed so "routing"/"routed" and "model"/"models" count as one.
//!
//! Words are interned once per distinct surface form (lower-cased word → stem id), so the Snowball
//! stemmer runs once per vocabulary word rather than once per token, and a phrase is a `u64` of up to
//! three 21-bit stem ids: counting phrases over 100k abstracts then needs no string per phrase.

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap as HashMap;

/// Longest phrase, in words.
pub const MAX_WORDS: usize = 3;
const BITS: u32 = 21;
const MASK: u64 = (1 << BITS) - 1;

/// A phrase: up to three stem ids (each + 1, so 0 means "no word"), first word in the high bits.
pub type PhraseId = u64;

/// Interns words and stems, and cuts text into phrases.
pub struct Vocab {
    stemmer: Stemmer,
    /// Lower-cased word → stem id, or `None` when the word breaks phrases (stop word, boilerplate).
    words: HashMap<String, Option<u32>>,
    stems: HashMap<String, u32>,
    stem_names: Vec<String>,
}

impl Default for Vocab {
    fn default() -> Self {
        Vocab {
            stemmer: Stemmer::create(Algorithm::English),
            words: HashMap::default(),
            stems: HashMap::default(),
            stem_names: Vec::new(),
        }
    }
}

/// A phrase as it stood in the text, with its id.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub id: PhraseId,
    /// The words as written, lower-cased, one space between.
    pub surface: String,
}

impl Vocab {
    /// The phrase ids in `text`, sorted and each once (a paper counts once per phrase).
    pub fn phrase_ids(&mut self, text: &str, out: &mut Vec<PhraseId>) {
        out.clear();
        let mut run: Vec<u32> = Vec::with_capacity(16);
        self.walk(text, |v, word| match word {
            Some(w) => {
                if let Some(id) = v.word_id(w) {
                    run.push(id);
                    emit_ending_here(&run, out);
                } else {
                    run.clear();
                }
            }
            None => run.clear(),
        });
        out.sort_unstable();
        out.dedup();
    }

    /// The phrases of `text` with the words as written (for naming a phrase and finding its papers).
    pub fn phrases(&mut self, text: &str) -> Vec<Found> {
        let mut found = Vec::new();
        let mut run: Vec<(u32, String)> = Vec::new();
        self.walk(text, |v, word| {
            let Some(w) = word else {
                run.clear();
                return;
            };
            let Some(id) = v.word_id(w) else {
                run.clear();
                return;
            };
            run.push((id, w.to_string()));
            let n = run.len();
            for len in 1..=MAX_WORDS.min(n) {
                let part = &run[n - len..];
                let ids: Vec<u32> = part.iter().map(|x| x.0).collect();
                let surface: Vec<&str> = part.iter().map(|x| x.1.as_str()).collect();
                found.push(Found {
                    id: pack(&ids),
                    surface: surface.join(" "),
                });
            }
        });
        found
    }

    /// The stem ids of a phrase, first word first.
    pub fn unpack(id: PhraseId) -> Vec<u32> {
        let mut v = Vec::with_capacity(MAX_WORDS);
        for i in (0..MAX_WORDS as u32).rev() {
            let part = (id >> (i * BITS)) & MASK;
            if part != 0 {
                v.push(part as u32 - 1);
            }
        }
        v
    }

    /// The one-word phrase of a stem id.
    pub fn single(stem: u32) -> PhraseId {
        pack(&[stem])
    }

    /// Calls `f` with each lower-cased word, and with `None` where punctuation or a number breaks a
    /// phrase. A hyphen inside a word keeps it whole ("state-of-the-art", "in-context").
    fn walk(&mut self, text: &str, mut f: impl FnMut(&mut Self, Option<&str>)) {
        let mut word = String::with_capacity(32);
        for c in text.chars() {
            if c.is_alphanumeric() || (c == '-' && !word.is_empty()) {
                word.extend(c.to_lowercase());
                continue;
            }
            if !word.is_empty() {
                self.flush(&mut word, &mut f);
            }
            // Spaces join the words of a phrase; anything else (.,;:()"/…) ends it.
            if !c.is_whitespace() {
                f(self, None);
            }
        }
        if !word.is_empty() {
            self.flush(&mut word, &mut f);
        }
    }

    fn flush(&mut self, word: &mut String, f: &mut impl FnMut(&mut Self, Option<&str>)) {
        // The closure borrows the vocabulary mutably, so the word is moved out while it runs.
        let owned = std::mem::take(word);
        let w = owned.trim_end_matches('-');
        let usable = w.chars().count() >= 2
            && w.chars().any(|c| c.is_alphabetic())
            && w.chars().count() <= 40;
        if usable {
            f(self, Some(w));
        } else {
            f(self, None);
        }
        *word = owned;
        word.clear();
    }

    /// The stem id of a lower-cased word, `None` for a word that breaks phrases.
    fn word_id(&mut self, w: &str) -> Option<u32> {
        if let Some(id) = self.words.get(w) {
            return *id;
        }
        let id = if super::stopwords::breaks_phrase(w) {
            None
        } else {
            let stem = self.stemmer.stem(w).into_owned();
            let next = self.stem_names.len() as u32;
            // 21 bits per word: a vocabulary past two million stems stops growing new phrases.
            if next as u64 >= MASK && !self.stems.contains_key(&stem) {
                None
            } else {
                Some(*self.stems.entry(stem.clone()).or_insert_with(|| {
                    self.stem_names.push(stem);
                    next
                }))
            }
        };
        self.words.insert(w.to_string(), id);
        id
    }
}

fn pack(ids: &[u32]) -> PhraseId {
    ids.iter()
        .fold(0u64, |acc, &id| (acc << BITS) | ((id as u64 + 1) & MASK))
}

/// Pushes the phrases that end at the last word of `run`.
fn emit_ending_here(run: &[u32], out: &mut Vec<PhraseId>) {
    let n = run.len();
    for len in 1..=MAX_WORDS.min(n) {
        out.push(pack(&run[n - len..]));
    }
}

/// Whether phrase `small` is a contiguous part of phrase `big` (and shorter).
pub fn is_part_of(small: PhraseId, big: PhraseId) -> bool {
    let s = Vocab::unpack(small);
    let b = Vocab::unpack(big);
    s.len() < b.len() && b.windows(s.len()).any(|w| w == s.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surfaces(text: &str) -> Vec<String> {
        let mut v = Vocab::default();
        v.phrases(text).into_iter().map(|f| f.surface).collect()
    }

    #[test]
    fn stop_words_and_punctuation_break_phrases() {
        let got = surfaces("We call this mechanism spectral token routing.");
        for want in [
            "mechanism",
            "spectral token routing",
            "mechanism spectral token",
            "token routing",
        ] {
            assert!(
                got.contains(&want.to_string()),
                "{want} missing from {got:?}"
            );
        }
        // "call" is naming boilerplate, "this" a stop word: neither starts a phrase.
        assert!(!got.iter().any(|s| s.contains("call") || s.contains("this")));
        let got = surfaces("graph neural networks, transformers (and 12 more)");
        assert!(got.contains(&"graph neural networks".to_string()));
        assert!(!got.iter().any(|s| s.contains("networks transformers")));
        assert!(!got.iter().any(|s| s.contains("12")));
    }

    #[test]
    fn inflections_share_one_phrase_id() {
        let mut v = Vocab::default();
        let mut a = Vec::new();
        let mut b = Vec::new();
        v.phrase_ids("diffusion models", &mut a);
        v.phrase_ids("diffusion model", &mut b);
        assert_eq!(a, b);
        assert_eq!(a.len(), 3);
    }

    #[test]
    fn parts_of_phrases() {
        let mut v = Vocab::default();
        let f = v.phrases("spectral token routing");
        let id = |s: &str| f.iter().find(|x| x.surface == s).unwrap().id;
        assert!(is_part_of(id("token"), id("spectral token routing")));
        assert!(is_part_of(
            id("token routing"),
            id("spectral token routing")
        ));
        assert!(!is_part_of(id("spectral token routing"), id("token")));
        assert!(!is_part_of(id("token"), id("token")));
        assert_eq!(Vocab::unpack(id("spectral token routing")).len(), 3);
    }
}
