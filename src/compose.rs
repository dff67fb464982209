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
    /// How many TL;DRs fell back to the offline summarizer and why, when a model was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary_note: Option<String>,
    /// How many papers For you left out because the reader's ratings say they would not like them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taste_note: Option<String>,
    pub generated_at: DateTime<Utc>,
    /// How to change or stop this digest, true for the config in use (the footer's last line).
    #[serde(default)]
    pub settings_hint: String,
    /// "rising", "rising_note", "pick", "deadlines" (`trend`).
    #[serde(flatten)]
    pub trend: crate::trend::TrendParts,
    /// Item key → its signed 👍/👎 links (only with `[web] base_url`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub feedback_links: std::collections::BTreeMap<String, crate::learn::links::FeedbackLinks>,
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
    /// Who wrote the TL;DR: "extractive", "huggingface" or "openai:<model>".
    #[serde(default = "default_summary_by")]
    pub summary_by: String,
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

fn default_summary_by() -> String {
    crate::summarize::BY_EXTRACTIVE.to_string()
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

/// How many better candidates that do not fit a shorter one may pass: the gap at the end of the
/// budget is closed by one of the next few best, never by whatever happens to be short.
const FIT_LOOKAHEAD: usize = 3;

/// For you carries at least this many papers before doubtful ones are held back: the reader gets a
/// handful to rate every day, and a model wrong about a day cannot empty it.
pub const DOUBT_FLOOR_PAPERS: usize = 6;

#[derive(PartialEq)]
enum Take {
    Taken,
    /// Longer than the time left.
    NoRoom,
    /// Already taken, its section full, or too like one taken.
    Passed,
}

/// Picks entries for the three sections so the total reading time fills the budget as closely as it
/// can without going over. Each section first gets a share of the budget in score order; what is left
/// is filled from the best remaining candidates of any section, smaller ones last, so the gap closes.
/// Also returns how many papers were held back because the reader's model expects a 👎.
pub fn select(candidates: Vec<Candidate>, cfg: &DigestConfig) -> (Vec<Section>, u32, usize) {
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
    let mut held: HashSet<String> = HashSet::new();

    let mut try_take = |i: usize,
                        c: &Candidate,
                        limit: u32,
                        used: &mut u32,
                        picked: &mut Vec<Vec<DigestEntry>>|
     -> Take {
        let cost = c.entry.estimated_seconds;
        if taken.contains(&c.entry.key) || picked[i].len() as u32 >= caps[i].1 {
            return Take::Passed;
        }
        // Half the budget and a handful of papers to rate are always filled; the rest is not
        // padded with papers the reader's model expects them to dislike.
        if i == 1
            && c.scored.doubtful
            && *used >= budget / 2
            && picked[1].len() >= DOUBT_FLOOR_PAPERS
        {
            held.insert(c.entry.key.clone());
            return Take::Passed;
        }
        if *used + cost > limit {
            return Take::NoRoom;
        }
        let t = topic_words(&c.entry.title);
        if topics.iter().any(|x| too_similar(x, &t)) {
            return Take::Passed;
        }
        // One blog must not fill the Blogs section.
        if i == 2 {
            let src = c.entry.sources.first().cloned().unwrap_or_default();
            if per_source.get(&src).copied().unwrap_or(0) >= 2 {
                return Take::Passed;
            }
            *per_source.entry(src).or_default() += 1;
        }
        topics.push(t);
        taken.insert(c.entry.key.clone());
        *used += cost;
        picked[i].push(c.entry.clone());
        Take::Taken
    };

    // Pass 1: each section up to its share.
    for (i, list) in by_section.iter().enumerate() {
        let share = FRAME_SECONDS + (budget as f64 * caps[i].2) as u32;
        let mut section_used = FRAME_SECONDS;
        let mut no_room = 0;
        for (_, c) in list {
            let before = used;
            let limit = budget.min(used + share.saturating_sub(section_used));
            match try_take(i, c, limit, &mut used, &mut picked) {
                Take::Taken => section_used += used - before,
                Take::NoRoom => no_room += 1,
                Take::Passed => {}
            }
            if no_room > FIT_LOOKAHEAD {
                break;
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
    let mut no_room = 0;
    for (i, _, c) in &rest {
        if try_take(*i, c, budget, &mut used, &mut picked) == Take::NoRoom {
            no_room += 1;
            if no_room > FIT_LOOKAHEAD {
                break;
            }
        }
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
    (sections, used, held.len())
}

/// Costs every entry again (after its TL;DR changed) and, while the digest is over its budget, drops
/// the last entry of the longest section. Returns the seconds used.
pub fn refit(sections: &mut Vec<Section>, cfg: &DigestConfig) -> u32 {
    let budget = cfg.minutes * 60;
    for e in sections.iter_mut().flat_map(|s| s.items.iter_mut()) {
        e.estimated_seconds = entry_seconds(e, cfg);
    }
    let total = |s: &[Section]| {
        FRAME_SECONDS
            + s.iter()
                .flat_map(|s| &s.items)
                .map(|e| e.estimated_seconds)
                .sum::<u32>()
    };
    while total(sections) > budget {
        let Some(longest) = sections.iter_mut().max_by_key(|s| s.items.len()) else {
            break;
        };
        if longest.items.pop().is_none() {
            break;
        }
    }
    sections.retain(|s| !s.items.is_empty());
    total(sections)
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
            deadline_days: 45,
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
            summary_by: "extractive".into(),
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
                doubtful: false,
            },
            entry,
        }
    }

    /// Papers only (trend 0: For you), best first by interest.
    fn for_you(n: usize, words: impl Fn(usize) -> usize) -> Vec<Candidate> {
        (0..n)
            .map(|i| {
                let mut c = cand(i, ItemKind::Paper, 0.0, words(i));
                c.scored.interest = (n - i) as f64;
                c
            })
            .collect()
    }

    #[test]
    fn a_short_paper_far_down_does_not_jump_the_queue() {
        // Ten that fill the budget to its last 30 s, four of 40 s that do not fit, then one short.
        let mut cands = for_you(15, |i| match i {
            0..=9 => 190,
            10..=13 => 140,
            _ => 10,
        });
        cands[14].scored.interest = 0.5;
        let (sections, used, _) = select(cands, &cfg());
        let keys: Vec<_> = sections[0].items.iter().map(|e| e.key.as_str()).collect();
        assert!(!keys.contains(&"k14"), "{keys:?} ({used} s)");
    }

    #[test]
    fn doubtful_papers_fill_half_the_budget_and_no_more() {
        let mut cands = for_you(60, |_| 60);
        for c in cands.iter_mut().skip(3) {
            c.scored.doubtful = true;
        }
        let (sections, used, held) = select(cands, &cfg());
        let shown = sections.iter().map(|s| s.items.len()).sum::<usize>();
        assert!(used >= 300, "{used}");
        assert!(
            used < 330,
            "{used}: doubtful papers went past half the budget"
        );
        assert_eq!(held, 60 - shown);
        // Without doubt the same candidates fill the budget.
        let (_, full, none) = select(for_you(60, |_| 60), &cfg());
        assert!(full > 570, "{full}");
        assert_eq!(none, 0);
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
        let (sections, used, _) = select(cands, &cfg());
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
    fn refit_recosts_and_drops_until_it_fits() {
        let cands: Vec<_> = (0..200)
            .map(|i| cand(i, ItemKind::Paper, (i % 5) as f64, 10 + i % 40))
            .collect();
        let (mut sections, used, _) = select(cands, &cfg());
        let before: usize = sections.iter().map(|s| s.items.len()).sum();
        assert_eq!(refit(&mut sections, &cfg()), used);
        // Longer TL;DRs push it over: it drops entries until it fits again.
        for e in sections.iter_mut().flat_map(|s| s.items.iter_mut()) {
            e.summary = "word ".repeat(60);
        }
        let after = refit(&mut sections, &cfg());
        let left: usize = sections.iter().map(|s| s.items.len()).sum();
        assert!(after <= 600 && left < before, "{after} {left} {before}");
        assert!(after > 600 - 40, "{after}");
    }

    #[test]
    fn few_candidates_all_fit() {
        let (sections, used, _) = select(vec![cand(1, ItemKind::Paper, 2.0, 20)], &cfg());
        assert_eq!(sections.len(), 1);
        assert_eq!(sections[0].title, "Trending");
        assert!(used < 600);
        assert_eq!(select(vec![], &cfg()).0.len(), 0);
    }
}
