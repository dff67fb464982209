//! The links a digest entry offers besides its title, from what the sources told about the item:
//! arXiv abstract and PDF, the Hugging Face paper page, the code repository, the project page, a DOI.

use crate::compose::Link;
use crate::model::{Item, ItemKind};

pub const ABSTRACT: &str = "abstract";
pub const PDF: &str = "PDF";
pub const HUGGING_FACE: &str = "Hugging Face";
pub const CODE: &str = "code";
pub const PROJECT: &str = "project page";
pub const DOI: &str = "DOI";
pub const POST: &str = "post";

/// The known links of `it`, in reading order, each an http(s) URL and none twice.
pub fn of(it: &Item) -> Vec<Link> {
    let mut out: Vec<Link> = Vec::new();
    let mut add = |label: &str, url: Option<String>| {
        let Some(url) = url.and_then(|u| http_url(&u)) else {
            return;
        };
        if !out.iter().any(|l| l.url == url) {
            out.push(Link {
                label: label.to_string(),
                url,
            });
        }
    };
    if let Some(id) = it.arxiv_id.as_deref() {
        add(ABSTRACT, Some(format!("https://arxiv.org/abs/{id}")));
        add(PDF, Some(format!("https://arxiv.org/pdf/{id}")));
        // Hugging Face has a page for a paper once someone submitted it there; its own sources say so.
        let on_hf = it
            .sources
            .iter()
            .any(|h| h.kind == "huggingface" || h.signals.upvotes.is_some());
        if on_hf {
            add(
                HUGGING_FACE,
                Some(format!("https://huggingface.co/papers/{id}")),
            );
        }
    } else if let Some(doi) = it.doi.as_deref() {
        add(DOI, Some(format!("https://doi.org/{doi}")));
    }
    let signal = |f: fn(&crate::model::Signals) -> Option<&String>| {
        it.sources
            .iter()
            .find_map(|h| f(&h.signals).filter(|s| !s.trim().is_empty()).cloned())
    };
    add(
        CODE,
        signal(|s| s.github_repo.as_ref()).map(|r| repo_url(&r)),
    );
    add(PROJECT, signal(|s| s.project_page.as_ref()));
    if it.kind == ItemKind::Post && it.arxiv_id.is_none() {
        add(POST, it.url.clone());
    }
    out
}

/// A repository as a URL: Hugging Face gives full URLs, other sources `owner/name`.
fn repo_url(r: &str) -> String {
    let r = r.trim();
    if r.contains("://") {
        r.to_string()
    } else {
        format!(
            "https://github.com/{}",
            r.trim_start_matches("github.com/").trim_matches('/')
        )
    }
}

/// `u` when it is an http(s) URL with a host, normalized by the URL parser.
fn http_url(u: &str) -> Option<String> {
    let p = url::Url::parse(u.trim()).ok()?;
    (matches!(p.scheme(), "http" | "https") && p.host_str().is_some_and(|h| !h.is_empty()))
        .then(|| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Signals, SourceHit};
    use chrono::Utc;

    fn item(arxiv: Option<&str>, kind: ItemKind, hits: Vec<(&str, Signals)>) -> Item {
        let now = Utc::now();
        Item {
            key: "k".into(),
            kind,
            title: "T".into(),
            url: Some("https://blog.example.org/p/1".into()),
            arxiv_id: arxiv.map(String::from),
            doi: None,
            authors: vec![],
            abstract_text: String::new(),
            published: None,
            categories: vec![],
            sources: hits
                .into_iter()
                .map(|(kind, signals)| SourceHit {
                    name: kind.into(),
                    kind: kind.into(),
                    url: None,
                    signals,
                    first_seen: now,
                    last_seen: now,
                })
                .collect(),
            first_seen: now,
            updated: now,
            summary: None,
        }
    }

    #[test]
    fn a_paper_seen_on_hugging_face_offers_every_link() {
        let sig = Signals {
            github_repo: Some("https://github.com/org/repo".into()),
            project_page: Some("https://org.github.io/repo/".into()),
            upvotes: Some(12),
            ..Default::default()
        };
        let it = item(
            Some("2604.26904"),
            ItemKind::Paper,
            vec![("arxiv", Signals::default()), ("huggingface", sig)],
        );
        let got: Vec<(String, String)> = of(&it).into_iter().map(|l| (l.label, l.url)).collect();
        assert_eq!(
            got,
            vec![
                (ABSTRACT.into(), "https://arxiv.org/abs/2604.26904".into()),
                (PDF.into(), "https://arxiv.org/pdf/2604.26904".into()),
                (
                    HUGGING_FACE.into(),
                    "https://huggingface.co/papers/2604.26904".into()
                ),
                (CODE.into(), "https://github.com/org/repo".into()),
                (PROJECT.into(), "https://org.github.io/repo/".into()),
            ]
        );
    }

    #[test]
    fn arxiv_only_papers_get_no_hugging_face_page_and_posts_their_own_link() {
        let it = item(
            Some("hep-th/9901001"),
            ItemKind::Paper,
            vec![("arxiv", Signals::default())],
        );
        let labels: Vec<String> = of(&it).into_iter().map(|l| l.label).collect();
        assert_eq!(labels, vec![ABSTRACT, PDF]);
        let post = item(None, ItemKind::Post, vec![("feed", Signals::default())]);
        assert_eq!(
            of(&post),
            vec![Link {
                label: POST.into(),
                url: "https://blog.example.org/p/1".into()
            }]
        );
    }

    #[test]
    fn bare_repos_become_github_urls_and_bad_urls_are_dropped() {
        let sig = Signals {
            github_repo: Some("org/repo".into()),
            project_page: Some("javascript:alert(1)".into()),
            ..Default::default()
        };
        let it = item(
            Some("2604.00001"),
            ItemKind::Paper,
            vec![("paperswithcode", sig)],
        );
        let links = of(&it);
        assert!(links.iter().any(|l| l.url == "https://github.com/org/repo"));
        assert!(links.iter().all(|l| l.url.starts_with("https://")));
        assert!(!links.iter().any(|l| l.label == PROJECT));
    }
}
