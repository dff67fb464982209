//! Identity: one paper, one key, whatever the source. Pure functions.
//!
//! Keys, strongest first: `arxiv:<id without version>`, `doi:<lower-cased DOI>`, `url:<canonical URL>`,
//! and, for entries with none of those, `title:<fingerprint>`. Aliases map every other identifier an
//! entry carries to its key, so a later mention by any of them finds the same item.

use crate::model::Entry;
use regex::Regex;
use std::sync::LazyLock;

// The id patterns are ASCII-only (`-u`): an id is ASCII, and the Unicode digit and case classes
// made building these regexes about a millisecond of every `trendd fetch` (perf).

/// New-style (`2604.26904`, `0704.0001`) or old-style (`hep-th/9901001`, `math.GT/0309136`) arXiv id,
/// with an optional version.
static ARXIV_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)^(?:arxiv:)?(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7})(?:v(?P<v>\d+))?$").unwrap()
});
/// An arXiv id inside a URL or text: arxiv.org/{abs,pdf,html}/…, export.arxiv.org, oai:arXiv.org:…,
/// huggingface.co/papers/…, DOI 10.48550/arXiv.…
/// Matched against ASCII-lower-cased text (`find_arxiv_id`): without `(?i)` it builds in half
/// the time.
static ARXIV_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?-u)(?:arxiv\.org/(?:abs|pdf|html|format)/|oai:arxiv\.org:|huggingface\.co/papers/|10\.48550/arxiv\.|\barxiv:\s?)",
        r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7})(?:v(?P<v>\d+))?"
    ))
    .unwrap()
});
/// A path segment that is nothing but a new-style arXiv id (`/p/2604.26934`, `/papers/2604.26934v2`):
/// paper-TL;DR sites name their post pages so. The month must be real (01–12), which keeps dates
/// and version numbers such as `2023.1234` out.
static ARXIV_SEGMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)^(?P<id>\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v(?P<v>\d+))?(?:\.pdf)?$")
        .unwrap()
});
/// A DOI's registrant prefix is ASCII digits; the boundary before it is ASCII too (`(?-u:\b)`):
/// Unicode word boundaries cost most of this regex's build time.
static DOI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)(10\.(?-u:\d){4,9}/[^\s\x22<>]+)").unwrap());

/// A versionless arXiv id and the version, if any, from a bare id (`2604.26904v2`, `arXiv:…`).
pub fn parse_arxiv_id(s: &str) -> Option<(String, Option<u32>)> {
    let s = s.trim();
    if let Some(c) = ARXIV_ID.captures(s) {
        return Some((
            normalize_arxiv(&c["id"]),
            c.name("v").and_then(|v| v.as_str().parse().ok()),
        ));
    }
    find_arxiv_id(s)
}

/// The first arXiv id inside a URL or text, versionless, with its version.
pub fn find_arxiv_id(s: &str) -> Option<(String, Option<u32>)> {
    // Every form but a Hugging Face paper link says "arxiv": text without either is passed over
    // without the regex. Case does not matter to the id (`normalize_arxiv` sets it).
    let s = s.to_ascii_lowercase();
    if !s.contains("arxiv") && !s.contains("huggingface.co/papers/") {
        return None;
    }
    let c = ARXIV_IN_TEXT.captures(&s)?;
    let id = c["id"].trim_end_matches(".pdf");
    Some((
        normalize_arxiv(id),
        c.name("v").and_then(|v| v.as_str().parse().ok()),
    ))
}

/// The arXiv id a web page's URL carries as a whole path segment (`https://tldr.takara.ai/p/2604.26934`),
/// for posts about one paper on sites that are not arXiv. Only http(s) URLs count, and only the
/// path: a query or fragment holding an id says nothing about what the page is.
pub fn arxiv_id_in_path(u: &str) -> Option<(String, Option<u32>)> {
    // An id is four digits, a dot and a digit: a URL without that shape is passed over unparsed.
    let b = u.as_bytes();
    if !(4..b.len().saturating_sub(1)).any(|i| {
        b[i] == b'.' && b[i + 1].is_ascii_digit() && b[i - 4..i].iter().all(u8::is_ascii_digit)
    }) {
        return None;
    }
    let parsed = url::Url::parse(u.trim()).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let mut found = parsed
        .path_segments()?
        .filter_map(|seg| ARXIV_SEGMENT.captures(seg))
        .map(|c| {
            (
                c["id"].to_string(),
                c.name("v").and_then(|v| v.as_str().parse().ok()),
            )
        });
    let first = found.next()?;
    // Two ids in one path (a comparison page) name no single paper.
    found.next().is_none().then_some(first)
}

fn normalize_arxiv(id: &str) -> String {
    // Old-style archive names are lower case except the subject class (math.GT); new-style ids are digits.
    match id.split_once('/') {
        Some((archive, num)) => {
            let archive = match archive.split_once('.') {
                Some((a, class)) => {
                    format!("{}.{}", a.to_ascii_lowercase(), class.to_ascii_uppercase())
                }
                None => archive.to_ascii_lowercase(),
            };
            format!("{archive}/{num}")
        }
        None => id.to_string(),
    }
}

/// A DOI, lower-cased, without `https://doi.org/` or `doi:`.
pub fn normalize_doi(s: &str) -> Option<String> {
    let m = DOI.captures(s.trim())?;
    let doi = m[1]
        .trim_end_matches(['.', ',', ';', ')', ']'])
        .to_ascii_lowercase();
    // "10.1234/" names no object.
    (!doi.ends_with('/')).then_some(doi)
}

const TRACKING: &[&str] = &[
    "fbclid", "gclid", "ref", "ref_src", "mc_cid", "mc_eid", "igshid",
];

/// The canonical form of a URL: scheme folded to https, host lower case without `www.`, default port,
/// fragment and tracking parameters dropped, query sorted, trailing slash dropped.
pub fn canonical_url(s: &str) -> Option<String> {
    let u = url::Url::parse(s.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let host = u.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let port = match u.port() {
        Some(p) if p != 80 && p != 443 => format!(":{p}"),
        _ => String::new(),
    };
    let mut pairs: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_") && !TRACKING.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.retain(|(k, _)| !k.is_empty());
    pairs.sort();
    let path = u.path().trim_end_matches('/');
    let mut out = format!("{host}{port}{path}");
    if !pairs.is_empty() {
        // Re-encoded, so `?b=c%26q%3Da` and `?b=c&q=a` stay two pages and the key parses again.
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            q.append_pair(k, v);
        }
        out.push('?');
        out.push_str(&q.finish());
    }
    Some(out)
}

/// A title fingerprint: lower-case alphanumeric words joined by single spaces (punctuation, case and
/// spacing differences between sources disappear). Empty for titles too short to identify anything.
pub fn title_fingerprint(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    if words.len() < 3 {
        return String::new();
    }
    words.join(" ")
}

/// The identifiers of one entry: its key and every alias that should lead to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Identity {
    pub key: String,
    pub arxiv_id: Option<String>,
    pub version: Option<u32>,
    pub doi: Option<String>,
    /// Every identifier of the entry, the key included (`arxiv:…`, `doi:…`, `url:…`, `title:…`).
    pub aliases: Vec<String>,
}

/// Works out an entry's identity. A blog post whose own link, guid or (single) body link names one arXiv
/// paper is about that paper and takes its key.
pub fn identify(e: &Entry) -> Option<Identity> {
    let mut arxiv = e.arxiv_id.as_deref().and_then(parse_arxiv_id);
    if arxiv.is_none() {
        arxiv = e
            .url
            .as_deref()
            .and_then(find_arxiv_id)
            .or_else(|| e.guid.as_deref().and_then(find_arxiv_id))
            .or_else(|| e.url.as_deref().and_then(arxiv_id_in_path))
            .or_else(|| e.guid.as_deref().and_then(arxiv_id_in_path));
    }
    if arxiv.is_none() {
        // Only a short post (a paper TL;DR) whose body names exactly one paper is *about* that paper; a
        // long blog post citing its own paper stays a post of its own.
        let short = e.abstract_text.split_whitespace().nth(150).is_none();
        let mut found: Vec<String> = e
            .links
            .iter()
            .filter_map(|l| find_arxiv_id(l))
            .map(|(id, _)| id)
            .collect();
        found.sort();
        found.dedup();
        if short && found.len() == 1 {
            arxiv = Some((found.remove(0), None));
        }
    }
    let doi = e.doi.as_deref().and_then(normalize_doi).or_else(|| {
        arxiv
            .as_ref()
            .map(|(id, _)| format!("10.48550/arxiv.{}", id.to_ascii_lowercase()))
    });
    let url = e.url.as_deref().and_then(canonical_url);
    let guid_url = e
        .guid
        .as_deref()
        .filter(|g| g.starts_with("http"))
        .and_then(canonical_url);
    let fp = title_fingerprint(&e.title);

    let mut aliases = Vec::new();
    if let Some((id, _)) = &arxiv {
        aliases.push(format!("arxiv:{id}"));
    }
    if let Some(d) = &doi {
        aliases.push(format!("doi:{d}"));
    }
    if let Some(u) = &url {
        aliases.push(format!("url:{u}"));
    }
    if let Some(u) = guid_url.filter(|g| Some(g) != url.as_ref()) {
        aliases.push(format!("url:{u}"));
    }
    if aliases.is_empty() {
        if let Some(g) = e.guid.as_deref().filter(|g| !g.trim().is_empty()) {
            aliases.push(format!("guid:{}", g.trim()));
        }
    }
    if !fp.is_empty() {
        aliases.push(format!("title:{fp}"));
    }
    let key = aliases.first()?.clone();
    Some(Identity {
        key,
        arxiv_id: arxiv.as_ref().map(|a| a.0.clone()),
        version: arxiv.and_then(|a| a.1),
        doi,
        aliases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arxiv_ids_in_every_form() {
        let cases = [
            ("2604.26904", "2604.26904"),
            ("2604.26904v3", "2604.26904"),
            ("arXiv:2604.26904v1", "2604.26904"),
            ("hep-th/9901001", "hep-th/9901001"),
            ("math.GT/0309136v2", "math.GT/0309136"),
            ("http://arxiv.org/abs/2604.26904v2", "2604.26904"),
            ("https://arxiv.org/pdf/2604.26904v2.pdf", "2604.26904"),
            ("https://arxiv.org/pdf/2604.26904", "2604.26904"),
            ("https://arxiv.org/html/2604.26904v1", "2604.26904"),
            (
                "http://export.arxiv.org/abs/astro-ph/0601001v1",
                "astro-ph/0601001",
            ),
            ("oai:arXiv.org:2604.26904v1", "2604.26904"),
            ("https://huggingface.co/papers/2604.26904", "2604.26904"),
            ("https://doi.org/10.48550/arXiv.2604.26904", "2604.26904"),
            ("http://arxiv.org/abs/0704.0001", "0704.0001"),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_arxiv_id(input).map(|x| x.0).as_deref(),
                Some(want),
                "{input}"
            );
        }
        assert_eq!(parse_arxiv_id("2604.26904v3").unwrap().1, Some(3));
        assert_eq!(parse_arxiv_id("not an id"), None);
        assert_eq!(parse_arxiv_id("https://example.org/2604.26904"), None);
    }

    #[test]
    fn dois_are_normalized() {
        assert_eq!(
            normalize_doi("https://doi.org/10.1145/ABC.123").as_deref(),
            Some("10.1145/abc.123")
        );
        assert_eq!(
            normalize_doi("doi:10.1000/xyz.").as_deref(),
            Some("10.1000/xyz")
        );
        assert_eq!(normalize_doi("nothing"), None);
        assert_eq!(normalize_doi("10.1234/."), None);
    }

    #[test]
    fn urls_are_canonical() {
        let a = canonical_url("HTTP://WWW.Example.org:80/post/?utm_source=x&b=2&a=1#frag").unwrap();
        let b = canonical_url("https://example.org/post?a=1&b=2&fbclid=zz").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, "example.org/post?a=1&b=2");
        assert_eq!(canonical_url("javascript:alert(1)"), None);
        assert_ne!(
            canonical_url("https://x.org/?b=c%26q%3Da"),
            canonical_url("https://x.org/?q=a&b=c")
        );
        assert_eq!(
            canonical_url("https://example.org:8443/x").unwrap(),
            "example.org:8443/x"
        );
    }

    #[test]
    fn title_fingerprints_ignore_case_and_punctuation() {
        assert_eq!(
            title_fingerprint("Attention Is All You Need!"),
            title_fingerprint("attention is all  you need")
        );
        assert_eq!(title_fingerprint("Hi"), "");
    }

    #[test]
    fn a_post_about_one_paper_takes_its_key() {
        let e = Entry {
            title: "A TL;DR of a paper".into(),
            url: Some("https://blog.example.org/tldr/1".into()),
            links: vec![
                "https://arxiv.org/abs/2604.00001v2".into(),
                "https://arxiv.org/pdf/2604.00001".into(),
            ],
            ..Default::default()
        };
        assert_eq!(identify(&e).unwrap().key, "arxiv:2604.00001");
        let two = Entry {
            links: vec![
                "https://arxiv.org/abs/2604.00001".into(),
                "https://arxiv.org/abs/2604.00002".into(),
            ],
            ..e
        };
        assert_eq!(identify(&two).unwrap().key, "url:blog.example.org/tldr/1");
    }

    #[test]
    fn a_tldr_post_whose_path_is_an_arxiv_id_takes_the_papers_key() {
        let e = Entry {
            title: "EnerGS: Energy-Based Gaussian Splatting".into(),
            url: Some("https://tldr.takara.ai/p/2604.26238".into()),
            guid: Some("https://tldr.takara.ai/p/2604.26238".into()),
            ..Default::default()
        };
        let id = identify(&e).unwrap();
        assert_eq!(id.key, "arxiv:2604.26238");
        assert_eq!(id.arxiv_id.as_deref(), Some("2604.26238"));
        assert_eq!(
            arxiv_id_in_path("https://papers.example.org/abs/2604.26238v3.pdf"),
            Some(("2604.26238".into(), Some(3)))
        );
        // Not an id: a month 13, a year-like number, a query, two ids, a non-web scheme.
        for u in [
            "https://blog.example.org/2613.12345",
            "https://blog.example.org/2023.1234/post",
            "https://blog.example.org/post?id=2604.26238",
            "https://x.org/compare/2604.26238/2604.26239",
            "ftp://x.org/2604.26238",
            "https://x.org/p/2604.26238-notes",
        ] {
            assert_eq!(arxiv_id_in_path(u), None, "{u}");
        }
    }

    #[test]
    fn an_entry_without_ids_falls_back_to_guid_or_title() {
        let e = Entry {
            title: "Some long enough title".into(),
            guid: Some("tag:x,2020:1".into()),
            ..Default::default()
        };
        assert_eq!(identify(&e).unwrap().key, "guid:tag:x,2020:1");
        let e = Entry {
            title: "Some long enough title".into(),
            ..Default::default()
        };
        assert_eq!(identify(&e).unwrap().key, "title:some long enough title");
        assert!(identify(&Entry::default()).is_none());
    }
}
