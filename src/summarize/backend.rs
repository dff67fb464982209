//! The one place that chooses who writes a TL;DR: the configured backend (`configured`), Hugging
//! Face's own summary where the reader prefers it (`offline_summary`), and the config's rules.

use super::{openai::OpenAi, Extractive, Summarizer, BY_EXTRACTIVE, BY_HF};
use crate::config;
use crate::http::HttpClient;
use crate::model::{Item, Summary};
use crate::store::Store;

/// The summarizer `[summarizer] kind` names. The model backend caches in `store` when given.
pub fn configured(
    cfg: &config::Summarizer,
    http: &HttpClient,
    store: Option<&Store>,
) -> Box<dyn Summarizer> {
    match cfg.kind.as_str() {
        "openai" => Box::new(OpenAi::new(cfg, http.clone(), store.cloned())),
        _ => Box::new(Extractive),
    }
}

/// The TL;DR an item gets before any model is asked: Hugging Face's `ai_summary` when preferred (or
/// when there is no abstract to extract from), else the extractive one. `None`: what the item holds
/// is already that.
pub fn offline_summary(item: &Item, prefer_hf: bool) -> Option<Summary> {
    let hf = item
        .sources
        .iter()
        .find_map(|h| h.signals.ai_summary.as_deref())
        .map(|s| super::cap_words(s.split_whitespace().collect::<Vec<_>>().join(" ").as_str()))
        .filter(|s| !s.is_empty());
    let want = match (&hf, prefer_hf) {
        (Some(text), true) => Summary {
            text: text.clone(),
            by: BY_HF.into(),
        },
        _ => {
            if item.summary.as_ref().is_some_and(|s| s.by == BY_EXTRACTIVE) {
                return None;
            }
            let text = Extractive.summarize(Some(&item.title), &item.abstract_text);
            match hf {
                Some(h) if text.trim().is_empty() => Summary {
                    text: h,
                    by: BY_HF.into(),
                },
                _ => Summary {
                    text,
                    by: BY_EXTRACTIVE.into(),
                },
            }
        }
    };
    (item.summary.as_ref() != Some(&want)).then_some(want)
}

impl config::Summarizer {
    /// Checks the `[summarizer]` values serde cannot: the offending key and what is wrong.
    pub fn check(&self) -> Result<(), (String, String)> {
        let e = |k: &str, m: String| Err((format!("summarizer.{k}"), m));
        match self.kind.as_str() {
            "extractive" => return Ok(()),
            "openai" => {}
            other => {
                return e(
                    "kind",
                    format!("{other:?} is not a summarizer (use \"extractive\" or \"openai\")"),
                )
            }
        }
        match url::Url::parse(self.url.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {}
            _ => {
                return e(
                    "url",
                    "must be an http(s) URL of a chat-completions endpoint, e.g. \"http://127.0.0.1:11434/v1/chat/completions\"".into(),
                )
            }
        }
        if self.model.trim().is_empty() {
            return e("model", "must name the model, e.g. \"llama3.2\"".into());
        }
        let lang = self.language.trim();
        if lang.is_empty() || lang.chars().count() > 40 || lang.contains(['\n', '\r']) {
            return e(
                "language",
                "must be a language code or name, e.g. \"en\" or \"ko\"".into(),
            );
        }
        if !self.api_key_env.is_empty()
            && !self
                .api_key_env
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return e(
                "api_key_env",
                "must be the name of an environment variable (letters, digits, _), not the key itself"
                    .into(),
            );
        }
        for (k, v, lo, hi) in [
            ("max_items", self.max_items as u64, 1, 1000),
            ("timeout_secs", self.timeout_secs, 1, 600),
            ("concurrency", self.concurrency as u64, 1, 64),
            ("max_tokens", self.max_tokens as u64, 16, 4096),
        ] {
            if v < lo || v > hi {
                return e(k, format!("must be between {lo} and {hi}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Signals, SourceHit};

    fn item(ai_summary: Option<&str>, abstract_text: &str) -> Item {
        let now = chrono::Utc::now();
        Item {
            key: "2604.00001".into(),
            kind: crate::model::ItemKind::Paper,
            title: "ClawMark: a benchmark".into(),
            url: None,
            arxiv_id: None,
            doi: None,
            authors: vec![],
            abstract_text: abstract_text.into(),
            published: None,
            categories: vec![],
            sources: vec![SourceHit {
                name: "hf".into(),
                kind: "huggingface".into(),
                url: None,
                signals: Signals {
                    ai_summary: ai_summary.map(str::to_string),
                    ..Default::default()
                },
                first_seen: now,
                last_seen: now,
            }],
            first_seen: now,
            updated: now,
            summary: None,
        }
    }

    const ABSTRACT: &str = "We propose ClawMark, a benchmark for agents that work for days. \
        Agents fail at most tasks.";

    #[test]
    fn hugging_face_wins_only_when_preferred() {
        let it = item(Some("ClawMark tests  agents over days."), ABSTRACT);
        let hf = offline_summary(&it, true).unwrap();
        assert_eq!(
            (hf.text.as_str(), hf.by.as_str()),
            ("ClawMark tests agents over days.", "huggingface")
        );
        let ex = offline_summary(&it, false).unwrap();
        assert_eq!(ex.by, "extractive");
        assert!(ex.text.contains("ClawMark"), "{}", ex.text);
        // Already holding what it would get: nothing to change.
        let mut held = it.clone();
        held.summary = Some(ex);
        assert_eq!(offline_summary(&held, false), None);
        // A switch of preference redoes it.
        assert_eq!(offline_summary(&held, true), Some(hf));
    }

    #[test]
    fn hugging_face_fills_in_without_an_abstract() {
        let s = offline_summary(&item(Some("Says what it does."), ""), false).unwrap();
        assert_eq!(s.by, "huggingface");
        let none = offline_summary(&item(None, ""), true).unwrap();
        assert_eq!((none.text.as_str(), none.by.as_str()), ("", "extractive"));
    }

    fn openai() -> config::Summarizer {
        let mut c = crate::config::parse_str("", "t").unwrap().summarizer;
        c.kind = "openai".into();
        c
    }

    #[test]
    fn model_settings_are_checked() {
        assert!(openai().check().is_ok());
        let bad = |f: fn(&mut config::Summarizer)| {
            let mut c = openai();
            f(&mut c);
            c.check().unwrap_err().0
        };
        assert_eq!(bad(|c| c.kind = "gpt".into()), "summarizer.kind");
        assert_eq!(bad(|c| c.url = "ftp://x/y".into()), "summarizer.url");
        assert_eq!(bad(|c| c.model = " ".into()), "summarizer.model");
        assert_eq!(bad(|c| c.language = String::new()), "summarizer.language");
        assert_eq!(
            bad(|c| c.api_key_env = "sk-live-123".into()),
            "summarizer.api_key_env"
        );
        assert_eq!(bad(|c| c.max_items = 0), "summarizer.max_items");
        assert_eq!(bad(|c| c.timeout_secs = 0), "summarizer.timeout_secs");
        assert_eq!(bad(|c| c.concurrency = 0), "summarizer.concurrency");
        assert_eq!(bad(|c| c.max_tokens = 1), "summarizer.max_tokens");
    }
}
