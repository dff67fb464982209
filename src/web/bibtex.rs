//! BibTeX of a digest's papers, in arXiv's own style (`@misc` with `eprint`, `archivePrefix`,
//! `primaryClass`), which Zotero, JabRef, BibLaTeX and natbib all read. Written here rather than through
//! a BibTeX crate: the Rust ones are parsers first, and writing is a fixed field order plus the
//! escaping of LaTeX's ten special characters, which [`latex`] does.

use crate::model::{Item, ItemKind};
use std::collections::HashSet;
use std::fmt::Write as _;

/// One `@misc` per paper of `items`, in their order (posts are left out); citation keys are unique.
pub fn digest(items: &[Item]) -> String {
    let mut out = String::new();
    let mut keys = HashSet::new();
    for it in items.iter().filter(|i| i.kind == ItemKind::Paper) {
        let key = unique(&mut keys, cite_key(it));
        out.push_str(&entry(it, &key));
        out.push('\n');
    }
    out
}

fn entry(it: &Item, key: &str) -> String {
    let mut e = format!("@misc{{{key},\n");
    let mut field = |name: &str, value: &str| {
        if !value.trim().is_empty() {
            let _ = writeln!(e, "  {name} = {{{value}}},");
        }
    };
    // Double braces keep the title's capitals (BibTeX styles lower-case titles otherwise).
    field(
        "title",
        &format!("{{{}}}", latex(&crate::render::escape::plain(&it.title))),
    );
    let authors: Vec<String> = it
        .authors
        .iter()
        .map(|a| latex(&crate::render::escape::plain(a)))
        .filter(|a| !a.is_empty())
        .collect();
    field("author", &authors.join(" and "));
    field("year", &it.date().format("%Y").to_string());
    if let Some(id) = &it.arxiv_id {
        field("eprint", &latex(id));
        field("archivePrefix", "arXiv");
        if let Some(c) = it.categories.first() {
            field("primaryClass", &latex(c));
        }
    }
    if let Some(doi) = &it.doi {
        field("doi", &latex(doi));
    }
    let url = it
        .arxiv_id
        .as_ref()
        .map(|id| format!("https://arxiv.org/abs/{id}"))
        .or_else(|| crate::render::escape::safe_url(it.url.as_deref()));
    if let Some(u) = url {
        // A URL field is read verbatim: only braces would break the entry.
        field("url", &u.replace('{', "%7B").replace('}', "%7D"));
    }
    e.push_str("}\n");
    e
}

/// LaTeX's special characters escaped, so any title or name is a balanced, literal field value.
pub fn latex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\^{}"),
            '~' => out.push_str("\\~{}"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `lastname` + year + first title word of four letters or more, e.g. `vaswani2017attention`.
fn cite_key(it: &Item) -> String {
    let ascii = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let last = it
        .authors
        .first()
        .and_then(|a| a.split_whitespace().last())
        .map(ascii)
        .unwrap_or_default();
    let word = it
        .title
        .split_whitespace()
        .map(ascii)
        .find(|w| w.len() >= 4)
        .unwrap_or_default();
    let key = format!("{last}{}{word}", it.date().format("%Y"));
    if last.is_empty() && word.is_empty() {
        format!("trendd{}", it.date().format("%Y"))
    } else {
        key
    }
}

fn unique(taken: &mut HashSet<String>, key: String) -> String {
    let mut k = key.clone();
    let mut n = 0u32;
    while !taken.insert(k.clone()) {
        n += 1;
        k = format!("{key}{}", suffix(n));
    }
    k
}

/// a, b, …, z, aa, ab, …: the suffixes BibTeX users expect for a second paper of the same key.
fn suffix(mut n: u32) -> String {
    let mut s = Vec::new();
    while n > 0 {
        n -= 1;
        s.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn paper(id: &str, title: &str, authors: &[&str]) -> Item {
        let t = Utc.with_ymd_and_hms(2017, 6, 12, 0, 0, 0).unwrap();
        Item {
            key: id.into(),
            kind: ItemKind::Paper,
            title: title.into(),
            url: Some(format!("https://arxiv.org/abs/{id}")),
            arxiv_id: Some(id.into()),
            doi: None,
            authors: authors.iter().map(|a| a.to_string()).collect(),
            abstract_text: String::new(),
            published: Some(t),
            categories: vec!["cs.CL".into(), "cs.LG".into()],
            sources: vec![],
            first_seen: t,
            updated: t,
            summary: None,
        }
    }

    #[test]
    fn an_arxiv_paper_is_an_eprint_entry_with_unique_keys() {
        let a = paper(
            "1706.03762",
            "Attention Is All You Need",
            &["Ashish Vaswani", "Noam Shazeer"],
        );
        let mut b = paper(
            "1706.99999",
            "Attention: 100% of $x_1$ {broken",
            &["Ann Vaswani"],
        );
        b.kind = ItemKind::Paper;
        let mut post = paper("x", "A blog post", &[]);
        post.kind = ItemKind::Post;
        let bib = digest(&[a, b, post]);
        assert_eq!(bib.matches('@').count(), 2, "{bib}");
        assert!(bib.contains("@misc{vaswani2017attention,\n"), "{bib}");
        assert!(bib.contains("@misc{vaswani2017attentiona,\n"), "{bib}");
        assert!(bib.contains("  title = {{Attention Is All You Need}},\n"));
        assert!(bib.contains("  author = {Ashish Vaswani and Noam Shazeer},\n"));
        assert!(bib.contains(
            "  eprint = {1706.03762},\n  archivePrefix = {arXiv},\n  primaryClass = {cs.CL},\n"
        ));
        assert!(
            bib.contains("title = {{Attention: 100\\% of \\$x\\_1\\$ \\{broken}}"),
            "{bib}"
        );
        // Braces balance in every entry, whatever the title held.
        for e in bib.split("@misc").skip(1) {
            let opened = e.matches('{').count() - e.matches("\\{").count();
            let closed = e.matches('}').count() - e.matches("\\}").count();
            assert_eq!(opened, closed, "{e}");
        }
    }

    #[test]
    fn suffixes_run_a_to_z_then_aa() {
        assert_eq!(suffix(1), "a");
        assert_eq!(suffix(26), "z");
        assert_eq!(suffix(27), "aa");
    }
}
