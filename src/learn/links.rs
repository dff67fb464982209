//! The 👍/👎 links each digest entry carries when `[web] base_url` is set, signed with the state
//! directory's secret (`token`), so the page that receives them can verify them.

use super::token::{link, Claim, Secret};
use super::{Vote, DEFAULT_READER};
use crate::compose::Digest;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One entry's links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackLinks {
    pub up: String,
    pub down: String,
}

/// Fills in the links of every entry of `d` (nothing without a base URL).
pub fn add(d: &mut Digest, base_url: Option<&str>, state_dir: &Path) -> Result<()> {
    let Some(base) = base_url else {
        return Ok(());
    };
    let secret = Secret::load_or_create(state_dir)?;
    for e in d.sections.iter().flat_map(|s| &s.items) {
        let claim = |vote| Claim {
            reader: DEFAULT_READER.to_string(),
            date: d.date,
            key: e.key.clone(),
            vote,
        };
        d.feedback_links.insert(
            e.key.clone(),
            FeedbackLinks {
                up: link(base, &secret, &claim(Vote::Up)),
                down: link(base, &secret, &claim(Vote::Down)),
            },
        );
    }
    Ok(())
}
