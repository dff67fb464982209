//! Identity functions on arbitrary text: never panic; a parsed arXiv id parses to itself; a canonical
//! URL, read back as https, is its own canonical form; a DOI normalizes to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trendd::identity::{canonical_url, find_arxiv_id, identify, normalize_doi, parse_arxiv_id};
use trendd::model::Entry;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = find_arxiv_id(&s);
    if let Some((id, _)) = parse_arxiv_id(&s) {
        assert_eq!(parse_arxiv_id(&id), Some((id.clone(), None)), "arXiv id not a fixed point: {s:?}");
    }
    if let Some(c) = canonical_url(&s) {
        assert_eq!(canonical_url(&format!("https://{c}")), Some(c.clone()), "canonical URL not a fixed point: {s:?}");
    }
    if let Some(d) = normalize_doi(&s) {
        assert_eq!(normalize_doi(&d), Some(d.clone()), "DOI not a fixed point: {s:?}");
    }
    // Split the input into the fields of an entry so identify sees every combination.
    let mut parts = s.split('\u{1f}').map(str::to_string);
    let mut next = || parts.next();
    let e = Entry {
        title: next().unwrap_or_default(),
        url: next(),
        guid: next(),
        arxiv_id: next(),
        doi: next(),
        abstract_text: next().unwrap_or_default(),
        links: parts.collect(),
        ..Default::default()
    };
    if let Some(id) = identify(&e) {
        assert!(id.aliases.contains(&id.key));
    }
});
