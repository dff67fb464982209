//! Makes decoded feed text acceptable to a strict XML parser without changing what it says.
//!
//! Feeds are routinely written by HTML tools: `&nbsp;` and `&phi;` (undefined in XML), stray `&` in
//! URLs and titles, numeric references to C1 controls meaning windows-1252, control bytes. A strict
//! parser rejects the whole document for one of these, so one linear pass rewrites them: HTML named
//! references become numeric ones, a stray `&` becomes `&amp;`, internal DTD entities are expanded
//! (bounded: no recursion), illegal characters are dropped. CDATA sections, comments and processing
//! instructions are copied untouched. The XML declaration is dropped because the text is already
//! UTF-8 and a stale `encoding=` would make the parser decode it a second time.

use crate::text::{find, named_entity};
use std::collections::HashMap;
use std::fmt::Write;

/// Upper bound on text added by expanding DTD entities, against "billion laughs" style documents.
const MAX_EXPANSION: usize = 1 << 20;

/// Returns the repaired document (see the module doc).
pub fn repair(doc: &str) -> String {
    let doc = doc.trim_start_matches(|c: char| c != '<');
    let b = doc.as_bytes();
    let mut out = String::with_capacity(doc.len() + doc.len() / 16);
    let mut entities: HashMap<String, String> = HashMap::new();
    let mut expanded = 0usize;
    let controls = has_controls(b);
    let mut i = 0;
    while i < b.len() {
        // Only `&`, control bytes and `<!` / `<?` need attention; ordinary tags are copied in bulk.
        let stop = next_special(b, i, controls);
        out.push_str(&doc[i..stop]);
        i = stop;
        if i >= b.len() {
            break;
        }
        match b[i] {
            b'&' => i = repair_reference(doc, i, &mut out, &entities, &mut expanded),
            b'<' => {
                let rest = &b[i..];
                let verbatim_end = if rest.starts_with(b"<![CDATA[") {
                    Some(find(b, i + 9, b"]]>").map_or(b.len(), |p| p + 3))
                } else if rest.starts_with(b"<!--") {
                    Some(find(b, i + 4, b"-->").map_or(b.len(), |p| p + 3))
                } else {
                    None
                };
                if let Some(end) = verbatim_end {
                    out.push_str(&doc[i..end]);
                    i = end;
                } else if rest.starts_with(b"<?xml")
                    && rest
                        .get(5)
                        .is_some_and(|c| c.is_ascii_whitespace() || *c == b'?')
                {
                    i = find(b, i, b"?>").map_or(b.len(), |p| p + 2);
                } else if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
                    let end = doctype_end(b, i + 9);
                    collect_entities(&doc[i..end], &mut entities);
                    i = end;
                } else {
                    out.push('<');
                    i += 1;
                }
            }
            _ => i += 1, // an illegal control byte: dropped
        }
    }
    out
}

/// A control byte XML does not allow (tab, LF and CR it does).
fn is_control(c: u8) -> bool {
    c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r')
}

/// Whether `b` holds any control byte, in a form the compiler vectorizes.
fn has_controls(b: &[u8]) -> bool {
    b.chunks(64).any(|chunk| {
        chunk.iter().fold(0u8, |seen, &c| {
            seen | ((c < 0x20) & (c != b'\t') & (c != b'\n') & (c != b'\r')) as u8
        }) != 0
    })
}

/// Where the next byte needing attention is, from `i`: `&`, `<!`, `<?`, or (when the document has
/// any, `controls`) a control byte. Most documents have none, and then a vectorized search for `&`
/// and `<` does the scan.
fn next_special(b: &[u8], mut i: usize, controls: bool) -> usize {
    let markup = |j: usize| b[j] == b'&' || matches!(b.get(j + 1), Some(b'!' | b'?'));
    if controls {
        while i < b.len() && !(is_control(b[i]) || matches!(b[i], b'&' | b'<') && markup(i)) {
            i += 1;
        }
        return i;
    }
    // `&`, or the `!` or `?` of a `<!`/`<?`: most `<` open ordinary tags, and stopping at each
    // one cost more than the rest of the pass.
    let from = i;
    while let Some(p) = memchr::memchr3(b'&', b'!', b'?', &b[i..]) {
        let at = i + p;
        if b[at] == b'&' {
            return at;
        }
        if at > from && b[at - 1] == b'<' {
            return at - 1;
        }
        i = at + 1;
    }
    b.len()
}

/// Writes the reference (or stray `&`) at `doc[i]` in a form XML accepts; returns where to go on.
fn repair_reference(
    doc: &str,
    i: usize,
    out: &mut String,
    entities: &HashMap<String, String>,
    expanded: &mut usize,
) -> usize {
    let b = doc.as_bytes();
    let mut j = i + 1;
    if b.get(j) == Some(&b'#') {
        return match crate::text::numeric_ref_at(doc, i) {
            None => {
                out.push_str("&amp;");
                i + 1
            }
            Some((c, next)) => {
                if is_xml_char(c) {
                    let _ = write!(out, "&#{};", c as u32);
                }
                next
            }
        };
    }
    let start = j;
    while j < b.len()
        && j - start < 64
        && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'.' | b'-' | b'_'))
    {
        j += 1;
    }
    if j > start && b.get(j) == Some(&b';') {
        let name = &doc[start..j];
        if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
            out.push_str(&doc[i..=j]);
            return j + 1;
        }
        if let Some(value) = entities.get(name) {
            if *expanded + value.len() <= MAX_EXPANSION {
                *expanded += value.len();
                out.push_str(value);
                return j + 1;
            }
        }
        if let Some(d) = named_entity(&doc[start..=j]) {
            let _ = write!(out, "&#{};", d.0 as u32);
            if let Some(c) = d.1 {
                let _ = write!(out, "&#{};", c as u32);
            }
            return j + 1;
        }
    }
    out.push_str("&amp;");
    i + 1
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Index just past a DOCTYPE whose name starts at `i` (with or without an internal subset).
fn doctype_end(b: &[u8], mut i: usize) -> usize {
    let mut quote = None;
    let mut in_subset = false;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'[' => in_subset = true,
                b']' => in_subset = false,
                b'>' if !in_subset => return i + 1,
                _ => {}
            },
        }
        i += 1;
    }
    b.len()
}

/// Internal general entities (`<!ENTITY name "value">`) of a DOCTYPE; parameter entities and external
/// ones are ignored. Values are repaired themselves, but never expand other entities.
fn collect_entities(doctype: &str, into: &mut HashMap<String, String>) {
    let mut rest = doctype;
    while let Some(p) = rest.find("<!ENTITY") {
        rest = &rest[p + 8..];
        let decl = rest.trim_start();
        if decl.starts_with('%') {
            continue;
        }
        let name_len = decl.find(|c: char| c.is_whitespace()).unwrap_or(decl.len());
        let (name, after) = decl.split_at(name_len);
        let after = after.trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(end) = after[1..].find(q) else {
            continue;
        };
        let value = &after[1..1 + end];
        let mut repaired = String::new();
        let mut n = 0;
        let mut k = 0;
        while let Some(p) = value[k..].find('&').map(|p| k + p) {
            repaired.push_str(&value[k..p]);
            k = repair_reference(value, p, &mut repaired, &HashMap::new(), &mut n);
        }
        repaired.push_str(&value[k..]);
        into.insert(name.to_string(), repaired);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_entities_become_numeric_and_stray_amps_escaped() {
        assert_eq!(
            repair("<t>a&nbsp;b &phi; AT&T &amp; &lt; &#233; &bogus; &</t>"),
            "<t>a&#160;b &#966; AT&amp;T &amp; &lt; &#233; &amp;bogus; &amp;</t>"
        );
        assert_eq!(
            repair(r#"<link href="http://x/?a=1&b=2"/>"#),
            r#"<link href="http://x/?a=1&amp;b=2"/>"#
        );
    }

    #[test]
    fn invalid_references_and_controls_are_fixed() {
        assert_eq!(
            repair("<t>&#150;&#0;&#x1;a\u{1}b&#55296;</t>"),
            "<t>&#8211;&#65533;ab&#65533;</t>"
        );
    }

    #[test]
    fn cdata_comments_untouched_and_declaration_dropped() {
        let doc = "\u{FEFF}\n<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><r><![CDATA[&nbsp; & <b>]]><!-- & --></r>";
        assert_eq!(repair(doc), "<r><![CDATA[&nbsp; & <b>]]><!-- & --></r>");
    }

    #[test]
    fn doctype_entities_expand_once() {
        let doc = r#"<!DOCTYPE rss [<!ENTITY who "Jo &amp; Al"> <!ENTITY loop "&loop;&loop;"> <!ENTITY % p SYSTEM "x">]><rss>&who; &loop;</rss>"#;
        assert_eq!(repair(doc), "<rss>Jo &amp; Al &amp;loop;&amp;loop;</rss>");
    }
}
