//! Composing a digest within the reading budget.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A composed digest; serialized as-is it is `digest.json` (the contract in DESIGN.md).
///
/// Every struct here derives `Default`, so code that builds one names only the fields it cares about
/// and a field added later does not touch every constructor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    pub date: NaiveDate,
    pub budget_seconds: u32,
    pub estimated_seconds: u32,
    pub sections: Vec<Section>,
    pub source_health: Vec<Health>,
    /// arXiv's announcement state in plain words ("No arXiv listing on Saturdays…"), when worth saying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arxiv_note: Option<String>,
    pub generated_at: DateTime<Utc>,
    /// How to change or stop this digest, true for the config in use (the footer's last line).
    #[serde(default)]
    pub settings_hint: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// "Trending", "For you" or "Blogs".
    pub title: String,
    pub items: Vec<DigestEntry>,
    /// Entries of this section first seen in the 24 hours before the digest.
    #[serde(default)]
    pub new_since_yesterday: u32,
}

/// One link an entry offers besides its title: "abstract", "PDF", "Hugging Face", "code", ….
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub label: String,
    /// Always http(s).
    pub url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DigestEntry {
    pub key: String,
    pub title: String,
    /// Always http(s) when present.
    pub url: Option<String>,
    /// The TL;DR.
    pub summary: String,
    /// Why it is here, e.g. "142 upvotes on Hugging Face · matches 'diffusion'".
    pub why: String,
    /// The sources that mentioned it, by their human labels ("arXiv", "Hugging Face daily").
    pub sources: Vec<String>,
    pub estimated_seconds: u32,
    /// "A. Author, B. Author et al." (may be empty).
    #[serde(default)]
    pub authors: String,
    /// "paper" or "post".
    pub kind: String,
    /// The item's own date (YYYY-MM-DD in the reader's time zone): published, else first seen.
    #[serde(default)]
    pub published: String,
    /// Abstract, PDF, Hugging Face page, code, project page: the ones known.
    #[serde(default)]
    pub links: Vec<Link>,
    /// When trendd first saw it (decides "new since yesterday").
    #[serde(default)]
    pub first_seen: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub name: String,
    /// The source's human label ("arXiv", "Lil'Log"); shown instead of the name.
    #[serde(default)]
    pub label: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Failing since (RFC 3339), when failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
}

impl Digest {
    pub fn item_count(&self) -> usize {
        self.sections.iter().map(|s| s.items.len()).sum()
    }
}

use crate::config::Digest as DigestConfig;
use crate::rank::{too_similar, topic_words, Scored};
use std::collections::HashSet;

/// Seconds of reading the header and footer take.
pub const FRAME_SECONDS: u32 = 5;

/// Words a reader reads for one entry: title, authors line, TL;DR and why.
pub fn entry_words(e: &DigestEntry) -> usize {
    [&e.title, &e.authors, &e.summary, &e.why]
        .iter()
        .map(|s| s.split_whitespace().count())
        .sum()
}

/// Seconds one entry costs: its words at the reader's pace plus a fixed glance.
pub fn entry_seconds(e: &DigestEntry, cfg: &DigestConfig) -> u32 {
    let words = entry_words(e) as f64;
    (words * 60.0 / cfg.words_per_minute.max(1) as f64).ceil() as u32 + cfg.seconds_per_entry
}

/// The authors line: up to three names, then "et al.".
pub fn authors_line(authors: &[String]) -> String {
    match authors.len() {
        0 => String::new(),
        1..=3 => authors.join(", "),
        _ => format!("{} et al.", authors[..3].join(", ")),
    }
}

/// A candidate ready for the digest: scored, summarized, costed.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub scored: Scored,
    pub entry: DigestEntry,
}

const TRENDING: &str = "Trending";
const FOR_YOU: &str = "For you";
const BLOGS: &str = "Blogs";

/// Which section a candidate belongs to and its score there.
fn placement(c: &Candidate) -> (&'static str, f64) {
    let s = &c.scored;
    // An entry without a TL;DR gives the reader little for the time it costs.
    let has_summary = if c.entry.summary.trim().is_empty() {
        0.3
    } else {
        1.0
    };
    match s.item.kind {
        crate::model::ItemKind::Post => (BLOGS, (1.0 + s.interest) * has_summary),
        crate::model::ItemKind::Paper if s.is_trending() => {
            (TRENDING, (s.trend + 0.5 * s.interest) * has_summary)
        }
        crate::model::ItemKind::Paper => {
            (FOR_YOU, (s.interest + 0.1 * s.trend + 0.01) * has_summary)
        }
    }
}

/// Picks entries for the three sections so the total reading time fills the budget as closely as it
/// can without going over. Each section first gets a share of the budget in score order; what is left
/// is filled from the best remaining candidates of any section, smaller ones last, so the gap closes.
pub fn select(candidates: Vec<Candidate>, cfg: &DigestConfig) -> (Vec<Section>, u32) {
    let budget = cfg.minutes * 60;
    let mut used = FRAME_SECONDS;
    let caps = [
        (TRENDING, cfg.max_trending, 0.45),
        (FOR_YOU, cfg.max_for_you, 0.35),
        (BLOGS, cfg.max_blogs, 0.20),
    ];
    let mut by_section: Vec<Vec<(f64, Candidate)>> = vec![Vec::new(), Vec::new(), Vec::new()];
    for c in candidates.into_iter().filter(|c| !c.scored.excluded) {
        let (sec, score) = placement(&c);
        let i = caps.iter().position(|x| x.0 == sec).expect("known section");
        by_section[i].push((score, c));
    }
    for list in &mut by_section {
        list.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| a.1.entry.key.cmp(&b.1.entry.key))
        });
    }
    let mut picked: Vec<Vec<DigestEntry>> = vec![Vec::new(), Vec::new(), Vec::new()];
    let mut topics: Vec<HashSet<String>> = Vec::new();
    let mut per_source: std::collections::HashMap<String, u32> = Default::default();
    let mut taken: HashSet<String> = HashSet::new();

    let mut try_take = |i: usize,
                        c: &Candidate,
                        limit: u32,
                        used: &mut u32,
                        picked: &mut Vec<Vec<DigestEntry>>|
     -> bool {
        let cost = c.entry.estimated_seconds;
        if taken.contains(&c.entry.key)
            || *used + cost > limit
            || picked[i].len() as u32 >= caps[i].1
        {
            return false;
        }
        let t = topic_words(&c.entry.title);
        if topics.iter().any(|x| too_similar(x, &t)) {
            return false;
        }
        // One blog must not fill the Blogs section.
        if i == 2 {
            let src = c.entry.sources.first().cloned().unwrap_or_default();
            if per_source.get(&src).copied().unwrap_or(0) >= 2 {
                return false;
            }
            *per_source.entry(src).or_default() += 1;
        }
        topics.push(t);
        taken.insert(c.entry.key.clone());
        *used += cost;
        picked[i].push(c.entry.clone());
        true
    };

    // Pass 1: each section up to its share.
    for (i, list) in by_section.iter().enumerate() {
        let share = FRAME_SECONDS + (budget as f64 * caps[i].2) as u32;
        let mut section_used = FRAME_SECONDS;
        for (_, c) in list {
            if section_used + c.entry.estimated_seconds > share {
                continue;
            }
            let before = used;
            if try_take(i, c, budget, &mut used, &mut picked) {
                section_used += used - before;
            }
        }
    }
    // Pass 2: the rest of the budget, best first across sections.
    let mut rest: Vec<(usize, f64, &Candidate)> = by_section
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.iter().map(move |(s, c)| (i, *s, c)))
        .collect();
    rest.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (i, _, c) in &rest {
        try_take(*i, c, budget, &mut used, &mut picked);
    }
    let sections = caps
        .iter()
        .zip(picked)
        .filter(|(_, items)| !items.is_empty())
        .map(|(c, items)| Section {
            title: c.0.to_string(),
            items,
            ..Default::default()
        })
        .collect();
    (sections, used)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Item, ItemKind};

    fn cfg() -> DigestConfig {
        DigestConfig {
            minutes: 10,
            words_per_minute: 230,
            seconds_per_entry: 4,
            max_age_days: 7,
            send_empty: true,
            max_trending: 50,
            max_for_you: 50,
            max_blogs: 50,
        }
    }

    fn cand(i: usize, kind: ItemKind, trend: f64, words: usize) -> Candidate {
        let now = chrono::Utc::now();
        let item = Item {
            key: format!("k{i}"),
            kind,
            title: format!("Title {i} unique{i} words{i} here{i}"),
            url: None,
            arxiv_id: None,
            doi: None,
            authors: vec![],
            abstract_text: String::new(),
            published: None,
            categories: vec![],
            sources: vec![],
            first_seen: now,
            updated: now,
            summary: None,
        };
        let mut entry = DigestEntry {
            key: item.key.clone(),
            title: item.title.clone(),
            url: None,
            summary: "word ".repeat(words),
            why: String::new(),
            sources: vec![format!("s{}", i % 7)],
            kind: kind.as_str().into(),
            ..Default::default()
        };
        entry.estimated_seconds = entry_seconds(&entry, &cfg());
        Candidate {
            scored: Scored {
                item,
                trend,
                interest: 0.0,
                reasons: vec![],
                excluded: false,
            },
            entry,
        }
    }

    #[test]
    fn entry_cost_is_words_at_pace_plus_a_glance() {
        let c = cand(1, ItemKind::Paper, 0.0, 46);
        // 5 title words + 46 summary words = 51 words at 230 wpm = 13.3 s → 14, plus 4.
        assert_eq!(c.entry.estimated_seconds, 18);
    }

    #[test]
    fn fills_the_budget_closely_without_going_over() {
        let cands: Vec<_> = (0..200)
            .map(|i| {
                cand(
                    i,
                    if i % 3 == 0 {
                        ItemKind::Post
                    } else {
                        ItemKind::Paper
                    },
                    (i % 5) as f64,
                    10 + i % 40,
                )
            })
            .collect();
        let (sections, used) = select(cands, &cfg());
        assert!(used <= 600, "{used}");
        assert!(used >= 570, "{used}");
        let keys: Vec<_> = sections
            .iter()
            .flat_map(|s| s.items.iter().map(|e| e.key.clone()))
            .collect();
        let unique: HashSet<_> = keys.iter().collect();
        assert_eq!(keys.len(), unique.len());
    }

    #[test]
    fn few_candidates_all_fit() {
        let (sections, used) = select(vec![cand(1, ItemKind::Paper, 2.0, 20)], &cfg());
        assert_eq!(sections.len(), 1);
        assert_eq!(sections[0].title, "Trending");
        assert!(used < 600);
        assert_eq!(select(vec![], &cfg()).0.len(), 0);
    }
}
