//! TL;DRs: the `Summarizer` trait, the offline extractive default, and the optional OpenAI-compatible one.

pub mod extractive;

/// Writes a short TL;DR of one abstract.
pub trait Summarizer: Send + Sync {
    /// Stored with each summary, so a change of summarizer can redo old ones.
    fn name(&self) -> &str;
    fn summarize(&self, title: Option<&str>, abstract_text: &str) -> String;
}

/// The offline default: no model files, no network.
pub struct Extractive;

impl Summarizer for Extractive {
    fn name(&self) -> &str {
        "extractive"
    }
    fn summarize(&self, title: Option<&str>, abstract_text: &str) -> String {
        cap_words(&extractive::tldr(title, abstract_text))
    }
}

/// Longest word a TL;DR or title keeps whole: the reading budget counts words, so a 10,000-character "word"
/// from a hostile feed must not pass for one.
const MAX_WORD_CHARS: usize = 60;

pub fn cap_words(s: &str) -> String {
    if s.split_whitespace()
        .all(|w| w.chars().count() <= MAX_WORD_CHARS)
    {
        return s.to_string();
    }
    s.split_whitespace()
        .map(|w| {
            if w.chars().count() > MAX_WORD_CHARS {
                format!("{}…", w.chars().take(MAX_WORD_CHARS).collect::<String>())
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn very_long_words_are_cut() {
        let s = super::cap_words(&format!("We propose {} here.", "a".repeat(10_000)));
        assert!(s.chars().count() < 100, "{s}");
        assert_eq!(super::cap_words("short words stay"), "short words stay");
    }
}
