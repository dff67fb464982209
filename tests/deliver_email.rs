//! Email delivery against real SMTP servers on loopback: aiosmtpd (STARTTLS + AUTH with a private CA,
//! implicit TLS, plain), and small raw-TCP fakes for the faults aiosmtpd will not produce (a connection
//! dropped mid-DATA, a server that never answers).

mod support_deliver;

use std::time::Duration;
use support_deliver::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use trendd::config::{Config, DeliverConfig, EmailConfig, TlsMode};
use trendd::deliver::{
    build_channels, deliver, message_id, sanitize_header, Channel, ATTEMPTS_PER_RUN,
};
use trendd::store::DeliveryState;

const RCPTS: [&str; 2] = ["reader@example.org", "second@example.org"];

fn email_cfg(port: u16, tls: TlsMode) -> EmailConfig {
    EmailConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        tls,
        from: "trendd <trendd@example.org>".into(),
        to: RCPTS.iter().map(|s| s.to_string()).collect(),
        timeout_secs: 10,
        ..Default::default()
    }
}

fn channels(e: EmailConfig, state: &std::path::Path) -> Vec<Box<dyn Channel>> {
    let cfg = Config {
        delivers: vec![DeliverConfig::Email(e)],
        ..Default::default()
    };
    build_channels(&cfg, state, &http_client()).unwrap()
}

/// One ledger target: one message carries the digest to every recipient.
fn targets() -> Vec<String> {
    vec!["email".to_string()]
}

fn recipients_key() -> String {
    RCPTS.join(",")
}

/// Checks one received message the way a mail client reads it.
fn check_message(m: &serde_json::Value, rcpts: &[&str]) {
    assert_eq!(
        m["rcpt"],
        serde_json::json!(rcpts),
        "every recipient in the envelope"
    );
    assert_eq!(m["content_type"], "multipart/alternative");
    assert_eq!(
        m["alternative_parts"],
        serde_json::json!(["text/html", "text/plain"])
    );
    assert!(
        m["charsets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c == "utf-8"),
        "{}",
        m["charsets"]
    );
    assert_eq!(m["defects"], serde_json::json!([]));
    for h in [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Unsubscribe",
        "Auto-Submitted",
    ] {
        assert_eq!(
            header(m, h).len(),
            1,
            "exactly one {h} header in {}",
            m["headers"]
        );
    }
    for h in ["Bcc", "Cc"] {
        assert!(
            header(m, h).is_empty(),
            "injected {h} header: {}",
            m["headers"]
        );
    }
    assert!(
        !m["raw_header_lines"]
            .to_string()
            .to_lowercase()
            .contains("\"bcc:"),
        "a raw Bcc line: {}",
        m["raw_header_lines"]
    );
    assert_eq!(header(m, "To")[0], rcpts.join(", "));
    assert_eq!(header(m, "From")[0], "trendd <trendd@example.org>");
    assert_eq!(header(m, "Subject")[0], sanitize_header(HOSTILE_SUBJECT));
    assert!(
        header(m, "Subject")[0].contains("<script>") && !header(m, "Subject")[0].contains('\n')
    );
    assert_eq!(
        header(m, "Message-ID")[0],
        message_id(date(), &rcpts.join(","), "example.org")
    );
    assert_eq!(
        header(m, "List-Unsubscribe")[0],
        "<mailto:trendd@example.org?subject=unsubscribe>"
    );
    let text = m["text"].as_str().unwrap();
    assert!(text.contains("Übersicht — naïve café ✓ <script>"), "{text}");
    assert!(
        text.contains("[[deliver]]"),
        "footer says how to stop: {text}"
    );
    let html = m["html"].as_str().unwrap();
    assert!(
        html.contains("naïve café")
            && html.contains("[[deliver]]")
            && html.trim_end().ends_with("</html>"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_auth_private_ca_one_message_to_every_recipient_exactly_once() {
    init();
    if !aiosmtpd_available("starttls_auth_private_ca") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tls = make_tls(dir.path());
    let smtp = Smtp::start(
        free_port(),
        &dir.path().join("mail"),
        "starttls",
        Some(&tls),
        Some(("trendd", PASSWORD)),
    );
    let mut e = email_cfg(smtp.port, TlsMode::Starttls);
    e.ca_file = Some(tls.ca.to_str().unwrap().into());
    e.username = Some("trendd".into());
    e.password_env = Some(PASSWORD_ENV.into());
    let chans = channels(e.clone(), dir.path());
    let d = rendered(date());
    let state = dir.path().join("state");
    let (store, mut rec) = store_with_record(&state, date());

    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(out.failed, vec![], "{out:?}");
    assert_eq!(out.delivered, targets());
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1);
    assert!(
        msgs[0]["tls"].as_bool().unwrap() && msgs[0]["authenticated"].as_bool().unwrap(),
        "STARTTLS and AUTH were used"
    );
    check_message(&msgs[0], &RCPTS);
    let ids: Vec<_> = msgs
        .iter()
        .map(|m| header(m, "Message-ID")[0].clone())
        .collect();
    assert_ne!(
        message_id(date(), &recipients_key(), "example.org"),
        message_id(date().succ_opt().unwrap(), &recipients_key(), "example.org"),
        "Message-IDs differ per day"
    );

    // A rerun sends nothing; the ledger on disk says sent, with the receipt.
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(
        (out.delivered.len(), out.already_sent.clone()),
        (0, targets())
    );
    assert_eq!(smtp.messages().len(), 1);
    drop(store);
    // sled lets go of its file lock from a background thread, a moment after the last handle drops.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let store = loop {
        match trendd::store::Store::open(&state) {
            Ok(s) => break s,
            Err(e) if std::time::Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("reopening the store: {e}"),
        }
    };
    let on_disk = store.digest(date()).unwrap().unwrap();
    for (t, id) in targets().iter().zip(&ids) {
        let s = &on_disk.channels[t];
        assert_eq!((s.state, s.attempts), (DeliveryState::Sent, 1));
        assert!(
            s.receipt.as_deref().unwrap().starts_with(id.as_str())
                && s.receipt.as_deref().unwrap().contains("250"),
            "{:?}",
            s.receipt
        );
    }

    // --force sends again, with the same Message-IDs (a fresh state dir gives the same ones too).
    let out = deliver(&store, &mut rec, &chans, &d, true).await;
    assert_eq!(out.delivered, targets());
    let state2 = dir.path().join("state2");
    let (store2, mut rec2) = store_with_record(&state2, date());
    let out = deliver(&store2, &mut rec2, &channels(e, dir.path()), &d, false).await;
    assert_eq!(out.delivered, targets());
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 3);
    let all_ids: Vec<_> = msgs
        .iter()
        .map(|m| header(m, "Message-ID")[0].clone())
        .collect();
    assert_eq!(
        all_ids,
        [ids.clone(), ids.clone(), ids].concat(),
        "stable across runs"
    );

    assert_no_secret("ledger", &format!("{:?}", store.digest(date()).unwrap()));
    assert_no_secret("logs", &logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_with_password_file() {
    init();
    if !aiosmtpd_available("implicit_tls_with_password_file") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tls = make_tls(dir.path());
    let smtp = Smtp::start(
        free_port(),
        &dir.path().join("mail"),
        "tls",
        Some(&tls),
        Some(("trendd", PASSWORD)),
    );
    let pw_file = dir.path().join("smtp-password");
    std::fs::write(&pw_file, format!("{PASSWORD}\n")).unwrap();
    let mut e = email_cfg(smtp.port, TlsMode::Tls);
    e.to = vec!["Reader <reader@example.org>".into()];
    e.ca_file = Some(tls.ca.to_str().unwrap().into());
    e.username = Some("trendd".into());
    e.password_file = Some(pw_file.to_str().unwrap().into());
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let out = deliver(
        &store,
        &mut rec,
        &channels(e, dir.path()),
        &rendered(date()),
        false,
    )
    .await;
    assert_eq!((out.delivered, out.failed), (targets(), vec![]));
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0]["tls"].as_bool().unwrap() && msgs[0]["authenticated"].as_bool().unwrap());
    assert_eq!(header(&msgs[0], "To")[0], "Reader <reader@example.org>");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificate_is_refused_without_ca_file() {
    init();
    if !aiosmtpd_available("untrusted_certificate_is_refused_without_ca_file") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tls = make_tls(dir.path());
    let smtp = Smtp::start(
        free_port(),
        &dir.path().join("mail"),
        "starttls",
        Some(&tls),
        None,
    );
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let out = deliver(
        &store,
        &mut rec,
        &channels(email_cfg(smtp.port, TlsMode::Starttls), dir.path()),
        &rendered(date()),
        false,
    )
    .await;
    assert_eq!(out.failed.len(), 1, "{out:?}");
    let reason = &out.failed[0].1;
    assert!(
        reason.starts_with(&format!("email: TLS with 127.0.0.1:{} failed", smtp.port))
            && reason.contains("ca_file"),
        "{reason}"
    );
    assert!(smtp.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_relay_without_auth() {
    init();
    if !aiosmtpd_available("plain_relay_without_auth") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(free_port(), &dir.path().join("mail"), "none", None, None);
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let out = deliver(
        &store,
        &mut rec,
        &channels(email_cfg(smtp.port, TlsMode::None), dir.path()),
        &rendered(date()),
        false,
    )
    .await;
    assert_eq!((out.delivered, out.failed), (targets(), vec![]));
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1);
    assert!(!msgs[0]["tls"].as_bool().unwrap() && !msgs[0]["authenticated"].as_bool().unwrap());
    check_message(&msgs[0], &RCPTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_down_fails_then_recovery_sends_exactly_one_each() {
    init();
    if !aiosmtpd_available("server_down_fails_then_recovery") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let chans = channels(email_cfg(port, TlsMode::None), dir.path());
    let d = rendered(date());
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());

    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert!(out.delivered.is_empty());
    let want = format!("email: cannot connect to 127.0.0.1:{port}: connection refused");
    assert_eq!(
        out.failed,
        targets()
            .into_iter()
            .map(|t| (t, want.clone()))
            .collect::<Vec<_>>()
    );
    let on_disk = store.digest(date()).unwrap().unwrap();
    for t in targets() {
        let s = &on_disk.channels[&t];
        assert_eq!(
            (s.state, s.attempts, s.last_error.as_deref()),
            (DeliveryState::Failed, ATTEMPTS_PER_RUN, Some(want.as_str()))
        );
    }

    let smtp = Smtp::start(port, &dir.path().join("mail"), "none", None, None);
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!((out.delivered, out.failed), (targets(), vec![]));
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(out.already_sent, targets());
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 1, "exactly one message after recovery");
    assert_eq!(msgs[0]["rcpt"], serde_json::json!(RCPTS));
    assert_eq!(rec.channels[&targets()[0]].attempts, ATTEMPTS_PER_RUN + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_login_is_a_clear_error_without_the_password() {
    init();
    if !aiosmtpd_available("refused_login") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tls = make_tls(dir.path());
    let smtp = Smtp::start(
        free_port(),
        &dir.path().join("mail"),
        "starttls",
        Some(&tls),
        Some(("trendd", "wrong-pw-ab12")),
    );
    let mut e = email_cfg(smtp.port, TlsMode::Starttls);
    e.ca_file = Some(tls.ca.to_str().unwrap().into());
    e.username = Some("trendd".into());
    e.password_env = Some(PASSWORD_ENV.into());
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let out = deliver(
        &store,
        &mut rec,
        &channels(e, dir.path()),
        &rendered(date()),
        false,
    )
    .await;
    assert_eq!(out.failed.len(), 1);
    let reason = &out.failed[0].1;
    assert!(
        reason.starts_with("email: the SMTP server refused the login for user 'trendd' (535"),
        "{reason}"
    );
    assert!(
        reason.ends_with("check password_env/password_file"),
        "{reason}"
    );
    assert!(smtp.messages().is_empty());
    assert_no_secret("reasons", &format!("{:?}", out.failed));
    assert_no_secret("ledger", &format!("{:?}", store.digest(date()).unwrap()));
    assert_no_secret("logs", &logs());
}

#[tokio::test]
async fn missing_password_variable_is_named() {
    init();
    let dir = tempfile::tempdir().unwrap();
    let mut e = email_cfg(free_port(), TlsMode::Starttls);
    e.username = Some("trendd".into());
    e.password_env = Some("TRENDD_TEST_DELIVER_UNSET_PASSWORD".into());
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let out = deliver(
        &store,
        &mut rec,
        &channels(e, dir.path()),
        &rendered(date()),
        false,
    )
    .await;
    let want =
        "email: environment variable TRENDD_TEST_DELIVER_UNSET_PASSWORD is not set".to_string();
    assert_eq!(
        out.failed,
        targets()
            .into_iter()
            .map(|t| (t, want.clone()))
            .collect::<Vec<_>>()
    );
}

/// A fake SMTP server that speaks enough ESMTP for lettre, and drops the connection right after the
/// message body (before its 250) on the first `drops` connections. Returns (port, accepted count).
async fn dropping_server(drops: usize) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let acc = accepted.clone();
    tokio::spawn(async move {
        let mut conn = 0;
        while let Ok((sock, _)) = listener.accept().await {
            conn += 1;
            let drop_it = conn <= drops;
            let acc = acc.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                while let Ok(Some(l)) = lines.next_line().await {
                    let verb = l
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-fake\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            w.write_all(b"354 go ahead\r\n").await.unwrap();
                            while let Ok(Some(b)) = lines.next_line().await {
                                if b == "." {
                                    break;
                                }
                            }
                            if drop_it {
                                return; // body received, connection gone before the reply
                            }
                            acc.fetch_add(1, Ordering::SeqCst);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_dropped_mid_data_fails_then_is_retried() {
    use std::sync::atomic::Ordering;
    init();
    let dir = tempfile::tempdir().unwrap();
    // Every attempt of the first run is dropped; the next run's first attempt gets through.
    let (port, accepted) = dropping_server(ATTEMPTS_PER_RUN as usize).await;
    let mut e = email_cfg(port, TlsMode::None);
    e.to = vec![RCPTS[0].into()];
    let chans = channels(e, dir.path());
    let d = rendered(date());
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(out.failed.len(), 1, "{out:?}");
    let reason = &out.failed[0].1;
    assert!(reason.starts_with(&format!("email: the connection to 127.0.0.1:{port} was lost before the server confirmed the message")), "{reason}");
    assert_eq!(
        store.digest(date()).unwrap().unwrap().channels[&targets()[0]].state,
        DeliveryState::Failed
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 0);

    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(out.delivered, vec![targets()[0].clone()]);
    let out = deliver(&store, &mut rec, &chans, &d, false).await;
    assert_eq!(out.already_sent.len(), 1);
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_server_times_out() {
    init();
    let dir = tempfile::tempdir().unwrap();
    // Accepts connections and never says a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let mut e = email_cfg(port, TlsMode::Starttls);
    e.to = vec![RCPTS[0].into()];
    e.timeout_secs = 1;
    let (store, mut rec) = store_with_record(&dir.path().join("state"), date());
    let chans = channels(e, dir.path());
    // The guard only catches a hang; the channel's own bound is a few seconds per attempt.
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        deliver(&store, &mut rec, &chans, &rendered(date()), false),
    )
    .await
    .expect("delivery to a silent server must give up");
    assert_eq!(out.failed.len(), 1);
    let reason = &out.failed[0].1;
    assert!(
        reason.starts_with(&format!("email: no answer from 127.0.0.1:{port} within"))
            && reason.ends_with("(timeout_secs)"),
        "{reason}"
    );
    assert_eq!(
        store.digest(date()).unwrap().unwrap().channels[&targets()[0]].state,
        DeliveryState::Failed
    );
}
