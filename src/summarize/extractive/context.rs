//! A TL;DR is read alone: what only makes sense beside its neighbours goes or is mended. Editor's
//! notes at the top of a post, openers that point back ("To address this, we …"), a sentence about
//! "this claim" with the claim elsewhere, and a name the markup swallowed ("We introduce , a
//! benchmark") are handled here.

/// Leading sentences that are an editor's note, not the post: "[Updated on 2023-01-24: …]",
/// "Required pre-read: …", "Update: …". Returns how many to skip (never all of them).
/// The text without the bracketed notes at its very top ("[Updated on …: ….] [Updated on …: …"),
/// closed or not: each runs to its "]", or to the next note's "[", or to its first full stop. A
/// post that is only notes has nothing left to summarize: better no TL;DR than an editor's note.
pub(super) fn strip_leading_note(text: &str) -> &str {
    let mut t = text.trim_start();
    while t.starts_with('[') && is_note(&t[1..]) {
        let body = &t[1..];
        let close = body.find(']');
        let next = body.find('[');
        let end = match (close, next) {
            (Some(c), Some(n)) if c < n => c + 1,
            (Some(c), None) => c + 1,
            (_, Some(n)) => n,
            (None, None) => match body.find(". ") {
                Some(d) => d + 1,
                None => body.len(),
            },
        };
        t = body[end..]
            .trim_start_matches(|c: char| matches!(c, '.' | ':' | ']') || c.is_whitespace());
    }
    t
}

/// The sentences that are the post or paper itself: an editor's note ("Required pre-read: …",
/// "Update: …") goes wherever it stands, a bracketed line only at the top. All of them when
/// nothing else is left.
pub(super) fn content<'a>(sents: &[&'a str]) -> Vec<&'a str> {
    let lead = sents
        .iter()
        .take_while(|s| s.trim_start().starts_with('['))
        .count();
    let kept: Vec<&str> = sents[lead..]
        .iter()
        .copied()
        .filter(|s| !is_note(s))
        .collect();
    if kept.is_empty() {
        sents.to_vec()
    } else {
        kept
    }
}

fn is_note(s: &str) -> bool {
    // Emoji and punctuation before the words ("🥑 Required Pre-read: …").
    let t = s.trim_start_matches(|c: char| !c.is_alphanumeric());
    let lower = t.to_lowercase();
    const NOTES: &[&str] = &[
        "updated on",
        "update:",
        "updates:",
        "edit:",
        "edited on",
        "editor's note",
        "editor’s note",
        "editors' note",
        "note:",
        "required pre-read",
        "required pre read",
        "required reading",
        "prerequisite",
        "this post was originally",
        "this post is cross-posted",
        "cross-posted from",
        "originally published",
        "special thanks",
        "special thank you",
        "thanks to",
    ];
    NOTES.iter().any(|n| lower.starts_with(n))
}

/// Words that point back to something said before.
const ANAPHORA: &[&str] = &[
    "this", "these", "that", "those", "such", "it", "its", "they", "them", "their",
];
/// What "this" may name without a previous sentence.
const SELF_NOUNS: &[&str] = &[
    "paper",
    "work",
    "study",
    "article",
    "thesis",
    "note",
    "report",
    "chapter",
    "letter",
    "manuscript",
    "submission",
    "project",
    "post",
    "tutorial",
    "survey",
    "review",
    "paper,",
    "work,",
    "study,",
    "article,",
    "post,",
];

fn is_anaphor(w: &str) -> bool {
    ANAPHORA.contains(&w.trim_end_matches(','))
}

/// A leading phrase that points back and can simply go: "To address this issue, we …", "To bridge
/// this gap, we …", "Based on this observation, we …", "Motivated by these findings, we …". Returns
/// the number of leading `tokens` (lower case) to drop so the sentence starts at "we".
pub(super) fn pointing_lead(tokens: &[&str]) -> usize {
    // The phrase is short and ends where "we" starts the clause.
    let Some(we) = tokens.iter().take(12).position(|&t| t == "we") else {
        return 0;
    };
    if we == 0 || tokens.len() < we + 4 {
        return 0;
    }
    let lead = &tokens[..we];
    let points_back = lead
        .iter()
        .zip(lead.iter().skip(1).chain(std::iter::once(&"we")))
        .any(|(&w, &next)| is_anaphor(w) && !SELF_NOUNS.contains(&next));
    let ends_clause = lead.last().is_some_and(|w| w.ends_with(','));
    // "To address this issue we …" (no comma) is the same opener.
    let purpose = lead[0] == "to" || lead[0] == "in" && lead.get(1) == Some(&"order");
    if points_back && (ends_clause || purpose) {
        we
    } else {
        0
    }
}

/// Verbs of "we address X by proposing Y": the sentence says "we propose Y".
const ADDRESS: &[&str] = &[
    "address",
    "tackle",
    "solve",
    "overcome",
    "approach",
    "alleviate",
    "mitigate",
    "remedy",
    "resolve",
    "bridge",
    "fill",
    "close",
    "handle",
    "circumvent",
    "avoid",
];

/// Gerunds a TL;DR turns back into "we …": proposing → propose.
const GERUNDS: &[(&str, &str)] = &[
    ("proposing", "propose"),
    ("introducing", "introduce"),
    ("presenting", "present"),
    ("developing", "develop"),
    ("designing", "design"),
    ("using", "use"),
    ("leveraging", "leverage"),
    ("exploiting", "exploit"),
    ("learning", "learn"),
    ("training", "train"),
    ("building", "build"),
    ("formulating", "formulate"),
    ("incorporating", "incorporate"),
    ("combining", "combine"),
    ("adding", "add"),
    ("applying", "apply"),
    ("casting", "cast"),
    ("modeling", "model"),
    ("modelling", "model"),
    ("reformulating", "reformulate"),
    ("constructing", "construct"),
    ("deriving", "derive"),
    ("showing", "show"),
    ("extending", "extend"),
    ("generalizing", "generalize"),
    ("utilizing", "utilize"),
    ("employing", "employ"),
    ("enforcing", "enforce"),
    ("making", "make"),
    ("framing", "frame"),
    ("augmenting", "augment"),
    ("replacing", "replace"),
    ("treating", "treat"),
    ("viewing", "view"),
    ("relaxing", "relax"),
    ("imposing", "impose"),
    ("encouraging", "encourage"),
    ("allowing", "allow"),
    ("providing", "provide"),
    ("creating", "create"),
    ("devising", "devise"),
    ("studying", "study"),
    ("exploring", "explore"),
    ("analyzing", "analyze"),
];

/// "We address these issues (in this paper) by proposing X" → "We propose X"; "We propose to address
/// this issue by X" → "We propose X". `words` start at "we"; returns the rewritten words, or `None`.
pub(super) fn mend_address_by(words: &[String]) -> Option<Vec<String>> {
    let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    if lower.first().map(String::as_str) != Some("we") {
        return None;
    }
    // "we propose to address this issue by X"
    let (verb_at, keep_verb) = match lower.get(1).map(String::as_str) {
        Some("propose" | "aim" | "seek" | "try" | "attempt")
            if lower.get(2).is_some_and(|w| w == "to") =>
        {
            (3, lower[1] == "propose")
        }
        _ => (1, false),
    };
    if !ADDRESS.contains(&lower.get(verb_at)?.as_str()) {
        return None;
    }
    let by = lower.iter().take(verb_at + 10).position(|w| w == "by")?;
    let between = &lower[verb_at + 1..by];
    if !between.iter().any(|w| is_anaphor(w)) {
        return None;
    }
    let next = lower.get(by + 1)?;
    let mut out = vec![words[0].clone()];
    match GERUNDS.iter().find(|(g, _)| g == next) {
        Some((_, base)) => {
            out.push(base.to_string());
            out.extend(words[by + 2..].iter().cloned());
        }
        // "we propose to address this issue by discriminative detection …"
        None if keep_verb => {
            out.push(words[1].clone());
            out.extend(words[by + 1..].iter().cloned());
        }
        None => return None,
    }
    (out.len() > 4).then_some(out)
}

/// Whether a sentence (lower case, openers already stripped) still leans on what came before:
/// it starts with "This/These/Such …" that is not "this paper", or says "we revisit this claim".
pub(super) fn leans_back(tokens: &[&str]) -> bool {
    let Some(&first) = tokens.first() else {
        return false;
    };
    let second = tokens.get(1).copied().unwrap_or("");
    if is_anaphor(first) && !SELF_NOUNS.contains(&second) {
        return true;
    }
    if matches!(first, "however," | "nevertheless," | "yet," | "but") {
        return true;
    }
    // "we revisit this claim", "we approach this problem from …"
    first == "we"
        && matches!(tokens.get(2), Some(&w) if matches!(w, "this" | "these" | "such" | "those"))
        && !SELF_NOUNS.contains(&tokens.get(3).copied().unwrap_or(""))
}

/// Verbs that carry a stranded comma when the name after them was lost ("We introduce, a benchmark").
const NAMING_VERBS: &[&str] = &[
    "introduce",
    "introduces",
    "propose",
    "proposes",
    "present",
    "presents",
    "release",
    "releases",
    "called",
    "dubbed",
    "named",
    "termed",
    "coined",
];

/// Verbs and nouns after which a name belongs: "We introduce , a benchmark", "a model called ."
const NAMING: &[&str] = &[
    "introduce",
    "introduces",
    "propose",
    "proposes",
    "present",
    "presents",
    "call",
    "called",
    "dub",
    "dubbed",
    "name",
    "named",
    "term",
    "termed",
    "coined",
    "introducing",
    "proposing",
    "presenting",
    "release",
    "releases",
    "method",
    "model",
    "framework",
    "benchmark",
    "dataset",
    "approach",
    "algorithm",
    "system",
    "architecture",
    "network",
    "library",
    "tool",
];

/// Puts back a name the markup swallowed, from the title ("ClawMark: …" or a title word such as
/// "GuideGAN"), where the sentence has a gap after a naming word; without a name the gap closes.
pub(super) fn restore_name(words: &mut Vec<String>, title: Option<&str>) {
    let mut i = 0;
    while i + 1 < words.len() {
        let bare = words[i].trim_end_matches([',', '.', ';', ':']).to_string();
        let lower = bare.to_ascii_lowercase();
        // The gap: a naming verb carries the stranded comma ("introduce,") before an article, or a
        // lone punctuation mark follows a naming word ("introduce , a", "a model called .").
        let stranded = NAMING_VERBS.contains(&lower.as_str())
            && words[i].ends_with(',')
            && matches!(
                words[i + 1].to_ascii_lowercase().as_str(),
                "a" | "an" | "the"
            );
        let lone = NAMING.contains(&lower.as_str())
            && matches!(words[i + 1].as_str(), "," | "." | ";" | ":");
        if !(stranded || lone) {
            i += 1;
            continue;
        }
        let name = title.and_then(name_in_title);
        match (name, lone) {
            (Some(n), true) => {
                let p = words[i + 1].clone();
                words[i + 1] = format!("{n}{p}");
            }
            (Some(n), false) => {
                words[i] = bare.to_string();
                words.insert(i + 1, format!("{n},"));
            }
            (None, true) => {
                let p = words.remove(i + 1);
                if p != "," {
                    words[i] = format!("{bare}{p}");
                }
            }
            (None, false) => words[i] = bare.to_string(),
        }
        i += 2;
    }
}

/// The name a title gives its work: the part before a colon when short ("ClawMark: A Benchmark …"),
/// else a coined word ("GuideGAN", "BERT", "PointGrow").
pub(super) fn name_in_title(title: &str) -> Option<String> {
    let t = title.trim();
    if let Some((head, _)) = t.split_once(':') {
        let head = head.trim();
        let n = head.split_whitespace().count();
        if (1..=3).contains(&n) && head.chars().any(|c| c.is_uppercase()) {
            return Some(head.to_string());
        }
    }
    t.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
        .find(|w| {
            // "GuideGAN", not "Long-Horizon" (a capital after a hyphen is only title case).
            let chars: Vec<char> = w.chars().collect();
            let inner_upper = chars.windows(2).any(|p| p[1].is_uppercase() && p[0] != '-');
            w.chars().count() >= 3 && inner_upper && w.chars().any(|c| c.is_lowercase())
                || w.chars().count() >= 3
                    && w.chars()
                        .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-')
                    && w.chars().any(|c| c.is_uppercase())
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn a_bracketed_note_at_the_top_goes() {
        assert_eq!(
            strip_leading_note("[Updated on 2021-09-19: Read this. And that.] Diffusion models learn to reverse noise."),
            "Diffusion models learn to reverse noise."
        );
        assert_eq!(strip_leading_note("[a] b"), "[a] b");
        assert_eq!(
            strip_leading_note("[Updated on 1: a.] [Updated on 2: b.]"),
            ""
        );
        assert_eq!(
            strip_leading_note("[Updated on 1: a. [Updated on 2: b.] Autoencoders are invented to reconstruct data."),
            "Autoencoders are invented to reconstruct data."
        );
    }

    #[test]
    fn editor_notes_are_skipped() {
        let s = [
            "[Updated on 2023-01-24: add a small section on Distillation.]",
            "Diffusion models learn to reverse a noising process.",
            "🥑 Required Pre-read: Please read the previous post first.",
            "Video adds time.",
        ];
        assert_eq!(
            content(&s),
            [
                "Diffusion models learn to reverse a noising process.",
                "Video adds time."
            ]
        );
        assert_eq!(
            content(&s[..1]),
            s[..1],
            "a post that is only a note keeps it"
        );
    }

    #[test]
    fn pointing_openers_go() {
        let n = |s: &str| pointing_lead(&s.split(' ').collect::<Vec<_>>());
        assert_eq!(n("to address this issue, we propose foo for bar"), 4);
        assert_eq!(n("to bridge this gap, we introduce foo, a benchmark"), 4);
        assert_eq!(n("to address this issue we introduce foo for bar"), 4);
        assert_eq!(n("based on this observation, we modify the maps"), 4);
        assert_eq!(
            n("in this paper, we propose foo for bar"),
            0,
            "left to the opener list"
        );
        assert_eq!(n("to train large models, we propose foo for bar"), 0);
    }

    #[test]
    fn address_by_becomes_the_verb() {
        let m = |s: &str| mend_address_by(&toks(s)).map(|w| w.join(" "));
        assert_eq!(
            m("We address these issues in this paper by proposing a new method, called adaptive quantization.")
                .as_deref(),
            Some("We propose a new method, called adaptive quantization.")
        );
        assert_eq!(
            m("We propose to address this issue by discriminative detection of OOD pixels.")
                .as_deref(),
            Some("We propose discriminative detection of OOD pixels.")
        );
        assert_eq!(
            m("We address the problem of learning to discover parts."),
            None
        );
    }

    #[test]
    fn leaning_back_is_seen() {
        let l = |s: &str| leans_back(&s.split(' ').collect::<Vec<_>>());
        assert!(l("we revisit this claim and find it wrong"));
        assert!(l("these connections allow each unit to integrate"));
        assert!(l("however, there have been few comparisons"));
        assert!(!l("this paper introduces a method"));
        assert!(!l("we propose foo, a method that makes it fast"));
    }

    #[test]
    fn a_swallowed_name_comes_back_from_the_title() {
        let mut w = toks("We introduce , a benchmark for agents.");
        restore_name(
            &mut w,
            Some("ClawMark: A Benchmark for Long-Horizon Agents"),
        );
        assert_eq!(
            w.join(" "),
            "We introduce ClawMark, a benchmark for agents."
        );
        let mut w = toks("We introduce, a benchmark for agents.");
        restore_name(&mut w, Some("Long-Horizon Agents with GuideGAN"));
        assert_eq!(
            w.join(" "),
            "We introduce GuideGAN, a benchmark for agents."
        );
        let mut w = toks("We introduce , a benchmark for agents.");
        restore_name(&mut w, Some("a benchmark for long-horizon agents"));
        assert_eq!(w.join(" "), "We introduce a benchmark for agents.");
        let mut w = toks("We propose a method, which is fast.");
        restore_name(&mut w, Some("ClawMark: x"));
        assert_eq!(w.join(" "), "We propose a method, which is fast.");
    }
}
