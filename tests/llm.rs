//! TL;DRs by a model: the OpenAI-compatible backend against a real loopback HTTP server that speaks
//! the chat-completions protocol and fails in every way a model server fails (refused, slow, 401,
//! 429, 5xx, a body that is not JSON, an empty, over-long or cut answer). Each failure must give that
//! paper its extractive TL;DR, answers must be cached and never asked for twice, and no API key may
//! show anywhere. `real_model_server` runs against a real local model when TRENDD_LLM_TEST_URL is set.

#[path = "http_support/mod.rs"]
mod http_support;
mod support;

use http_support::{reply, serve, Req};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use trendd::store::Store;
use trendd::summarize::openai::OpenAi;
use trendd::summarize::{Extractive, Paper, Summarizer, Tldr};

const KEY: &str = "sk-test-3b9c71";

/// The paper's case, written into its abstract as `case:NAME`.
fn case_of(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let prompt: String = v["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|m| m["content"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    prompt
        .split_whitespace()
        .find_map(|w| w.strip_prefix("case:"))
        .map(|c| c.trim_end_matches(['.', ',']).to_string())
        .unwrap_or_default()
}

fn completion(content: &str, finish: &str) -> Vec<u8> {
    json!({"id": "t", "object": "chat.completion", "model": "test-model",
           "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                        "finish_reason": finish}]})
    .to_string()
    .into_bytes()
}

/// A model server: answers "Model TL;DR of NAME." unless the case says how to fail. Counts requests
/// per case and the most requests it ever held at once.
struct Model {
    server: http_support::Server,
    per_case: Arc<Mutex<HashMap<String, usize>>>,
    max_in_flight: Arc<AtomicUsize>,
}

async fn model_server() -> Model {
    let per_case: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let (pc, inf, mx) = (per_case.clone(), in_flight.clone(), max_in_flight.clone());
    let server = serve(move |req: Req, sock: TcpStream| {
        let (pc, inf, mx) = (pc.clone(), inf.clone(), mx.clone());
        async move {
            let now = inf.fetch_add(1, Ordering::SeqCst) + 1;
            mx.fetch_max(now, Ordering::SeqCst);
            let case = case_of(&req.body);
            let seen = {
                let mut m = pc.lock().unwrap();
                let n = m.entry(case.clone()).or_default();
                *n += 1;
                *n
            };
            answer(req, sock, &case, seen).await;
            inf.fetch_sub(1, Ordering::SeqCst);
        }
    })
    .await;
    Model {
        server,
        per_case,
        max_in_flight,
    }
}

async fn answer(req: Req, mut sock: TcpStream, case: &str, seen: usize) {
    let json = [("Content-Type", "application/json")];
    if req.header("authorization") != Some(&format!("Bearer {KEY}")) {
        // Like some real servers, it echoes what it got: that must not reach any message of ours.
        let body = format!(
            "{{\"error\":{{\"message\":\"Incorrect API key provided: {}\"}}}}",
            req.header("authorization").unwrap_or("")
        );
        return reply(&mut sock, "401 Unauthorized", &json, body.as_bytes()).await;
    }
    match case {
        "e401" => {
            let body = format!("{{\"error\":{{\"message\":\"key {KEY} revoked\"}}}}");
            reply(&mut sock, "401 Unauthorized", &json, body.as_bytes()).await
        }
        "e429" => {
            let h = [("Content-Type", "application/json"), ("Retry-After", "1")];
            reply(&mut sock, "429 Too Many Requests", &h, b"{}").await
        }
        "r429" if seen == 1 => {
            let h = [("Content-Type", "application/json"), ("Retry-After", "1")];
            reply(&mut sock, "429 Too Many Requests", &h, b"{}").await
        }
        "e500" => reply(&mut sock, "500 Internal Server Error", &json, b"{}").await,
        "e503" => reply(&mut sock, "503 Service Unavailable", &json, b"{}").await,
        "slow" => {
            tokio::time::sleep(Duration::from_secs(6)).await;
            reply(&mut sock, "200 OK", &json, &completion("Too late.", "stop")).await
        }
        "html" => reply(&mut sock, "200 OK", &[], b"<html>gateway says hello</html>").await,
        "empty" => reply(&mut sock, "200 OK", &json, &completion("  ", "stop")).await,
        "long" => {
            let text = "This answer goes on and on. ".repeat(40);
            reply(&mut sock, "200 OK", &json, &completion(&text, "stop")).await
        }
        "cut" => {
            let text = "The paper proposes a method that";
            reply(&mut sock, "200 OK", &json, &completion(text, "length")).await
        }
        name => {
            if name.starts_with("slowish") {
                // Long enough that requests overlap when the client allows it.
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            let text = format!("Model TL;DR of {name}.");
            reply(&mut sock, "200 OK", &json, &completion(&text, "stop")).await
        }
    }
}

fn paper(case: &str) -> Paper {
    // Titles differ in their topic words, so a digest's diversity step keeps them all.
    let topic = match case {
        "alpha" => "sparse attention for long documents",
        "e500" => "graph networks for molecules",
        "beta" => "diffusion models for speech",
        "html" => "reinforcement learning on robots",
        "gamma" => "federated optimization under privacy",
        "slow" => "vision transformers for satellites",
        _ => "robust training",
    };
    Paper {
        key: format!("key-{case}"),
        title: format!("Paper {case}: {topic}"),
        abstract_text: format!(
            "We propose a robust training method for case:{case} networks. \
             It improves accuracy on four benchmarks by three points."
        ),
    }
}

/// A backend for `url`, its key in a variable of its own (tests run in parallel); `extra` lines
/// replace the defaults of the same key.
fn backend(url: &str, extra: &str, store: &Store, var: &str) -> OpenAi {
    std::env::set_var(var, KEY);
    let defaults = format!(
        "kind = \"openai\"\nurl = \"{url}\"\nmodel = \"test-model\"\napi_key_env = \"{var}\"\n\
         language = \"ko\"\ntimeout_secs = 4\nmax_items = 20\nconcurrency = 4\n"
    );
    let key = |l: &str| l.split('=').next().unwrap_or_default().trim().to_string();
    let overridden: Vec<String> = extra.lines().map(key).collect();
    let mut toml = String::from("[summarizer]\n");
    for l in defaults.lines().filter(|l| !overridden.contains(&key(l))) {
        toml.push_str(l);
        toml.push('\n');
    }
    toml.push_str(extra);
    let cfg = trendd::config::parse_str(&toml, "test.toml").unwrap();
    let mut http = http_support::cfg();
    http.retries = 1;
    OpenAi::new(
        &cfg.summarizer,
        http_support::client(&http),
        Some(store.clone()),
    )
}

fn extractive(p: &Paper) -> String {
    Extractive.summarize(Some(&p.title), &p.abstract_text)
}

fn assert_fallback(p: &Paper, t: &Tldr, why: &str) {
    assert_eq!(t.by, "extractive", "{}: {t:?}", p.key);
    assert_eq!(t.text, extractive(p), "{}", p.key);
    let f = t.failure.as_deref().unwrap_or_default();
    assert!(f.contains(why), "{}: {f:?} should say {why:?}", p.key);
    assert!(!f.contains(KEY), "{f}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_falls_back_to_the_extractive_tldr() {
    let model = model_server().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let url = model.server.url("/v1/chat/completions");
    let b = backend(&url, "", &store, "TRENDD_TEST_KEY_FAULTS");
    let cases = [
        ("ok", ""),
        ("r429", ""),
        ("e401", "refused the API key (HTTP 401)"),
        ("e429", "HTTP 429"),
        ("e500", "answered HTTP 500"),
        ("e503", "answered HTTP 503"),
        ("slow", "timed out"),
        ("html", "not the expected JSON"),
        ("empty", "empty answer"),
        ("long", "over-long answer"),
        ("cut", "over-long answer"),
    ];
    let papers: Vec<Paper> = cases.iter().map(|(c, _)| paper(c)).collect();
    let out = b.summarize_batch(&papers).await;
    assert_eq!(out.len(), papers.len());
    for ((case, why), (p, t)) in cases.iter().zip(papers.iter().zip(&out)) {
        if why.is_empty() {
            assert_eq!(t.text, format!("Model TL;DR of {case}."), "{t:?}");
            assert_eq!(t.by, "openai:test-model");
            assert_eq!(t.failure, None);
        } else {
            assert_fallback(p, t, why);
        }
    }
    // A 429 with Retry-After was waited out and asked again; 5xx were retried once.
    let per_case = model.per_case.lock().unwrap().clone();
    assert_eq!(per_case["r429"], 2, "{per_case:?}");
    assert_eq!(per_case["e500"], 2, "{per_case:?}");
    assert_eq!(per_case["ok"], 1, "{per_case:?}");
    // Every request carried the key as a bearer token and asked for Korean.
    for r in model.server.requests() {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["model"], "test-model");
        assert!(body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("Korean (ko)"));
    }

    // A server that refuses connections: every paper falls back, the run goes on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let refused = backend(
        &format!("http://127.0.0.1:{port}/v1/chat/completions"),
        "",
        &store,
        "TRENDD_TEST_KEY_REFUSED",
    );
    let p = [paper("anything")];
    let out = refused.summarize_batch(&p).await;
    assert_fallback(&p[0], &out[0], "refused the connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_cached_and_never_sent_twice() {
    let model = model_server().await;
    let dir = tempfile::tempdir().unwrap();
    let url = model.server.url("/v1/chat/completions");
    let papers = [paper("alpha"), paper("beta"), paper("e500")];
    {
        let store = Store::open(dir.path()).unwrap();
        let b = backend(&url, "", &store, "TRENDD_TEST_KEY_CACHE");
        let first = b.summarize_batch(&papers).await;
        assert_eq!(first[0].text, "Model TL;DR of alpha.");
        // Same backend again: the answered ones come from the cache, the failed one is asked again.
        let again = b.summarize_batch(&papers).await;
        assert_eq!(again[..2], first[..2]);
        let per_case = model.per_case.lock().unwrap().clone();
        assert_eq!(
            (per_case["alpha"], per_case["beta"], per_case["e500"]),
            (1, 1, 4)
        );
    }
    // A new process on the same store: still cached.
    let store = Store::open(dir.path()).unwrap();
    let b = backend(&url, "", &store, "TRENDD_TEST_KEY_CACHE2");
    let later = b.summarize_batch(&papers[..2]).await;
    assert_eq!(later[1].text, "Model TL;DR of beta.");
    assert_eq!(later[1].by, "openai:test-model");
    assert_eq!(model.per_case.lock().unwrap()["beta"], 1);
    // Another language is another TL;DR.
    let en = backend(
        &url,
        "language = \"en\"\n",
        &store,
        "TRENDD_TEST_KEY_CACHE3",
    );
    en.summarize_batch(&papers[..1]).await;
    assert_eq!(model.per_case.lock().unwrap()["alpha"], 2);
    // The key is in no stored record.
    drop((b, en, store));
    for f in walk(dir.path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!contains(&bytes, KEY.as_bytes()), "{}", f.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_max_items_are_sent_with_bounded_concurrency() {
    let model = model_server().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let url = model.server.url("/v1/chat/completions");
    let b = backend(
        &url,
        "max_items = 5\nconcurrency = 2\n",
        &store,
        "TRENDD_TEST_KEY_LIMITS",
    );
    // Slow answers overlap, so the server sees the concurrency the client allows.
    let papers: Vec<Paper> = (0..12).map(|i| paper(&format!("slowish{i}"))).collect();
    let out = b.summarize_batch(&papers).await;
    assert_eq!(model.server.count(), 5);
    assert!(model.max_in_flight.load(Ordering::SeqCst) <= 2);
    let by_model = out.iter().filter(|t| t.by == "openai:test-model").count();
    assert_eq!(by_model, 5);
    // The rest keep their extractive TL;DR without counting as failures.
    for (p, t) in papers.iter().zip(&out).skip(5) {
        assert_eq!((t.by.as_str(), t.failure.as_ref()), ("extractive", None));
        assert_eq!(t.text, extractive(p));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_that_never_answers_costs_at_most_its_bound() {
    // Accepts and never writes a byte: every paper waits out its timeout and falls back.
    let silent = http_support::silent().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let b = backend(
        &silent.url("/v1/chat/completions"),
        "timeout_secs = 1\nconcurrency = 2\nmax_items = 3\n",
        &store,
        "TRENDD_TEST_KEY_SILENT",
    );
    assert_eq!(b.worst_case(3), Duration::from_secs(2));
    let papers: Vec<Paper> = (0..4).map(|i| paper(&format!("quiet{i}"))).collect();
    let out = b.summarize_batch(&papers).await;
    for (p, t) in papers.iter().zip(&out).take(3) {
        assert_fallback(p, t, "timed out");
    }
    assert_eq!(out[3].failure, None);
    assert!(silent.connections() <= 3, "{}", silent.connections());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unset_key_variable_sends_nothing() {
    let model = model_server().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let cfg = trendd::config::parse_str(
        &format!(
            "[summarizer]\nkind = \"openai\"\nurl = \"{}\"\nmodel = \"m\"\napi_key_env = \"TRENDD_TEST_KEY_NEVER_SET\"\n",
            model.server.url("/v1/chat/completions")
        ),
        "t.toml",
    )
    .unwrap();
    let b = OpenAi::new(
        &cfg.summarizer,
        http_support::client(&http_support::cfg()),
        Some(store),
    );
    let p = [paper("alpha")];
    let out = b.summarize_batch(&p).await;
    assert_fallback(&p[0], &out[0], "TRENDD_TEST_KEY_NEVER_SET is not set");
    assert_eq!(model.server.count(), 0);
}

/// The whole digest through the binary: model TL;DRs where the model answered, extractive ones where it
/// failed, `summary_by` on every entry, the credit in small print, the fallbacks counted in the footer,
/// nothing sent twice on a second run, and the key nowhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_carries_model_tldrs_and_counts_fallbacks() {
    let model = model_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cases = ["alpha", "e500", "beta", "html", "gamma", "slow"];
    let today = chrono::Utc::now().format("%a, %d %b %Y 00:00:00 +0000");
    let mut rss = String::from(
        r#"<?xml version="1.0"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel><title>cs.LG</title>"#,
    );
    for (i, c) in cases.iter().enumerate() {
        let id = format!("2612.{:05}", 30000 + i);
        let p = paper(c);
        rss.push_str(&format!(
            "<item><title>{}</title><link>https://arxiv.org/abs/{id}</link><description>arXiv:{id}v1 Announce Type: new\nAbstract: {}</description><guid>oai:arXiv.org:{id}v1</guid><category>cs.LG</category><pubDate>{today}</pubDate><dc:creator>Ada Lovelace</dc:creator></item>",
            p.title, p.abstract_text
        ));
    }
    rss.push_str("</channel></rss>");
    let listing = dir.path().join("listing.xml");
    std::fs::write(&listing, rss).unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[general]\ntimezone = \"UTC\"\n[digest]\nmax_age_days = 3\n[summarizer]\nkind = \"openai\"\n\
             url = \"{}\"\nmodel = \"test-model\"\napi_key_env = \"TRENDD_TEST_KEY_E2E\"\nlanguage = \"ko\"\n\
             timeout_secs = 2\n[[source]]\nkind = \"arxiv\"\nname = \"arxiv\"\nurl = \"file://{}\"\n",
            model.server.url("/v1/chat/completions"),
            listing.display()
        ),
    )
    .unwrap();
    let state = dir.path().join("s");
    let run = |args: Vec<String>| {
        let (config, state) = (config.clone(), state.clone());
        tokio::task::spawn_blocking(move || {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_trendd"))
                .env("TRENDD_TEST_KEY_E2E", KEY)
                .arg("--config")
                .arg(&config)
                .arg("--state-dir")
                .arg(&state)
                .arg("-v")
                .args(&args)
                .output()
                .unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            (out.status.code().unwrap_or(-1), text)
        })
    };
    let digest_args = |out: &std::path::Path| -> Vec<String> {
        ["digest", "--now", "--no-fetch", "--dry-run", "--out"]
            .iter()
            .map(|s| s.to_string())
            .chain([out.display().to_string()])
            .collect()
    };
    let (code, log_fetch) = run(vec!["fetch".into()]).await.unwrap();
    assert_eq!(code, 0, "{log_fetch}");
    let o1 = dir.path().join("o1");
    let (code, log1) = run(digest_args(&o1)).await.unwrap();
    assert_eq!(code, 0, "{log1}");
    let sent_first = model.server.count();

    let d: Value =
        serde_json::from_str(&std::fs::read_to_string(o1.join("digest.json")).unwrap()).unwrap();
    let entries = support::digest_entries(&d);
    assert_eq!(entries.len(), cases.len());
    for e in &entries {
        let title = e["title"].as_str().unwrap();
        let case = title
            .strip_prefix("Paper ")
            .and_then(|t| t.split(':').next())
            .unwrap();
        let p = paper(case);
        if ["e500", "html", "slow"].contains(&case) {
            assert_eq!(e["summary_by"], "extractive", "{e}");
            assert_eq!(e["summary"].as_str().unwrap(), extractive(&p), "{e}");
        } else {
            assert_eq!(e["summary_by"], "openai:test-model", "{e}");
            assert_eq!(e["summary"], format!("Model TL;DR of {case}."));
        }
    }
    let text = std::fs::read_to_string(o1.join("digest.txt")).unwrap();
    let html = std::fs::read_to_string(o1.join("digest.html")).unwrap();
    assert_eq!(text.matches("(TL;DR by test-model)").count(), 3, "{text}");
    assert!(html.contains("TL;DR by test-model"));
    let origin = format!("the model at {}", model.server.addr);
    let note = format!("3 TL;DRs by the offline summarizer: {origin}");
    assert!(text.contains(&note), "{text}");
    assert!(html.contains(&note));
    assert!(d["summary_note"].as_str().unwrap().contains("timed out"));

    // A second digest asks only for what failed before.
    let o2 = dir.path().join("o2");
    let (code, log2) = run(digest_args(&o2)).await.unwrap();
    assert_eq!(code, 0, "{log2}");
    let per_case = model.per_case.lock().unwrap().clone();
    for c in ["alpha", "beta", "gamma"] {
        assert_eq!(per_case[c], 1, "{c} was sent again: {per_case:?}");
    }
    assert!(model.server.count() > sent_first);

    // The key appears in no output, log, state file or digest.
    for s in [&log_fetch, &log1, &log2] {
        assert!(!s.contains(KEY));
    }
    for f in walk(dir.path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!contains(&bytes, KEY.as_bytes()), "{}", f.display());
    }
}

/// `trendd summarize` with `kind = "openai"`: the model's TL;DRs, extractive ones where it failed, the
/// count on stderr, and a second run served from the cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summarize_command_uses_the_configured_model() {
    let model = model_server().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[summarizer]\nkind = \"openai\"\nurl = \"{}\"\nmodel = \"test-model\"\n\
             api_key_env = \"TRENDD_TEST_KEY_CMD\"\ntimeout_secs = 3\nmax_items = 2\n",
            model.server.url("/v1/chat/completions")
        ),
    )
    .unwrap();
    let input = dir.path().join("in.jsonl");
    let cases = ["alpha", "e500", "beta"];
    let lines: Vec<String> = cases
        .iter()
        .map(|c| {
            let p = paper(c);
            json!({"id": c, "title": p.title, "abstract": p.abstract_text}).to_string()
        })
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let run = || {
        let (config, dir, input) = (config.clone(), dir.path().to_path_buf(), input.clone());
        tokio::task::spawn_blocking(move || {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_trendd"))
                .env("TRENDD_TEST_KEY_CMD", KEY)
                .arg("--config")
                .arg(&config)
                .arg("--state-dir")
                .arg(dir.join("s"))
                .args(["summarize", "--in"])
                .arg(&input)
                .output()
                .unwrap();
            assert!(out.status.success());
            let got: Vec<Value> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            (got, String::from_utf8_lossy(&out.stderr).to_string())
        })
    };
    let (got, err) = run().await.unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0]["tldr"], "Model TL;DR of alpha.");
    assert_eq!(got[1]["tldr"].as_str().unwrap(), extractive(&paper("e500")));
    assert_eq!(got[2]["tldr"], "Model TL;DR of beta.");
    assert!(
        err.contains("1 TL;DR by the offline summarizer") && err.contains("answered HTTP 500"),
        "{err}"
    );
    assert!(!err.contains(KEY));
    let (again, _) = run().await.unwrap();
    assert_eq!(again, got);
    let per_case = model.per_case.lock().unwrap().clone();
    assert_eq!(
        (per_case["alpha"], per_case["beta"]),
        (1, 1),
        "{per_case:?}"
    );
}

/// Against a real model server, when one is given: TRENDD_LLM_TEST_URL (a chat-completions URL such as
/// http://127.0.0.1:11434/v1/chat/completions), TRENDD_LLM_TEST_MODEL (default "qwen2.5:0.5b"),
/// TRENDD_LLM_TEST_LANGUAGE (default "en"). See the README for starting llama-server or Ollama.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a real model server: set TRENDD_LLM_TEST_URL and pass --ignored"]
async fn real_model_server() {
    let url = std::env::var("TRENDD_LLM_TEST_URL")
        .expect("real_model_server needs TRENDD_LLM_TEST_URL (a chat-completions URL)");
    let model = std::env::var("TRENDD_LLM_TEST_MODEL").unwrap_or_else(|_| "qwen2.5:0.5b".into());
    let lang = std::env::var("TRENDD_LLM_TEST_LANGUAGE").unwrap_or_else(|_| "en".into());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let cfg = trendd::config::parse_str(
        &format!(
            "[summarizer]\nkind = \"openai\"\nurl = \"{url}\"\nmodel = \"{model}\"\n\
             language = \"{lang}\"\ntimeout_secs = 120\nconcurrency = 1\n"
        ),
        "t.toml",
    )
    .unwrap();
    let mut http = http_support::cfg();
    http.timeout_secs = 120;
    let b = OpenAi::new(&cfg.summarizer, http_support::client(&http), Some(store));
    let papers = [Paper {
        key: "1706.03762".into(),
        title: "Attention Is All You Need".into(),
        abstract_text: "The dominant sequence transduction models are based on complex recurrent or \
            convolutional neural networks in an encoder-decoder configuration. We propose a new simple \
            network architecture, the Transformer, based solely on attention mechanisms, dispensing \
            with recurrence and convolutions entirely. Experiments on two machine translation tasks show \
            these models to be superior in quality while being more parallelizable and requiring \
            significantly less time to train."
            .into(),
    }];
    let started = std::time::Instant::now();
    let out = b.summarize_batch(&papers).await;
    eprintln!(
        "real model {model} ({lang}): {:?} in {} ms",
        out[0],
        started.elapsed().as_millis()
    );
    assert_eq!(out[0].failure, None, "{:?}", out[0]);
    assert_eq!(out[0].by, format!("openai:{model}"));
    assert!(!out[0].text.is_empty());
    // Asked once: the second time is the cache.
    let again = b.summarize_batch(&papers).await;
    assert_eq!(again[0].text, out[0].text);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
