//! The web face as a reader's browser and feed reader meet it: the real `trendd digest --now` makes a
//! digest, the real `trendd serve` serves it on loopback, and an HTTP client reads every page, follows
//! a 👍 link (GET asks, POST records, undo removes), forges one, and pushes on the bounds (body size,
//! slow client, request rate). The store is opened again after the server stops to see what it kept.

mod web_support;

use std::io::{Read, Write};
use std::time::Duration;
use trendd::learn::{feedback, Vote, DEFAULT_READER};
use web_support::{feedback_links, papers, skip, Setup};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get(c: &reqwest::Client, url: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let r = c.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap())
}

async fn post(c: &reqwest::Client, url: &str) -> (u16, String) {
    let r = c.post(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Python feedparser's verdict on an Atom document: entry count, or None when feedparser is absent.
fn feedparser_entries(xml: &str) -> Option<usize> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("feed.atom");
    std::fs::write(&p, xml).unwrap();
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import sys, feedparser\n\
             f = feedparser.parse(open(sys.argv[1], 'rb').read())\n\
             assert not f.bozo, f.bozo_exception\n\
             assert f.version == 'atom10', f.version\n\
             assert f.feed.get('id') and f.feed.get('updated') and f.feed.get('author'), f.feed\n\
             for e in f.entries:\n    assert e.get('id') and e.get('updated') and e.get('link') and e.get('title'), e\n\
             print(len(f.entries))",
        )
        .arg(&p)
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("No module named 'feedparser'") {
        return None;
    }
    assert!(
        out.status.success(),
        "feedparser rejected the feed: {err}\n{xml}"
    );
    Some(String::from_utf8_lossy(&out.stdout).trim().parse().unwrap())
}

/// The Atom rules a W3C-style validator checks first, on the parsed document.
fn assert_valid_atom(xml: &str, entries: usize) {
    let f = feed_rs::parser::parse(xml.as_bytes()).expect("the feed parses");
    assert_eq!(f.feed_type, feed_rs::model::FeedType::Atom);
    assert!(!f.id.is_empty() && f.updated.is_some() && !f.authors.is_empty());
    assert!(f.links.iter().any(|l| l.rel.as_deref() == Some("self")));
    assert_eq!(f.entries.len(), entries);
    for e in &f.entries {
        assert!(
            url::Url::parse(&e.id).is_ok(),
            "entry id {:?} is not an IRI",
            e.id
        );
        assert!(e.updated.is_some() && e.title.is_some() && !e.links.is_empty());
    }
    match feedparser_entries(xml) {
        Some(n) => assert_eq!(n, entries),
        None => skip("python3 has no feedparser; Atom checked with feed-rs only"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_archive_digest_search_feed_bibtex_and_asks_before_recording() {
    let s = Setup::new("max_requests_per_second = 1000");
    s.digest();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();

    // The file channel writes feed.atom beside the dated files, for a reader without the web face.
    let file_feed = std::fs::read_to_string(s.files.join("feed.atom")).unwrap();
    assert_valid_atom(&file_feed, 1);
    assert!(file_feed.contains(&format!("{today}.html")));

    let srv = s.serve();
    let c = client();
    let (st, h, root) = get(&c, &srv.url("/")).await;
    assert_eq!(st, 200);
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert!(
        root.contains(&format!("href=\"/digests/{today}\"")),
        "{root}"
    );

    // The digest page: the email's HTML, one 👍 and one 👎 per entry, every feed text inert.
    let (st, _, day) = get(&c, &srv.url(&format!("/digests/{today}"))).await;
    assert_eq!(st, 200);
    let links = feedback_links(&day);
    let entries = day.matches("👍 More like this").count();
    assert!(entries >= 5, "{entries} entries");
    assert_eq!(links.len(), 2 * entries);
    assert!(
        !day.contains("<script"),
        "markup from a feed reached the page"
    );
    assert!(day.contains("Sparse attention for long-context language models"));

    let (st, _, bib) = get(&c, &srv.url(&format!("/digests/{today}.bib"))).await;
    assert_eq!(st, 200);
    assert_eq!(bib.matches("@misc{").count(), entries, "{bib}");
    assert!(bib.contains("archivePrefix = {arXiv}") && bib.contains("primaryClass = {cs.LG}"));
    assert!(bib.contains("eprint = {2612.40000}"), "{bib}");

    let (st, h, feed) = get(&c, &srv.url("/feed.atom")).await;
    assert_eq!(st, 200);
    assert!(h["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/atom+xml"));
    assert_valid_atom(&feed, 1);
    assert!(feed.contains(&format!("{}/digests/{today}", srv.base)));

    let (st, _, q) = get(&c, &srv.url("/items?q=diffusion+robot")).await;
    assert_eq!(st, 200);
    assert!(
        q.contains("Diffusion policies for robot manipulation"),
        "{q}"
    );
    assert!(
        !q.contains("Sparse attention"),
        "a paper without the words was listed"
    );
    let (st, _, q) = get(&c, &srv.url("/items?q=%3Cscript%3Ealert(1)%3C/script%3E")).await;
    assert_eq!(st, 200);
    assert!(
        !q.contains("<script>alert"),
        "the query came back as markup"
    );

    assert_eq!(get(&c, &srv.url("/digests/1999-01-01")).await.0, 404);
    assert_eq!(get(&c, &srv.url("/digests/not-a-date")).await.0, 404);
    assert_eq!(get(&c, &srv.url("/nowhere")).await.0, 404);

    // A 👍 link: GET only asks (and records nothing), POST records, undo removes, POST again.
    let up = srv.url(&links[0]);
    let (st, _, ask) = get(&c, &up).await;
    assert_eq!(st, 200);
    assert!(ask.contains("<form method=\"post\""), "{ask}");
    let (st, nothing) = post(&c, &format!("{up}/undo")).await;
    assert_eq!(st, 200);
    assert!(
        nothing.contains("Nothing to undo"),
        "the GET recorded something"
    );
    let (st, done) = post(&c, &up).await;
    assert_eq!(st, 200);
    assert!(
        done.contains("Recorded") && done.contains("Your recent ratings"),
        "{done}"
    );
    let (st, undone) = post(&c, &format!("{up}/undo")).await;
    assert_eq!(st, 200);
    assert!(undone.contains("Removed"), "{undone}");
    assert_eq!(post(&c, &up).await.0, 200);
    let (_, _, day_after) = get(&c, &srv.url(&format!("/digests/{today}"))).await;
    assert_eq!(
        day_after.matches("👍 More like this ✓").count(),
        1,
        "the page does not show the rating"
    );

    // Forged, cut short, or signed by another secret: 403, nothing recorded.
    let last = links[1].chars().last().unwrap();
    let forged = format!(
        "{}{}",
        &links[1][..links[1].len() - 1],
        if last == 'A' { 'B' } else { 'A' }
    );
    assert_eq!(post(&c, &srv.url(&forged)).await.0, 403);
    assert_eq!(get(&c, &srv.url(&forged)).await.0, 403);
    assert_eq!(
        post(&c, &srv.url(&links[1][..links[1].len() - 9])).await.0,
        403
    );
    assert_eq!(post(&c, &srv.url("/f/AAAA/undo")).await.0, 403);

    // A request body over the bound is refused before any handler reads it.
    let big = c.post(&up).body(vec![b'x'; 100_000]).send().await.unwrap();
    assert_eq!(big.status().as_u16(), 413);

    // No page shows the secret that signs the links, in any encoding.
    let secret = web_support::state_has_secret(&s.state);
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&secret);
    let std64 = base64::engine::general_purpose::STANDARD.encode(&secret);
    for page in [&root, &day, &bib, &feed, &ask, &done, &undone] {
        assert!(!page.contains(&hex) && !page.contains(&b64) && !page.contains(&std64));
    }

    assert!(srv.stop().success(), "serve did not exit 0 on SIGTERM");
    let store = trendd::store::Store::open(&s.state).unwrap();
    let ratings = feedback::list(&store, DEFAULT_READER).unwrap();
    assert_eq!(ratings.len(), 1, "{ratings:?}");
    let claimed = trendd::learn::token::Secret::load_or_create(&s.state)
        .unwrap()
        .verify(links[0].rsplit('/').next().unwrap())
        .unwrap();
    assert_eq!(ratings[0].key, claimed.key);
    assert_eq!(ratings[0].vote, Vote::Up);
    assert!(papers()
        .iter()
        .any(|p| ratings[0].key == format!("arxiv:{}", p.id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_is_cut_off_while_others_are_served_and_the_rate_is_bounded() {
    let s = Setup::new("client_timeout_secs = 1\nmax_requests_per_second = 2");
    let srv = s.serve();
    let addr = srv.base.trim_start_matches("http://").to_string();
    // Half a request line, then silence: the server must close the connection on its own.
    let mut slow = std::net::TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let c = client();
    assert_eq!(
        get(&c, &srv.url("/")).await.0,
        200,
        "a slow client held the server"
    );
    let mut buf = Vec::new();
    let read = slow.read_to_end(&mut buf);
    assert!(
        read.is_ok(),
        "the slow connection was still open after 30 s: {read:?}"
    );
    // Far more than 2 requests a second (burst 4): some are answered 429 with Retry-After.
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let r = c.get(srv.url("/feed.atom")).send().await.unwrap();
        if r.status().as_u16() == 429 {
            assert_eq!(r.headers()["retry-after"], "1");
        }
        statuses.push(r.status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 429),
        "{statuses:?}"
    );
    assert!(srv.stop().success());
}

#[test]
fn a_non_loopback_listen_address_must_be_asked_for() {
    let s = Setup::new("listen = \"0.0.0.0:8025\"");
    let out = s.trendd().args(["config", "check"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("web.listen") && err.contains("allow_remote"),
        "{err}"
    );
    assert!(err.contains("line 6"), "{err}");
    let s = Setup::new("listen = \"0.0.0.0:8025\"\nallow_remote = true");
    assert!(s
        .trendd()
        .args(["config", "check"])
        .output()
        .unwrap()
        .status
        .success());
    // `serve --listen` is held to the same rule.
    let s = Setup::new("");
    let out = s
        .trendd()
        .args(["serve", "--listen", "0.0.0.0:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a loopback address"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_serves_the_web_face_when_listen_is_set() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let s = Setup::new(&format!(
        "listen = \"127.0.0.1:{port}\"\n[schedule]\nfetch = \"0 0 1 1 *\"\ndigest = \"0 0 1 1 *\"\ncatch_up = false"
    ));
    let mut daemon = s
        .trendd()
        .arg("run")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let c = client();
    let url = format!("http://127.0.0.1:{port}/");
    let mut status = None;
    for _ in 0..600 {
        if let Ok(r) = c.get(&url).send().await {
            status = Some(r.status().as_u16());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(daemon.id() as libc::pid_t, libc::SIGTERM) };
    let exit = daemon.wait().unwrap();
    assert_eq!(status, Some(200), "the daemon did not serve {url}");
    assert!(exit.success(), "{exit:?}");
}
