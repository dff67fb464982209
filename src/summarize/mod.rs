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
        extractive::tldr(title, abstract_text)
    }
}
