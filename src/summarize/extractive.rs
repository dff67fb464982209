//! Offline extractive TL;DR for paper abstracts: no model files, no network, std only.
//!
//! The abstract is cleaned (LaTeX, URLs, whitespace), split into sentences, and every sentence is
//! scored with a small linear model over cue phrases, title overlap, centrality, position and
//! length. The best sentence is trimmed of openers, asides and code-availability tails. Weights
//! were fitted on the SciTLDR-A dev split (ROUGE-1 of each candidate against the gold TL;DRs).
//! Every step is linear in the input, so a 10,000-word abstract costs no more than its size.

use std::collections::{HashMap, HashSet};

/// Longest TL;DR in words; references average about 22.
const MAX_WORDS: usize = 35;
/// A chosen sentence shorter than this borrows the next one ("We propose X. X does Y.").
const MIN_WORDS: usize = 12;

// ---- dev-only tuning hook (removed before delivery) ----
fn p(name: &str, default: f64) -> f64 {
    thread_local! {
        static P: HashMap<String, f64> = std::env::var("TLDR_P").ok().map(|s| {
            s.split(',').filter_map(|kv| {
                let mut it = kv.splitn(2, '=');
                Some((it.next()?.trim().to_string(), it.next()?.trim().parse().ok()?))
            }).collect()
        }).unwrap_or_default();
    }
    P.with(|m| *m.get(name).unwrap_or(&default))
}

/// Offline extractive TL;DR: at most ~35 words, one or two sentences, from the abstract (title helps when given).
pub fn tldr(title: Option<&str>, abstract_text: &str) -> String {
    let text = clean(abstract_text);
    let sents = split_sentences(&text);
    if sents.is_empty() {
        return String::new();
    }
    let best = pick(title, &sents);
    let mut words = compress(sents[best]);
    let min_words = p("minw", MIN_WORDS as f64) as usize;
    if words.len() < min_words && best + 1 < sents.len() && !is_boilerplate(sents[best + 1]) {
        let next = compress(sents[best + 1]);
        if words.len() + next.len() <= MAX_WORDS {
            if let Some(last) = words.last_mut() {
                if !last.ends_with(['.', '!', '?']) {
                    last.push('.');
                }
            }
            words.extend(next);
        }
    }
    finish(words, MAX_WORDS)
}

// ---------------------------------------------------------------------------
// Cleaning: one pass over the bytes. Everything special is ASCII, so UTF-8 passes through intact.
// ---------------------------------------------------------------------------

/// Commands whose argument is a reference, not prose.
const DROP_WITH_ARG: &[&str] =
    &["cite", "citep", "citet", "citealp", "ref", "eqref", "url", "footnote", "label", "autoref"];
/// Commands that only style their argument: keep the argument.
const FORMAT_CMDS: &[&str] = &[
    "emph", "textbf", "textit", "texttt", "textsc", "textrm", "text", "mathbf", "mathcal", "mathrm",
    "mathbb", "mathit", "mathsf", "bm", "boldsymbol", "operatorname", "underline", "href",
];

fn clean(s: &str) -> String {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let word_start = i == 0 || b[i - 1].is_ascii_whitespace() || b[i - 1] == b'(';
        if word_start && is_url_start(&b[i..]) {
            let mut j = i;
            while j < b.len() && !b[j].is_ascii_whitespace() {
                j += 1;
            }
            // Sentence punctuation glued to the URL still belongs to the prose.
            let mut k = j;
            while k > i && matches!(b[k - 1], b'.' | b',' | b';' | b':' | b')') {
                k -= 1;
            }
            out.extend_from_slice(&b[k..j]);
            i = j;
            continue;
        }
        match c {
            b'$' | b'{' | b'}' => i += 1,
            b'`' => {
                // TeX opening quotes ``...'' become plain ones.
                out.push(b'"');
                i += if b.get(i + 1) == Some(&b'`') { 2 } else { 1 };
            }
            b'\'' if b.get(i + 1) == Some(&b'\'') => {
                out.push(b'"');
                i += 2;
            }
            b'~' => {
                out.push(b' ');
                i += 1;
            }
            b'\\' => {
                let mut j = i + 1;
                while j < b.len() && b[j].is_ascii_alphabetic() {
                    j += 1;
                }
                if j == i + 1 {
                    // \% or \& keep the symbol; a TeX line break "\\" becomes a space.
                    if j < b.len() && b[j].is_ascii_punctuation() && b[j] != b'\\' {
                        out.push(b[j]);
                    } else {
                        out.push(b' ');
                    }
                    i = (j + 1).min(b.len());
                    continue;
                }
                let name = std::str::from_utf8(&b[i + 1..j]).unwrap_or("");
                if DROP_WITH_ARG.contains(&name) {
                    i = skip_group(b, j);
                } else if FORMAT_CMDS.contains(&name) {
                    i = j;
                } else {
                    // Greek letters and operators read fine as words (\alpha -> alpha).
                    if out.last().is_some_and(|l| l.is_ascii_alphanumeric()) {
                        out.push(b' ');
                    }
                    out.extend_from_slice(name.as_bytes());
                    i = j;
                }
            }
            _ => {
                out.push(if c.is_ascii_whitespace() { b' ' } else { c });
                i += 1;
            }
        }
    }
    tidy(&String::from_utf8_lossy(&out))
}

fn is_url_start(b: &[u8]) -> bool {
    let head: Vec<u8> = b.iter().take(11).map(|c| c.to_ascii_lowercase()).collect();
    ["http://", "https://", "www.", "github.com/", "ftp://"].iter().any(|p| head.starts_with(p.as_bytes()))
}

/// Skip an optional `[..]` and a `{..}` argument, as in `\cite[p.~3]{key}`.
fn skip_group(b: &[u8], mut j: usize) -> usize {
    while j < b.len() && b[j] == b' ' {
        j += 1;
    }
    for (open, close) in [(b'[', b']'), (b'{', b'}')] {
        if j < b.len() && b[j] == open {
            let mut depth = 0usize;
            while j < b.len() {
                if b[j] == open {
                    depth += 1;
                } else if b[j] == close {
                    depth -= 1;
                    if depth == 0 {
                        j += 1;
                        break;
                    }
                }
                j += 1;
            }
        }
    }
    j
}

/// Collapse whitespace, drop brackets emptied by the cleaning, and re-attach stranded punctuation.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for tok in s.split_whitespace() {
        let t = tok.replace("()", "").replace("[]", "");
        if t.is_empty() || t == "(" || t == "[" {
            continue;
        }
        if t.chars().all(|c| matches!(c, '.' | ',' | ';' | ':' | ')' | ']')) && !out.is_empty() {
            if !(t == "." && out.ends_with('.')) {
                out.push_str(&t);
            }
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t);
    }
    out
}

// ---------------------------------------------------------------------------
// Sentence splitting
// ---------------------------------------------------------------------------

const ABBREV: &[&str] = &[
    "al", "etc", "cf", "vs", "fig", "figs", "eq", "eqs", "sec", "no", "approx", "resp", "dr", "mr",
    "ms", "prof", "inc", "st", "viz", "ref", "refs", "tab", "ch", "vol", "pp", "jr", "ltd", "co",
];

fn split_sentences(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        let c = b[i];
        if matches!(c, b'.' | b'!' | b'?') {
            let mut j = i + 1;
            while j < b.len() && matches!(b[j], b'"' | b'\'' | b')' | b']') {
                j += 1;
            }
            let boundary = if j + 1 < b.len() && b[j] == b' ' {
                let n = b[j + 1];
                (n.is_ascii_uppercase() || n.is_ascii_digit() || matches!(n, b'"' | b'(' | b'[' | b'\'') || n >= 0x80)
                    && (c != b'.' || !is_abbrev(&b[start..i]))
            } else {
                // "results.We": a boundary glued together by PDF extraction.
                c == b'.'
                    && j == i + 1
                    && i >= 3
                    && j + 1 < b.len()
                    && b[j].is_ascii_uppercase()
                    && b[j + 1].is_ascii_lowercase()
                    && b[i - 3..i].iter().all(|x| x.is_ascii_lowercase())
            };
            if boundary {
                push_sentence(&mut out, &text[start..j]);
                start = j;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    push_sentence(&mut out, &text[start..]);
    out
}

fn push_sentence<'a>(out: &mut Vec<&'a str>, s: &'a str) {
    let s = s.trim();
    if s.chars().any(|c| c.is_alphanumeric()) {
        out.push(s);
    }
}

/// Whether the word ending at the end of `before` (just before a '.') is an abbreviation.
fn is_abbrev(before: &[u8]) -> bool {
    // Only the last 24 bytes can hold the word, which keeps this O(1) per full stop.
    let tail = &before[before.len().saturating_sub(24)..];
    let k = tail.iter().rposition(|x| x.is_ascii_whitespace() || *x == b'(').map_or(0, |p| p + 1);
    let tok = &tail[k..];
    if tok.is_empty() {
        return false;
    }
    if tok.len() == 1 && tok[0].is_ascii_uppercase() {
        return true; // an initial, as in "J. Smith"
    }
    // e.g / i.e / w.r.t / U.S: short letter groups joined by dots.
    if tok.contains(&b'.')
        && tok.split(|x| *x == b'.').all(|g| g.len() <= 2 && g.iter().all(|x| x.is_ascii_alphabetic()))
    {
        return true;
    }
    let lower = String::from_utf8_lossy(tok).to_ascii_lowercase();
    ABBREV.contains(&lower.as_str())
}
