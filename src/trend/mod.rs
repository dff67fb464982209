//! The trend parts of a digest: what is rising this week (`rising`), the one paper to read whole
//! today (`pick`), and the conference deadlines ahead (`upcoming`). Each degrades quietly: too little
//! history says so, no deadlines source means no deadlines.

pub mod phrases;
pub mod pick;
pub mod rising;
mod stopwords;
pub mod upcoming;

use crate::compose::Section;
use crate::error::Result;
use crate::model::ItemKind;
use crate::pipeline::App;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use pick::Pick;
pub use rising::RisingPhrase;
pub use upcoming::DeadlineEntry;

/// What `digest.json` carries beside the sections: "rising", "rising_note", "pick", "deadlines".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendParts {
    #[serde(default)]
    pub rising: Vec<RisingPhrase>,
    /// Said instead of rising phrases when there is too little history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rising_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pick: Option<Pick>,
    #[serde(default)]
    pub deadlines: Vec<DeadlineEntry>,
}

/// The trend parts of the digest whose day ends at `end`, given the sections it carries.
pub fn compose(
    app: &App,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
    sections: &[Section],
    contenders: Vec<pick::Contender>,
) -> Result<TrendParts> {
    let found = rising_in_store(app, end)?;
    let under: Vec<(String, String)> = found
        .phrases
        .iter()
        .flat_map(|p| p.keys.iter().map(|k| (k.clone(), p.phrase.clone())))
        .collect();
    Ok(TrendParts {
        pick: pick::choose(sections, contenders, &under),
        rising: found.phrases,
        rising_note: found.note,
        // A digest composed for a past day lists what was ahead on that day.
        deadlines: upcoming::list(app, now.min(end), end.date_naive())?,
    })
}

/// Whether the detector reads `it`: a paper with a title.
fn is_titled_paper(it: &crate::model::Item) -> bool {
    it.kind == ItemKind::Paper && !it.title.trim().is_empty()
}

/// The papers among `items` (titled ones) as the detector reads them.
pub fn paper_docs(items: &[crate::model::Item]) -> Vec<rising::Doc<'_>> {
    items
        .iter()
        .filter(|it| is_titled_paper(it))
        .map(|it| rising::Doc {
            key: &it.key,
            title: &it.title,
            abstract_text: &it.abstract_text,
            url: it.url.as_deref(),
            date: it.date(),
        })
        .collect()
}

/// A paper of the window with only what the detector reads. A full window's items held whole
/// (authors, sources, links, aliases) were most of a digest's memory: 21,000 papers of nine weeks.
struct WindowPaper {
    key: String,
    title: String,
    abstract_text: String,
    url: Option<String>,
    date: DateTime<Utc>,
}

/// Rising phrases over the papers of the store's window: one range scan of the items first seen
/// since the window's start, so the cost follows the window, not the age of the store.
pub fn rising_in_store(app: &App, end: DateTime<Utc>) -> Result<rising::Outcome> {
    let cfg = &app.config.rising;
    let start = rising::window_start(end, cfg);
    let mut papers = Vec::new();
    app.store.each_item_seen_since(start, |it| {
        if is_titled_paper(&it) {
            papers.push(WindowPaper {
                date: it.date(),
                key: it.key,
                title: it.title,
                abstract_text: it.abstract_text,
                url: it.url,
            });
        }
    })?;
    let docs: Vec<rising::Doc<'_>> = papers
        .iter()
        .map(|p| rising::Doc {
            key: &p.key,
            title: &p.title,
            abstract_text: &p.abstract_text,
            url: p.url.as_deref(),
            date: p.date,
        })
        .collect();
    let out = rising::detect(&docs, end, cfg);
    tracing::debug!(
        recent = out.recent_papers,
        baseline = out.baseline_papers,
        tested = out.tested,
        rising = out.phrases.len(),
        "what's rising"
    );
    Ok(out)
}
