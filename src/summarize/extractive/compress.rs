//! Compression: openers, asides and code-release tails go; the length is capped at a clause.

use super::context;
use super::cues::{find_cues, BOILER};
use std::sync::OnceLock;

/// Openers that only tie the sentence to its neighbours; a TL;DR stands alone. Those without a
/// comma are stripped only before "we".
pub(super) const OPENERS: &str = concat!(
    "in this paper,|in this work,|in this study,|in this note,|in this article,|in this paper|",
    "in this work|in this study|in this article|here,|here|to this end,|specifically,|",
    "more specifically,|in particular,|finally,|moreover,|furthermore,|additionally,|in addition,|",
    "thus,|therefore,|hence,|as a result,|overall,|consequently,|instead,|concretely,|",
    "importantly,|notably,|crucially,|in summary,|in short,|to address this,|",
    "to address this issue,|to address this problem,|to address these issues,|",
    "to address these problems,|to address this challenge,|to address these challenges,|",
    "to overcome this,|to overcome this issue,|to overcome these issues,|to this aim,|",
    "to that end,|first,|second,|third,|lastly,|then,|next,|further,|also,|in contrast,|",
    "by contrast,|accordingly,|as such,|in practice,|taken together,|to do so,|to do this,|",
    "to solve this problem,|motivated by this,|inspired by this,|with this in mind,|",
    "towards this end,|toward this end,|for this purpose,|last but not least,"
);

/// How many leading words are openers; `tokens` are the first lower-cased words of `total`.
pub(super) fn opener_len(tokens: &[&str], total: usize) -> usize {
    static SPLIT: OnceLock<Vec<Vec<&str>>> = OnceLock::new();
    let openers =
        SPLIT.get_or_init(|| OPENERS.split('|').map(|o| o.split(' ').collect()).collect());
    let mut k = 0;
    'strip: while k < tokens.len() {
        for o in openers.iter().filter(|o| o[0] == tokens[k]) {
            let n = o.len();
            if total > k + n + 3
                && tokens.len() > k + n
                && o.iter().zip(&tokens[k..]).all(|(a, b)| a == b)
                && (o[n - 1].ends_with(',') || tokens[k + n] == "we")
            {
                k += n;
                continue 'strip; // openers stack: "Finally, in this paper, we ..."
            }
        }
        break;
    }
    k
}

pub(super) fn compress(sentence: &str) -> Vec<String> {
    let lower = sentence.to_ascii_lowercase();
    let tokens: Vec<&str> = lower.split(' ').collect();
    let mut skip = opener_len(&tokens, tokens.len());
    skip += context::pointing_lead(&tokens[skip..]);
    // An enumeration label such as "(3)" or "ii)" means nothing out of its list.
    let label = |w: &str| w.len() <= 5 && w.ends_with(')') && !w[..w.len() - 1].contains(')');
    if tokens.len() > skip + 3 && label(tokens[skip]) {
        skip += 1;
    }
    let mut words = drop_asides(sentence.split(' ').skip(skip).map(str::to_string).collect());
    if let Some(mended) = context::mend_address_by(&words) {
        words = mended;
    }
    // "We propose X; code is available at ." keeps only the content; a pure code note goes.
    let joined = words.join(" ").to_ascii_lowercase();
    let at = find_cues(&joined).1[BOILER];
    if at != usize::MAX {
        let k = joined[..at].matches(' ').count();
        words.truncate(if k < 3 { 0 } else { k });
        trim_dangling(&mut words);
    }
    if let Some(first) = words.first_mut() {
        let mut cs = first.chars();
        if let Some(c) = cs.next() {
            *first = c.to_uppercase().chain(cs).collect();
        }
    }
    words
}

const DANGLING: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "with", "by", "from", "at", "as",
    "that", "which", "is", "are", "its", "their", "our", "this", "these", "such", "but", "than",
    "via",
];

pub(super) fn trim_dangling(words: &mut Vec<String>) {
    while let Some(last) = words.last() {
        let bare = last.trim_end_matches([',', ';', ':']).to_ascii_lowercase();
        if words.len() == 1 || !DANGLING.contains(&bare.as_str()) {
            break;
        }
        words.pop();
    }
}

/// Remove short bracketed asides, "(e.g., ...)", "(MPT)", "[12]": they cost words and rarely
/// carry the point. Enumeration labels like "(a)" and nested brackets stay.
fn drop_asides(mut words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let close = match words[i].as_bytes().first() {
            Some(b'(') => ')',
            Some(b'[') => ']',
            _ => '\0',
        };
        if close != '\0' && !out.is_empty() {
            let end = (i..words.len().min(i + 15)).find(|&j| words[j].contains(close));
            let opens = |e: usize| {
                words[i..=e]
                    .iter()
                    .map(|x| x.matches(['(', '[']).count())
                    .sum::<usize>()
            };
            if let Some(e) = end.filter(|&e| opens(e) == 1 && (e > i || words[i].len() > 3)) {
                let rest = words[e].rsplit(close).next().unwrap_or("");
                out.last_mut().unwrap().push_str(rest);
                i = e + 1;
                continue;
            }
        }
        out.push(std::mem::take(&mut words[i]));
        i += 1;
    }
    out
}

const CLAUSE_WORDS: &[&str] = &[
    "which", "where", "while", "whereas", "by", "through", "thereby", "and", "but", "that",
    "using", "via", "with", "without", "as",
];

/// Words that open a phrase: the words before them end one, so a cut there leaves no phrase half
/// said ("… maps the input into a stable" is what a cut anywhere else risks).
const PHRASE_WORDS: &[&str] = &[
    "in",
    "on",
    "for",
    "of",
    "to",
    "from",
    "into",
    "over",
    "under",
    "across",
    "between",
    "against",
    "at",
    "within",
    "among",
    "towards",
    "toward",
    "based",
    "including",
    "compared",
    "leading",
    "resulting",
    "allowing",
    "enabling",
    "such",
    "when",
    "if",
    "so",
    "because",
    "since",
    "after",
    "before",
    "than",
    "or",
];

/// Cap the length, cutting where a clause or at least a phrase ends, and end with a full stop.
pub(super) fn finish(mut words: Vec<String>, max_words: usize) -> String {
    if words.len() > max_words {
        let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
        let clause = |k: &usize| {
            words[k - 1].ends_with([',', ';', ':']) || CLAUSE_WORDS.contains(&lower[*k].as_str())
        };
        let phrase = |k: &usize| clause(k) || PHRASE_WORDS.contains(&lower[*k].as_str());
        let lo = (max_words * 2 / 3).max(1);
        let floor = (max_words / 3).max(1);
        // A little over the cap beats a sentence cut mid-phrase.
        let over = (max_words + max_words / 4).min(words.len());
        let cut = (lo..max_words)
            .rev()
            .find(clause)
            .or_else(|| (lo..max_words).rev().find(phrase))
            .or_else(|| (floor..lo).rev().find(phrase))
            .or_else(|| (max_words..over).find(phrase))
            .unwrap_or(if words.len() <= over {
                words.len()
            } else {
                max_words
            });
        words.truncate(cut);
        // Never leave a bracket open.
        if let Some(open) = words.iter().rposition(|w| w.contains('(')) {
            if !words[open..].iter().any(|w| w.contains(')')) && open > 0 {
                words.truncate(open);
            }
        }
        trim_dangling(&mut words);
    }
    let mut s = words.join(" ");
    s.truncate(s.trim_end_matches([',', ';', ':', ' ', '-', '(']).len());
    if !s.is_empty() && !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}
