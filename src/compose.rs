//! Composing a digest within the reading budget.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A composed digest; serialized as-is it is `digest.json` (the contract in DESIGN.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// "Trending", "For you" or "Blogs".
    pub title: String,
    pub items: Vec<DigestEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigestEntry {
    pub key: String,
    pub title: String,
    /// Always http(s) when present.
    pub url: Option<String>,
    /// The TL;DR.
    pub summary: String,
    /// Why it is here, e.g. "142 upvotes on Hugging Face · matches 'diffusion'".
    pub why: String,
    /// Names of the sources that mentioned it.
    pub sources: Vec<String>,
    pub estimated_seconds: u32,
    /// "A. Author, B. Author et al." (may be empty).
    #[serde(default)]
    pub authors: String,
    /// "paper" or "post".
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub name: String,
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
