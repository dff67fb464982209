//! The model's turn in a digest: after compose has chosen the entries, the ones with an extractive
//! TL;DR go to the configured backend (so only entries that make the digest are ever sent), the
//! answers replace their TL;DRs, the fallbacks are counted for the footer, and the digest is fitted
//! to its budget again with the new lengths.

use super::{configured, Paper, Tldr, BY_EXTRACTIVE};
use crate::compose::{self, Digest};
use crate::config::Config;
use crate::error::Result;
use crate::http::HttpClient;
use crate::store::Store;
use std::collections::BTreeMap;

/// Asks the configured model for the digest's TL;DRs; nothing to do for the offline summarizer.
pub async fn model_tldrs(
    config: &Config,
    http: &HttpClient,
    store: &Store,
    digest: &mut Digest,
) -> Result<()> {
    if config.summarizer.kind != "openai" {
        return Ok(());
    }
    let backend = configured(&config.summarizer, http, Some(store));
    let mut at = Vec::new();
    let mut papers = Vec::new();
    for (s, sec) in digest.sections.iter().enumerate() {
        for (i, e) in sec.items.iter().enumerate() {
            if e.summary_by != BY_EXTRACTIVE {
                continue;
            }
            let Some(item) = store.item(&e.key)? else {
                continue;
            };
            at.push((s, i));
            papers.push(Paper {
                key: item.key,
                title: item.title,
                abstract_text: item.abstract_text,
            });
        }
    }
    if papers.is_empty() {
        return Ok(());
    }
    let tldrs = backend.summarize_batch(&papers).await;
    for (&(s, i), t) in at.iter().zip(&tldrs) {
        let e = &mut digest.sections[s].items[i];
        if t.by != BY_EXTRACTIVE && !t.text.trim().is_empty() {
            e.summary = t.text.clone();
            e.summary_by = t.by.clone();
        }
    }
    digest.summary_note = fallback_note(&backend.origin(), &tldrs);
    digest.estimated_seconds = compose::refit(&mut digest.sections, &config.digest);
    Ok(())
}

/// "3 TL;DRs by the offline summarizer: the model at 127.0.0.1:8080 timed out (2 …), answered HTTP 500 (1)."
pub fn fallback_note(origin: &str, tldrs: &[Tldr]) -> Option<String> {
    let mut why: BTreeMap<&str, usize> = BTreeMap::new();
    for t in tldrs {
        if let Some(f) = &t.failure {
            *why.entry(f.as_str()).or_default() += 1;
        }
    }
    let n: usize = why.values().sum();
    if n == 0 {
        return None;
    }
    let mut reasons: Vec<(&str, usize)> = why.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let list = if reasons.len() == 1 {
        reasons[0].0.to_string()
    } else {
        reasons
            .iter()
            .map(|(r, c)| format!("{r} ({c})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let plural = if n == 1 { "TL;DR" } else { "TL;DRs" };
    Some(format!(
        "{n} {plural} by the offline summarizer: {origin} {list}."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(failure: Option<&str>) -> Tldr {
        Tldr {
            text: "x".into(),
            by: "extractive".into(),
            failure: failure.map(str::to_string),
        }
    }

    #[test]
    fn the_footer_counts_fallbacks_by_reason() {
        let origin = "the model at 127.0.0.1:9";
        assert_eq!(fallback_note(origin, &[t(None)]), None);
        assert_eq!(
            fallback_note(origin, &[t(Some("timed out")), t(None)]).unwrap(),
            "1 TL;DR by the offline summarizer: the model at 127.0.0.1:9 timed out."
        );
        assert_eq!(
            fallback_note(
                origin,
                &[t(Some("answered HTTP 500")), t(Some("timed out")), t(Some("timed out"))]
            )
            .unwrap(),
            "3 TL;DRs by the offline summarizer: the model at 127.0.0.1:9 timed out (2), answered HTTP 500 (1)."
        );
    }
}
