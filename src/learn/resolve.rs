//! Which stored item a reader means: an item key as digests print it, an arXiv id in any form
//! identity accepts, a DOI, or a URL, tried in that order against the keys identity gives papers,
//! then against the ids merged into each item.

use crate::error::Result;
use crate::identity::{canonical_url, find_arxiv_id, normalize_doi, parse_arxiv_id};
use crate::model::Item;
use crate::store::Store;

/// The keys `id` may stand for, most specific first.
pub fn candidate_keys(id: &str) -> Vec<String> {
    let id = id.trim();
    let mut out = vec![id.to_string()];
    if let Some((a, _)) = parse_arxiv_id(id).or_else(|| find_arxiv_id(id)) {
        out.push(format!("arxiv:{a}"));
    }
    if let Some(d) = normalize_doi(id) {
        match d.strip_prefix("10.48550/arxiv.") {
            Some(a) => out.push(format!("arxiv:{a}")),
            None => out.push(format!("doi:{d}")),
        }
    }
    if let Some(u) = canonical_url(id) {
        out.push(format!("url:{u}"));
    }
    out.dedup();
    out
}

/// The stored item `id` names, if any: by its key first, then by any id merged into it (a paper
/// first seen on a blog by its URL is still found by its arXiv id).
pub fn resolve(store: &Store, id: &str) -> Result<Option<Item>> {
    let keys = candidate_keys(id);
    for k in &keys {
        if let Some(it) = store.item(k)? {
            return Ok(Some(it));
        }
    }
    for k in &keys {
        if let Some(it) = store.item_by_alias(k)? {
            return Ok(Some(it));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_an_arxiv_id_leads_to_its_key() {
        for id in [
            "2604.26904",
            "arXiv:2604.26904v2",
            "https://arxiv.org/abs/2604.26904v1",
            "https://arxiv.org/pdf/2604.26904.pdf",
            "https://huggingface.co/papers/2604.26904",
            "10.48550/arXiv.2604.26904",
        ] {
            assert!(
                candidate_keys(id).contains(&"arxiv:2604.26904".to_string()),
                "{id}"
            );
        }
        assert!(candidate_keys("https://Example.org/post/?utm_source=x")
            .contains(&"url:example.org/post".to_string()));
        assert!(
            candidate_keys("https://doi.org/10.1000/XYZ").contains(&"doi:10.1000/xyz".to_string())
        );
    }

    #[test]
    fn a_paper_merged_under_another_key_is_found_by_each_of_its_ids() {
        use crate::identity::identify;
        use crate::model::Entry;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let post = Entry {
            title: "Spectral token routing for sparse mixtures".into(),
            url: Some("https://example.org/blog/spectral-routing".into()),
            ..Default::default()
        };
        let paper = Entry {
            title: "Spectral Token Routing for Sparse Mixtures".into(),
            arxiv_id: Some("2612.04444v1".into()),
            doi: Some("10.1000/STR.1".into()),
            ..Default::default()
        };
        let now = chrono::Utc::now();
        for e in [&post, &paper] {
            store
                .upsert("t", "test", e, &identify(e).unwrap(), now)
                .unwrap();
        }
        let items: Vec<_> = store.all_items().collect::<Result<_>>().unwrap();
        assert_eq!(items.len(), 1, "{items:?}");
        let key = items[0].key.clone();
        for id in [
            key.as_str(),
            "2612.04444",
            "https://arxiv.org/abs/2612.04444v1",
            "10.1000/str.1",
            "https://example.org/blog/spectral-routing",
        ] {
            let found = resolve(&store, id).unwrap();
            assert_eq!(found.map(|i| i.key), Some(key.clone()), "{id}");
        }
        assert!(resolve(&store, "2612.09999").unwrap().is_none());
    }
}
