//! Offline extractive TL;DR for paper abstracts: no model files, no network, std only.
//!
//! The abstract is cleaned (LaTeX, URLs, whitespace) and split into sentences. Each sentence is
//! scored by a small linear model over cue phrases, title overlap, centrality, position and
//! length; the best one loses its openers, asides and code-release tail. The weights were fitted
//! on the SciTLDR-A dev split (ROUGE-1 of every candidate against the gold TL;DRs). Every step is
//! linear in the input, so a 10,000-word abstract costs only its size.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Longest TL;DR in words; human TL;DRs average about 22.
const MAX_WORDS: usize = 35;
/// A chosen sentence shorter than this borrows the next one ("We propose X. X does Y.").
const MIN_WORDS: usize = 12;

/// Offline extractive TL;DR: at most ~35 words, one or two sentences, from the abstract (title helps when given).
pub fn tldr(title: Option<&str>, abstract_text: &str) -> String {
    let text = clean(abstract_text);
    let sents = split_sentences(&text);
    if sents.is_empty() {
        return String::new();
    }
    let best = pick(title, &sents);
    let mut words = compress(sents[best]);
    if words.len() < MIN_WORDS && best + 1 < sents.len() && !is_boilerplate(sents[best + 1]) {
        let next = compress(sents[best + 1]);
        if let Some(last) = words.last_mut().filter(|_| words.len() + next.len() <= MAX_WORDS) {
            if !last.ends_with(['.', '!', '?']) {
                last.push('.');
            }
            words.extend(next);
        }
    }
    finish(words, MAX_WORDS)
}

// ---- Cleaning: one pass over the bytes; all markup is ASCII, so UTF-8 passes through intact.

/// Commands whose argument is a reference, not prose.
const DROP_WITH_ARG: &[&str] =
    &["cite", "citep", "citet", "citealp", "ref", "eqref", "url", "footnote", "label", "autoref"];
/// Commands that only style their argument, which stays.
const FORMAT_CMDS: &[&str] = &[
    "emph", "textbf", "textit", "texttt", "textsc", "textrm", "text", "mathbf", "mathcal", "mathrm",
    "mathbb", "mathit", "mathsf", "bm", "boldsymbol", "operatorname", "underline", "href",
];

fn clean(s: &str) -> String {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if (i == 0 || b[i - 1].is_ascii_whitespace() || b[i - 1] == b'(') && is_url(&b[i..]) {
            let end = b[i..].iter().position(u8::is_ascii_whitespace).map_or(b.len(), |p| i + p);
            // Sentence punctuation glued to the URL still belongs to the prose.
            let keep =
                b[i..end].iter().rev().take_while(|x| b".,;:)".contains(x)).count();
            out.extend_from_slice(&b[end - keep..end]);
            i = end;
            continue;
        }
        let c = b[i];
        i += 1;
        match c {
            b'$' | b'{' | b'}' => {}
            b'`' | b'\'' if b.get(i) == Some(&c) => {
                out.push(b'"'); // TeX quotes ``...''
                i += 1;
            }
            b'`' => out.push(b'\''),
            b'~' => out.push(b' '),
            b'\\' => {
                let len = b[i..].iter().take_while(|x| x.is_ascii_alphabetic()).count();
                let name = &s[i..i + len];
                i += len;
                if name.is_empty() {
                    // \% and \& keep the symbol; a TeX line break "\\" becomes a space.
                    match b.get(i) {
                        Some(&p) if p.is_ascii_punctuation() => {
                            out.push(if p == b'\\' { b' ' } else { p });
                            i += 1;
                        }
                        _ => out.push(b' '),
                    }
                } else if DROP_WITH_ARG.contains(&name) {
                    i = skip_group(b, i);
                } else if !FORMAT_CMDS.contains(&name) {
                    // Greek letters and operators read fine as words (\alpha -> alpha).
                    if out.last().is_some_and(u8::is_ascii_alphanumeric) {
                        out.push(b' ');
                    }
                    out.extend_from_slice(name.as_bytes());
                }
            }
            _ => out.push(if c.is_ascii_whitespace() { b' ' } else { c }),
        }
    }
    tidy(&String::from_utf8_lossy(&out))
}

fn is_url(b: &[u8]) -> bool {
    ["http://", "https://", "www.", "github.com/", "ftp://"]
        .iter()
        .any(|p| b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
}

/// Skip an optional `[..]` and a `{..}` argument, as in `\cite[p.~3]{key}`.
fn skip_group(b: &[u8], mut j: usize) -> usize {
    while b.get(j) == Some(&b' ') {
        j += 1;
    }
    for (open, close) in [(b'[', b']'), (b'{', b'}')] {
        if b.get(j) == Some(&open) {
            let mut depth = 0usize;
            while j < b.len() {
                depth = if b[j] == open { depth + 1 } else { depth - (b[j] == close) as usize };
                j += 1;
                if depth == 0 {
                    break;
                }
            }
        }
    }
    j
}

/// Collapse whitespace, drop brackets emptied by the cleaning, and re-attach stranded punctuation.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let emptied = s.contains("()") || s.contains("[]");
    for tok in s.split_whitespace() {
        let t: std::borrow::Cow<str> = if emptied && (tok.contains("()") || tok.contains("[]")) {
            tok.replace("()", "").replace("[]", "").into()
        } else {
            tok.into()
        };
        if t.is_empty() || t == "(" || t == "[" {
            continue;
        }
        if t.bytes().all(|c| b".,;:)]".contains(&c)) && !out.is_empty() {
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

// ---- Sentence splitting

const ABBREV: &[&str] = &[
    "al", "etc", "cf", "vs", "fig", "figs", "eq", "eqs", "sec", "no", "approx", "resp", "dr", "mr",
    "ms", "prof", "inc", "st", "viz", "ref", "refs", "tab", "ch", "vol", "pp", "jr", "ltd", "co",
];

/// Splits tidied text (single spaces) at sentence ends, skipping abbreviations and decimals.
fn split_sentences(text: &str) -> Vec<&str> {
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
            (Some(b' '), Some(&n)) => {
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
    let k = tail.iter().rposition(|x| *x == b' ' || *x == b'(').map_or(0, |p| p + 1);
    let tok = &tail[k..];
    if tok.len() == 1 {
        return tok[0].is_ascii_uppercase(); // an initial, as in "J. Smith"
    }
    // e.g / i.e / w.r.t / U.S: short letter groups joined by dots.
    if tok.contains(&b'.')
        && tok.split(|x| *x == b'.').all(|g| g.len() <= 2 && g.iter().all(u8::is_ascii_alphabetic))
    {
        return true;
    }
    ABBREV.iter().any(|a| a.as_bytes().eq_ignore_ascii_case(tok))
}

// ---- Cue phrases, matched at word starts ("present" also matches "presents", not "represent").

const STRONG: usize = 0;
const MEDIUM: usize = 1;
const BACKGROUND: usize = 2;
const BOILER: usize = 3;
const PROPOSE: usize = 4;
/// Indexed by the class constants above; at most 64 cues per class.
const CUES: [&str; 5] = [
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
        "code is released|our code|source code|code can be found|available at|available online|",
        "project page|is publicly available|are publicly available|github|code and models|",
        "implementation is available|code:"
    ),
    "propose|introduce|present|novel",
];

/// (class, bit, cue), bucketed by the cue's first two bytes.
type CueIndex = Vec<Vec<(usize, u32, &'static [u8])>>;

fn cue_index() -> &'static CueIndex {
    static INDEX: OnceLock<CueIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = vec![Vec::new(); 26 * 27];
        for (class, list) in CUES.iter().enumerate() {
            for (bit, cue) in list.split('|').enumerate() {
                index[bucket(cue.as_bytes())].push((class, bit as u32, cue.as_bytes()));
            }
        }
        index
    })
}

/// `b` starts with a lower-case ASCII letter.
fn bucket(b: &[u8]) -> usize {
    let second = b.get(1).filter(|c| c.is_ascii_lowercase()).map_or(26, |c| (c - b'a') as usize);
    (b[0] - b'a') as usize * 27 + second
}

/// Per class: one bit per distinct cue found, and the byte offset of the first hit.
fn find_cues(lower: &str) -> ([u64; 5], [usize; 5]) {
    let b = lower.as_bytes();
    let (mut found, mut first) = ([0u64; 5], [usize::MAX; 5]);
    for p in 0..b.len() {
        if b[p].is_ascii_lowercase() && (p == 0 || !b[p - 1].is_ascii_alphanumeric()) {
            for &(class, bit, cue) in &cue_index()[bucket(&b[p..])] {
                if b[p..].starts_with(cue) {
                    found[class] |= 1 << bit;
                    first[class] = first[class].min(p);
                }
            }
        }
    }
    (found, first)
}

fn is_boilerplate(s: &str) -> bool {
    find_cues(&s.to_ascii_lowercase()).0[BOILER] != 0
}

// ---- Scoring

/// Sorted, for binary search.
const STOP: &[&str] = &[
    "a", "also", "an", "and", "approach", "are", "as", "at", "based", "be", "been", "being",
    "between", "both", "by", "can", "do", "does", "e", "each", "for", "from", "g", "had", "has",
    "have", "how", "i", "in", "into", "is", "it", "its", "method", "methods", "more", "most", "new",
    "not", "novel", "of", "on", "or", "other", "our", "over", "paper", "propose", "proposed", "show",
    "some", "such", "than", "that", "the", "their", "there", "these", "they", "this", "those",
    "through", "to", "toward", "towards", "under", "us", "use", "used", "using", "via", "was", "we",
    "were", "what", "when", "where", "which", "while", "whose", "with", "within", "without", "work",
];

/// Strips a suffix so stems borrow instead of allocating. It only has to be consistent:
/// "studies"/"study" -> "stud", "images"/"image" -> "imag".
fn stem(w: &str) -> &str {
    for suf in ["ies", "ing", "ed", "es", "s", "e", "y"] {
        if w.len() > suf.len() + 3 && w.ends_with(suf) && !w.ends_with("ss") {
            return &w[..w.len() - suf.len()];
        }
    }
    w
}

fn content_words(lower: &str) -> impl Iterator<Item = &str> {
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && STOP.binary_search(w).is_err())
        .map(stem)
}

/// Selection weights, fitted with ListNet on SciTLDR-A dev; order as in `features`.
const W: [f64; NF] = [
    0.44, 0.11, -0.15, 0.16, 0.36, -0.10, -0.08, -0.92, -0.51, 0.19, 0.26, -0.21, -0.18, 0.79, 0.24,
    0.55, -10.0,
];
const NF: usize = 17;

fn features(sents: &[&str], title: Option<&str>) -> Vec<[f64; NF]> {
    let n = sents.len();
    let lowers: Vec<String> = sents.iter().map(|s| s.to_ascii_lowercase()).collect();
    // Word ids over the whole abstract: one hash lookup per word keeps this linear.
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut df: Vec<usize> = Vec::new();
    let mut bags: Vec<Vec<usize>> = Vec::with_capacity(n);
    for lower in &lowers {
        let mut bag: Vec<usize> = content_words(lower)
            .map(|w| {
                let next = ids.len();
                *ids.entry(w).or_insert(next)
            })
            .collect();
        bag.sort_unstable();
        bag.dedup();
        df.resize(ids.len(), 0);
        bag.iter().for_each(|&id| df[id] += 1);
        bags.push(bag);
    }
    let title_lower = title.unwrap_or("").to_ascii_lowercase();
    let mut title_words: Vec<&str> = content_words(&title_lower).collect();
    title_words.sort_unstable();
    title_words.dedup();
    let mut in_title = vec![false; ids.len()];
    title_words.iter().filter_map(|w| ids.get(w)).for_each(|&id| in_title[id] = true);

    let flag = |b: bool| b as u8 as f64;
    let mut out = Vec::with_capacity(n);
    for (i, (lower, bag)) in lowers.iter().zip(&bags).enumerate() {
        let found = find_cues(lower).0;
        let count = |class: usize| found[class].count_ones() as f64;
        let nu = bag.len().max(1) as f64;
        let tcount = bag.iter().filter(|&&id| in_title[id]).count() as f64;
        // Text is tidied to single spaces, so spaces count the words.
        let nwords = lower.matches(' ').count() + 1;
        let head: Vec<&str> = lower.split(' ').take(16).collect();
        out.push([
            count(STRONG).min(1.0),
            count(MEDIUM).min(2.0),
            count(BACKGROUND).min(2.0),
            tcount / title_words.len().max(1) as f64,
            // Words recurring across sentences are the abstract's topic, which a TL;DR names.
            bag.iter().filter(|&&id| df[id] > 1).count() as f64 / nu,
            if n > 1 { i as f64 / (n - 1) as f64 } else { 0.0 },
            flag(i + 1 == n && n > 1),
            flag(nwords < 8),
            flag(nwords > 45),
            flag(head.get(opener_len(&head, nwords)) == Some(&"we")),
            flag(found[PROPOSE] != 0),
            flag(lower.bytes().any(|c| c.is_ascii_digit())),
            flag(lower.ends_with('?')),
            tcount / nu.sqrt(),
            bag.iter().map(|&id| (df[id] as f64).ln()).sum::<f64>() / nu.sqrt(),
            nu / 20.0,
            // A veto rather than a fitted weight: a code-release note is never the TL;DR.
            flag(found[BOILER] != 0),
        ]);
    }
    out
}

fn pick(title: Option<&str>, sents: &[&str]) -> usize {
    let score = |f: &[f64; NF]| f.iter().zip(&W).map(|(a, b)| a * b).sum::<f64>();
    let feats = features(sents, title);
    // First maximum wins, so ties favour the earlier sentence.
    (0..feats.len()).fold(0, |best, i| if score(&feats[i]) > score(&feats[best]) { i } else { best })
}

// ---- Compression

/// Openers that only tie the sentence to its neighbours; a TL;DR stands alone. Those without a
/// comma are stripped only before "we".
const OPENERS: &str = concat!(
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
fn opener_len(tokens: &[&str], total: usize) -> usize {
    let mut k = 0;
    'strip: while k < tokens.len() {
        for o in OPENERS.split('|').filter(|o| o.starts_with(tokens[k])) {
            let n = o.split(' ').count();
            if total > k + n + 3
                && tokens.len() > k + n
                && o.split(' ').zip(&tokens[k..]).all(|(a, b)| a == *b)
                && (o.ends_with(',') || tokens[k + n] == "we")
            {
                k += n;
                continue 'strip; // openers stack: "Finally, in this paper, we ..."
            }
        }
        break;
    }
    k
}

fn compress(sentence: &str) -> Vec<String> {
    let lower = sentence.to_ascii_lowercase();
    let tokens: Vec<&str> = lower.split(' ').collect();
    let skip = opener_len(&tokens, tokens.len());
    let mut words = drop_asides(sentence.split(' ').skip(skip).map(str::to_string).collect());
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
    "that", "which", "is", "are", "its", "their", "our", "this", "these", "such", "but", "than", "via",
];

fn trim_dangling(words: &mut Vec<String>) {
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
fn drop_asides(words: Vec<String>) -> Vec<String> {
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
            let opens = |e: usize| words[i..=e].iter().map(|x| x.matches(['(', '[']).count()).sum();
            if let Some(e) = end.filter(|&e| opens(e) == 1usize && (e > i || words[i].len() > 3)) {
                let rest = words[e].rsplit(close).next().unwrap_or("");
                out.last_mut().unwrap().push_str(rest);
                i = e + 1;
                continue;
            }
        }
        out.push(std::mem::take(&mut words[i].clone()));
        i += 1;
    }
    out
}

const CLAUSE_WORDS: &[&str] = &[
    "which", "where", "while", "whereas", "by", "through", "thereby", "and", "but", "that", "using",
    "via", "with", "without", "as",
];

/// Cap the length, preferring a cut at a clause boundary, and end with a full stop.
fn finish(mut words: Vec<String>, max_words: usize) -> String {
    if words.len() > max_words {
        let boundary = |k: &usize| {
            words[k - 1].ends_with([',', ';', ':'])
                || CLAUSE_WORDS.contains(&words[*k].to_ascii_lowercase().as_str())
        };
        let cut = (max_words * 2 / 3..max_words).rev().find(boundary).unwrap_or(max_words);
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
