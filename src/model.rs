//! The data a source produces (`Entry`) and the data the store keeps (`Item`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether an item is a research paper or a blog post (decides its digest section).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Paper,
    Post,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Paper => "paper",
            ItemKind::Post => "post",
        }
    }
}

/// What one source said about one paper or post: its trend signals, kept per source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upvotes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_repo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_stars: Option<u32>,
    /// Position on a trending page (1 = top).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trending_rank: Option<u32>,
    /// arXiv listing announce type: new, cross, replace, replace-cross.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announce_type: Option<String>,
    /// arXiv version number the source saw (v2 → 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Position in the source's own listing (1 = first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ai_keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_page: Option<String>,
    /// Conference or proceeding (Papers with Code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proceeding: Option<String>,
}

/// One entry as a source read it, before identity and merge. Text fields are clean text, not HTML.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub title: String,
    /// The entry's own link, absolute.
    pub url: Option<String>,
    /// The feed's guid / Atom id, when it has one.
    pub guid: Option<String>,
    /// arXiv id as found (may carry a version); identity strips it.
    pub arxiv_id: Option<String>,
    pub doi: Option<String>,
    pub authors: Vec<String>,
    pub abstract_text: String,
    pub published: Option<DateTime<Utc>>,
    pub categories: Vec<String>,
    /// Other links in the entry's body (used to tie a post about one arXiv paper to that paper).
    pub links: Vec<String>,
    pub kind: Option<ItemKind>,
    pub signals: Signals,
}

/// One source's mention of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceHit {
    pub name: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub signals: Signals,
    #[serde(with = "crate::store::ts")]
    pub first_seen: DateTime<Utc>,
    #[serde(with = "crate::store::ts")]
    pub last_seen: DateTime<Utc>,
}

/// A TL;DR and the summarizer that wrote it (so a change of summarizer can redo them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub text: String,
    pub by: String,
}

/// One paper or post, merged over every source that mentioned it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub key: String,
    pub kind: ItemKind,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arxiv_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub abstract_text: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::store::ts::opt"
    )]
    pub published: Option<DateTime<Utc>>,
    #[serde(default)]
    pub categories: Vec<String>,
    pub sources: Vec<SourceHit>,
    #[serde(with = "crate::store::ts")]
    pub first_seen: DateTime<Utc>,
    #[serde(with = "crate::store::ts")]
    pub updated: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
}

impl Item {
    /// The item's own date: when it was published, else when trendd first saw it.
    pub fn date(&self) -> DateTime<Utc> {
        self.published.unwrap_or(self.first_seen)
    }
}
