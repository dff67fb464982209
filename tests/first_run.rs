//! A digest a reader trusts, end to end: a run that reaches no source stores no digest (exit 2, said
//! plainly) and the next one that reaches a source sends it; every entry carries its date, its links
//! and human source labels; a TL;DR post whose URL path is an arXiv id merges into the paper;
//! `config check` prints what is in effect and refuses an unset `password_env`.

mod support;

use serde_json::Value;
use std::path::Path;
use support::{trendd, Server};

/// An arXiv-API-shaped Atom feed of `n` papers published on `date` (YYYY-MM-DD).
fn arxiv_feed(n: usize, date: &str) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" \
         xmlns:arxiv=\"http://arxiv.org/schemas/atom\"><id>https://arxiv.org/api/t</id><title>t</title>\n",
    );
    for i in 0..n {
        let id = format!("2612.{:05}", 20000 + i);
        // Titles far apart, so the digest's near-duplicate test keeps them all.
        let topic = [
            "Sparse graph attention for molecules",
            "Streaming speech recognition on phones",
            "Robot grasping from one demonstration",
            "Protein folding with language priors",
            "Ten-day weather forecasts by diffusion",
            "Chess engines that explain their moves",
            "Federated tabular learning under drift",
            "Video tokenizers for world models",
        ][i % 8];
        s.push_str(&format!(
            "<entry><id>http://arxiv.org/abs/{id}v1</id><published>{date}T17:00:00Z</published>\
             <updated>{date}T17:00:00Z</updated><title>{topic}</title>\
             <summary>We propose a method for {topic}. It improves accuracy by {i} points \
             on three benchmarks.</summary><author><name>A. Author</name></author>\
             <link href=\"http://arxiv.org/abs/{id}v1\" rel=\"alternate\" type=\"text/html\"/>\
             <arxiv:primary_category term=\"cs.LG\"/><category term=\"cs.LG\"/></entry>\n"
        ));
    }
    s.push_str("</feed>\n");
    s
}

fn today() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

fn config(dir: &Path, url: &str) -> std::path::PathBuf {
    let p = dir.join("c.toml");
    std::fs::write(
        &p,
        format!(
            "[general]\ntimezone = \"UTC\"\n[http]\nretries = 0\nconnect_timeout_secs = 2\n\
             [digest]\nmax_age_days = 3\n\
             [[source]]\nkind = \"arxiv\"\nname = \"s001-arxiv-api\"\nurl = \"{url}\"\n\
             [[deliver]]\nkind = \"file\"\ndir = \"{}\"\n",
            dir.join("digests").display()
        ),
    )
    .unwrap();
    p
}

#[test]
fn no_source_reached_stores_no_digest_and_the_next_run_sends_it() {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    let server = Server::start(www.clone());
    let cfg = config(dir.path(), &server.url("listing.xml"));
    let state = dir.path().join("s");

    // The server answers 404 (the file is not there yet): every source fails.
    let (code, out, err) = trendd(&cfg, &state, &["digest", "--now"]);
    assert_eq!(code, 2, "{out}{err}");
    let said = format!("{out}{err}").to_lowercase();
    assert!(said.contains("could not reach any source"), "{said}");
    assert!(said.contains("proxy"), "{said}");
    assert!(
        !dir.path().join("digests").exists()
            || std::fs::read_dir(dir.path().join("digests"))
                .unwrap()
                .count()
                == 0,
        "a digest was written"
    );
    // Nor is anything recorded: --no-fetch on that store refuses the same way.
    let (code, out, _) = trendd(&cfg, &state, &["digest", "--now", "--no-fetch"]);
    assert_eq!(code, 2, "{out}");

    std::fs::write(www.join("listing.xml"), arxiv_feed(8, &today())).unwrap();
    let (code, out, err) = trendd(&cfg, &state, &["digest", "--now"]);
    assert_eq!(code, 0, "{out}{err}");
    let json = dir.path().join("digests").join(format!("{}.json", today()));
    assert!(
        err.contains(&format!(
            "written to {}",
            json.with_extension("html").display()
        )),
        "where it wrote the digest is not said:\n{err}"
    );
    let d: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let entries = support::digest_entries(&d);
    assert_eq!(entries.len(), 8);
    for e in &entries {
        assert_eq!(e["published"], today().as_str(), "{e}");
        let links: Vec<(&str, &str)> = e["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["label"].as_str().unwrap(), l["url"].as_str().unwrap()))
            .collect();
        assert!(
            links
                .iter()
                .any(|(l, u)| *l == "PDF" && u.starts_with("https://arxiv.org/pdf/2612.")),
            "{e}"
        );
        assert!(links.iter().any(|(l, _)| *l == "abstract"), "{e}");
        // The label, never the slug.
        assert_eq!(e["sources"], serde_json::json!(["arXiv"]), "{e}");
    }
    let sections = d["sections"].as_array().unwrap();
    let new: u64 = sections
        .iter()
        .map(|s| s["new_since_yesterday"].as_u64().unwrap())
        .sum();
    assert_eq!(new, 8, "every entry was first seen today");
    assert_eq!(d["source_health"][0]["label"], "arXiv");
    let html = std::fs::read_to_string(json.with_extension("html")).unwrap();
    assert!(html.contains("8 new since yesterday") || html.contains("new since yesterday"));
    assert!(
        !html.contains("s001-arxiv-api"),
        "a slug reached the reader"
    );
    // The config file has a [[deliver]] block, so the footer may point at it.
    assert!(html.contains("[[deliver]] blocks of"), "footer hint");
}

#[test]
fn a_tldr_post_whose_path_is_an_arxiv_id_merges_into_the_paper() {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("api.xml"), arxiv_feed(2, &today())).unwrap();
    let rss = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>TLDR</title><link>https://tldr.example.org</link>\
         <item><title>TL;DR: attention on sparse molecular graphs</title><link>https://tldr.example.org/p/2612.20000</link>\
         <guid>https://tldr.example.org/p/2612.20000</guid><description>A short summary.</description>\
         <pubDate>{}</pubDate></item></channel></rss>",
        chrono::Utc::now().to_rfc2822()
    );
    std::fs::write(www.join("tldr.xml"), rss).unwrap();
    let server = Server::start(www);
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[source]]\nkind = \"arxiv\"\nname = \"arxiv\"\nurl = \"{}\"\n\
             [[source]]\nkind = \"feed\"\nname = \"tldr\"\nurl = \"{}\"\n",
            server.url("api.xml"),
            server.url("tldr.xml")
        ),
    )
    .unwrap();
    let state = dir.path().join("s");
    let (code, out, err) = trendd(&cfg, &state, &["fetch"]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, items, _) = trendd(&cfg, &state, &["items", "--json"]);
    let items: Vec<Value> = items
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        items.len(),
        2,
        "the post is not an item of its own: {items:?}"
    );
    let paper = items
        .iter()
        .find(|i| i["arxiv_id"] == "2612.20000")
        .unwrap();
    let names: Vec<&str> = paper["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["arxiv", "tldr"]);
    assert_eq!(paper["kind"], "paper");
}

#[test]
fn config_check_prints_what_is_in_effect_and_refuses_an_unset_password_env() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[general]\ntimezone = \"\"\n").unwrap();
    let state = dir.path().join("state");
    let (code, out, err) = trendd(&cfg, &state, &["config", "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("timezone = \"\""), "{out}");
    assert!(!out.contains("state_dir = \"\""), "{out}");
    assert!(!out.contains("dir = \"\""), "{out}");
    let digests = state.join("digests");
    assert!(
        out.contains(&format!("dir = \"{}\"", digests.display())),
        "{out}"
    );
    assert!(
        out.contains(&format!("state_dir = \"{}\"", state.display())),
        "{out}"
    );

    std::fs::write(
        &cfg,
        "[[deliver]]\nkind = \"email\"\nhost = \"smtp.example.org\"\nusername = \"me\"\n\
         password_env = \"TRENDD_TEST_SURELY_UNSET_PW\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n",
    )
    .unwrap();
    let (code, out, err) = trendd(&cfg, &state, &["config", "check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("line 5")
            && err.contains("password_env")
            && err.contains("TRENDD_TEST_SURELY_UNSET_PW"),
        "{err}"
    );
}
