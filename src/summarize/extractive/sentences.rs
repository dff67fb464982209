//! Sentence splitting of cleaned text.

const ABBREV: &[&str] = &[
    "al", "etc", "cf", "vs", "fig", "figs", "eq", "eqs", "sec", "no", "approx", "resp", "dr", "mr",
    "ms", "prof", "inc", "st", "viz", "ref", "refs", "tab", "ch", "vol", "pp", "jr", "ltd", "co",
];

/// Splits cleaned text (single spaces) at sentence ends, skipping abbreviations and decimals.
pub(super) fn split_sentences(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        let c = b[i];
        i += 1;
        if !matches!(c, b'.' | b'!' | b'?') {
            continue;
        }
        let mut j = i;
        while j < b.len() && b"\"')]".contains(&b[j]) {
            j += 1;
        }
        let boundary = match (b.get(j), b.get(j + 1)) {
            (Some(&b' '), Some(&n)) => {
                (n.is_ascii_uppercase() || n.is_ascii_digit() || b"\"(['".contains(&n) || n >= 0x80)
                    && (c != b'.' || !is_abbrev(&b[start..i - 1]))
            }
            // "results.We": a boundary glued together by PDF extraction.
            (Some(&n), Some(&m)) => {
                c == b'.'
                    && j == i
                    && n.is_ascii_uppercase()
                    && m.is_ascii_lowercase()
                    && i >= 4
                    && b[i - 4..i - 1].iter().all(u8::is_ascii_lowercase)
            }
            _ => false,
        };
        if boundary {
            push_sentence(&mut out, &text[start..j]);
            (start, i) = (j, j);
        }
    }
    push_sentence(&mut out, &text[start..]);
    out
}

fn push_sentence<'a>(out: &mut Vec<&'a str>, s: &'a str) {
    let s = s.trim();
    if s.chars().any(char::is_alphanumeric) {
        out.push(s);
    }
}

/// Whether the word at the end of `before` (the text up to a '.') is an abbreviation.
fn is_abbrev(before: &[u8]) -> bool {
    // Only the last 24 bytes can hold the word, which keeps this O(1) per full stop.
    let tail = &before[before.len().saturating_sub(24)..];
    let tok = tail
        .rsplit(|x| *x == b' ' || *x == b'(')
        .next()
        .unwrap_or(tail);
    if tok.len() == 1 {
        return tok[0].is_ascii_uppercase(); // an initial, as in "J. Smith"
    }
    // e.g / i.e / w.r.t / U.S: short letter groups joined by dots.
    if tok.contains(&b'.')
        && tok
            .split(|x| *x == b'.')
            .all(|g| g.len() <= 2 && g.iter().all(u8::is_ascii_alphabetic))
    {
        return true;
    }
    ABBREV
        .iter()
        .any(|a| a.as_bytes().eq_ignore_ascii_case(tok))
}
