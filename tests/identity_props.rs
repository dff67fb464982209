//! Property tests of the identity functions over generated input: no input makes them panic, their
//! outputs are fixed points, and the forms one paper or page takes (versions, URL forms, scheme, `www.`,
//! tracking parameters) all lead to one key. `PROPTEST_CASES` raises the case count for longer runs.

use proptest::prelude::*;
use trendd::identity::{canonical_url, find_arxiv_id, identify, normalize_doi, parse_arxiv_id};
use trendd::model::Entry;

fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A well-formed versionless arXiv id, new style or old style (with a subject class or without).
fn arxiv_id() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..10000, 0u32..100000).prop_map(|(a, b)| format!("{a:04}.{b:05}")),
        (700u32..1500, 0u32..10000).prop_map(|(a, b)| format!("{a:04}.{b:04}")),
        (
            prop::sample::select(vec![
                "hep-th", "astro-ph", "cond-mat", "math", "cs", "quant-ph"
            ]),
            0u32..10_000_000
        )
            .prop_map(|(a, n)| format!("{a}/{n:07}")),
        (
            prop::sample::select(vec!["math.GT", "cs.LG", "math.AG", "physics.ACC"]),
            0u32..10_000_000
        )
            .prop_map(|(a, n)| {
                // Only two-letter subject classes are valid; keep what the grammar allows.
                let (arch, class) = a.split_once('.').unwrap();
                format!("{arch}.{}/{n:07}", &class[..2])
            }),
    ]
}

/// Text that looks like the inputs sources hand over: URL-ish, id-ish and plain noise.
fn messy_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,80}",
        "(https?://)?(www\\.)?(arxiv\\.org/(abs|pdf|html)/|huggingface\\.co/papers/|doi\\.org/10\\.48550/arXiv\\.|arXiv: ?)[0-9a-zA-Z./\\-]{0,24}(v[0-9]{0,12})?(\\.pdf)?",
        "10\\.[0-9]{4,9}/[ -~]{0,30}",
    ]
}

/// A URL with a host, path, query and fragment drawn from small alphabets (so collisions are likely).
fn url_parts() -> impl Strategy<Value = (String, String, Vec<(String, String)>, String)> {
    (
        "[a-z]{1,8}\\.(org|com|io)",
        "(/[a-zA-Z0-9._~-]{0,8}){0,4}/?",
        prop::collection::vec(("[a-z]{1,5}", "[a-zA-Z0-9]{0,5}"), 0..4),
        "[a-z0-9]{0,6}",
    )
}

fn url_from(
    scheme: &str,
    www: bool,
    host: &str,
    path: &str,
    q: &[(String, String)],
    frag: &str,
) -> String {
    let mut u = format!("{scheme}://{}{host}{path}", if www { "www." } else { "" });
    if !q.is_empty() {
        let parts: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        u.push('?');
        u.push_str(&parts.join("&"));
    }
    if !frag.is_empty() {
        u.push('#');
        u.push_str(frag);
    }
    u
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        messy_text(),
        prop::option::of(messy_text()),
        prop::option::of(messy_text()),
        prop::option::of(messy_text()),
        prop::option::of(messy_text()),
        prop::collection::vec(messy_text(), 0..4),
        "[ -~]{0,200}",
    )
        .prop_map(
            |(title, url, guid, arxiv_id, doi, links, abstract_text)| Entry {
                title,
                url,
                guid,
                arxiv_id,
                doi,
                links,
                abstract_text,
                ..Default::default()
            },
        )
}

proptest! {
    #![proptest_config(cases(4000))]

    /// None of the functions panics, whatever the input; a parsed id is a fixed point of the parser.
    #[test]
    fn arxiv_parsing_never_panics_and_is_idempotent(s in messy_text()) {
        let _ = find_arxiv_id(&s);
        let _ = normalize_doi(&s);
        let _ = canonical_url(&s);
        if let Some((id, _)) = parse_arxiv_id(&s) {
            let again = parse_arxiv_id(&id);
            prop_assert_eq!(again, Some((id.clone(), None)), "parse_arxiv_id({:?}) gave {:?}, which does not parse to itself", s, id);
        }
    }

    /// A DOI, once normalized, normalizes to itself.
    #[test]
    fn doi_normalization_is_idempotent(s in messy_text()) {
        if let Some(d) = normalize_doi(&s) {
            prop_assert_eq!(normalize_doi(&d), Some(d.clone()), "input {:?}", s);
            prop_assert_eq!(normalize_doi(&format!("https://doi.org/{d}")), Some(d.clone()), "input {:?}", s);
        }
    }

    /// Every form an id takes (versions, `arXiv:`, abs/pdf/html URLs, HF, DOI) gives one versionless id.
    #[test]
    fn versions_and_url_forms_give_one_id(id in arxiv_id(), v in 1u32..1000) {
        let want = parse_arxiv_id(&id).map(|x| x.0);
        prop_assert!(want.is_some(), "{} is a valid id but does not parse", id);
        let forms = [
            format!("{id}v{v}"),
            format!("arXiv:{id}v{v}"),
            format!("https://arxiv.org/abs/{id}v{v}"),
            format!("http://arxiv.org/abs/{id}"),
            format!("https://arxiv.org/pdf/{id}v{v}.pdf"),
            format!("https://arxiv.org/pdf/{id}"),
            format!("https://arxiv.org/html/{id}v{v}"),
            format!("http://export.arxiv.org/abs/{id}v{v}"),
            format!("oai:arXiv.org:{id}"),
            format!("https://huggingface.co/papers/{id}"),
            format!("https://doi.org/10.48550/arXiv.{id}"),
        ];
        for f in &forms {
            prop_assert_eq!(parse_arxiv_id(f).map(|x| x.0), want.clone(), "form {:?}", f);
        }
        prop_assert_eq!(parse_arxiv_id(&format!("{id}v{v}")).and_then(|x| x.1), Some(v));
        let with = Entry { title: "a paper title here".into(), arxiv_id: Some(format!("{id}v{v}")), ..Default::default() };
        let without = Entry { arxiv_id: Some(id.clone()), ..with.clone() };
        let by_url = Entry { arxiv_id: None, url: Some(format!("https://arxiv.org/abs/{id}v{v}")), ..with.clone() };
        let k = identify(&with).unwrap().key;
        prop_assert_eq!(&k, &identify(&without).unwrap().key);
        prop_assert_eq!(&k, &identify(&by_url).unwrap().key);
        prop_assert_eq!(k, format!("arxiv:{}", want.unwrap()));
    }

    /// The canonical form is a fixed point (read back as an https URL) and does not see the scheme,
    /// `www.`, the fragment, tracking parameters or the order of the query.
    #[test]
    fn canonical_urls_are_stable((host, path, q, frag) in url_parts(), www in any::<bool>(), tracking in prop::collection::vec(prop::sample::select(vec!["utm_source", "utm_medium", "fbclid", "gclid", "ref"]), 0..3)) {
        let base = url_from("https", false, &host, &path, &q, "");
        let c = canonical_url(&base).unwrap();
        prop_assert_eq!(canonical_url(&format!("https://{c}")), Some(c.clone()), "not a fixed point: {:?}", base);
        prop_assert_eq!(canonical_url(&format!("http://{c}")), Some(c.clone()), "scheme: {:?}", base);
        let mut noisy = q.clone();
        for t in &tracking {
            noisy.push((t.to_string(), "x1".into()));
        }
        noisy.reverse();
        let variant = url_from("http", www, &host.to_uppercase(), &path, &noisy, &frag);
        prop_assert_eq!(canonical_url(&variant), Some(c.clone()), "{:?} vs {:?}", variant, base);
    }

    /// Any URL string: either no canonical form, or one that is a fixed point.
    #[test]
    fn canonical_url_of_anything_is_a_fixed_point(s in prop_oneof!["https?://[ -~]{0,60}", any::<String>().prop_map(|s| format!("https://{s}"))]) {
        if let Some(c) = canonical_url(&s) {
            prop_assert_eq!(canonical_url(&format!("https://{c}")), Some(c.clone()), "input {:?}", s);
        }
    }

    /// `identify` never panics, and its key is always one of its aliases.
    #[test]
    fn identify_never_panics(e in entry()) {
        if let Some(id) = identify(&e) {
            prop_assert!(id.aliases.contains(&id.key));
            prop_assert!(!id.key.is_empty());
        }
    }
}

/// Found by the properties above (minimal inputs). The canonical form writes decoded query pairs back
/// without encoding them, so an encoded `&`/`=` inside a value makes a different page's key, and `+`
/// becomes a space that does not survive a second pass.
#[test]
fn canonical_url_keeps_encoded_query_characters_apart() {
    let a = canonical_url("https://x.org/?b=c%26q%3Da");
    let b = canonical_url("https://x.org/?q=a&b=c");
    assert_ne!(a, b, "two different pages share one key");
    let c = canonical_url("http://a.org/?q=x+y").unwrap();
    assert_eq!(
        canonical_url(&format!("https://{c}")),
        Some(c.clone()),
        "not a fixed point"
    );
    assert!(!c.contains(' '), "a space in a key: {c:?}");
}

/// Found by the properties above: trailing punctuation is trimmed until nothing is left after the
/// slash, and the result is no DOI at all.
#[test]
fn a_doi_with_an_empty_suffix_is_no_doi() {
    assert_eq!(normalize_doi("10.1234/."), None);
    assert_eq!(normalize_doi("see 10.1234/)."), None);
}
