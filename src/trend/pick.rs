//! Today's pick: the one paper of the digest to read whole, shown with its full abstract at the top.
//!
//! "Best for this reader" is the ranker's interest score first (keywords, authors, categories, and
//! whatever the learned model adds to it), the trend score second, and a lift for a paper that is
//! part of what is rising this week. Only papers with a real abstract qualify: the point is to read one.

use crate::compose::{Candidate, Section};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// An abstract shorter than this is a teaser, not something to read whole.
pub const MIN_ABSTRACT_CHARS: usize = 200;
/// How much the trend counts next to the reader's interest.
const TREND_WEIGHT: f64 = 0.25;
/// The lift for a paper under one of this week's rising phrases.
const RISING_LIFT: f64 = 0.5;

/// `digest.json` "pick".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    pub key: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The whole abstract.
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    /// Why this one ("matches 'diffusion' · rising: spectral token routing").
    #[serde(default)]
    pub why: String,
}

/// What is kept of a candidate until the sections are chosen.
#[derive(Debug, Clone)]
pub struct Contender {
    pick: Pick,
    score: f64,
}

/// The papers that could be the pick, taken before `compose::select` consumes the candidates.
pub fn contenders(candidates: &[Candidate]) -> Vec<Contender> {
    candidates
        .iter()
        .filter(|c| c.scored.item.kind == crate::model::ItemKind::Paper && !c.scored.excluded)
        .filter(|c| c.scored.item.abstract_text.trim().chars().count() >= MIN_ABSTRACT_CHARS)
        .map(|c| Contender {
            pick: Pick {
                key: c.entry.key.clone(),
                title: c.entry.title.clone(),
                url: c.entry.url.clone(),
                abstract_text: c.scored.item.abstract_text.trim().to_string(),
                why: c.entry.why.clone(),
            },
            score: c.scored.interest + TREND_WEIGHT * c.scored.trend,
        })
        .collect()
}

/// The best contender that made the digest; `rising` maps a paper key to the rising phrase it is under.
pub fn choose(
    sections: &[Section],
    contenders: Vec<Contender>,
    rising: &[(String, String)],
) -> Option<Pick> {
    let in_digest: HashSet<&str> = sections
        .iter()
        .flat_map(|s| s.items.iter().map(|e| e.key.as_str()))
        .collect();
    let phrase_of = |key: &str| rising.iter().find(|(k, _)| k == key).map(|(_, p)| p);
    contenders
        .into_iter()
        .filter(|c| in_digest.contains(c.pick.key.as_str()))
        .map(|mut c| {
            if let Some(p) = phrase_of(&c.pick.key) {
                c.score += RISING_LIFT;
                let note = format!("rising: {p}");
                c.pick.why = if c.pick.why.is_empty() {
                    note
                } else {
                    format!("{} · {note}", c.pick.why)
                };
            }
            c
        })
        .max_by(|a, b| {
            a.score
                .total_cmp(&b.score)
                .then_with(|| b.pick.key.cmp(&a.pick.key))
        })
        .map(|c| c.pick)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::DigestEntry;
    use crate::model::{Item, ItemKind};
    use crate::rank::Scored;

    fn cand(key: &str, interest: f64, trend: f64, abs_words: usize) -> Candidate {
        let now = chrono::Utc::now();
        let item = Item {
            key: key.into(),
            kind: ItemKind::Paper,
            title: format!("Title {key}"),
            url: Some(format!("https://arxiv.org/abs/{key}")),
            arxiv_id: None,
            doi: None,
            authors: vec![],
            abstract_text: "word ".repeat(abs_words),
            published: None,
            categories: vec![],
            sources: vec![],
            first_seen: now,
            updated: now,
            summary: None,
        };
        Candidate {
            entry: DigestEntry {
                key: key.into(),
                title: item.title.clone(),
                url: item.url.clone(),
                summary: "tl;dr".into(),
                why: "new paper".into(),
                sources: vec![],
                estimated_seconds: 10,
                authors: String::new(),
                kind: "paper".into(),
                published: String::new(),
                links: vec![],
                first_seen: now,
                ..Default::default()
            },
            scored: Scored {
                item,
                trend,
                interest,
                reasons: vec![],
                excluded: false,
                doubtful: false,
            },
        }
    }

    fn sections(keys: &[&str]) -> Vec<Section> {
        let c: Vec<_> = keys.iter().map(|k| cand(k, 0.0, 0.0, 1).entry).collect();
        vec![Section {
            title: "For you".into(),
            items: c,
            new_since_yesterday: 0,
        }]
    }

    #[test]
    fn the_readers_best_paper_in_the_digest_with_its_whole_abstract() {
        let cands = vec![
            cand("a", 1.0, 0.0, 60),
            cand("b", 3.0, 0.0, 60),
            cand("c", 9.0, 0.0, 60), // not in the digest
            cand("d", 9.0, 0.0, 10), // abstract too short to read whole
        ];
        let p = choose(&sections(&["a", "b", "d"]), contenders(&cands), &[]).unwrap();
        assert_eq!(p.key, "b");
        assert_eq!(p.abstract_text.split_whitespace().count(), 60);
        assert_eq!(p.url.as_deref(), Some("https://arxiv.org/abs/b"));
    }

    #[test]
    fn a_rising_paper_gets_a_lift_and_says_so() {
        let cands = vec![cand("a", 1.0, 0.0, 60), cand("b", 1.2, 0.0, 60)];
        let rising = vec![("a".to_string(), "spectral token routing".to_string())];
        let p = choose(&sections(&["a", "b"]), contenders(&cands), &rising).unwrap();
        assert_eq!(p.key, "a");
        assert!(
            p.why.ends_with("rising: spectral token routing"),
            "{}",
            p.why
        );
    }

    #[test]
    fn no_paper_no_pick() {
        assert!(choose(&sections(&[]), contenders(&[]), &[]).is_none());
    }
}
