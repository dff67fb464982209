//! Reading a reference manager's export into library entries: BibTeX (Zotero, Better BibTeX,
//! arXiv's own) with `biblatex`, RIS with `biblib`, Zotero's CSV with `csv`, CSL-JSON with
//! `serde_json`, and a plain list of arXiv ids, DOIs or URLs. The format is told from the content.
//! An entry that cannot be read is a `Problem` naming its line; the others are still read.

use crate::identity::{
    canonical_url, find_arxiv_id, normalize_doi, parse_arxiv_id, title_fingerprint,
};
use biblatex::ChunksExt;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Bibtex,
    Ris,
    CslJson,
    ZoteroCsv,
    Ids,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "bibtex" | "bib" => Format::Bibtex,
            "ris" => Format::Ris,
            "csl-json" | "csljson" | "json" => Format::CslJson,
            "zotero-csv" | "csv" => Format::ZoteroCsv,
            "ids" => Format::Ids,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Format::Bibtex => "bibtex",
            Format::Ris => "ris",
            Format::CslJson => "csl-json",
            Format::ZoteroCsv => "zotero-csv",
            Format::Ids => "ids",
        }
    }

    /// Which format `text` is in, from its first meaningful line.
    pub fn detect(text: &str) -> Format {
        let body = text.trim_start_matches('\u{feff}');
        let first = body
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('%') && !l.starts_with('#'))
            .unwrap_or("");
        if first.starts_with('[') || first.starts_with('{') {
            Format::CslJson
        } else if first.starts_with('@') || body.lines().any(|l| l.trim_start().starts_with('@')) {
            Format::Bibtex
        } else if is_ris_tag(first) {
            Format::Ris
        } else if first.contains(',') && first.to_ascii_lowercase().contains("title") {
            Format::ZoteroCsv
        } else {
            Format::Ids
        }
    }
}

fn is_ris_tag(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() >= 5 && b[0].is_ascii_uppercase() && b[1].is_ascii_alphanumeric() && &b[2..5] == b"  -"
}

/// One paper of the reader's library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Its identity key (`arxiv:…`, `doi:…`, `url:…`, `title:…`), the same an item of that paper has.
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub abstract_text: String,
    #[serde(default)]
    pub authors: Vec<String>,
    /// The line of the file it starts on.
    #[serde(default)]
    pub line: usize,
}

/// An entry that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// What reading a file found.
#[derive(Debug, Default)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub problems: Vec<Problem>,
}

/// The identity of a paper from whatever identifiers an entry has, strongest first.
fn identify(ids: &[&str], title: &str) -> Option<String> {
    for s in ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if let Some((id, _)) = parse_arxiv_id(s).or_else(|| find_arxiv_id(s)) {
            return Some(format!("arxiv:{id}"));
        }
    }
    for s in ids {
        if let Some(d) = normalize_doi(s) {
            if let Some(id) = d.strip_prefix("10.48550/arxiv.") {
                return Some(format!("arxiv:{id}"));
            }
            return Some(format!("doi:{d}"));
        }
    }
    for s in ids {
        if let Some(u) = canonical_url(s) {
            return Some(format!("url:{u}"));
        }
    }
    let fp = title_fingerprint(title);
    (!fp.is_empty()).then(|| format!("title:{fp}"))
}

fn clean(s: &str) -> String {
    s.replace(['{', '}'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Parsed {
    fn push(&mut self, line: usize, ids: &[&str], title: &str, abs: &str, authors: Vec<String>) {
        let title = clean(title);
        match identify(ids, &title) {
            Some(id) => self.entries.push(Entry {
                id,
                title,
                abstract_text: clean(abs),
                authors,
                line,
            }),
            None => self.problems.push(Problem {
                line,
                message: "an entry with neither a title nor an arXiv id, DOI or URL".into(),
            }),
        }
    }
}

/// Reads `text` in `format`.
pub fn parse(text: &str, format: Format) -> Parsed {
    let text = text.trim_start_matches('\u{feff}');
    match format {
        Format::Bibtex => bibtex(text),
        Format::Ris => ris(text),
        Format::CslJson => csl_json(text),
        Format::ZoteroCsv => zotero_csv(text),
        Format::Ids => ids(text),
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// `biblatex` reads a whole file or fails on its first bad entry; so each entry (from an `@` that
/// starts a line to the next) is read on its own, after the file's `@string` abbreviations, and a bad
/// one costs only itself.
fn bibtex(text: &str) -> Parsed {
    let mut starts: Vec<usize> = Vec::new();
    let mut pos = 0;
    for l in text.split_inclusive('\n') {
        if l.trim_start().starts_with('@') {
            starts.push(pos + (l.len() - l.trim_start().len()));
        }
        pos += l.len();
    }
    let chunks: Vec<(usize, &str)> = starts
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            (
                s,
                &text[s..starts.get(i + 1).copied().unwrap_or(text.len())],
            )
        })
        .collect();
    let is_kind = |c: &str, k: &str| {
        c[1..]
            .trim_start()
            .get(..k.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(k))
    };
    let strings: String = chunks
        .iter()
        .filter(|(_, c)| is_kind(c, "string"))
        .map(|(_, c)| *c)
        .collect();
    let mut out = Parsed::default();
    for (start, chunk) in chunks {
        if is_kind(chunk, "string") || is_kind(chunk, "comment") || is_kind(chunk, "preamble") {
            continue;
        }
        let line = line_of(text, start);
        let src = format!("{strings}{chunk}");
        let bib = match biblatex::Bibliography::parse(&src) {
            Ok(b) => b,
            Err(e) => {
                let at = e.span.start.saturating_sub(strings.len());
                let err_line = line
                    + chunk[..at.min(chunk.len())]
                        .trim_end()
                        .matches('\n')
                        .count();
                out.problems.push(Problem {
                    line,
                    message: format!("not valid BibTeX: {} (line {err_line})", e.kind),
                });
                continue;
            }
        };
        for e in bib.iter() {
            let field = |k: &str| e.get(k).map(|c| c.format_verbatim()).unwrap_or_default();
            let authors = e
                .author()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            [p.given_name.as_str(), p.prefix.as_str(), p.name.as_str()]
                                .iter()
                                .filter(|s| !s.is_empty())
                                .copied()
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .collect()
                })
                .unwrap_or_default();
            let arxiv = {
                let prefix = field("archiveprefix") + &field("eprinttype");
                let eprint = field("eprint");
                if prefix.to_ascii_lowercase().contains("arxiv")
                    || parse_arxiv_id(&eprint).is_some()
                {
                    eprint
                } else {
                    String::new()
                }
            };
            let (doi, url, note, journal) =
                (field("doi"), field("url"), field("note"), field("journal"));
            out.push(
                line,
                &[&arxiv, &doi, &url, &note, &journal],
                &field("title"),
                &field("abstract"),
                authors,
            );
        }
    }
    out
}

/// RIS records run from a `TY  -` line to `ER  -`; each is read by `biblib` on its own so a bad
/// record names its line and costs only itself.
fn ris(text: &str) -> Parsed {
    use biblib::CitationParser;
    let mut out = Parsed::default();
    let mut record = String::new();
    let mut start = 0;
    let flush = |record: &mut String, start: usize, out: &mut Parsed| {
        if record.trim().is_empty() {
            record.clear();
            return;
        }
        match biblib::RisParser::new().parse(record) {
            Ok(cs) if !cs.is_empty() => {
                for c in cs {
                    let authors = c
                        .authors
                        .iter()
                        .map(|a| match &a.given_name {
                            Some(g) => format!("{g} {}", a.name),
                            None => a.name.clone(),
                        })
                        .collect();
                    let mut ids: Vec<&str> = Vec::new();
                    ids.extend(c.doi.as_deref());
                    ids.extend(c.urls.iter().map(String::as_str));
                    ids.extend(c.extra_fields.values().flatten().map(String::as_str));
                    out.push(
                        start,
                        &ids,
                        &c.title,
                        c.abstract_text.as_deref().unwrap_or(""),
                        authors,
                    );
                }
            }
            Ok(_) => out.problems.push(Problem {
                line: start,
                message: "an RIS record without content".into(),
            }),
            Err(e) => out.problems.push(Problem {
                line: start + e.line.unwrap_or(1) - 1,
                message: format!("not valid RIS: {}", e.error),
            }),
        }
        record.clear();
    };
    for (i, l) in text.lines().enumerate() {
        if l.starts_with("TY  -") {
            flush(&mut record, start, &mut out);
            start = i + 1;
        } else if record.is_empty() && !l.trim().is_empty() {
            out.problems.push(Problem {
                line: i + 1,
                message: "a line outside any RIS record (records start with `TY  -`)".into(),
            });
            continue;
        }
        if !record.is_empty() || l.starts_with("TY  -") {
            record.push_str(l);
            record.push('\n');
        }
        if l.starts_with("ER  -") {
            flush(&mut record, start, &mut out);
        }
    }
    flush(&mut record, start, &mut out);
    out
}

#[derive(Deserialize)]
struct CslName {
    #[serde(default)]
    family: String,
    #[serde(default)]
    given: String,
    #[serde(default)]
    literal: String,
}

#[derive(Deserialize)]
struct CslItem {
    #[serde(default)]
    title: String,
    #[serde(default, rename = "abstract")]
    abstract_text: String,
    #[serde(default)]
    author: Vec<CslName>,
    #[serde(default, rename = "DOI")]
    doi: String,
    #[serde(default, rename = "URL")]
    url: String,
    #[serde(default)]
    number: serde_json::Value,
    #[serde(default)]
    note: String,
}

/// Byte offsets where the top-level array's objects start (CSL-JSON names no lines of its own).
fn object_starts(text: &str) -> Vec<usize> {
    let (mut depth, mut in_str, mut esc) = (0i32, false, false);
    let mut out = Vec::new();
    for (i, b) in text.bytes().enumerate() {
        if in_str {
            match b {
                _ if esc => esc = false,
                b'\\' => esc = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                if b == b'{' && depth == 1 {
                    out.push(i);
                }
                depth += 1;
            }
            b'}' | b']' => depth -= 1,
            _ => {}
        }
    }
    out
}

fn csl_json(text: &str) -> Parsed {
    let mut out = Parsed::default();
    let items: Vec<serde_json::Value> = match serde_json::from_str(text) {
        Ok(serde_json::Value::Array(a)) => a,
        Ok(v @ serde_json::Value::Object(_)) => vec![v],
        Ok(_) => {
            out.problems.push(Problem {
                line: 1,
                message: "CSL-JSON is an array of items".into(),
            });
            return out;
        }
        Err(e) => {
            out.problems.push(Problem {
                line: e.line(),
                message: format!("not valid JSON: {e}"),
            });
            return out;
        }
    };
    let starts = object_starts(text);
    for (i, v) in items.into_iter().enumerate() {
        let line = starts.get(i).map(|&b| line_of(text, b)).unwrap_or(1);
        match serde_json::from_value::<CslItem>(v) {
            Ok(c) => {
                let authors = c
                    .author
                    .iter()
                    .map(|a| {
                        if a.literal.is_empty() {
                            format!("{} {}", a.given, a.family).trim().to_string()
                        } else {
                            a.literal.clone()
                        }
                    })
                    .collect();
                let number = match &c.number {
                    serde_json::Value::String(s) => s.clone(),
                    _ => String::new(),
                };
                out.push(
                    line,
                    &[&number, &c.note, &c.doi, &c.url],
                    &c.title,
                    &c.abstract_text,
                    authors,
                );
            }
            Err(e) => out.problems.push(Problem {
                line,
                message: format!("not a CSL-JSON item: {e}"),
            }),
        }
    }
    out
}

/// Zotero's "Export Collection… → CSV": a header row, then one row per item.
fn zotero_csv(text: &str) -> Parsed {
    let mut out = Parsed::default();
    let mut rd = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match rd.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            out.problems.push(Problem {
                line: 1,
                message: format!("not valid CSV: {e}"),
            });
            return out;
        }
    };
    let col = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let Some(title) = col("Title") else {
        out.problems.push(Problem {
            line: 1,
            message: "the header has no \"Title\" column (Zotero's CSV export has one)".into(),
        });
        return out;
    };
    let (abs, author, doi, url, extra) = (
        col("Abstract Note"),
        col("Author"),
        col("DOI"),
        col("Url"),
        col("Extra"),
    );
    for rec in rd.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                out.problems.push(Problem {
                    line: e.position().map(|p| p.line() as usize).unwrap_or(0),
                    message: format!("not valid CSV: {e}"),
                });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        if rec.len() < header.len() {
            out.problems.push(Problem {
                line,
                message: format!("{} fields where the header has {}", rec.len(), header.len()),
            });
            continue;
        }
        let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).unwrap_or("").to_string();
        let authors = get(author)
            .split(';')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        let (x, d, u) = (get(extra), get(doi), get(url));
        out.push(line, &[&x, &d, &u], &get(Some(title)), &get(abs), authors);
    }
    out
}

/// One arXiv id (any form), DOI or URL a line; `#` starts a comment.
fn ids(text: &str) -> Parsed {
    let mut out = Parsed::default();
    for (i, l) in text.lines().enumerate() {
        let l = l.split('#').next().unwrap_or("").trim();
        if l.is_empty() {
            continue;
        }
        match identify(&[l], "") {
            Some(id) => out.entries.push(Entry {
                id,
                title: String::new(),
                abstract_text: String::new(),
                authors: vec![],
                line: i + 1,
            }),
            None => out.problems.push(Problem {
                line: i + 1,
                message: format!("{l:?} is not an arXiv id, DOI or URL"),
            }),
        }
    }
    out
}
