//! The daemon loop in-process: a real store in a tempdir, a real notify socket, requests through the
//! same channel the signal handlers feed.

use super::*;
use std::os::unix::net::UnixDatagram;
use std::path::Path;

const CONFIG: &str = r#"
[general]
timezone = "UTC"

[schedule]
fetch = "*/2 * * * * *"
digest = "*/3 * * * * *"

[[deliver]]
kind = "file"
dir = "DIR"
"#;

fn write_config(path: &Path, dir: &Path) {
    std::fs::write(path, CONFIG.replace("DIR", &dir.display().to_string())).unwrap();
}

/// Reads notify messages until one equals `want` (returning all seen), or panics after 20 s.
fn wait_for(sock: &UnixDatagram, want: &str, seen: &mut Vec<String>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut buf = [0u8; 4096];
    while std::time::Instant::now() < deadline {
        if let Ok(n) = sock.recv(&mut buf) {
            let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
            let hit = msg.lines().any(|l| l.starts_with(want));
            seen.push(msg);
            if hit {
                return;
            }
        }
    }
    panic!("no {want} among {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_status_reload_and_stop_over_the_notify_socket() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("trendd.toml");
    write_config(&cfg, &dir.path().join("files"));
    let loaded = crate::config::load(Some(&cfg)).unwrap();
    let state = dir.path().join("state");
    let store = crate::store::Store::open(&state).unwrap();
    let app = App::new(loaded.config, Some(cfg.clone()), state, store).unwrap();

    let sock_path = dir.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let notifier = Notifier::new(sock_path.to_str().unwrap()).unwrap();
    let opts = DaemonOptions {
        max_sleep: Duration::from_secs(1),
        fetch_wait: Duration::from_secs(2),
        shutdown_grace: Duration::from_secs(2),
        retry_base: Duration::from_secs(1),
        retry_cap: Duration::from_secs(4),
        ..DaemonOptions::default()
    };
    let (tx, rx) = mpsc::channel(4);
    let daemon = tokio::spawn(run_until(app, opts, notifier, rx));

    let mut seen = Vec::new();
    let s = &sock;
    let seen_ref = &mut seen;
    tokio::task::block_in_place(|| wait_for(s, "READY=1", seen_ref));
    assert!(seen.iter().all(|m| !m.contains("STOPPING")));

    // A broken config on SIGHUP: reported, the old one kept, READY again, still running.
    std::fs::write(&cfg, "[schedule]\ndigest = \"not a cron\"\n").unwrap();
    tx.send(Request::Reload).await.unwrap();
    let seen_ref = &mut seen;
    tokio::task::block_in_place(|| wait_for(s, "RELOADING=1", seen_ref));
    let seen_ref = &mut seen;
    tokio::task::block_in_place(|| wait_for(s, "READY=1", seen_ref));
    assert!(!daemon.is_finished());

    // A good config is taken.
    write_config(&cfg, &dir.path().join("files2"));
    tx.send(Request::Reload).await.unwrap();
    let seen_ref = &mut seen;
    tokio::task::block_in_place(|| wait_for(s, "RELOADING=1", seen_ref));
    let seen_ref = &mut seen;
    tokio::task::block_in_place(|| wait_for(s, "READY=1", seen_ref));

    // The start-up fetch reports itself in STATUS once it is done.
    let seen_ref = &mut seen;
    tokio::task::block_in_place(|| wait_for(s, "STATUS=last fetch", seen_ref));
    tx.send(Request::Stop("SIGTERM")).await.unwrap();
    let seen_ref = &mut seen;
    tokio::task::block_in_place(|| wait_for(s, "STOPPING=1", seen_ref));
    let result = tokio::time::timeout(Duration::from_secs(10), daemon)
        .await
        .expect("daemon stops")
        .unwrap();
    assert!(result.is_ok(), "{result:?}");
    assert!(
        seen.iter().any(|m| m.starts_with("STATUS=last fetch")),
        "{seen:?}"
    );
}

#[tokio::test]
async fn a_schedule_that_does_not_parse_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::config::load(None).unwrap().config;
    config.schedule.digest = "bogus".into();
    let store = crate::store::Store::open(dir.path()).unwrap();
    let app = App::new(config, None, dir.path().to_path_buf(), store).unwrap();
    let (_tx, rx) = mpsc::channel(1);
    let err = run_until(app, DaemonOptions::default(), Notifier::disabled(), rx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("schedule.digest"), "{err}");
}
