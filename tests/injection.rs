//! Injection: feeds written to attack the renderers (markup, event handlers, javascript:/data: links,
//! CRLF + Bcc in titles, bidi overrides, Slack mrkdwn, terminal escapes, a 10,000-character word, a
//! 10,000-word summary, raw NUL and control bytes) go through the real binary by file://, and every
//! output of `digest --now --dry-run --out DIR` must be inert.

mod support;

use regex::Regex;
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::trendd;

fn hostile(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hostile"
    ))
    .join(name)
}

fn feed_config(dir: &Path, feeds: &[(&str, PathBuf)]) -> PathBuf {
    let mut cfg = String::from(
        "[general]\ntimezone = \"UTC\"\n\n[digest]\nmax_age_days = 100000\nmax_blogs = 30\n\n",
    );
    for (name, p) in feeds {
        cfg.push_str(&format!(
            "[[source]]\nkind = \"feed\"\nname = \"{name}\"\nurl = \"file://{}\"\n\n",
            p.display()
        ));
    }
    let path = dir.join("c.toml");
    std::fs::write(&path, cfg).unwrap();
    path
}

/// Every item of a digest.json.
fn items(d: &Value) -> Vec<&Value> {
    support::digest_entries(d)
}

/// The checks of `../shared/checks/digest` and more: no live markup, no script links, no control,
/// bidi or terminal-escape characters in any output.
fn assert_inert(what: &str, html: &str, txt: &str) {
    let live = Regex::new(r#"(?i)<script|<iframe|<svg|<img|onerror\s*=|onload\s*=|href=["']?\s*(javascript|data|vbscript):"#).unwrap();
    for (name, body) in [("digest.html", html), ("digest.txt", txt)] {
        if let Some(m) = live.find(body) {
            let at = body[..m.start()].chars().count();
            panic!(
                "{what}: {name} has live markup at char {at}: {:?}",
                &body[m.start()..(m.end() + 40).min(body.len())]
            );
        }
        let bad: Vec<char> = body
            .chars()
            .filter(|c| {
                (c.is_control() && !matches!(c, '\n' | '\t'))
                    || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            })
            .collect();
        assert!(
            bad.is_empty(),
            "{what}: {name} carries control/bidi characters {bad:?}"
        );
    }
    // Every href in the HTML is http(s).
    let href = Regex::new(r#"(?i)href\s*=\s*["']?([^"' >]*)"#).unwrap();
    for c in href.captures_iter(html) {
        let u = &c[1];
        assert!(
            u.starts_with("https://")
                || u.starts_with("http://")
                || u.starts_with("mailto:")
                || u.starts_with('#'),
            "{what}: href {u:?}"
        );
    }
}

fn assert_json_inert(what: &str, d: &Value) {
    for it in items(d) {
        let title = it["title"].as_str().unwrap_or_default();
        assert!(
            !title.contains('\r') && !title.contains('\n'),
            "{what}: CR/LF in a title: {title:?}"
        );
        assert!(
            !title
                .chars()
                .any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}')),
            "{what}: control/bidi in {title:?}"
        );
        if let Some(u) = it["url"].as_str() {
            assert!(
                u.starts_with("https://") || u.starts_with("http://"),
                "{what}: non-http link {u:?} for {title:?}"
            );
            assert!(
                !u.chars()
                    .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>'),
                "{what}: unencoded link {u:?}"
            );
        }
    }
}

/// Slack: ≤ 50 blocks, every text ≤ 3000 characters, and no mrkdwn control sequence made of feed text
/// (`<!channel>`, `<url|label>` pointing anywhere but the item's own link).
fn assert_slack_safe(what: &str, slack: &Value, d: &Value) {
    let blocks = slack["blocks"].as_array().expect("blocks");
    assert!(blocks.len() <= 50, "{what}: {} Slack blocks", blocks.len());
    let mut texts = Vec::new();
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    if k == "text" {
                        if let Some(s) = x.as_str() {
                            out.push(s);
                        }
                    }
                    walk(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(slack, &mut texts);
    assert!(!texts.is_empty(), "{what}: no Slack text at all");
    let own: Vec<&str> = items(d)
        .iter()
        .filter_map(|it| it["url"].as_str())
        .collect();
    let link = Regex::new(r"<([^>|]*)(\|[^>]*)?>").unwrap();
    for t in texts {
        assert!(
            t.chars().count() <= 3000,
            "{what}: a Slack text of {} chars",
            t.chars().count()
        );
        assert!(!t.contains("<!"), "{what}: Slack special mention in {t:?}");
        for c in link.captures_iter(t) {
            let target = &c[1];
            assert!(
                target.starts_with("http") && (own.contains(&target) || !target.contains("evil")),
                "{what}: Slack link to {target:?} made of feed text"
            );
        }
    }
}

#[test]
fn hostile_feed_renders_inert_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    // The digest takes at most two posts per blog, so each hostile entry comes as a feed of its own.
    let whole = std::fs::read_to_string(hostile("hostile.xml")).unwrap();
    let head = &whole[..whole.find("<item>").unwrap()];
    let mut feeds: Vec<(String, PathBuf)> = Vec::new();
    for (i, item) in whole.split("<item>").skip(1).enumerate() {
        let item = item.split("</item>").next().unwrap();
        let p = dir.path().join(format!("hostile-{i}.xml"));
        std::fs::write(
            &p,
            format!("{head}<item>{item}</item>\n</channel>\n</rss>\n"),
        )
        .unwrap();
        feeds.push((format!("hostile-{i}"), p));
    }
    assert_eq!(feeds.len(), 9);
    feeds.push(("control-bytes".into(), hostile("control-bytes.xml")));
    let named: Vec<(&str, PathBuf)> = feeds.iter().map(|(n, p)| (n.as_str(), p.clone())).collect();
    let cfg = feed_config(dir.path(), &named);
    let state = dir.path().join("state");
    let out = dir.path().join("out");
    let (code, stdout, stderr) = trendd(
        &cfg,
        &state,
        &[
            "digest",
            "--now",
            "--dry-run",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The digest printed to a terminal must not carry escapes either.
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}') && !stdout.contains('\0'),
        "terminal escapes in stdout"
    );

    let html = std::fs::read_to_string(out.join("digest.html")).unwrap();
    let txt = std::fs::read_to_string(out.join("digest.txt")).unwrap();
    let json_text = std::fs::read_to_string(out.join("digest.json")).unwrap();
    let d: Value = serde_json::from_str(&json_text).expect("digest.json parses");
    let all = items(&d);
    let from = |src: &str| {
        all.iter()
            .filter(|it| {
                it["sources"].as_array().is_some_and(|s| {
                    s.iter()
                        .any(|x| x.as_str().is_some_and(|x| x.starts_with(src)))
                })
            })
            .count()
    };
    eprintln!(
        "hostile items in the digest: {} from hostile.xml, {} from control-bytes.xml",
        from("hostile"),
        from("control-bytes")
    );
    // Hostile entries are kept (rendered harmless), not dropped wholesale.
    assert!(
        from("hostile") >= 7,
        "hostile.xml: only {} of 9 entries reached the digest:\n{json_text:.2000}",
        from("hostile")
    );
    assert_inert("hostile feed", &html, &txt);
    assert_json_inert("hostile feed", &d);

    // The 10,000-character word and 10,000-word summary are bounded in every output.
    let long = "A".repeat(2000);
    // HTML may carry a long word when its CSS wraps anywhere; plain text has no such help.
    let html_wraps = html.contains("overflow-wrap:anywhere");
    for (name, body) in [("digest.txt", &txt), ("digest.html", &html)] {
        if name == "digest.html" && html_wraps {
            continue;
        }
        if let Some(i) = body.find(&long) {
            let run = body[i..].chars().take_while(|c| *c == 'A').count();
            panic!("{name}: a {run}-character word goes through uncut (a phone-width layout cannot wrap it), after {:?}", &body[i.saturating_sub(120)..i]);
        }
    }
    for it in &all {
        let words = it["summary"]
            .as_str()
            .unwrap_or_default()
            .split_whitespace()
            .count();
        assert!(words <= 120, "a TL;DR of {words} words");
        // The budget counts words; a "word" of 10,000 characters must not pass for one.
        let chars = it["summary"].as_str().unwrap_or_default().chars().count();
        assert!(
            chars <= 1000,
            "a TL;DR of {words} words but {chars} characters: {:.120}…",
            it["summary"].as_str().unwrap()
        );
        assert!(
            it["title"].as_str().unwrap_or_default().chars().count() <= 1000,
            "a title of {} chars",
            it["title"].as_str().unwrap().len()
        );
    }
    assert!(
        txt.lines().all(|l| l.chars().count() <= 200),
        "digest.txt has a line over 200 chars (wrapping at 76 promised)"
    );

    // Slack blocks and the email subject, rendered by the library from the same digest.
    let digest: trendd::compose::Digest =
        serde_json::from_str(&json_text).expect("digest.json is the Digest contract");
    let slack = trendd::render::slack(&digest);
    assert_slack_safe("hostile feed", &slack, &d);
    let subject = trendd::render::subject(&digest);
    assert!(
        !subject.contains('\r') && !subject.contains('\n') && subject.chars().count() <= 120,
        "subject {subject:?}"
    );
    println!(
        "injection: {} items ({} hostile), html {} B, txt {} B, slack {} blocks; all inert",
        all.len(),
        from("hostile") + from("control-bytes"),
        html.len(),
        txt.len(),
        slack["blocks"].as_array().map_or(0, Vec::len)
    );
}

/// A header value built from hostile text (a subject template, a title) stays one header line.
#[test]
fn email_header_text_cannot_add_headers() {
    for s in [
        "Digest\r\nBcc: victim@example.org",
        "Digest\nBcc: v@x",
        "Digest\rBcc: v@x",
        "Digest\u{85}Bcc: v@x",
        "Digest\u{2028}Bcc: v@x",
        "D\0igest",
    ] {
        let h = trendd::deliver::sanitize_header(s);
        assert!(
            !h.chars()
                .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}'),
            "{s:?} -> {h:?}"
        );
    }
}

/// A feed with text before its XML declaration made feed-rs (through quick-xml) panic. One such feed
/// must cost only itself: the fetch goes on, the other sources are stored, the bad one is reported.
#[test]
fn a_feed_that_panics_the_parser_costs_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = feed_config(
        dir.path(),
        &[
            ("bad-decl", hostile("text-before-xml-decl.xml")),
            ("good", hostile("hostile.xml")),
        ],
    );
    let state = dir.path().join("state");
    let (code, out, err) = trendd(&cfg, &state, &["fetch"]);
    assert_eq!(
        code, 0,
        "fetch died on one bad feed (exit {code}):\n{out}\n{err}"
    );
    let good = out
        .lines()
        .find(|l| l.starts_with("good:"))
        .unwrap_or_default();
    assert!(
        good.contains("new ") && !good.contains("error"),
        "the good feed was not stored:\n{out}\n{err}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("bad-decl:")),
        "the bad feed is not reported:\n{out}"
    );
}
