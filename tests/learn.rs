//! Learning the reader end to end, through the real binary and the real store on disk: ratings by any
//! id form, the library import, the digest the model steers (with its `why`, `exclude` still winning),
//! and the signed 👍/👎 links.

mod support;

use serde_json::Value;
use std::path::Path;
use support::trendd;
use trendd::learn::token::Secret;

/// Papers of two kinds: image diffusion (the reader's taste) and molecular graphs.
const PAPERS: &[(&str, &str, &str)] = &[
    ("2612.00001", "Latent diffusion for image synthesis", "We train a denoising diffusion model in a latent space to generate high resolution images."),
    ("2612.00002", "Faster diffusion sampling for images", "Fewer denoising steps let diffusion models generate images quickly."),
    ("2612.00003", "Message passing on molecular graphs", "Graph neural networks predict molecular properties by message passing over atoms and bonds."),
    ("2612.00004", "Equivariant graph networks for molecules", "An equivariant graph neural network models molecules and their conformations."),
    ("2612.00005", "Diffusion guidance for text to image generation", "Classifier free guidance steers a diffusion model that generates images from text."),
    ("2612.00006", "Graph transformers for protein molecules", "Attention over molecular graphs of proteins predicts binding of molecules."),
    ("2612.00007", "Video diffusion models from image diffusion", "We extend image diffusion models with temporal denoising layers to generate video."),
    ("2612.00008", "Molecular graph generation with flows", "Normalizing flows generate molecular graphs with valid bonds and atoms."),
];

fn feed(papers: &[(&str, &str, &str)], day: &str) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:arxiv=\"http://arxiv.org/schemas/atom\">\n<id>https://arxiv.org/api/test</id><title>arXiv Query: test</title>\n",
    );
    for (id, title, abs) in papers {
        s.push_str(&format!(
            "<entry><id>http://arxiv.org/abs/{id}v1</id><published>{day}T17:00:00Z</published><updated>{day}T17:00:00Z</updated><title>{title}</title><summary>{abs}</summary><author><name>Ada Lovelace</name></author><link href=\"http://arxiv.org/abs/{id}v1\" rel=\"alternate\" type=\"text/html\"/><arxiv:primary_category term=\"cs.LG\"/><category term=\"cs.LG\"/></entry>\n"
        ));
    }
    s.push_str("</feed>\n");
    s
}

struct Env {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    cfg: std::path::PathBuf,
    state: std::path::PathBuf,
}

fn day() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

/// A state dir whose store holds `PAPERS`, fetched from a file:// arXiv listing.
fn setup(extra: &str) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("listing.xml"), feed(PAPERS, &day())).unwrap();
    let cfg = root.join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "[general]\ntimezone = \"UTC\"\n[digest]\nmax_age_days = 2\n[interests]\nkeywords = []\ncategories = []\n{extra}\n[[source]]\nkind = \"arxiv\"\nname = \"arxiv\"\nurl = \"file://{}/listing.xml\"\n[[deliver]]\nkind = \"file\"\ndir = \"{}/digests\"\n",
            root.display(),
            root.display()
        ),
    )
    .unwrap();
    let state = root.join("s");
    let (code, _, err) = trendd(&cfg, &state, &["fetch"]);
    assert_eq!(code, 0, "{err}");
    Env {
        _dir: dir,
        root,
        cfg,
        state,
    }
}

fn list(e: &Env) -> Vec<Value> {
    let (code, out, err) = trendd(&e.cfg, &e.state, &["feedback", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn ratings_take_any_id_form_are_listed_and_cleared() {
    let e = setup("");
    let (code, out, err) = trendd(
        &e.cfg,
        &e.state,
        &[
            "feedback",
            "up",
            "2612.00001",
            "https://arxiv.org/abs/2612.00002v1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("up arxiv:2612.00001  Latent diffusion"),
        "{out}"
    );
    assert!(out.contains("up arxiv:2612.00002"), "{out}");
    let (code, _, err) = trendd(
        &e.cfg,
        &e.state,
        &["feedback", "down", "arXiv:2612.00003v1"],
    );
    assert_eq!(code, 0, "{err}");
    let got = list(&e);
    assert_eq!(got.len(), 3);
    for r in &got {
        for k in ["key", "vote", "at", "title"] {
            assert!(r.get(k).is_some(), "{r}");
        }
    }
    let down: Vec<&Value> = got.iter().filter(|r| r["vote"] == "down").collect();
    assert_eq!(down.len(), 1);
    assert_eq!(down[0]["key"], "arxiv:2612.00003");
    assert_eq!(down[0]["title"], "Message passing on molecular graphs");
    // Rating again replaces; clearing removes.
    trendd(&e.cfg, &e.state, &["feedback", "up", "2612.00003"]);
    assert_eq!(list(&e).len(), 3);
    let (code, out, _) = trendd(&e.cfg, &e.state, &["feedback", "clear", "2612.00003"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("cleared arxiv:2612.00003"), "{out}");
    assert_eq!(list(&e).len(), 2);
}

#[test]
fn an_unknown_id_is_named_and_nothing_of_the_batch_is_recorded() {
    let e = setup("");
    let (code, _, err) = trendd(
        &e.cfg,
        &e.state,
        &["feedback", "up", "2612.00001", "2612.99999", "not-a-paper"],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("\"2612.99999\"") && err.contains("\"not-a-paper\""),
        "{err}"
    );
    assert!(err.contains("nothing recorded"), "{err}");
    assert!(list(&e).is_empty());
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/library/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn library_import_skips_bad_entries_by_line_and_adds_nothing_twice() {
    let e = setup("");
    let (code, out, err) = trendd(
        &e.cfg,
        &e.state,
        &["library", "import", &fixture("corrupt.bib")],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("bibtex: 2 added, 0 already in the library, 1 skipped"),
        "{out}"
    );
    let line = err
        .lines()
        .find(|l| l.contains("corrupt.bib:") && l.contains("skipped"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("not valid BibTeX"), "{line}");
    let (code, out, _) = trendd(
        &e.cfg,
        &e.state,
        &["library", "import", &fixture("corrupt.bib")],
    );
    assert_eq!(code, 0);
    assert!(out.contains("0 added, 2 already"), "{out}");
    let (code, out, err) = trendd(&e.cfg, &e.state, &["library", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let listed: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(listed.len(), 2, "{out}");
    assert!(
        listed
            .iter()
            .all(|r| r["from"].as_str().unwrap().ends_with("corrupt.bib")
                && !r["title"].as_str().unwrap().is_empty()
                && r["id"].as_str().is_some()),
        "{out}"
    );
    for (f, n) in [
        ("zotero.bib", 3),
        ("betterbibtex.bib", 2),
        ("arxiv.bib", 2),
        ("zotero.ris", 2),
        ("zotero.json", 2),
        ("zotero.csv", 2),
    ] {
        let (code, out, err) = trendd(&e.cfg, &e.state, &["library", "import", &fixture(f)]);
        assert_eq!(code, 0, "{f}: {err}");
        assert!(out.contains(&format!(": {n} added")), "{f}: {out}");
    }
    // The id list names papers already imported from the BibTeX files: nothing twice.
    let (code, out, err) = trendd(
        &e.cfg,
        &e.state,
        &["library", "import", &fixture("ids.txt")],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("ids: 1 added, 4 already in the library, 1 skipped"),
        "{out}"
    );
    assert!(err.contains("ids.txt:7: skipped"), "{err}");
    let (code, _, err) = trendd(
        &e.cfg,
        &e.state,
        &[
            "library",
            "import",
            &fixture("missing-column.csv"),
            "--format",
            "zotero-csv",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("missing-column.csv:1:") && err.contains("\"Title\" column"),
        "{err}"
    );
    let (code, _, err) = trendd(
        &e.cfg,
        &e.state,
        &[
            "library",
            "import",
            &fixture("ids.txt"),
            "--format",
            "endnote",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("--format \"endnote\""), "{err}");
}

fn for_you(e: &Env, out: &str) -> Vec<Value> {
    let (code, _, err) = trendd(
        &e.cfg,
        &e.state,
        &["digest", "--now", "--no-fetch", "--dry-run", "--out", out],
    );
    assert_eq!(code, 0, "{err}");
    let d: Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(out).join("digest.json")).unwrap())
            .unwrap();
    support::digest_entries(&d).into_iter().cloned().collect()
}

#[test]
fn the_library_and_ratings_steer_the_digest_and_say_why() {
    let e = setup("");
    let lib = e.root.join("lib.bib");
    std::fs::write(
        &lib,
        "@article{a, title = {Denoising diffusion models for images}, abstract = {A diffusion model generates images by denoising.}, author = {Doe, Jane}}\n",
    )
    .unwrap();
    let (code, _, err) = trendd(
        &e.cfg,
        &e.state,
        &["library", "import", lib.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let out = e.root.join("o1");
    let items = for_you(&e, out.to_str().unwrap());
    let top: Vec<&str> = items
        .iter()
        .take(3)
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    let diffusion = [
        "arxiv:2612.00001",
        "arxiv:2612.00002",
        "arxiv:2612.00005",
        "arxiv:2612.00007",
    ];
    assert!(top.iter().all(|k| diffusion.contains(k)), "{top:?}");
    assert!(
        items.iter().any(|i| i["why"]
            .as_str()
            .unwrap()
            .contains("like 'Denoising diffusion models for images' that you liked")),
        "{items:?}"
    );
    // A 👎 on the diffusion papers and a 👍 on the graph ones turn the digest around.
    let (code, _, err) = trendd(
        &e.cfg,
        &e.state,
        &["feedback", "down", "2612.00001", "2612.00002", "2612.00005"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = trendd(
        &e.cfg,
        &e.state,
        &["feedback", "up", "2612.00003", "2612.00004"],
    );
    assert_eq!(code, 0, "{err}");
    let items = for_you(&e, e.root.join("o2").to_str().unwrap());
    let first = items[0]["key"].as_str().unwrap();
    assert!(
        [
            "arxiv:2612.00006",
            "arxiv:2612.00008",
            "arxiv:2612.00003",
            "arxiv:2612.00004"
        ]
        .contains(&first),
        "{items:?}"
    );
}

/// More of both kinds, so a digest has more candidates than its budget holds.
const MORE: &[(&str, &str, &str)] = &[
    (
        "2612.00009",
        "Diffusion transformers for image generation",
        "A transformer backbone for denoising diffusion generates images.",
    ),
    (
        "2612.00010",
        "Graph attention for molecular property prediction",
        "Attention over molecular graphs predicts properties of molecules.",
    ),
    (
        "2612.00011",
        "Consistency models distilled from image diffusion",
        "Distilling diffusion models into one step image generation.",
    ),
    (
        "2612.00012",
        "Molecular docking with graph neural networks",
        "Graph neural networks score the binding of molecules.",
    ),
    (
        "2612.00013",
        "Image editing with diffusion inversion",
        "Inverting a diffusion model edits real images by denoising.",
    ),
    (
        "2612.00014",
        "Crystal graphs for materials and molecules",
        "Graph networks over crystal and molecular graphs predict energies.",
    ),
    (
        "2612.00015",
        "Super resolution of images by diffusion",
        "A diffusion model denoises low resolution images into sharp images.",
    ),
    (
        "2612.00016",
        "Retrosynthesis over molecular graphs",
        "Predicting reactions as edits of molecular graphs of molecules.",
    ),
];

#[test]
fn once_rated_enough_the_digest_is_not_padded_with_papers_the_reader_would_not_like() {
    let e = setup("");
    let all: Vec<_> = PAPERS.iter().chain(MORE).copied().collect();
    std::fs::write(e.root.join("listing.xml"), feed(&all, &day())).unwrap();
    // Three minutes hold about twelve entries: more than the eight diffusion papers.
    let cfg = std::fs::read_to_string(&e.cfg).unwrap();
    std::fs::write(
        &e.cfg,
        cfg.replace("max_age_days = 2", "max_age_days = 2\nminutes = 3"),
    )
    .unwrap();
    let (code, _, err) = trendd(&e.cfg, &e.state, &["fetch"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = trendd(
        &e.cfg,
        &e.state,
        &[
            "feedback",
            "up",
            "2612.00001",
            "2612.00002",
            "2612.00005",
            "2612.00007",
            "2612.00009",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = trendd(
        &e.cfg,
        &e.state,
        &["feedback", "down", "2612.00003", "2612.00004", "2612.00006"],
    );
    assert_eq!(code, 0, "{err}");
    let out = e.root.join("o");
    let items = for_you(&e, out.to_str().unwrap());
    let keys: Vec<&str> = items.iter().map(|i| i["key"].as_str().unwrap()).collect();
    let graph = [
        "00003", "00004", "00006", "00008", "00010", "00012", "00014", "00016",
    ];
    let shown_graph = keys
        .iter()
        .filter(|k| graph.iter().any(|g| k.ends_with(g)))
        .count();
    assert!(keys.len() >= 6, "{keys:?}");
    assert_eq!(shown_graph, 0, "{keys:?}");
    let d: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("digest.json")).unwrap()).unwrap();
    assert!(d["estimated_seconds"].as_u64().unwrap() < d["budget_seconds"].as_u64().unwrap());
    let note = d["taste_note"].as_str().unwrap_or_default();
    assert!(note.contains("left out of For you"), "{d}");
    let text = std::fs::read_to_string(out.join("digest.txt")).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("your ratings say you would not like"),
        "{text}"
    );
    // An author on every paper, liked and disliked alike, is no reason.
    assert!(!flat.contains("papers by Ada Lovelace"), "{text}");
    // Without ratings the same candidates fill the budget as before.
    let (code, _, err) = trendd(
        &e.cfg,
        &e.state,
        &[
            "feedback",
            "clear",
            "2612.00003",
            "2612.00004",
            "2612.00006",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let out2 = e.root.join("o2");
    let items = for_you(&e, out2.to_str().unwrap());
    let d: Value =
        serde_json::from_str(&std::fs::read_to_string(out2.join("digest.json")).unwrap()).unwrap();
    assert!(d.get("taste_note").is_none(), "{d}");
    assert!(items.len() > keys.len(), "{items:?}");
}

#[test]
fn exclude_still_wins_over_the_model() {
    let e = setup("");
    trendd(
        &e.cfg,
        &e.state,
        &["feedback", "up", "2612.00001", "2612.00002"],
    );
    let cfg = std::fs::read_to_string(&e.cfg)
        .unwrap()
        .replace("keywords = []", "keywords = []\nexclude = [\"video\"]");
    std::fs::write(&e.cfg, cfg).unwrap();
    let items = for_you(&e, e.root.join("o").to_str().unwrap());
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|i| i["key"] != "arxiv:2612.00007"),
        "{items:?}"
    );
}

#[test]
fn entries_carry_signed_feedback_links_only_with_a_base_url() {
    let e = setup("[web]\nbase_url = \"https://trendd.example.org/\"");
    let out = e.root.join("o");
    let items = for_you(&e, out.to_str().unwrap());
    let html = std::fs::read_to_string(out.join("digest.html")).unwrap();
    let text = std::fs::read_to_string(out.join("digest.txt")).unwrap();
    let secret = Secret::load_or_create(&e.state).unwrap();
    let key = items[0]["key"].as_str().unwrap();
    let tokens: Vec<&str> = html
        .split("https://trendd.example.org/f/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(tokens.len(), 2 * items.len(), "{html}");
    let c = secret.verify(tokens[0]).expect("the first link verifies");
    assert_eq!(c.key, key);
    assert_eq!(c.vote, trendd::learn::Vote::Up);
    assert_eq!(
        secret.verify(tokens[1]).unwrap().vote,
        trendd::learn::Vote::Down
    );
    assert!(
        text.contains("👍 more like this: https://trendd.example.org/f/"),
        "{text}"
    );

    let plain = setup("");
    let out = plain.root.join("o");
    for_you(&plain, out.to_str().unwrap());
    assert!(!std::fs::read_to_string(out.join("digest.html"))
        .unwrap()
        .contains("/f/"));
}

#[test]
fn a_base_url_that_is_not_http_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[web]\nbase_url = \"ftp://example.org\"\n").unwrap();
    let (code, _, err) = trendd(&cfg, &dir.path().join("s"), &["config", "check"]);
    assert_eq!(code, 1);
    assert!(err.contains("web.base_url"), "{err}");
}
