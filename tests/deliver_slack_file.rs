//! Slack (a loopback webhook that answers as scripted) and file delivery, and the ledger across
//! crashes: a record left `Pending` mid-send, or one channel sent and the next not.

mod support_deliver;

use std::path::Path;
use std::sync::{Arc, Mutex};
use support_deliver::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use trendd::config::{Config, DeliverConfig, EmailConfig, FileConfig, SlackConfig, TlsMode};
use trendd::deliver::{build_channels, deliver, Channel};
use trendd::store::{ChannelState, DeliveryState};

/// One request the webhook received and the status it answered.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    body: serde_json::Value,
    status: u16,
}

/// A loopback HTTP server answering the scripted (status, extra headers) in turn, then 200 "ok".
async fn webhook(
    script: Vec<(u16, Vec<(&'static str, &'static str)>)>,
) -> (u16, Arc<Mutex<Vec<Hit>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(Mutex::new(Vec::new()));
    let h = hits.clone();
    tokio::spawn(async move {
        let mut script = script.into_iter();
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Headers, then Content-Length bytes of body.
            let (head_end, len) = loop {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break (None, 0);
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    break (Some(i + 4), len);
                }
            };
            let Some(start) = head_end else { continue };
            while buf.len() < start + len {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let head = String::from_utf8_lossy(&buf[..start]).to_string();
            let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
            let body =
                serde_json::from_slice(&buf[start..start + len]).unwrap_or(serde_json::Value::Null);
            let (status, headers) = script.next().unwrap_or((200, vec![]));
            h.lock().unwrap().push(Hit { path, body, status });
            let text = if status == 200 { "ok" } else { "no_service" };
            let mut resp = format!("HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n", text.len());
            for (k, v) in headers {
                resp.push_str(&format!("{k}: {v}\r\n"));
            }
            resp.push_str("\r\n");
            resp.push_str(text);
            let _ = sock.write_all(resp.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (port, hits)
}

fn hook_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/services/T0SECRET/B0SECRET/{WEBHOOK_SECRET}")
}

/// Slack reads its URL from a file here (the env-var path is the same `secret::read` the email tests use).
fn slack_and_file(dir: &Path, port: u16) -> (Vec<Box<dyn Channel>>, std::path::PathBuf) {
    let url_file = dir.join("webhook-url");
    std::fs::write(&url_file, format!("{}\n", hook_url(port))).unwrap();
    let files = dir.join("files");
    let cfg = Config {
        delivers: vec![
            DeliverConfig::Slack(SlackConfig {
                webhook_url_file: Some(url_file.to_str().unwrap().into()),
                ..Default::default()
            }),
            DeliverConfig::File(FileConfig {
                dir: files.to_str().unwrap().into(),
                ..Default::default()
            }),
        ],
        ..Default::default()
    };
    (
        build_channels(&cfg, &dir.join("state"), &http_client()).unwrap(),
        files,
    )
}

fn accepted(hits: &Mutex<Vec<Hit>>) -> usize {
    hits.lock()
        .unwrap()
        .iter()
        .filter(|h| h.status == 200)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_500_then_200_delivers_once() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (port, hits) = webhook(vec![(500, vec![])]).await;
    let (chans, _) = slack_and_file(dir.path(), port);
    let d = rendered(date());
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let out = deliver(&store, &mut rec, &chans[..1], &d, false).await;
    assert_eq!(
        (out.delivered, out.failed),
        (vec!["slack".to_string()], vec![])
    );
    let hits = hits.lock().unwrap().clone();
    assert_eq!(
        hits.iter().map(|h| h.status).collect::<Vec<_>>(),
        [500, 200]
    );
    for h in &hits {
        assert_eq!(h.body, d.slack, "the Block Kit JSON is posted as is");
        assert_eq!(
            h.path,
            format!("/services/T0SECRET/B0SECRET/{WEBHOOK_SECRET}")
        );
    }
    let s = &store.digest(date()).unwrap().unwrap().channels["slack"];
    assert_eq!(
        (s.state, s.receipt.as_deref()),
        (DeliveryState::Sent, Some("HTTP 200 ok"))
    );
    let out = deliver(&store, &mut rec, &chans[..1], &d, false).await;
    assert_eq!(out.already_sent, ["slack"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_429_with_retry_after_then_200() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (port, hits) = webhook(vec![(429, vec![("Retry-After", "1")])]).await;
    let (chans, _) = slack_and_file(dir.path(), port);
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let out = deliver(&store, &mut rec, &chans[..1], &rendered(date()), false).await;
    assert_eq!(
        (out.delivered, out.failed),
        (vec!["slack".to_string()], vec![])
    );
    assert_eq!(
        hits.lock()
            .unwrap()
            .iter()
            .map(|h| h.status)
            .collect::<Vec<_>>(),
        [429, 200]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_outage_fails_without_leaking_the_url_then_recovers() {
    init();
    let dir = tempfile::tempdir().unwrap();
    // More failures than any retry policy spends in one run.
    let (port, hits) = webhook(vec![(503, vec![]); 12]).await;
    let (chans, _) = slack_and_file(dir.path(), port);
    let d = rendered(date());
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let out = deliver(&store, &mut rec, &chans[..1], &d, false).await;
    assert_eq!(out.failed.len(), 1, "{out:?}");
    assert!(
        out.failed[0]
            .1
            .starts_with("slack: the webhook answered HTTP 503"),
        "{:?}",
        out.failed
    );
    assert_eq!(accepted(&hits), 0);
    let errors = format!("{out:?} {:?}", store.digest(date()).unwrap());
    assert_no_secret("slack errors and ledger", &errors);
    assert!(
        !errors.contains("T0SECRET") && !errors.contains("/services/"),
        "{errors}"
    );

    // A later run (the webhook healthy again) posts exactly once.
    hits.lock().unwrap().clear();
    let mut out = deliver(&store, &mut rec, &chans[..1], &d, false).await;
    while !out.failed.is_empty() && hits.lock().unwrap().len() < 12 {
        out = deliver(&store, &mut rec, &chans[..1], &d, false).await;
    }
    assert_eq!(out.delivered, ["slack"]);
    assert_eq!(accepted(&hits), 1);
    assert_no_secret("logs", &logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_unreachable_and_missing_url_are_clear() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (chans, _) = slack_and_file(dir.path(), port);
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let out = deliver(&store, &mut rec, &chans[..1], &rendered(date()), false).await;
    let reason = &out.failed[0].1;
    assert!(
        reason.starts_with("slack: ") && reason.contains("127.0.0.1"),
        "{reason}"
    );
    assert_no_secret("reason", reason);
    assert!(!reason.contains("T0SECRET"), "{reason}");

    let cfg = Config {
        delivers: vec![DeliverConfig::Slack(SlackConfig {
            webhook_url_env: Some("TRENDD_TEST_DELIVER_UNSET_HOOK".into()),
            ..Default::default()
        })],
        ..Default::default()
    };
    let chans = build_channels(&cfg, dir.path(), &http_client()).unwrap();
    let out = deliver(&store, &mut rec, &chans, &rendered(date()), true).await;
    assert_eq!(
        out.failed[0].1,
        "slack: environment variable TRENDD_TEST_DELIVER_UNSET_HOOK is not set"
    );
}

#[tokio::test]
async fn file_channel_writes_three_files_atomically() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let cfg = Config {
        delivers: vec![DeliverConfig::File(FileConfig::default())],
        ..Default::default()
    };
    let chans = build_channels(&cfg, &state, &http_client()).unwrap();
    let d = rendered(date());
    let (store, mut rec) = store_with_record(&state, date());
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(out.delivered, ["file"]);
    let folder = state.join("digests");
    let json = folder.join("2026-11-20.json");
    assert_eq!(
        rec.channels["file"].receipt.as_deref(),
        Some(json.to_str().unwrap())
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("2026-11-20.html")).unwrap(),
        d.html
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("2026-11-20.txt")).unwrap(),
        d.text
    );
    assert_eq!(std::fs::read_to_string(&json).unwrap(), d.json);
    let mut names: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "2026-11-20.html",
            "2026-11-20.json",
            "2026-11-20.txt",
            "feed.atom"
        ],
        "no temp file left behind (feed.atom: the folder's digests as Atom)"
    );

    // A folder that cannot be created fails the channel with the path in the reason.
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let cfg = Config {
        delivers: vec![DeliverConfig::File(FileConfig {
            dir: blocker.join("sub").to_str().unwrap().into(),
            ..Default::default()
        })],
        ..Default::default()
    };
    let out = deliver(
        &store,
        &mut rec,
        &build_channels(&cfg, &state, &http_client()).unwrap(),
        &d,
        true,
    )
    .await;
    assert!(
        out.failed[0].1.starts_with("file: cannot create ")
            && out.failed[0].1.contains("not-a-dir"),
        "{:?}",
        out.failed
    );
}

fn pending(attempts: u32) -> ChannelState {
    ChannelState {
        state: DeliveryState::Pending,
        attempts,
        updated: chrono::Utc::now(),
        receipt: None,
        last_error: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_between_composed_and_sent_resends_once() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (port, hits) = webhook(vec![]).await;
    let (chans, files) = slack_and_file(dir.path(), port);
    let d = rendered(date());
    let state = dir.path().join("state");
    {
        // The process that died: it had marked both targets pending, then nothing more.
        let (store, mut rec) = store_with_record(&state, date());
        rec.channels.insert("slack".into(), pending(1));
        rec.channels.insert("file".into(), pending(1));
        store.put_digest(&rec).unwrap();
    }
    let store = trendd::store::Store::open(&state).unwrap();
    let mut rec = store.digest(date()).unwrap().unwrap();
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(out.delivered, ["slack", "file"]);
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(out.already_sent, ["slack", "file"]);
    assert_eq!(accepted(&hits), 1);
    assert!(files.join("2026-11-20.json").exists());
    let on_disk = store.digest(date()).unwrap().unwrap();
    assert!(
        on_disk
            .channels
            .values()
            .all(|s| s.state == DeliveryState::Sent && s.attempts == 2),
        "{:?}",
        on_disk.channels
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_between_channels_sends_only_the_rest() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (port, hits) = webhook(vec![]).await;
    let (chans, files) = slack_and_file(dir.path(), port);
    let d = rendered(date());
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    // slack went out and was recorded; the process died with file pending.
    rec.channels.insert(
        "slack".into(),
        ChannelState {
            state: DeliveryState::Sent,
            receipt: Some("HTTP 200 ok".into()),
            ..pending(1)
        },
    );
    rec.channels.insert("file".into(), pending(1));
    store.put_digest(&rec).unwrap();
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(
        (out.delivered, out.already_sent),
        (vec!["file".to_string()], vec!["slack".to_string()])
    );
    assert_eq!(hits.lock().unwrap().len(), 0, "slack is not posted twice");
    assert!(files.join("2026-11-20.json").exists());

    // The reverse: file sent, slack pending. Removing the files shows file is not written again.
    for ext in ["html", "txt", "json"] {
        std::fs::remove_file(files.join(format!("2026-11-20.{ext}"))).unwrap();
    }
    rec.channels.insert("slack".into(), pending(1));
    store.put_digest(&rec).unwrap();
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(
        (out.delivered, out.already_sent),
        (vec!["slack".to_string()], vec!["file".to_string()])
    );
    assert_eq!(accepted(&hits), 1);
    assert!(!files.join("2026-11-20.json").exists());

    // --force sends everything again.
    let out = deliver(&store, &mut rec, &chans, &d, true).await;
    assert_eq!(out.delivered, ["slack", "file"]);
    assert_eq!(accepted(&hits), 2);
    assert!(files.join("2026-11-20.json").exists());
}

/// The outage day of the black-box check: mail down, Slack and file still go out; the failed mail
/// target is retried by the next run while the others are not sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_outage_does_not_hold_up_other_channels() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let (port, hits) = webhook(vec![]).await;
    let (mut chans, files) = slack_and_file(dir.path(), port);
    let smtp_port = free_port();
    let email = EmailConfig {
        host: "127.0.0.1".into(),
        port: Some(smtp_port),
        tls: TlsMode::Starttls,
        username: Some("trendd".into()),
        password_env: Some(PASSWORD_ENV.into()),
        from: "trendd@example.org".into(),
        to: vec!["reader@example.org".into()],
        timeout_secs: 5,
        ..Default::default()
    };
    let cfg = Config {
        delivers: vec![DeliverConfig::Email(email)],
        ..Default::default()
    };
    chans.insert(
        0,
        build_channels(&cfg, dir.path(), &http_client())
            .unwrap()
            .remove(0),
    );
    let d = rendered(date());
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(out.delivered, ["slack", "file"]);
    assert_eq!(
        out.failed,
        [(
            "email".to_string(),
            format!("email: cannot connect to 127.0.0.1:{smtp_port}: connection refused")
        )]
    );
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(
        (out.already_sent.clone(), out.failed.len()),
        (vec!["slack".to_string(), "file".to_string()], 1)
    );
    assert_eq!(accepted(&hits), 1);
    assert!(files.join("2026-11-20.txt").exists());
    assert_no_secret("outcome", &format!("{out:?}"));
}
