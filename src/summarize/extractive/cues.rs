//! Cue phrases, matched at word starts ("present" also matches "presents", not "represent").

use super::score::Fx;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

pub(super) const STRONG: usize = 0;
pub(super) const MEDIUM: usize = 1;
pub(super) const BACKGROUND: usize = 2;
pub(super) const BOILER: usize = 3;
pub(super) const PROPOSE: usize = 4;
/// Indexed by the class constants above; at most 64 cues per class.
pub(super) const CUES: [&str; 5] = [
    // Announces the contribution.
    concat!(
        "we propose|we introduce|we present|we develop|we design|we describe|this paper proposes|",
        "this paper presents|this paper introduces|this work proposes|this work presents|",
        "this work introduces|we formulate|we devise|we put forward|paper, we|work, we|here we|",
        "we offer|we build|we construct"
    ),
    // Findings and framing that often carry the contribution too.
    concat!(
        "we show|we demonstrate|we find|we prove|we study|we investigate|we explore|we analyze|",
        "we argue|we address|we extend|we consider|we provide|we derive|we establish|we leverage|",
        "we learn|we train|we focus|we aim|we tackle|in this paper|in this work|this paper|we call|",
        "we term|we dub|we name|our method|our approach|our model|our framework|our algorithm"
    ),
    // Motivation and prior work, which TL;DRs skip.
    concat!(
        "however|recently|recent |has been|have been|existing|despite|traditional|remains|remain |",
        "challenge|unfortunately|typically|commonly|widely|popular|is a |are a |has become|",
        "have become|suffer|limited|lack"
    ),
    // Code-release notes, which are not content.
    concat!(
        "code is available|code are available|code is publicly|code and data|code will be|",
        "code is released|our code |our code.|source code|code can be found|available at.|",
        "available online|project page|is publicly available|are publicly available|github|",
        "code and models|implementation is available|code:"
    ),
    "propose|introduce|present|novel",
];

/// (class, bit, cue), keyed by the cue's first four bytes (every cue has at least four).
type CueIndex = HashMap<[u8; 4], Vec<(usize, u32, &'static [u8])>, BuildHasherDefault<Fx>>;

/// Per class: one bit per distinct cue found, and the byte offset of the first hit.
pub(super) fn find_cues(lower: &str) -> ([u64; 5], [usize; 5]) {
    static INDEX: OnceLock<CueIndex> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = CueIndex::default();
        for (class, list) in CUES.iter().enumerate() {
            for (bit, cue) in list.split('|').enumerate() {
                let key = cue.as_bytes()[..4].try_into().unwrap();
                index
                    .entry(key)
                    .or_default()
                    .push((class, bit as u32, cue.as_bytes()));
            }
        }
        index
    });
    let b = lower.as_bytes();
    let (mut found, mut first) = ([0u64; 5], [usize::MAX; 5]);
    for p in 0..b.len().saturating_sub(3) {
        if !b[p].is_ascii_lowercase() || (p > 0 && b[p - 1].is_ascii_alphanumeric()) {
            continue;
        }
        let key: [u8; 4] = b[p..p + 4].try_into().unwrap();
        for &(class, bit, cue) in index.get(&key).into_iter().flatten() {
            if b[p..].starts_with(cue) {
                found[class] |= 1 << bit;
                first[class] = first[class].min(p);
            }
        }
    }
    (found, first)
}

pub(super) fn is_boilerplate(s: &str) -> bool {
    find_cues(&s.to_ascii_lowercase()).0[BOILER] != 0
}
