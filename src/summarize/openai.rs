//! TL;DRs by any OpenAI-compatible chat-completions endpoint (Ollama, llama.cpp `llama-server`, vLLM,
//! LM Studio, OpenAI), through the shared HTTP client.
//!
//! A model is a guest in the digest: every answer is cached in the store the moment it arrives (so no
//! abstract is sent twice), every failure — refused, timed out, 401/429/5xx, a body that is not the
//! expected JSON, an empty or over-long answer — gives that paper its extractive TL;DR instead, and the
//! whole batch waits at most `timeout_secs × ceil(sent / concurrency)`.
//!
//! The API key is read from the environment once, sent only as the Authorization header (which the
//! HTTP client never logs), and scrubbed from any message a server sends back.

use super::{Extractive, Paper, Summarizer, Tldr, BY_EXTRACTIVE};
use crate::config;
use crate::http::{HttpClient, HttpError, HttpErrorKind};
use crate::store::{Store, Table};
use futures_util::future::BoxFuture;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;

/// Part of every cache key: a change of prompt makes new TL;DRs rather than reusing old ones.
pub const PROMPT_VERSION: &str = "p1";
/// Longest abstract sent, in characters: enough for any real abstract, bounded for hostile ones.
const MAX_ABSTRACT_CHARS: usize = 6_000;
/// An answer longer than this is not a TL;DR (the prompt asks for at most 45 words).
const MAX_ANSWER_WORDS: usize = 90;
const MAX_ANSWER_CHARS: usize = 700;

pub struct OpenAi {
    http: HttpClient,
    store: Option<Store>,
    url: String,
    model: String,
    name: String,
    language: String,
    api_key: Option<String>,
    /// Why no request can be sent (the key's variable is not set), said in the footer.
    key_problem: Option<String>,
    max_items: usize,
    timeout: Duration,
    concurrency: usize,
    max_tokens: u32,
}

/// One cached answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached {
    text: String,
    /// Unix seconds when the model wrote it.
    at: i64,
}

/// Why the model gave no TL;DR for one paper.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    Refused,
    Unreachable(String),
    Timeout(u64),
    Unauthorized(u16),
    RateLimited,
    Status(u16),
    NotJson,
    Empty,
    OverLong,
    NoKey(String),
    Other(String),
}

impl Fault {
    /// What the footer says after "the model at …".
    pub fn phrase(&self) -> String {
        match self {
            Fault::Refused => "refused the connection".into(),
            Fault::Unreachable(m) => format!("could not be reached ({m})"),
            Fault::Timeout(s) => format!("timed out (no answer within {s} s)"),
            Fault::Unauthorized(c) => format!("refused the API key (HTTP {c})"),
            Fault::RateLimited => "asked us to slow down (HTTP 429)".into(),
            Fault::Status(c) => format!("answered HTTP {c}"),
            Fault::NotJson => "sent a body that is not the expected JSON".into(),
            Fault::Empty => "gave an empty answer".into(),
            Fault::OverLong => "gave an over-long answer".into(),
            Fault::NoKey(var) => format!("has no API key ({var} is not set)"),
            Fault::Other(m) => format!("failed ({m})"),
        }
    }

    fn from_http(e: &HttpError) -> Fault {
        match e.kind {
            HttpErrorKind::Connect if e.message.contains("refused") => Fault::Refused,
            HttpErrorKind::Connect | HttpErrorKind::Io => Fault::Unreachable(e.message.clone()),
            HttpErrorKind::Timeout => Fault::Timeout(0),
            HttpErrorKind::Status(c @ (401 | 403)) => Fault::Unauthorized(c),
            HttpErrorKind::Status(429) => Fault::RateLimited,
            HttpErrorKind::Status(c) => Fault::Status(c),
            HttpErrorKind::TooLarge => Fault::OverLong,
            _ => Fault::Other(e.message.clone()),
        }
    }
}

impl OpenAi {
    pub fn new(cfg: &config::Summarizer, http: HttpClient, store: Option<Store>) -> Self {
        let var = cfg.api_key_env.trim();
        let (api_key, key_problem) = if var.is_empty() {
            (None, None)
        } else {
            match std::env::var(var) {
                Ok(k) if !k.trim().is_empty() => (Some(k.trim().to_string()), None),
                _ => (None, Some(var.to_string())),
            }
        };
        OpenAi {
            http,
            store,
            url: cfg.url.trim().to_string(),
            model: cfg.model.trim().to_string(),
            name: format!("openai:{}", cfg.model.trim()),
            language: cfg.language.trim().to_string(),
            api_key,
            key_problem,
            max_items: cfg.max_items.max(1) as usize,
            timeout: Duration::from_secs(cfg.timeout_secs.max(1)),
            concurrency: cfg.concurrency.max(1) as usize,
            max_tokens: cfg.max_tokens,
        }
    }

    /// The longest the model may hold up a batch that sends `n` papers.
    pub fn worst_case(&self, n: usize) -> Duration {
        self.timeout * n.div_ceil(self.concurrency) as u32
    }

    fn cache_key(&self, key: &str) -> String {
        format!(
            "{key}\0{}\0{}\0{PROMPT_VERSION}",
            self.model,
            self.language.to_lowercase()
        )
    }

    fn cached(&self, key: &str) -> Option<String> {
        let store = self.store.as_ref()?;
        match store.kv_get::<Cached>(Table::Summaries, &self.cache_key(key)) {
            Ok(c) => c.map(|c| c.text),
            Err(e) => {
                tracing::warn!(error = %e, "reading a cached TL;DR failed; asking the model");
                None
            }
        }
    }

    fn remember(&self, key: &str, text: &str) {
        let Some(store) = &self.store else { return };
        let rec = Cached {
            text: text.to_string(),
            at: chrono::Utc::now().timestamp(),
        };
        if let Err(e) = store.kv_put(Table::Summaries, &self.cache_key(key), &rec) {
            tracing::warn!(error = %e, "caching a model TL;DR failed");
        }
    }

    /// The request body for one paper.
    pub fn request(&self, p: &Paper) -> serde_json::Value {
        let abs: String = p.abstract_text.chars().take(MAX_ABSTRACT_CHARS).collect();
        let lang = language_name(&self.language);
        let system = format!(
            "You write TL;DRs of research papers and posts for a daily reading digest. Answer in \
             {lang} with one or two plain sentences, at most 45 words: what the work does and what \
             it finds or shows. Use only the title and abstract you are given; do not invent \
             claims, numbers or names. Name the method when the abstract names it. No preamble, no \
             markdown, no quotation marks."
        );
        let user = format!(
            "Title: {}\n\nAbstract: {}\n\nTL;DR in {lang}:",
            p.title.trim(),
            abs.trim()
        );
        json!({
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "max_tokens": self.max_tokens,
            "temperature": 0.2,
            "stream": false,
        })
    }

    /// Asks the model once (the HTTP client retries 429/5xx and connection failures within the time).
    async fn ask(&self, p: &Paper) -> Result<String, Fault> {
        let headers: Vec<(String, String)> = self
            .api_key
            .iter()
            .map(|k| ("Authorization".to_string(), format!("Bearer {k}")))
            .collect();
        let body = self.request(p);
        let deadline = tokio::time::Instant::now() + self.timeout;
        let call = self
            .http
            .post_json(&self.url, &body, &headers, Some(deadline));
        let resp = match tokio::time::timeout_at(deadline, call).await {
            Err(_) => return Err(Fault::Timeout(self.timeout.as_secs())),
            Ok(Err(e)) => {
                return Err(match Fault::from_http(&e) {
                    Fault::Timeout(_) => Fault::Timeout(self.timeout.as_secs()),
                    f => f,
                })
            }
            Ok(Ok(r)) => r,
        };
        parse_answer(&resp.bytes)
    }

    /// "the model at 127.0.0.1:8080": where, without a path or query that could hold a secret.
    fn where_(&self) -> String {
        match url::Url::parse(&self.url) {
            Ok(u) => match (u.host_str(), u.port()) {
                (Some(h), Some(p)) => format!("the model at {h}:{p}"),
                (Some(h), None) => format!("the model at {h}"),
                _ => "the model".into(),
            },
            Err(_) => "the model".into(),
        }
    }

    fn scrub(&self, s: String) -> String {
        match &self.api_key {
            Some(k) if !k.is_empty() => s.replace(k.as_str(), "…"),
            _ => s,
        }
    }

    fn fallback(&self, p: &Paper, fault: &Fault) -> Tldr {
        let reason = self.scrub(fault.phrase());
        tracing::warn!(paper = %p.key, reason = %reason, "model TL;DR failed; using the extractive one");
        Tldr {
            text: Extractive.summarize(Some(&p.title), &p.abstract_text),
            by: BY_EXTRACTIVE.into(),
            failure: Some(reason),
        }
    }
}

impl Summarizer for OpenAi {
    fn name(&self) -> &str {
        &self.name
    }

    /// Offline, for a single abstract: the extractive TL;DR (the model is asked in batches only).
    fn summarize(&self, title: Option<&str>, abstract_text: &str) -> String {
        Extractive.summarize(title, abstract_text)
    }

    fn origin(&self) -> String {
        self.where_()
    }

    fn summarize_batch<'a>(&'a self, papers: &'a [Paper]) -> BoxFuture<'a, Vec<Tldr>> {
        Box::pin(async move {
            let offline = |p: &Paper| Tldr {
                text: Extractive.summarize(Some(&p.title), &p.abstract_text),
                by: BY_EXTRACTIVE.into(),
                failure: None,
            };
            let mut out: Vec<Option<Tldr>> = vec![None; papers.len()];
            let mut todo = Vec::new();
            for (i, p) in papers.iter().enumerate() {
                if p.abstract_text.trim().is_empty() {
                    out[i] = Some(offline(p));
                } else if let Some(text) = self.cached(&p.key) {
                    out[i] = Some(Tldr {
                        text,
                        by: self.name.clone(),
                        failure: None,
                    });
                } else if todo.len() < self.max_items {
                    todo.push(i);
                } else {
                    out[i] = Some(offline(p));
                }
            }
            if let Some(var) = &self.key_problem {
                for &i in &todo {
                    out[i] = Some(self.fallback(&papers[i], &Fault::NoKey(var.clone())));
                }
                todo.clear();
            }
            let deadline = tokio::time::Instant::now() + self.worst_case(todo.len());
            let mut answers = futures_util::stream::iter(todo.iter().copied())
                .map(|i| async move { (i, self.ask(&papers[i]).await) })
                .buffer_unordered(self.concurrency);
            while let Ok(Some((i, answer))) =
                tokio::time::timeout_at(deadline, answers.next()).await
            {
                let p = &papers[i];
                out[i] = Some(match answer {
                    Ok(text) => {
                        self.remember(&p.key, &text);
                        Tldr {
                            text,
                            by: self.name.clone(),
                            failure: None,
                        }
                    }
                    Err(f) => self.fallback(p, &f),
                });
            }
            drop(answers);
            let timeout = Fault::Timeout(self.timeout.as_secs());
            papers
                .iter()
                .zip(out)
                .map(|(p, t)| t.unwrap_or_else(|| self.fallback(p, &timeout)))
                .collect()
        })
    }
}

#[derive(Deserialize)]
struct ChatResponse {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
}

/// The TL;DR in a chat-completions response body, cleaned: a reasoning model's `<think>` block,
/// a "TL;DR:" label, markdown emphasis and wrapping quotes go; whitespace collapses.
pub fn parse_answer(body: &[u8]) -> Result<String, Fault> {
    let r: ChatResponse = serde_json::from_slice(body).map_err(|_| Fault::NotJson)?;
    let choice = r.choices.into_iter().next().ok_or(Fault::NotJson)?;
    if choice.finish_reason.as_deref() == Some("length") {
        return Err(Fault::OverLong);
    }
    let mut text = choice.message.content.unwrap_or_default();
    while let (Some(a), Some(b)) = (text.find("<think>"), text.find("</think>")) {
        if b < a {
            break;
        }
        text.replace_range(a..b + "</think>".len(), " ");
    }
    let mut t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for label in ["TL;DR:", "TLDR:", "TL;DR", "Summary:"] {
        if t.len() >= label.len() && t[..label.len()].eq_ignore_ascii_case(label) {
            t = t[label.len()..].trim_start().to_string();
        }
    }
    let t = t.replace("**", "");
    let t = t
        .trim_matches(|c: char| c == '"' || c == '“' || c == '”' || c.is_whitespace())
        .to_string();
    if t.is_empty() {
        return Err(Fault::Empty);
    }
    if t.split_whitespace().count() > MAX_ANSWER_WORDS || t.chars().count() > MAX_ANSWER_CHARS {
        return Err(Fault::OverLong);
    }
    Ok(super::cap_words(&t))
}

/// The language's name for the prompt ("Korean (ko)"); a name or an unknown code is used as given.
pub fn language_name(code: &str) -> String {
    let c = code.trim();
    let name = match c.to_ascii_lowercase().as_str() {
        "en" => "English",
        "ko" => "Korean",
        "ja" => "Japanese",
        "zh" | "zh-cn" | "zh-hans" => "Simplified Chinese",
        "zh-tw" | "zh-hant" => "Traditional Chinese",
        "de" => "German",
        "fr" => "French",
        "es" => "Spanish",
        "pt" => "Portuguese",
        "it" => "Italian",
        "ru" => "Russian",
        "vi" => "Vietnamese",
        "tr" => "Turkish",
        "hi" => "Hindi",
        "ar" => "Arabic",
        _ => return c.to_string(),
    };
    format!("{name} ({c})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(content: &str, finish: &str) -> Vec<u8> {
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": content},
            "finish_reason": finish}]})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn answers_are_cleaned() {
        assert_eq!(
            parse_answer(&body("  TL;DR: **X** does   Y.\n", "stop")).unwrap(),
            "X does Y."
        );
        assert_eq!(
            parse_answer(&body(
                "<think>hmm, the user…</think>\n\"X does Y.\"",
                "stop"
            ))
            .unwrap(),
            "X does Y."
        );
    }

    #[test]
    fn bad_answers_are_faults() {
        assert_eq!(parse_answer(b"<html>hi</html>"), Err(Fault::NotJson));
        assert_eq!(
            parse_answer(br#"{"error":{"message":"x"}}"#),
            Err(Fault::NotJson)
        );
        assert_eq!(parse_answer(br#"{"choices":[]}"#), Err(Fault::NotJson));
        assert_eq!(parse_answer(&body("   ", "stop")), Err(Fault::Empty));
        assert_eq!(
            parse_answer(&body("<think>only thinking</think>", "stop")),
            Err(Fault::Empty)
        );
        assert_eq!(
            parse_answer(&body("This paper is about", "length")),
            Err(Fault::OverLong)
        );
        assert_eq!(
            parse_answer(&body(&"word ".repeat(200), "stop")),
            Err(Fault::OverLong)
        );
    }

    #[test]
    fn languages_are_named_for_the_prompt() {
        assert_eq!(language_name("ko"), "Korean (ko)");
        assert_eq!(language_name("Korean"), "Korean");
    }
}
