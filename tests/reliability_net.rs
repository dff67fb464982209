//! What outside servers can do to trendd, with real servers on loopback and the real binary: a feed
//! redirecting to the machine's own services, a server's text with terminal escapes, a webhook that
//! echoes its own (secret) URL back.

mod http_support;
mod support_rel;

use http_support::{reply, serve};
use support_rel::{both, text, tree_contains, Env};

/// Runs a prepared command off the async runtime (the servers run on it).
async fn run(mut cmd: std::process::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("trendd runs"))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_feed_may_not_redirect_to_loopback_and_credentials_are_never_shown() {
    // The test server plays an HTTP proxy, so the feed's host is a public name (feeds.example) while
    // the bytes still come from loopback. Every request trendd makes, redirects included, reaches it.
    let port = std::sync::Arc::new(std::sync::atomic::AtomicU16::new(0));
    let p = port.clone();
    let server = serve(move |req, mut sock| {
        let port = p.load(std::sync::atomic::Ordering::SeqCst);
        async move {
            if req.path.contains("internal-admin") {
                reply(&mut sock, "200 OK", &[], b"the admin console").await;
                return;
            }
            let host = if req.path.contains("by-name") {
                "localhost"
            } else {
                "127.0.0.1"
            };
            let loc = format!("http://{host}:{port}/internal-admin");
            reply(&mut sock, "302 Found", &[("Location", &loc)], b"").await;
        }
    })
    .await;
    port.store(server.addr.port(), std::sync::atomic::Ordering::SeqCst);
    let env = Env::new("");
    std::fs::write(
        &env.config,
        format!(
            "[general]\ntimezone = \"UTC\"\n\n[[source]]\nkind = \"feed\"\nname = \"literal\"\nurl = \"http://reader:hunter2pass@feeds.example/feed.xml\"\n\n[[source]]\nkind = \"feed\"\nname = \"named\"\nurl = \"http://feeds.example/by-name.xml\"\n\n[[deliver]]\nkind = \"file\"\ndir = \"{}\"\n",
            env.out.display()
        ),
    )
    .unwrap();
    let proxy = format!("http://{}", server.addr);
    let mut cmd = env.cmd(&["-v", "fetch"]);
    cmd.env("HTTP_PROXY", &proxy)
        .env("http_proxy", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    let o = run(cmd).await;
    let seen: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        !seen.iter().any(|p| p.contains("internal-admin")),
        "a redirect reached a loopback service: {seen:?}\n{}",
        both(&o)
    );
    assert!(
        seen.iter().any(|p| p.contains("feeds.example")),
        "the feed itself was never asked for: {seen:?}\n{}",
        both(&o)
    );
    let out = text(&o.stdout);
    assert!(
        out.contains("redirect to http://127.0.0.1:") && out.contains("refused"),
        "the error does not name the refused URL:\n{}",
        both(&o)
    );
    assert!(
        out.contains("redirect to http://localhost:"),
        "{}",
        both(&o)
    );
    let mut status = env.cmd(&["status"]);
    status.env("HTTP_PROXY", &proxy);
    let st = run(status).await;
    for (what, o) in [("fetch", &o), ("status", &st)] {
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert!(
            !all.contains("hunter2pass") && !all.contains("reader:"),
            "{what} shows the URL's credentials:\n{}",
            both(o)
        );
    }
}

/// Text a hostile server puts where trendd shows it: terminal title, screen clear, a forged line.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\rFORGED: all sources ok\u{9b}31m";

fn has_controls(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_from_servers_cannot_drive_the_terminal() {
    let server = serve(|req, mut sock| async move {
        let body = if req.path.contains("api") {
            // The arXiv API's error entry, its summary full of escapes.
            format!("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>https://arxiv.org/api/errors#x</id><title>Error</title><summary>bad query {HOSTILE}</summary></entry></feed>")
        } else {
            format!("<rss version=\"2.0\"><channel><title>t</title><item><title>Paper {HOSTILE} title</title><link>https://blog.example/p/1</link><description>About it.</description></item></channel></rss>")
        };
        reply(&mut sock, "200 OK", &[("Content-Type", "application/xml")], body.as_bytes()).await;
    })
    .await;
    let env = Env::new("");
    std::fs::write(
        &env.config,
        format!(
            "[general]\ntimezone = \"UTC\"\n\n[[source]]\nkind = \"arxiv\"\nname = \"arxiv\"\nurl = \"{}\"\n\n[[source]]\nkind = \"feed\"\nname = \"blog\"\nurl = \"{}\"\n\n[[deliver]]\nkind = \"file\"\ndir = \"{}\"\n",
            server.url("/api/query"),
            server.url("/feed.xml"),
            env.out.display()
        ),
    )
    .unwrap();
    for args in [
        &["fetch"][..],
        &["status"],
        &["items"],
        &["fetch", "--source", "arxiv"],
    ] {
        let o = run(env.cmd(args)).await;
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        assert!(
            !has_controls(&out) && !has_controls(&err),
            "{args:?} printed control characters from a server:\n{out:?}\n{err:?}"
        );
        assert!(!err.contains("panicked"), "{}", both(&o));
        if args == ["status"] {
            assert!(
                out.contains("bad query"),
                "status does not show the error:\n{out}"
            );
        }
        if args == ["items"] {
            assert!(
                out.contains("Paper ]0;pwned"),
                "items lost the title:\n{out}"
            );
        }
    }
}

/// The distinctive part of the webhook's URL; a server that echoes it must not get it into a log
/// line or a stored receipt.
const TOKEN: &str = "T0SECRET/B0HOOK/xyzWebhookToken9931";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoed_webhook_url_reaches_no_log_line_and_no_stored_receipt() {
    // First answer 500 with the path echoed (the retry is logged at debug), then 200 echoing it again
    // (the reply becomes the stored receipt).
    let server = serve(|req, mut sock| async move {
        let (status, body) = match req.n {
            0 => (
                "500 Internal Server Error",
                format!("no_service for {}", req.path),
            ),
            _ => ("200 OK", format!("ok {}", req.path)),
        };
        reply(&mut sock, status, &[], body.as_bytes()).await;
    })
    .await;
    let hook = server.url(&format!("/services/{TOKEN}"));
    let env = Env::new(
        "\n[[deliver]]\nkind = \"slack\"\nwebhook_url_env = \"TRENDD_TEST_ECHO_WEBHOOK\"\n",
    );
    env.write_feed(&[("Speech recognition on device", chrono::Utc::now())]);
    let mut cmd = env.cmd(&["-vv", "digest", "--now"]);
    cmd.env("TRENDD_TEST_ECHO_WEBHOOK", &hook)
        .env("RUST_LOG", "trace");
    let o = run(cmd).await;
    assert!(o.status.success(), "{}", both(&o));
    assert_eq!(server.count(), 2, "the webhook was not retried once");
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    for secret in [TOKEN, "xyzWebhookToken9931", hook.as_str()] {
        if let Some(line) = all.lines().find(|l| l.contains(secret)) {
            panic!("the webhook's secret is in the output:\n{line}");
        }
    }
    // The stored receipt, as `status` shows it, and the store's files themselves.
    let st = run(env.cmd(&["status"])).await;
    let shown = text(&st.stdout);
    assert!(
        shown.contains("slack: sent") && shown.contains("HTTP 200 ok"),
        "{}",
        both(&st)
    );
    assert!(
        !shown.contains("xyzWebhookToken9931"),
        "a receipt quotes the webhook:\n{shown}"
    );
    assert!(
        !tree_contains(&env.state, b"xyzWebhookToken9931"),
        "the state directory stores the webhook's token (a receipt quoting it)"
    );
}
