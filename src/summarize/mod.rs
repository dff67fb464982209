//! TL;DRs: the `Summarizer` trait, the offline extractive default, the OpenAI-compatible model
//! backend, and where a digest gets each entry's TL;DR from (`backend`, the one place that chooses).

pub mod backend;
pub mod extractive;
pub mod for_digest;
pub mod openai;

pub use backend::{configured, offline_summary};

use futures_util::future::BoxFuture;

/// Who wrote a TL;DR, as `digest.json`'s `summary_by` says it.
pub const BY_EXTRACTIVE: &str = "extractive";
pub const BY_HF: &str = "huggingface";

/// One paper (or post) to summarize; `key` names it in the cache.
#[derive(Debug, Clone)]
pub struct Paper {
    pub key: String,
    pub title: String,
    pub abstract_text: String,
}

/// A TL;DR, who wrote it, and — when a model was asked and failed — why the offline one stands in.
#[derive(Debug, Clone, PartialEq)]
pub struct Tldr {
    pub text: String,
    pub by: String,
    pub failure: Option<String>,
}

/// Writes a short TL;DR of one abstract.
pub trait Summarizer: Send + Sync {
    /// Stored with each summary, so a change of summarizer can redo old ones.
    fn name(&self) -> &str;
    fn summarize(&self, title: Option<&str>, abstract_text: &str) -> String;
    /// TL;DRs of many papers, in order. A backend that talks to something (a model server) does it
    /// here, within its own time budget; the default summarizes each one offline.
    fn summarize_batch<'a>(&'a self, papers: &'a [Paper]) -> BoxFuture<'a, Vec<Tldr>> {
        Box::pin(async move {
            papers
                .iter()
                .map(|p| Tldr {
                    text: self.summarize(Some(&p.title), &p.abstract_text),
                    by: self.name().to_string(),
                    failure: None,
                })
                .collect()
        })
    }
    /// Where the TL;DRs come from, for the footer when some fell back ("the model at 127.0.0.1:8080").
    fn origin(&self) -> String {
        self.name().to_string()
    }
}

/// The offline default: no model files, no network.
pub struct Extractive;

impl Summarizer for Extractive {
    fn name(&self) -> &str {
        BY_EXTRACTIVE
    }
    fn summarize(&self, title: Option<&str>, abstract_text: &str) -> String {
        cap_words(&extractive::tldr(title, abstract_text))
    }
}

/// The small-print credit of a TL;DR that is not the offline default's: "summary by Hugging Face",
/// "TL;DR by llama3.2".
pub fn credit(summary_by: &str) -> Option<String> {
    match summary_by {
        "" | BY_EXTRACTIVE => None,
        BY_HF => Some("summary by Hugging Face".into()),
        other => Some(format!(
            "TL;DR by {}",
            other.strip_prefix("openai:").unwrap_or(other)
        )),
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

    #[test]
    fn credits_name_who_wrote_it() {
        assert_eq!(super::credit("extractive"), None);
        assert_eq!(
            super::credit("huggingface").as_deref(),
            Some("summary by Hugging Face")
        );
        assert_eq!(
            super::credit("openai:qwen2.5:0.5b").as_deref(),
            Some("TL;DR by qwen2.5:0.5b")
        );
    }
}
