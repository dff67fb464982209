//! The shared HTTP client against real loopback servers: conditional GET, compression, Retry-After,
//! retries, pacing, POST retries, redirects and `file://`. Waits are checked from the server's side
//! (arrival times), never as wall-clock speed bounds.

#[path = "http_support/mod.rs"]
mod support;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use support::{cfg, client, gap, reply, serve};
use trendd::http::{Fetched, HttpErrorKind, Validators};

fn body(f: Fetched) -> trendd::http::Response {
    match f {
        Fetched::Body(r) => r,
        Fetched::NotModified => panic!("expected a body, got 304"),
    }
}

#[tokio::test]
async fn etag_then_not_modified() {
    let srv = serve(|req, mut s| async move {
        if req.header("if-none-match") == Some("\"v1\"") {
            reply(&mut s, "304 Not Modified", &[("ETag", "\"v1\"")], b"").await;
        } else {
            reply(
                &mut s,
                "200 OK",
                &[("ETag", "\"v1\""), ("Content-Type", "application/xml")],
                b"<feed/>",
            )
            .await;
        }
    })
    .await;
    let http = client(&cfg());
    let first = body(http.get(&srv.url("/feed"), None, &[]).await.unwrap());
    assert_eq!(first.bytes, b"<feed/>");
    assert_eq!(first.status, 200);
    assert_eq!(first.content_type.as_deref(), Some("application/xml"));
    assert_eq!(first.validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(first.validators.last_modified, None);

    let again = http
        .get(&srv.url("/feed"), Some(&first.validators), &[])
        .await
        .unwrap();
    assert!(matches!(again, Fetched::NotModified), "{again:?}");
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].header("if-none-match"), None);
    assert_eq!(reqs[1].header("if-none-match"), Some("\"v1\""));
}

#[tokio::test]
async fn last_modified_becomes_if_modified_since() {
    const LM: &str = "Wed, 21 Oct 2026 07:28:00 GMT";
    let srv = serve(|req, mut s| async move {
        if req.header("if-modified-since") == Some(LM) {
            reply(&mut s, "304 Not Modified", &[], b"").await;
        } else {
            reply(&mut s, "200 OK", &[("Last-Modified", LM)], b"data").await;
        }
    })
    .await;
    let http = client(&cfg());
    let first = body(http.get(&srv.url("/x"), None, &[]).await.unwrap());
    assert_eq!(
        first.validators,
        Validators {
            etag: None,
            last_modified: Some(LM.into())
        }
    );
    assert!(matches!(
        http.get(&srv.url("/x"), Some(&first.validators), &[])
            .await
            .unwrap(),
        Fetched::NotModified
    ));
    assert_eq!(srv.requests()[1].header("if-modified-since"), Some(LM));
}

#[tokio::test]
async fn gzip_and_brotli_bodies_are_decoded() {
    let text = "Attention is all you need. ".repeat(2000).into_bytes();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&text).unwrap();
    let gz = gz.finish().unwrap();
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
        w.write_all(&text).unwrap();
    }
    assert!(gz.len() < text.len() / 10 && br.len() < text.len() / 10);
    let (gz2, br2) = (Arc::new(gz), Arc::new(br));
    let srv = serve(move |req, mut s| {
        let (gz, br) = (gz2.clone(), br2.clone());
        async move {
            match req.path.as_str() {
                "/gz" => reply(&mut s, "200 OK", &[("Content-Encoding", "gzip")], &gz).await,
                _ => reply(&mut s, "200 OK", &[("Content-Encoding", "br")], &br).await,
            }
        }
    })
    .await;
    let http = client(&cfg());
    assert_eq!(
        body(http.get(&srv.url("/gz"), None, &[]).await.unwrap()).bytes,
        text
    );
    assert_eq!(
        body(http.get(&srv.url("/br"), None, &[]).await.unwrap()).bytes,
        text
    );
    let accept = srv.requests()[0]
        .header("accept-encoding")
        .unwrap_or("")
        .to_string();
    assert!(
        accept.contains("gzip") && accept.contains("br"),
        "Accept-Encoding: {accept}"
    );
}

#[tokio::test]
async fn retry_after_is_waited_for() {
    let srv = serve(|req, mut s| async move {
        if req.n == 0 {
            reply(
                &mut s,
                "429 Too Many Requests",
                &[("Retry-After", "1")],
                b"slow down",
            )
            .await;
        } else {
            reply(&mut s, "200 OK", &[], b"ok").await;
        }
    })
    .await;
    let http = client(&cfg());
    assert_eq!(
        body(http.get(&srv.url("/"), None, &[]).await.unwrap()).bytes,
        b"ok"
    );
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    // The 429 went out as soon as the first request arrived, so the second one's arrival shows the wait.
    assert!(
        gap(&reqs[0], &reqs[1]) >= Duration::from_millis(950),
        "waited only {:?}",
        gap(&reqs[0], &reqs[1])
    );
}

#[tokio::test]
async fn retry_after_as_http_date() {
    let srv = serve(|req, mut s| async move {
        if req.n == 0 {
            let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
            reply(
                &mut s,
                "503 Service Unavailable",
                &[("Retry-After", &at)],
                b"",
            )
            .await;
        } else {
            reply(&mut s, "200 OK", &[], b"ok").await;
        }
    })
    .await;
    let http = client(&cfg());
    assert_eq!(
        body(http.get(&srv.url("/"), None, &[]).await.unwrap()).bytes,
        b"ok"
    );
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    // An HTTP date has whole seconds: "now + 2 s" is at least 1 s away.
    assert!(gap(&reqs[0], &reqs[1]) >= Duration::from_millis(950));
}

#[tokio::test]
async fn server_errors_are_retried() {
    let srv = serve(|req, mut s| async move {
        if req.n == 0 {
            reply(&mut s, "503 Service Unavailable", &[], b"").await;
        } else {
            reply(&mut s, "200 OK", &[], b"fine").await;
        }
    })
    .await;
    let http = client(&cfg());
    assert_eq!(
        body(http.get(&srv.url("/"), None, &[]).await.unwrap()).bytes,
        b"fine"
    );
    assert_eq!(srv.count(), 2);
}

#[tokio::test]
async fn retries_are_bounded() {
    let srv =
        serve(|_, mut s| async move { reply(&mut s, "500 Internal Server Error", &[], b"").await })
            .await;
    let http = client(&trendd::config::Http {
        retries: 1,
        ..cfg()
    });
    let e = http.get(&srv.url("/"), None, &[]).await.unwrap_err();
    assert_eq!(e.kind, HttpErrorKind::Status(500));
    assert_eq!(
        e.message,
        "HTTP 500 Internal Server Error (after 2 attempts)"
    );
    assert_eq!(srv.count(), 2);
}

#[tokio::test]
async fn not_found_is_not_retried() {
    let srv =
        serve(|_, mut s| async move { reply(&mut s, "404 Not Found", &[], b"nope").await }).await;
    let http = client(&cfg());
    let url = srv.url("/missing");
    let e = http.get(&url, None, &[]).await.unwrap_err();
    assert_eq!(e.kind, HttpErrorKind::Status(404));
    assert_eq!(e.to_string(), format!("{url}: HTTP 404 Not Found"));
    assert_eq!(srv.count(), 1);
}

#[tokio::test]
async fn one_host_is_paced() {
    let srv = serve(|_, mut s| async move { reply(&mut s, "200 OK", &[], b"ok").await }).await;
    let http = client(&trendd::config::Http {
        per_host_interval_secs: 0.5,
        ..cfg()
    });
    // Sequential and concurrent requests alike.
    http.get(&srv.url("/1"), None, &[]).await.unwrap();
    http.get(&srv.url("/2"), None, &[]).await.unwrap();
    let tasks: Vec<_> = (3..6)
        .map(|i| {
            let (http, url) = (http.clone(), srv.url(&format!("/{i}")));
            tokio::spawn(async move { http.get(&url, None, &[]).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 5);
    for pair in reqs.windows(2) {
        // Arrival times lag send times by a little jitter, hence the small allowance.
        assert!(
            gap(&pair[0], &pair[1]) >= Duration::from_millis(450),
            "{} then {}: {:?}",
            pair[0].path,
            pair[1].path,
            gap(&pair[0], &pair[1])
        );
    }
}

#[tokio::test]
async fn global_concurrency_is_limited() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (f2, m2) = (in_flight.clone(), most.clone());
    let srv = serve(move |_, mut s| {
        let (f, m) = (f2.clone(), m2.clone());
        async move {
            let now = f.fetch_add(1, Ordering::SeqCst) + 1;
            m.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(200)).await;
            f.fetch_sub(1, Ordering::SeqCst);
            reply(&mut s, "200 OK", &[], b"ok").await;
        }
    })
    .await;
    let http = client(&trendd::config::Http {
        concurrency: 2,
        ..cfg()
    });
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            let (http, url) = (http.clone(), srv.url(&format!("/{i}")));
            tokio::spawn(async move { http.get(&url, None, &[]).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(srv.count(), 5);
    assert_eq!(most.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn post_json_retries_server_errors() {
    let srv = serve(|req, mut s| async move {
        assert_eq!(req.method, "POST");
        assert_eq!(req.header("content-type"), Some("application/json"));
        let v: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(v["text"], "hello");
        if req.n == 0 {
            reply(&mut s, "500 Internal Server Error", &[], b"").await;
        } else {
            reply(&mut s, "200 OK", &[("Content-Type", "text/plain")], b"ok").await;
        }
    })
    .await;
    let http = client(&cfg());
    let url = srv.url("/services/T0/B0/SECRETPART");
    let r = http
        .post_json(&url, &serde_json::json!({"text": "hello"}), &[], None)
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.bytes, b"ok");
    assert!(!r.final_url.contains("SECRETPART"), "{}", r.final_url);
    assert_eq!(srv.count(), 2);
}

#[tokio::test]
async fn post_json_honours_retry_after() {
    let srv = serve(|req, mut s| async move {
        if req.n == 0 {
            reply(
                &mut s,
                "429 Too Many Requests",
                &[("Retry-After", "1")],
                b"rate_limited",
            )
            .await;
        } else {
            reply(&mut s, "200 OK", &[], b"ok").await;
        }
    })
    .await;
    let http = client(&cfg());
    http.post_json(&srv.url("/hook"), &serde_json::json!({}), &[], None)
        .await
        .unwrap();
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    assert!(gap(&reqs[0], &reqs[1]) >= Duration::from_millis(950));
}

#[tokio::test]
async fn post_json_begins_no_retry_it_has_no_time_to_finish() {
    let srv = serve(|_, mut s| async move {
        let h = [("Retry-After", "2")];
        reply(&mut s, "503 Service Unavailable", &h, b"busy").await;
    })
    .await;
    let http = client(&cfg());
    let started = std::time::Instant::now();
    let within = |s| Some(tokio::time::Instant::now() + Duration::from_secs(s));
    let e = http
        .post_json(&srv.url("/hook"), &serde_json::json!({}), &[], within(1))
        .await
        .unwrap_err();
    // What the server said, at once: waiting 2 s for a second try would have outlasted the caller.
    assert_eq!(e.kind, HttpErrorKind::Status(503));
    assert_eq!(srv.count(), 1);
    assert!(started.elapsed() < Duration::from_secs(1));
    // Given the time, the same request is tried again, but not a third time (a fresh client: this
    // one waits out the host's Retry-After before asking it anything).
    let http = client(&cfg());
    let e = http
        .post_json(&srv.url("/hook"), &serde_json::json!({}), &[], within(3))
        .await
        .unwrap_err();
    assert!(e.message.contains("after 2 attempts"), "{}", e.message);
    assert_eq!(srv.count(), 3);
}

#[tokio::test]
async fn secrets_stay_out_of_errors() {
    let srv =
        serve(
            |_, mut s| async move { reply(&mut s, "403 Forbidden", &[], b"invalid_token").await },
        )
        .await;
    let http = client(&cfg());
    let headers = vec![(
        "Authorization".to_string(),
        "Bearer TOKEN-SECRET".to_string(),
    )];
    let e = http
        .post_json(
            &srv.url("/services/HOOK-SECRET"),
            &serde_json::json!({}),
            &headers,
            None,
        )
        .await
        .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
    assert_eq!(e.kind, HttpErrorKind::Status(403));
    // The server's short reason is kept: it tells the user what to fix.
    assert!(e.message.contains("invalid_token"), "{}", e.message);
    assert_eq!(srv.count(), 1);

    let e = http
        .get(&srv.url("/feed"), None, &headers)
        .await
        .unwrap_err();
    assert!(!format!("{e} {e:?}").contains("SECRET"));
}

#[tokio::test]
async fn redirects_are_followed_and_tokens_stay_home() {
    let other = serve(|_, mut s| async move {
        reply(&mut s, "200 OK", &[("ETag", "\"o\"")], b"moved here").await
    })
    .await;
    let target = other.url("/final");
    let srv = serve(move |req, mut s| {
        let target = target.clone();
        async move {
            match req.path.as_str() {
                "/start" => {
                    reply(
                        &mut s,
                        "301 Moved Permanently",
                        &[("Location", "/middle")],
                        b"",
                    )
                    .await
                }
                _ => reply(&mut s, "302 Found", &[("Location", &target)], b"").await,
            }
        }
    })
    .await;
    let http = client(&cfg());
    let headers = vec![("Authorization".to_string(), "Bearer t".to_string())];
    let r = body(http.get(&srv.url("/start"), None, &headers).await.unwrap());
    assert_eq!(r.bytes, b"moved here");
    assert_eq!(r.final_url, other.url("/final"));
    assert_eq!(r.validators.etag.as_deref(), Some("\"o\""));
    let here = srv.requests();
    assert_eq!(here.len(), 2);
    assert!(here
        .iter()
        .all(|r| r.header("authorization") == Some("Bearer t")));
    // Another origin (another port) does not get the caller's headers.
    assert_eq!(other.requests()[0].header("authorization"), None);
}

#[tokio::test]
async fn connection_refused_is_said_plainly() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let http = client(&trendd::config::Http {
        retries: 0,
        ..cfg()
    });
    let e = http
        .get(&format!("http://127.0.0.1:{port}/"), None, &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, HttpErrorKind::Connect);
    assert_eq!(e.message, "connection refused");
}

#[tokio::test]
async fn file_urls_are_read_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my feed.xml");
    std::fs::write(&path, b"<rss/>").unwrap();
    let url = url::Url::from_file_path(&path).unwrap().to_string();
    assert!(url.contains("%20"), "{url}");
    let http = client(&cfg());
    let r = body(http.get(&url, None, &[]).await.unwrap());
    assert_eq!(r.bytes, b"<rss/>");
    assert_eq!(r.content_type.as_deref(), Some("application/xml"));
    assert!(r.validators.is_empty());
    // No validators for files: even when some are passed, the body comes back.
    let v = Validators {
        etag: Some("x".into()),
        last_modified: Some("Wed, 21 Oct 2026 07:28:00 GMT".into()),
    };
    assert!(matches!(
        http.get(&url, Some(&v), &[]).await.unwrap(),
        Fetched::Body(_)
    ));

    let missing = url::Url::from_file_path(dir.path().join("gone.xml"))
        .unwrap()
        .to_string();
    let e = http.get(&missing, None, &[]).await.unwrap_err();
    assert_eq!(e.kind, HttpErrorKind::Io);
    assert!(e.message.starts_with("no such file: "), "{}", e.message);

    let big = dir.path().join("big.xml");
    std::fs::write(&big, vec![b'x'; 2 << 20]).unwrap();
    let e = http
        .get(
            &url::Url::from_file_path(&big).unwrap().to_string(),
            None,
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, HttpErrorKind::TooLarge);
    assert_eq!(e.message, "body larger than 1048576 bytes");
}

#[tokio::test]
async fn other_schemes_are_refused() {
    let http = client(&cfg());
    for url in ["ftp://example.org/x", "javascript:alert(1)", "gopher://x/"] {
        let e = http.get(url, None, &[]).await.unwrap_err();
        assert_eq!(e.kind, HttpErrorKind::BadScheme, "{url}");
    }
    assert_eq!(
        http.get("not a url", None, &[]).await.unwrap_err().kind,
        HttpErrorKind::Other
    );
}
