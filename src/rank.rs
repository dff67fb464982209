//! Ranking: a trend score from the signals every source stored (HF upvotes, GitHub stars, trending rank,
//! number of distinct sources, recency), an interest score from `[interests]` (BM25 over title +
//! abstract for keywords, plus authors and categories), a diversity test, and a `why` line a person reads.

use crate::config::Interests;
use crate::model::{Item, ItemKind};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// An item with its scores and the reasons behind them.
#[derive(Debug, Clone)]
pub struct Scored {
    pub item: Item,
    pub trend: f64,
    pub interest: f64,
    /// Human-readable reasons, most telling first ("142 upvotes on Hugging Face", "matches 'diffusion'").
    pub reasons: Vec<String>,
    pub excluded: bool,
    /// The reader's model, trained on enough ratings, expects a 👎: For you takes it only while the
    /// digest is under half its budget.
    pub doubtful: bool,
}

impl Scored {
    /// Whether the item shows a trend signal of its own (upvotes, stars, a trending rank, or several sources).
    pub fn is_trending(&self) -> bool {
        self.trend >= 1.0
    }
    pub fn why(&self) -> String {
        self.reasons.join(" · ")
    }
}

fn max_signal(it: &Item, f: impl Fn(&crate::model::Signals) -> Option<u32>) -> Option<u32> {
    it.sources.iter().filter_map(|h| f(&h.signals)).max()
}

fn min_signal(it: &Item, f: impl Fn(&crate::model::Signals) -> Option<u32>) -> Option<u32> {
    it.sources.iter().filter_map(|h| f(&h.signals)).min()
}

/// Distinct source kinds (an item listed by two arXiv categories is still one kind of attention).
fn distinct_kinds(it: &Item) -> usize {
    it.sources
        .iter()
        .map(|h| h.kind.as_str())
        .collect::<HashSet<_>>()
        .len()
}

fn compact(n: u32) -> String {
    if n >= 1000 {
        format!("{:.1}k", n as f64 / 1000.0).replace(".0k", "k")
    } else {
        n.to_string()
    }
}

/// The trend score and its reasons.
pub fn trend(it: &Item, now: DateTime<Utc>) -> (f64, Vec<String>) {
    let mut score = 0.0;
    let mut why = Vec::new();
    if let Some(u) = max_signal(it, |s| s.upvotes).filter(|&u| u > 0) {
        score += (1.0 + u as f64).ln();
        why.push(format!(
            "{u} upvote{} on Hugging Face",
            if u == 1 { "" } else { "s" }
        ));
    }
    if let Some(s) = max_signal(it, |s| s.github_stars).filter(|&s| s > 0) {
        score += 0.6 * (1.0 + s as f64).ln();
        why.push(format!("code {}★", compact(s)));
    }
    if let Some(r) = min_signal(it, |s| s.trending_rank) {
        score += 3.0 / (r as f64).sqrt();
        why.push(format!("#{r} trending"));
    }
    let kinds = distinct_kinds(it);
    if kinds > 1 {
        score += 1.5 * (kinds - 1) as f64;
        why.push(format!("in {kinds} sources"));
    }
    if let Some(c) = max_signal(it, |s| s.comments).filter(|&c| c >= 3) {
        score += 0.3 * (c as f64).ln();
    }
    // Fresh items get a small lift; a week-old one none.
    let age_days = (now - it.date()).num_hours().max(0) as f64 / 24.0;
    score *= 1.0 + 0.3 * (1.0 - (age_days / 7.0).min(1.0));
    (score, why)
}

/// BM25-style keyword matching against a small candidate set, plus authors and categories.
pub struct InterestModel {
    phrases: Vec<(String, f64)>,
    authors: Vec<String>,
    categories: Vec<String>,
    exclude: Vec<String>,
    avg_len: f64,
}

const K1: f64 = 1.2;
const B: f64 = 0.75;

fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
}

/// Lower-case text of an item with single spaces, for phrase matching on word boundaries.
fn normalized(it: &Item) -> (String, usize) {
    let t: Vec<String> = words(&it.title).chain(words(&it.abstract_text)).collect();
    let n = t.len();
    (format!(" {} ", t.join(" ")), n)
}

fn phrase_count(hay: &str, phrase: &str) -> usize {
    if phrase.is_empty() {
        0
    } else {
        hay.matches(&format!(" {phrase} ")).count()
    }
}

fn norm_phrase(p: &str) -> String {
    words(p).collect::<Vec<_>>().join(" ")
}

impl InterestModel {
    /// Builds the model with document frequencies taken from the candidates themselves.
    pub fn new(cfg: &Interests, candidates: &[Item]) -> Self {
        let docs: Vec<(String, usize)> = candidates.iter().map(normalized).collect();
        let n = docs.len().max(1) as f64;
        let avg_len = docs.iter().map(|d| d.1).sum::<usize>() as f64 / n;
        let phrases = cfg
            .keywords
            .iter()
            .map(|k| norm_phrase(k))
            .filter(|k| !k.is_empty())
            .map(|k| {
                let df = docs.iter().filter(|d| phrase_count(&d.0, &k) > 0).count() as f64;
                let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                (k, idf)
            })
            .collect();
        InterestModel {
            phrases,
            authors: cfg
                .authors
                .iter()
                .map(|a| a.to_lowercase())
                .filter(|a| !a.is_empty())
                .collect(),
            categories: cfg.categories.clone(),
            exclude: cfg
                .exclude
                .iter()
                .map(|k| norm_phrase(k))
                .filter(|k| !k.is_empty())
                .collect(),
            avg_len: avg_len.max(1.0),
        }
    }

    /// The interest score, its reasons, and whether an `exclude` phrase rules the item out.
    pub fn score(&self, it: &Item) -> (f64, Vec<String>, bool) {
        let (hay, len) = normalized(it);
        if self.exclude.iter().any(|x| phrase_count(&hay, x) > 0) {
            return (0.0, Vec::new(), true);
        }
        let title = format!(" {} ", words(&it.title).collect::<Vec<_>>().join(" "));
        let mut score = 0.0;
        let mut matched = Vec::new();
        for (p, idf) in &self.phrases {
            let tf = phrase_count(&hay, p) as f64 + 2.0 * phrase_count(&title, p) as f64;
            if tf > 0.0 {
                score +=
                    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len as f64 / self.avg_len));
                matched.push(p.clone());
            }
        }
        // A blog post needs more than one bare word: blogs also write about policy and business, where
        // "the diffusion rule" (export controls) or "reasoning about pricing" carry a keyword without
        // the topic. Two distinct keywords, or one multi-word phrase ("reinforcement learning"), is
        // evidence; one single word repeated is not. Papers keep one hit: an arXiv cs.LG abstract
        // saying "diffusion" means the model.
        if it.kind == ItemKind::Post && !post_evidence(&matched) {
            score = 0.0;
            matched.clear();
        }
        let mut why = Vec::new();
        if !matched.is_empty() {
            let shown: Vec<String> = matched.iter().take(2).map(|m| format!("'{m}'")).collect();
            why.push(format!("matches {}", shown.join(", ")));
        }
        let lower_authors: Vec<String> = it.authors.iter().map(|a| a.to_lowercase()).collect();
        if let Some(a) = self
            .authors
            .iter()
            .find(|a| lower_authors.iter().any(|x| x.contains(a.as_str())))
        {
            score += 4.0;
            let name = it
                .authors
                .iter()
                .find(|x| x.to_lowercase().contains(a.as_str()))
                .cloned()
                .unwrap_or_default();
            why.push(format!("by {name}"));
        }
        if it.kind == ItemKind::Paper {
            if let Some(c) = it.categories.iter().find(|c| self.categories.contains(c)) {
                score += 0.5;
                if why.is_empty() {
                    why.push(format!("new in {c}"));
                }
            }
        }
        (score, why, false)
    }
}

/// Whether the keywords a blog post matched say it is about the reader's topics (see `score`).
fn post_evidence(matched: &[String]) -> bool {
    matched.len() >= 2 || matched.iter().any(|m| m.contains(' '))
}

/// Scores every candidate.
pub fn score_all(items: Vec<Item>, interests: &Interests, now: DateTime<Utc>) -> Vec<Scored> {
    let model = InterestModel::new(interests, &items);
    items
        .into_iter()
        .map(|item| {
            let (t, mut reasons) = trend(&item, now);
            let (i, why, excluded) = model.score(&item);
            reasons.extend(why);
            Scored {
                item,
                trend: t,
                interest: i,
                reasons,
                excluded,
                doubtful: false,
            }
        })
        .collect()
}

/// Scores every candidate and blends in the reader's learned model, when there is one
/// (`learn::rerank`: the model's opinion, its `why`, one explore slot); `exclude` still wins.
pub fn score_all_learned(
    items: Vec<Item>,
    interests: &Interests,
    now: DateTime<Utc>,
    model: Option<&crate::learn::model::Model>,
) -> Vec<Scored> {
    let mut scored = score_all(items, interests, now);
    if let Some(m) = model {
        crate::learn::rerank::blend(&mut scored, m);
    }
    scored
}

/// Title words that carry meaning, for the diversity test.
pub fn topic_words(title: &str) -> HashSet<String> {
    const STOP: &[&str] = &[
        "a", "an", "the", "of", "for", "and", "in", "on", "with", "to", "via", "by", "from", "is",
        "are", "at", "as", "towards", "using",
    ];
    words(title)
        .filter(|w| w.len() > 2 && !STOP.contains(&w.as_str()))
        .collect()
}

/// Whether two titles are near-duplicates (most of their meaningful words shared).
pub fn too_similar(a: &HashSet<String>, b: &HashSet<String>) -> bool {
    if a.len() < 3 || b.len() < 3 {
        return false;
    }
    let inter = a.intersection(b).count() as f64;
    let union = a.union(b).count() as f64;
    inter / union >= 0.6
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Signals, SourceHit};

    fn item(title: &str, abs: &str, upvotes: Option<u32>) -> Item {
        let now = Utc::now();
        Item {
            key: title.into(),
            kind: ItemKind::Paper,
            title: title.into(),
            url: None,
            arxiv_id: None,
            doi: None,
            authors: vec!["Ada Lovelace".into()],
            abstract_text: abs.into(),
            published: Some(now),
            categories: vec!["cs.LG".into()],
            sources: vec![SourceHit {
                name: "hf".into(),
                kind: "huggingface".into(),
                url: None,
                signals: Signals {
                    upvotes,
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

    #[test]
    fn upvotes_make_trend_and_say_so() {
        let (t, why) = trend(&item("x", "", Some(142)), Utc::now());
        assert!(t > 4.0);
        assert_eq!(why[0], "142 upvotes on Hugging Face");
        assert_eq!(trend(&item("x", "", None), Utc::now()).0, 0.0);
    }

    #[test]
    fn keywords_match_phrases_on_word_boundaries() {
        let cfg = Interests {
            keywords: vec!["Diffusion".into(), "language model".into()],
            ..Default::default()
        };
        let items = vec![
            item("Diffusion models for X", "We use diffusion.", None),
            item("Confusion matrices", "Nothing here about diffusions.", None),
        ];
        let m = InterestModel::new(&cfg, &items);
        let (s0, why0, _) = m.score(&items[0]);
        let (s1, _, _) = m.score(&items[1]);
        assert!(s0 > 0.0 && s1 == 0.0);
        assert_eq!(why0[0], "matches 'diffusion'");
    }

    #[test]
    fn a_post_needs_more_than_one_bare_keyword() {
        let cfg = Interests {
            keywords: vec![
                "diffusion".into(),
                "reasoning".into(),
                "reinforcement learning".into(),
            ],
            ..Default::default()
        };
        let post = |title: &str, abs: &str| Item {
            kind: ItemKind::Post,
            categories: vec![],
            ..item(title, abs, None)
        };
        let items =
            vec![
            // The recorded Anthropic policy post: title and description say "diffusion rule".
            post(
                "Securing America's compute advantage: Anthropic's position on the diffusion rule",
                "Securing America's compute advantage: Anthropic's position on the diffusion rule",
            ),
            post("Diffusion for reasoning", "Diffusion models that plan."),
            post("Notes on reinforcement learning", "Reward shaping in practice."),
        ];
        let m = InterestModel::new(&cfg, &items);
        let (s, why, _) = m.score(&items[0]);
        assert_eq!((s, why.is_empty()), (0.0, true), "{why:?}");
        let (s, why, _) = m.score(&items[1]);
        assert!(
            s > 0.0 && why[0] == "matches 'diffusion', 'reasoning'",
            "{why:?}"
        );
        assert!(
            m.score(&items[2]).0 > 0.0,
            "one multi-word phrase is enough"
        );
        // The same single word still makes a paper match.
        let paper = item("On the diffusion rule", "Diffusion.", None);
        assert!(m.score(&paper).0 > 0.0);
    }

    #[test]
    fn exclude_rules_out() {
        let cfg = Interests {
            exclude: vec!["quantum".into()],
            ..Default::default()
        };
        let items = vec![item("Quantum things", "", None)];
        assert!(InterestModel::new(&cfg, &items).score(&items[0]).2);
    }

    #[test]
    fn near_duplicate_titles_are_similar() {
        let a = topic_words("Diffusion Language Models Are Strong Reasoners");
        let b = topic_words("Diffusion language models are strong reasoners, too");
        let c = topic_words("Graph neural networks for molecules");
        assert!(too_similar(&a, &b));
        assert!(!too_similar(&a, &c));
    }
}
