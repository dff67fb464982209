//! Rendering tests: structure, hostile input rendered inert, Slack limits, the JSON contract.

use std::sync::LazyLock;

use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use regex::Regex;
use serde_json::Value;

use super::slack::{py_json_len, MAX_BLOCKS, MAX_BLOCK_JSON, MAX_HEADER, MAX_TEXT};
use crate::compose::{Digest, DigestEntry, Health, Section};

/// The black-box check's test for live markup, and a wider one for event-handler attributes.
static ACTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<script|onerror\s*=|href=["']?\s*(javascript|data):"#).unwrap()
});
static ON_ATTR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bon[a-z]+\s*=").unwrap());
const BIDI: &[char] = &[
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}',
];

fn entry(key: &str, title: &str, url: Option<&str>, summary: &str, kind: &str) -> DigestEntry {
    DigestEntry {
        key: key.into(),
        title: title.into(),
        url: url.map(Into::into),
        summary: summary.into(),
        summary_by: "extractive".into(),
        why: "142 upvotes on Hugging Face · matches 'diffusion'".into(),
        sources: vec!["arXiv cs.LG".into(), "Hugging Face papers".into()],
        estimated_seconds: 60,
        authors: "A. Author, B. Author et al.".into(),
        kind: kind.into(),
        ..Default::default()
    }
}

fn digest(sections: Vec<Section>) -> Digest {
    Digest {
        date: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        budget_seconds: 600,
        estimated_seconds: 530,
        sections,
        source_health: vec![
            Health {
                name: "arxiv".into(),
                ok: true,
                error: None,
                since: None,
                ..Default::default()
            },
            Health {
                name: "paperswithcode".into(),
                ok: false,
                error: Some("HTTP 503 Service Unavailable".into()),
                since: Some(Utc.with_ymd_and_hms(2026, 11, 20, 7, 0, 0).unwrap()),
                ..Default::default()
            },
        ],
        arxiv_note: Some("No arXiv listing on Saturdays and Sundays.".into()),
        trend: Default::default(),
        summary_note: None,
        taste_note: Some("3 more papers of the day left out of For you: your ratings say you would not like them.".into()),
        generated_at: Utc.with_ymd_and_hms(2026, 11, 22, 6, 30, 0).unwrap(),
        settings_hint: "To change or stop this digest, edit the [[deliver]] blocks of trendd.toml."
            .into(),
        feedback_links: Default::default(),
    }
}

fn sample() -> Digest {
    digest(vec![
        Section {
            title: "Trending".into(),
            items: vec![
                entry(
                    "2611.01234",
                    "Scaling Diffusion Transformers to Long Videos",
                    Some("https://arxiv.org/abs/2611.01234"),
                    "A diffusion transformer trained on 10M clips generates minute-long videos with consistent characters.",
                    "paper",
                ),
                entry(
                    "2611.04321",
                    "Reasoning with Small Language Models & Tools",
                    Some("https://huggingface.co/papers/2611.04321"),
                    "Tool use lets a 1B model match a 7B one on math word problems.",
                    "paper",
                ),
            ],
            ..Default::default()
        },
        Section {
            title: "For you".into(),
            items: vec![entry(
                "doi:10.1000/xyz",
                "Graph Networks for Weather",
                None,
                "A graph network forecasts ten days ahead.",
                "paper",
            )],
            ..Default::default()
        },
        Section {
            title: "Blogs".into(),
            items: vec![DigestEntry {
                authors: String::new(),
                sources: vec!["Distill".into()],
                ..entry("https://example.org/post", "What attention heads do", Some("https://example.org/post?id=2&x=1"), "An essay on induction heads.", "post")
            }],
            ..Default::default()
        },
    ])
}

fn hostile() -> Digest {
    let long_word = "A".repeat(10_000);
    let long_summary = "word ".repeat(10_000);
    let items = vec![
        entry("h1", "<script>alert(1)</script>Diffusion models that steal cookies", Some("javascript:alert(document.cookie)"),
              "<img src=x onerror=alert(2)><script>alert(3)</script>We propose a diffusion model. <a href=\"javascript:alert(4)\">click</a>", "post"),
        entry("h2", "Subject line\r\nBcc: victim@example.org", Some("https://example.org/post?utm_source=x&id=2"),
              "A post with \u{202E}reversed text and a data link <a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==\">x</a>", "post"),
        entry("h3", "\"onmouseover=\"x", Some("data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg=="), "onerror = alert(7) href=javascript:alert(8)", "post"),
        entry("h4", "<img src=x onerror=alert(2)>", Some("https://x.org/\"onmouseover=\"alert(1)"), &long_summary, "paper"),
        entry("h5", &long_word, Some(" JavaScript:alert(1)"), &long_word, "paper"),
        entry("h6", "", Some("vbscript:msgbox"), "", "paper"),
        DigestEntry {
            authors: "<b onclick=alert(1)>Mallory</b>\u{2066}".into(),
            why: "<script>x</script>".into(),
            sources: vec!["<svg onload=alert(1)>".into()],
            ..entry("h7", "<scr\u{202E}ipt src=//evil>", Some("https://evil.example/a|b"), "<scri<script>pt>alert(9)</script>", "post")
        },
    ];
    let mut d = digest(vec![Section {
        title: "<i>Blogs</i>\u{202E}".into(),
        items,
        ..Default::default()
    }]);
    d.source_health[1].error = Some("<script>alert('err')</script>\r\nBcc: x@y".into());
    d.arxiv_note = Some("<img src=x onerror=alert(1)>".into());
    d
}

/// Every text object in a Slack message.
fn slack_texts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(t)) = o.get("text") {
                out.push(t.clone());
            }
            o.values().for_each(|x| slack_texts(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| slack_texts(x, out)),
        _ => {}
    }
}

fn assert_html_inert(h: &str) {
    assert!(
        !ACTIVE.is_match(h),
        "active markup in html: {:?}",
        ACTIVE.find(h)
    );
    assert!(
        !ON_ATTR.is_match(h),
        "event attribute text in html: {:?}",
        ON_ATTR.find(h)
    );
    assert!(!h.contains(BIDI), "bidi override in html");
    // Parsed as a browser would: no script, no event handler, only http(s) links.
    let doc = scraper::Html::parse_document(h);
    for el in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let name = el.value().name();
        assert!(
            matches!(
                name,
                "html"
                    | "head"
                    | "meta"
                    | "title"
                    | "style"
                    | "body"
                    | "div"
                    | "table"
                    | "tr"
                    | "td"
                    | "tbody"
                    | "p"
                    | "h1"
                    | "h2"
                    | "a"
                    | "ul"
                    | "li"
                    | "strong"
                    | "span"
            ),
            "unexpected element <{name}>"
        );
        for (attr, value) in el.value().attrs() {
            assert!(!attr.starts_with("on"), "event handler {attr} on <{name}>");
            if attr == "href" {
                assert!(
                    value.starts_with("https://") || value.starts_with("http://"),
                    "href {value}"
                );
            }
        }
    }
}

fn assert_text_inert(t: &str) {
    assert!(
        !ACTIVE.is_match(t),
        "active markup in text: {:?}",
        ACTIVE.find(t)
    );
    assert!(!t.contains('\r') && !t.contains(BIDI));
    assert!(
        !t.chars().any(|c| c.is_control() && c != '\n'),
        "control character in text"
    );
    assert!(
        !Regex::new(r"(?m)^\s*Bcc:").unwrap().is_match(t),
        "header-looking line in text"
    );
}

fn assert_slack_ok(v: &Value) {
    assert!(
        v["text"].as_str().is_some_and(|t| !t.is_empty()),
        "no fallback text"
    );
    let blocks = v["blocks"].as_array().expect("blocks");
    assert!(
        !blocks.is_empty() && blocks.len() <= MAX_BLOCKS,
        "{} blocks",
        blocks.len()
    );
    for b in blocks {
        let n = py_json_len(b);
        assert!(
            n <= MAX_BLOCK_JSON,
            "block of {n} bytes: {}",
            &b.to_string()[..200.min(b.to_string().len())]
        );
        let mut texts = Vec::new();
        slack_texts(b, &mut texts);
        for t in &texts {
            assert!(
                t.encode_utf16().count() <= MAX_TEXT,
                "text of {} units",
                t.encode_utf16().count()
            );
            assert!(!t.contains(BIDI) && !t.contains('\r'));
            assert!(
                !ACTIVE.is_match(t) && !ON_ATTR.is_match(t),
                "active text in slack: {t:.200}"
            );
            // Every `<` opens one of our links, to an http(s) URL.
            for (i, _) in t.match_indices('<') {
                assert!(
                    t[i..].starts_with("<http://") || t[i..].starts_with("<https://"),
                    "stray < in {t:.200}"
                );
            }
        }
        if b["type"] == "header" {
            assert!(b["text"]["text"].as_str().unwrap().chars().count() <= MAX_HEADER);
        }
    }
}

#[test]
fn html_is_a_full_mobile_document() {
    let h = super::html(&sample());
    for needle in [
        "<!doctype html>",
        "<meta charset=\"utf-8\">",
        "name=\"viewport\" content=\"width=device-width, initial-scale=1\"",
        "max-width:600px",
        "overflow-wrap:anywhere",
        "About 9 min read · Sunday 22 November 2026",
        "<a href=\"https://arxiv.org/abs/2611.01234\"",
        "<a href=\"https://example.org/post?id=2&amp;x=1\"",
        "Reasoning with Small Language Models &amp; Tools",
        "A. Author, B. Author et al.",
        "142 upvotes on Hugging Face · matches &#39;diffusion&#39; · via arXiv cs.LG, Hugging Face papers",
        "paperswithcode: HTTP 503 Service Unavailable (failing since Fri 20 Nov 2026 07:00 UTC)",
        "No arXiv listing on Saturdays and Sundays.",
        "[[deliver]] blocks of trendd.toml",
    ] {
        assert!(h.contains(needle), "missing {needle:?}");
    }
    let (t, f, b) = (
        h.find(">Trending <").unwrap(),
        h.find(">For you <").unwrap(),
        h.find(">Blogs <").unwrap(),
    );
    assert!(t < f && f < b, "sections out of order");
    // The entry without a URL has a plain title.
    assert!(h.contains(">Graph Networks for Weather</p>"));
    assert_eq!(h.matches("<a ").count(), 3);
    assert!(
        h.find("About 9 min read").unwrap() < t,
        "reading time is not at the top"
    );
    assert_html_inert(&h);
}

#[test]
fn hostile_html_is_inert() {
    let d = hostile();
    let h = super::html(&d);
    assert_html_inert(&h);
    // The hostile texts are still shown, as text.
    assert!(h.contains("Diffusion models that steal cookies"));
    assert!(h.contains("Subject line Bcc: victim@example.org"));
    assert!(h.contains("(untitled)"));
    assert!(h.contains("&quot;onmouseover\u{FF1D}&quot;x"));
    // Only the http(s) URLs became links; the quote in one was percent-encoded by the URL parser.
    assert_eq!(h.matches("<a ").count(), 3, "{h}");
    assert!(h.contains("href=\"https://x.org/%22onmouseover%3D%22alert(1)\""));
    assert!(h.contains("href=\"https://evil.example/a%7Cb\""));
    // The 10,000-character title is cut; the 10,000-character summary word is kept and wraps.
    assert!(h.contains(&format!(">{}…</p>", "A".repeat(299))) && h.contains(&"A".repeat(10_000)));
}

#[test]
fn hostile_text_is_inert() {
    let t = super::text(&hostile());
    assert_text_inert(&t);
    assert!(t.contains("Diffusion models that steal cookies"));
    assert!(!t.contains("javascript:alert(document.cookie)") && !t.contains("data:text/html"));
    assert!(t.contains("https://example.org/post?utm_source=x&id=2"));
    // Wrapped: only URL lines may run past 76 columns, and even the 10,000-character word is cut.
    for line in t.lines() {
        assert!(
            line.chars().count() <= 76 || line.trim_start().starts_with("http"),
            "long line: {line:.100}"
        );
    }
}

#[test]
fn hostile_slack_is_inert_and_within_limits() {
    let v = super::slack(&hostile());
    assert_slack_ok(&v);
    let s = v.to_string();
    assert!(
        s.contains(
            "<https://example.org/post?utm_source=x&amp;id=2|Subject line Bcc: victim@example.org>"
        ),
        "{s:.3000}"
    );
    assert!(s.contains("<https://evil.example/a%7Cb|"));
    assert!(!s.contains("javascript:alert(document"));
}

#[test]
fn sample_text_reads_well() {
    let t = super::text(&sample());
    // For looking at the output by eye: TRENDD_RENDER_DUMP=DIR writes the renderings there.
    if let Some(dir) = std::env::var_os("TRENDD_RENDER_DUMP") {
        let dir = std::path::PathBuf::from(dir);
        let mut empty = sample();
        empty.sections.clear();
        for (name, body) in [
            ("sample.html", super::html(&sample())),
            ("sample.txt", t.clone()),
            ("hostile.html", super::html(&hostile())),
            ("hostile.txt", super::text(&hostile())),
            ("empty.html", super::html(&empty)),
            (
                "slack.json",
                serde_json::to_string_pretty(&super::slack(&hostile())).unwrap(),
            ),
        ] {
            std::fs::write(dir.join(name), body).unwrap();
        }
    }
    assert_text_inert(&t);
    for needle in [
        "About 9 min read · Sunday 22 November 2026",
        "TRENDING\n========",
        "1. Scaling Diffusion Transformers to Long Videos\n   https://arxiv.org/abs/2611.01234\n   A. Author, B. Author et al.",
        "Why: 142 upvotes on Hugging Face · matches 'diffusion'",
        "Sources: arXiv cs.LG, Hugging Face papers",
        "  - paperswithcode: HTTP 503 Service Unavailable (failing since Fri 20 Nov\n    2026 07:00 UTC)",
        "edit the [[deliver]] blocks of trendd.toml.",
    ] {
        assert!(t.contains(needle), "missing {needle:?} in\n{t}");
    }
    assert!(
        !t.contains('<') && !t.contains("&amp;"),
        "markup in text:\n{t}"
    );
    assert!(
        t.find("TRENDING").unwrap() < t.find("FOR YOU").unwrap()
            && t.find("FOR YOU").unwrap() < t.find("BLOGS").unwrap()
    );
    assert!(t.lines().all(|l| l.chars().count() <= 76));
}

#[test]
fn sample_slack_has_the_shape() {
    let v = super::slack(&sample());
    assert_slack_ok(&v);
    let blocks = v["blocks"].as_array().unwrap();
    let types: Vec<&str> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "header", "context", "header", "context", "section", "section", "divider", "header",
            "context", "section", "divider", "header", "context", "section", "divider", "context"
        ]
    );
    assert_eq!(
        blocks[0]["text"]["text"],
        "Your research digest · Sunday 22 November 2026"
    );
    assert!(blocks[1]["elements"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("About 9 min read"));
    let first = blocks[4]["text"]["text"].as_str().unwrap();
    assert!(
        first.starts_with(
            "*<https://arxiv.org/abs/2611.01234|Scaling Diffusion Transformers to Long Videos>*\n"
        ),
        "{first}"
    );
    assert!(blocks[5]["text"]["text"]
        .as_str()
        .unwrap()
        .contains("Small Language Models &amp; Tools"));
    assert!(blocks[9]["text"]["text"]
        .as_str()
        .unwrap()
        .starts_with("*Graph Networks for Weather*"));
    let footer = blocks.last().unwrap()["elements"][0]["text"]
        .as_str()
        .unwrap();
    assert!(
        footer.contains("failing since") && footer.contains("[[deliver]]"),
        "{footer}"
    );
    assert_eq!(v["text"], super::subject(&sample()));
}

#[test]
fn slack_two_hundred_entries_are_summarized() {
    let mut d = sample();
    for (n, s) in d.sections.iter_mut().enumerate() {
        let base = s.items[0].clone();
        s.items = (0..[120, 50, 30][n])
            .map(|i| DigestEntry {
                key: format!("{n}-{i}"),
                ..base.clone()
            })
            .collect();
    }
    assert_eq!(d.item_count(), 200);
    let v = super::slack(&d);
    assert_slack_ok(&v);
    let blocks = v["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), MAX_BLOCKS);
    let shown = blocks
        .iter()
        .filter(|b| b["type"] == "section" && b["text"]["text"].as_str().unwrap().starts_with('*'))
        .count();
    let more = blocks
        .iter()
        .find_map(|b| {
            b["text"]["text"]
                .as_str()
                .filter(|t| t.starts_with("…and "))
        })
        .expect("a '…and N more' block");
    assert_eq!(
        more,
        format!("…and {} more in the email/file digest", 200 - shown)
    );
    // At exactly the limit nothing is summarized.
    let mut d = sample();
    d.sections.truncate(1);
    let base = d.sections[0].items[0].clone();
    d.sections[0].items = (0..MAX_BLOCKS - 6)
        .map(|i| DigestEntry {
            key: i.to_string(),
            ..base.clone()
        })
        .collect();
    let v = super::slack(&d);
    assert_slack_ok(&v);
    assert_eq!(v["blocks"].as_array().unwrap().len(), MAX_BLOCKS);
    assert!(!v.to_string().contains("…and "));
}

#[test]
fn slack_huge_texts_are_shortened() {
    let emoji = "\u{1F600}".repeat(5_000);
    let cjk = "\u{8BBA}\u{6587}".repeat(5_000);
    let amp = "&<>".repeat(4_000);
    let url = format!("https://example.org/{}", "a".repeat(5_000));
    let mut d = sample();
    d.sections[0].items = vec![
        DigestEntry {
            authors: emoji.clone(),
            why: cjk.clone(),
            ..entry("1", &emoji, Some(&url), &cjk, "paper")
        },
        DigestEntry {
            authors: amp.clone(),
            why: amp.clone(),
            ..entry("2", &amp, Some("https://example.org/"), &amp, "paper")
        },
        entry(
            "3",
            "fine",
            Some("https://example.org/"),
            &"word ".repeat(10_000),
            "paper",
        ),
    ];
    d.sections[0].title = emoji.clone();
    d.source_health = (0..500)
        .map(|i| Health {
            name: format!("feed {i} {cjk:.40}"),
            ok: false,
            error: Some(amp.clone()),
            since: None,
            ..Default::default()
        })
        .collect();
    d.arxiv_note = Some(emoji.clone());
    let v = super::slack(&d);
    assert_slack_ok(&v);
    let texts: Vec<&str> = v["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["text"]["text"].as_str())
        .collect();
    assert!(
        texts.iter().any(|t| t.ends_with('…')),
        "nothing was shortened"
    );
    // A shortened text never ends inside an entity.
    let cut_entity = Regex::new(r"&[a-z]{0,3}…").unwrap();
    for t in &texts {
        assert!(!cut_entity.is_match(t), "{t:.100}");
    }
    // The long-word summary keeps most of its budget.
    let third = texts
        .iter()
        .find(|t| t.starts_with("*<https://example.org/|fine>*"))
        .unwrap();
    assert!(third.chars().count() > 2_000, "{}", third.chars().count());
    let footer = v["blocks"].as_array().unwrap().last().unwrap()["elements"][0]["text"]
        .as_str()
        .unwrap();
    assert!(footer.ends_with(&super::settings_hint(&d)), "{footer:.100}");
}

/// Our byte count must agree with the `json.dumps` that measures the blocks on the receiving side.
#[test]
fn py_json_len_agrees_with_python() {
    let mut d = hostile();
    d.sections[0].items.push(entry(
        "e",
        "\u{1F600} tab\there \\ \"q\" \u{8}\u{1} ü",
        Some("https://example.org/"),
        "\u{7F} é 论文",
        "post",
    ));
    let v = super::slack(&d);
    let blocks = v["blocks"].as_array().unwrap();
    let ours: Vec<usize> = blocks.iter().map(py_json_len).collect();
    let script =
        "import json,sys\nfor l in sys.stdin:\n    print(len(json.dumps(json.loads(l))))\n";
    let child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("python3 not found: skipping the json.dumps comparison");
        return;
    };
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        for b in blocks {
            writeln!(stdin, "{b}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let theirs: Vec<usize> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn empty_digest_says_nothing_new() {
    let mut d = sample();
    d.sections.clear();
    d.estimated_seconds = 0;
    let h = super::html(&d);
    assert!(h.contains("Nothing new since the last digest.") && h.contains("</html>"));
    assert!(!h.contains("min read"));
    assert_html_inert(&h);
    let t = super::text(&d);
    assert!(t.contains("Nothing new since the last digest."));
    let v = super::slack(&d);
    assert_slack_ok(&v);
    assert!(v.to_string().contains("Nothing new since the last digest."));
    assert_eq!(super::subject(&d), "trendd · Sun 22 Nov · nothing new");
}

#[test]
fn subject_is_one_short_line() {
    assert_eq!(
        super::subject(&sample()),
        "trendd · Sun 22 Nov · 3 papers, 1 post · 9 min"
    );
    let s = super::subject(&hostile());
    assert_eq!(s, "trendd · Sun 22 Nov · 3 papers, 4 posts · 9 min");
    let mut d = sample();
    d.sections.truncate(1);
    d.estimated_seconds = 61;
    assert_eq!(super::subject(&d), "trendd · Sun 22 Nov · 2 papers · 2 min");
    for s in [super::subject(&sample()), super::subject(&hostile())] {
        assert!(s.chars().count() <= 120 && !s.chars().any(char::is_control));
    }
}

#[test]
fn json_round_trips() {
    for d in [sample(), hostile()] {
        let j = super::json(&d);
        let back: Digest = serde_json::from_str(&j).unwrap();
        assert_eq!(back, d);
        let v: Value = serde_json::from_str(&j).unwrap();
        for k in [
            "date",
            "budget_seconds",
            "estimated_seconds",
            "sections",
            "source_health",
        ] {
            assert!(v.get(k).is_some(), "digest.json lacks {k}");
        }
        assert_eq!(v["date"], "2026-11-22");
    }
}

/// Text made of the pieces an injection is built from, shuffled with arbitrary characters.
fn nasty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<script>".to_string()),
        Just("</script>".to_string()),
        Just("<img src=x ".to_string()),
        Just("onerror=".to_string()),
        Just(" onload =".to_string()),
        Just("href=".to_string()),
        Just("javascript:".to_string()),
        Just("data:".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("<".to_string()),
        Just(">".to_string()),
        Just("&".to_string()),
        Just("|".to_string()),
        Just("\r\n".to_string()),
        Just("\u{202E}".to_string()),
        any::<char>().prop_map(String::from),
        "[a-zA-Z ]{0,6}",
    ];
    prop::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    #[test]
    fn arbitrary_feed_text_renders_inert(title in nasty(), summary in nasty(), url in nasty(), authors in nasty()) {
        let mut d = sample();
        d.sections[0].items[0] = DigestEntry { authors, ..entry("p", &title, Some(&url), &summary, "paper") };
        d.sections[1].items[0].url = Some(format!("https://example.org/{url}"));
        assert_html_inert(&super::html(&d));
        assert_text_inert(&super::text(&d));
        assert_slack_ok(&super::slack(&d));
        let s = super::subject(&d);
        prop_assert!(!s.contains('\r') && !s.contains('\n'));
    }
}

/// The black-box check's hostile feed, parsed without any cleaning and rendered: the check's own
/// regex finds nothing in the HTML or the text.
#[cfg_attr(
    shared_missing,
    ignore = "needs ../shared (recorded fixtures beside the checkout)"
)]
#[test]
fn shared_hostile_feed_renders_inert() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/checks/lib/hostile-feed.xml"
    );
    // Ignored without ../shared (build.rs); run anyway, it fails here with the reason.
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path} (needs ../shared): {e}"));
    let feed = feed_rs::parser::parse(&bytes[..]).expect("the hostile feed parses");
    let items: Vec<DigestEntry> = feed
        .entries
        .iter()
        .map(|e| DigestEntry {
            key: e.id.clone(),
            title: e
                .title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default(),
            url: e.links.first().map(|l| l.href.clone()),
            summary: e
                .summary
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default(),
            summary_by: "extractive".into(),
            why: "matches 'diffusion'".into(),
            sources: vec![feed
                .title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default()],
            estimated_seconds: 30,
            authors: String::new(),
            kind: "post".into(),
            ..Default::default()
        })
        .collect();
    assert_eq!(items.len(), 3);
    let d = digest(vec![Section {
        title: "Blogs".into(),
        items,
        ..Default::default()
    }]);
    let (h, t) = (super::html(&d), super::text(&d));
    assert_html_inert(&h);
    assert_text_inert(&t);
    assert!(!ACTIVE.is_match(&format!("{h}{t}")));
    assert_slack_ok(&super::slack(&d));
    assert!(
        h.contains("Normal post about graph neural networks")
            && t.contains("https://example.org/gnn")
    );
}
