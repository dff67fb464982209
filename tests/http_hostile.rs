//! Hostile servers on loopback: each must end in the right error kind, within the configured
//! timeouts, with memory bounded by the body cap.
//!
//! Figures: every case prints its elapsed time and the process's peak RSS during the case. The cases
//! share one process, so each runs alone (a process-wide gate) and resets the peak (VmHWM, via
//! `/proc/self/clear_refs`) before it starts; the printed peak is then that case's own. See them with
//! `cargo test --release --test http_hostile -- --nocapture`. When the kernel refuses the reset the
//! peak is process-wide and says so.

#[path = "http_support/mod.rs"]
mod support;

use std::future::Future;
use std::io::Write as _;
use std::time::{Duration, Instant};

use support::{cfg, client, head, reply, serve};
use tokio::io::AsyncWriteExt;
use trendd::http::{Fetched, HttpError, HttpErrorKind};

/// Hostile cases use a 1 MiB cap, 1 s connect and 2 s total timeouts, and one retry.
fn hostile_cfg() -> trendd::config::Http {
    trendd::config::Http {
        retries: 1,
        ..cfg()
    }
}

/// Memory a case may add over what the process held when it started: the cap is 1 MiB, so an
/// unbounded read (gigabytes within the timeout on loopback) is far above this.
const PEAK_ALLOWANCE_KIB: u64 = 64 * 1024;

/// Only one case runs at a time, so a peak belongs to one case.
static GATE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A hang guard only: far above any configured bound, never a speed claim.
const HANG_GUARD: Duration = Duration::from_secs(60);

async fn measured<T>(name: &str, fut: impl Future<Output = T>) -> T {
    let _one_at_a_time = GATE.lock().await;
    let reset = support::reset_peak();
    let before = support::rss_kib().unwrap_or(0);
    let started = Instant::now();
    let out = tokio::time::timeout(HANG_GUARD, fut)
        .await
        .unwrap_or_else(|_| panic!("{name}: still running after {HANG_GUARD:?}"));
    let elapsed = started.elapsed();
    let peak = support::peak_rss_kib().unwrap_or(0);
    let scope = if reset {
        "during the case"
    } else {
        "process-wide, reset refused"
    };
    eprintln!(
        "hostile case {name:<28} {:>6.2} s   peak RSS {:>7} KiB ({scope}; {} KiB at start)",
        elapsed.as_secs_f64(),
        peak,
        before
    );
    if reset && peak > 0 {
        assert!(
            peak.saturating_sub(before) < PEAK_ALLOWANCE_KIB,
            "{name}: peak RSS grew by {} KiB",
            peak - before
        );
    }
    out
}

fn expect_err(r: Result<Fetched, HttpError>) -> HttpError {
    match r {
        Ok(Fetched::Body(b)) => panic!("expected an error, got {} bytes", b.bytes.len()),
        Ok(Fetched::NotModified) => panic!("expected an error, got 304"),
        Err(e) => e,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_body_stops_at_the_cap() {
    let srv = serve(|_, mut s| async move {
        if head(&mut s, "200 OK", &[("Content-Type", "text/xml")])
            .await
            .is_err()
        {
            return;
        }
        let chunk = vec![b'a'; 64 * 1024];
        while s.write_all(&chunk).await.is_ok() {}
    })
    .await;
    let http = client(&hostile_cfg());
    let e = expect_err(measured("endless body", http.get(&srv.url("/"), None, &[])).await);
    assert_eq!(e.kind, HttpErrorKind::TooLarge, "{e}");
    assert_eq!(e.message, "body larger than 1048576 bytes");
    assert_eq!(srv.count(), 1, "a too-large body is not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_byte_per_second_hits_the_total_timeout() {
    let srv = serve(|_, mut s| async move {
        if head(&mut s, "200 OK", &[("Content-Length", "100")])
            .await
            .is_err()
        {
            return;
        }
        for _ in 0..100 {
            if s.write_all(b"x").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let http = client(&hostile_cfg());
    let e = expect_err(measured("one byte per second", http.get(&srv.url("/"), None, &[])).await);
    assert_eq!(e.kind, HttpErrorKind::Timeout, "{e}");
    assert_eq!(e.message, "timed out after 2 s (after 2 attempts)");
    assert_eq!(srv.count(), 2, "a timeout is retried once, then given up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_server_hits_the_total_timeout() {
    let srv = serve(|_, s| async move {
        // Read the request, then say nothing until the client leaves.
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(s);
    })
    .await;
    let http = client(&trendd::config::Http {
        retries: 0,
        ..hostile_cfg()
    });
    let e = expect_err(measured("silent server", http.get(&srv.url("/"), None, &[])).await);
    assert_eq!(e.kind, HttpErrorKind::Timeout, "{e}");
    assert_eq!(e.message, "timed out after 2 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gib_content_length_fails_before_reading() {
    let srv = serve(|_, mut s| async move {
        if head(&mut s, "200 OK", &[("Content-Length", "2147483648")])
            .await
            .is_err()
        {
            return;
        }
        let _ = s.write_all(&[b'z'; 1024]).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let http = client(&hostile_cfg());
    let e = expect_err(measured("Content-Length 2 GiB", http.get(&srv.url("/"), None, &[])).await);
    assert_eq!(e.kind, HttpErrorKind::TooLarge, "{e}");
    assert_eq!(srv.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_bomb_stops_at_the_cap() {
    // 1 GiB of zeros, gzip-compressed on the fly (about 1 MB on the wire) on a thread of its own so
    // compressing never stalls the client; it stops when the client hangs up.
    let srv = serve(|_, mut s| async move {
        if head(
            &mut s,
            "200 OK",
            &[
                ("Content-Encoding", "gzip"),
                ("Content-Type", "application/xml"),
            ],
        )
        .await
        .is_err()
        {
            return;
        }
        let std_sock = s.into_std().unwrap();
        std_sock.set_nonblocking(false).unwrap();
        std::thread::spawn(move || {
            let mut gz = flate2::write::GzEncoder::new(std_sock, flate2::Compression::fast());
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..1024 {
                if gz.write_all(&zeros).is_err() {
                    return;
                }
            }
            let _ = gz.finish();
        });
    })
    .await;
    let http = client(&hostile_cfg());
    let e = expect_err(
        measured(
            "gzip bomb (1 GiB of zeros)",
            http.get(&srv.url("/"), None, &[]),
        )
        .await,
    );
    assert_eq!(e.kind, HttpErrorKind::TooLarge, "{e}");
    assert_eq!(srv.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brotli_bomb_stops_at_the_cap() {
    let srv = serve(|_, mut s| async move {
        if head(&mut s, "200 OK", &[("Content-Encoding", "br")])
            .await
            .is_err()
        {
            return;
        }
        let std_sock = s.into_std().unwrap();
        std_sock.set_nonblocking(false).unwrap();
        std::thread::spawn(move || {
            let mut br = brotli::CompressorWriter::new(std_sock, 64 * 1024, 1, 22);
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..1024 {
                if br.write_all(&zeros).is_err() {
                    return;
                }
            }
        });
    })
    .await;
    let http = client(&hostile_cfg());
    let e = expect_err(
        measured(
            "brotli bomb (1 GiB of zeros)",
            http.get(&srv.url("/"), None, &[]),
        )
        .await,
    );
    assert_eq!(e.kind, HttpErrorKind::TooLarge, "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_loop_is_stopped() {
    let srv = serve(|req, mut s| async move {
        let to = if req.path == "/a" { "/b" } else { "/a" };
        reply(&mut s, "302 Found", &[("Location", to)], b"").await;
    })
    .await;
    let http = client(&hostile_cfg());
    let e = expect_err(measured("redirect loop", http.get(&srv.url("/a"), None, &[])).await);
    assert_eq!(e.kind, HttpErrorKind::TooManyRedirects, "{e}");
    assert_eq!(srv.count(), 2, "the loop is seen when it comes back to /a");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_redirect_chain_is_stopped() {
    let srv = serve(|req, mut s| async move {
        let n: u64 = req.path.trim_start_matches("/r/").parse().unwrap_or(0);
        reply(
            &mut s,
            "301 Moved Permanently",
            &[("Location", &format!("/r/{}", n + 1))],
            b"",
        )
        .await;
    })
    .await;
    let http = client(&hostile_cfg());
    let e = expect_err(
        measured(
            "endless redirect chain",
            http.get(&srv.url("/r/0"), None, &[]),
        )
        .await,
    );
    assert_eq!(e.kind, HttpErrorKind::TooManyRedirects, "{e}");
    assert_eq!(e.message, "too many redirects (more than 5)");
    assert_eq!(srv.count(), 6, "the first request and five redirects");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_to_javascript_is_refused() {
    let srv = serve(|_, mut s| async move {
        reply(
            &mut s,
            "302 Found",
            &[("Location", "javascript:alert(1)")],
            b"",
        )
        .await
    })
    .await;
    let http = client(&hostile_cfg());
    let e = expect_err(
        measured(
            "redirect to javascript:",
            http.get(&srv.url("/"), None, &[]),
        )
        .await,
    );
    assert_eq!(e.kind, HttpErrorKind::BadScheme, "{e}");
    assert_eq!(e.message, "redirect to a non-http URL (javascript:…)");
    for to in ["file:///etc/passwd", "ftp://127.0.0.1/x"] {
        let to = to.to_string();
        let srv = serve(move |_, mut s| {
            let to = to.clone();
            async move { reply(&mut s, "301 Moved Permanently", &[("Location", &to)], b"").await }
        })
        .await;
        assert_eq!(
            expect_err(http.get(&srv.url("/"), None, &[]).await).kind,
            HttpErrorKind::BadScheme
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_a_day_fails_at_once() {
    let srv = serve(|_, mut s| async move {
        reply(
            &mut s,
            "429 Too Many Requests",
            &[("Retry-After", "86400")],
            b"",
        )
        .await
    })
    .await;
    let http = client(&trendd::config::Http {
        max_retry_after_secs: 120,
        ..hostile_cfg()
    });
    let e =
        expect_err(measured("429 Retry-After: 86400", http.get(&srv.url("/"), None, &[])).await);
    assert_eq!(e.kind, HttpErrorKind::Status(429), "{e}");
    assert_eq!(
        e.message,
        "HTTP 429 Too Many Requests: server asked to retry after 86400 s (more than max_retry_after_secs = 120); will try again next fetch"
    );
    assert_eq!(srv.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_handshake_that_never_answers() {
    let srv = support::silent().await;
    let http = client(&hostile_cfg());
    let url = format!("https://{}/", srv.addr);
    let e = expect_err(measured("TLS handshake stall", http.get(&url, None, &[])).await);
    assert_eq!(e.kind, HttpErrorKind::Timeout, "{e}");
    assert!(
        e.message.starts_with("connection timed out after 1 s"),
        "{}",
        e.message
    );
    assert_eq!(srv.connections(), 2, "one retry, then given up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_content_type_passes_through() {
    let xml = b"<?xml version=\"1.0\"?><rss><channel><title>t</title></channel></rss>".to_vec();
    let x2 = xml.clone();
    let srv = serve(move |_, mut s| {
        let xml = x2.clone();
        async move { reply(&mut s, "200 OK", &[("Content-Type", "image/png")], &xml).await }
    })
    .await;
    let http = client(&hostile_cfg());
    match measured("wrong Content-Type", http.get(&srv.url("/"), None, &[]))
        .await
        .unwrap()
    {
        Fetched::Body(r) => {
            assert_eq!(r.bytes, xml);
            assert_eq!(r.content_type.as_deref(), Some("image/png"));
        }
        Fetched::NotModified => panic!("304"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_body_is_an_error() {
    let srv = serve(|_, mut s| async move {
        if head(&mut s, "200 OK", &[("Content-Length", "1000")])
            .await
            .is_ok()
        {
            let _ = s.write_all(b"only ten b").await;
        }
        // Dropping the socket closes it 990 bytes early.
    })
    .await;
    let http = client(&hostile_cfg());
    let e = expect_err(measured("truncated body", http.get(&srv.url("/"), None, &[])).await);
    assert_eq!(e.kind, HttpErrorKind::Io, "{e}");
    assert!(
        e.message
            .starts_with("connection closed before the body was complete"),
        "{}",
        e.message
    );
    assert_eq!(srv.count(), 2, "a cut-off transfer is retried once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_passes_through_as_bytes() {
    let bytes: Vec<u8> = vec![
        0xff, 0xfe, b'<', 0xc3, 0x28, 0x00, 0xa0, b'>', 0xf0, 0x28, 0x8c,
    ];
    let b2 = bytes.clone();
    let srv = serve(move |_, mut s| {
        let b = b2.clone();
        async move {
            reply(
                &mut s,
                "200 OK",
                &[("Content-Type", "text/xml; charset=utf-8")],
                &b,
            )
            .await
        }
    })
    .await;
    let http = client(&hostile_cfg());
    match measured("invalid UTF-8 body", http.get(&srv.url("/"), None, &[]))
        .await
        .unwrap()
    {
        Fetched::Body(r) => assert_eq!(r.bytes, bytes),
        Fetched::NotModified => panic!("304"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_file_stops_at_the_cap() {
    let http = client(&hostile_cfg());
    if !std::path::Path::new("/dev/zero").exists() {
        eprintln!("skipping: no /dev/zero here");
        return;
    }
    let e = expect_err(measured("file:///dev/zero", http.get("file:///dev/zero", None, &[])).await);
    assert_eq!(e.kind, HttpErrorKind::TooLarge, "{e}");
}
