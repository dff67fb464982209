//! Reading reference-manager exports (the project's own fixtures in tests/fixtures/library/, written
//! in the shapes Zotero, Better BibTeX, arXiv, Zotero's RIS / CSL-JSON / CSV exports produce).

use trendd::learn::formats::{parse, Format};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/library/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn ids(name: &str, f: Format) -> Vec<String> {
    let p = parse(&fixture(name), f);
    assert!(p.problems.is_empty(), "{name}: {:?}", p.problems);
    p.entries.into_iter().map(|e| e.id).collect()
}

#[test]
fn each_export_is_told_by_its_content() {
    for (name, f) in [
        ("zotero.bib", Format::Bibtex),
        ("betterbibtex.bib", Format::Bibtex),
        ("arxiv.bib", Format::Bibtex),
        ("zotero.ris", Format::Ris),
        ("zotero.json", Format::CslJson),
        ("zotero.csv", Format::ZoteroCsv),
        ("ids.txt", Format::Ids),
    ] {
        assert_eq!(Format::detect(&fixture(name)), f, "{name}");
    }
}

#[test]
fn bibtex_exports_give_arxiv_keys_titles_abstracts_and_authors() {
    assert_eq!(
        ids("zotero.bib", Format::Bibtex),
        [
            "arxiv:1706.03762",
            "url:proceedings.neurips.cc/paper/2020/hash/4c5bcfec8584af0d967f1ab10179ca4b-Abstract.html",
            "doi:10.1038/s41586-021-03819-2"
        ]
    );
    let p = parse(&fixture("zotero.bib"), Format::Bibtex);
    let e = &p.entries[0];
    assert_eq!(e.title, "Attention Is All You Need");
    assert!(e
        .abstract_text
        .starts_with("The dominant sequence transduction"));
    assert_eq!(e.authors[0], "Ashish Vaswani");
    assert_eq!(e.line, 2);
    // Better BibTeX: biblatex types, @string abbreviations, eprinttype = arXiv, a @comment.
    assert_eq!(
        ids("betterbibtex.bib", Format::Bibtex),
        ["arxiv:1412.6980", "arxiv:2005.14165"]
    );
    let p = parse(&fixture("betterbibtex.bib"), Format::Bibtex);
    assert_eq!(
        p.entries[0].title,
        "Adam: A Method for Stochastic Optimization"
    );
    assert_eq!(
        ids("arxiv.bib", Format::Bibtex),
        ["arxiv:2112.10752", "arxiv:2201.11903"]
    );
}

#[test]
fn a_corrupt_bibtex_entry_is_named_by_line_and_the_others_are_kept() {
    let p = parse(&fixture("corrupt.bib"), Format::Bibtex);
    let got: Vec<&str> = p.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(got, ["arxiv:2001.08361", "arxiv:1512.03385"]);
    assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
    // Named by the line the broken entry starts on, and where the parser gave up.
    assert_eq!(p.problems[0].line, 9, "{:?}", p.problems);
    assert!(
        p.problems[0].message.contains("(line 12)"),
        "{:?}",
        p.problems
    );
}

#[test]
fn ris_csl_json_csv_and_id_lists() {
    assert_eq!(
        ids("zotero.ris", Format::Ris),
        ["arxiv:1707.06347", "doi:10.1038/nature24270"]
    );
    let p = parse(&fixture("zotero.ris"), Format::Ris);
    assert!(p.entries[0]
        .abstract_text
        .starts_with("We propose a new family"));
    assert_eq!(p.entries[1].line, 16);

    let p = parse(&fixture("zotero.json"), Format::CslJson);
    let got: Vec<&str> = p.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        got,
        [
            "arxiv:2103.00020",
            "title:imagenet classification with deep convolutional neural networks"
        ]
    );
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].line, 4, "{:?}", p.problems);

    let p = parse(&fixture("zotero.csv"), Format::ZoteroCsv);
    let got: Vec<&str> = p.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(got, ["arxiv:2302.13971", "doi:10.1038/nature14539"]);
    assert_eq!(p.entries[0].authors, ["Touvron, Hugo", "Lavril, Thibaut"]);
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].line, 4, "{:?}", p.problems);

    let p = parse(&fixture("missing-column.csv"), Format::ZoteroCsv);
    assert!(p.entries.is_empty());
    assert_eq!(p.problems[0].line, 1);
    assert!(p.problems[0].message.contains("Title"));

    let p = parse(&fixture("ids.txt"), Format::Ids);
    let got: Vec<&str> = p.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        got,
        [
            "arxiv:2604.26904",
            "arxiv:1706.03762",
            "arxiv:2005.14165",
            "arxiv:2201.11903",
            "doi:10.1038/nature14539"
        ]
    );
    assert_eq!(p.problems.len(), 1);
    assert_eq!(p.problems[0].line, 7);
}
