//! Every command works while `trendd run` is running on the same state directory: `status`, `items`,
//! `fetch` and `digest --now` all succeed beside the real daemon, and the day's digest goes out once,
//! whichever of the two composes it (the other waits for the digest lock, then finds it sent).

mod support_rel;

use chrono::{Duration, Utc};
use std::process::{Child, Stdio};
use std::time::Instant;
use support_rel::{both, text, Env};

/// Stops the daemon if the test fails half-way.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn every_command_works_beside_the_running_daemon_and_the_digest_goes_out_once() {
    let env = Env::new(
        "\n[schedule]\nfetch = \"0 0 0 1 1 *\"\ndigest = \"*/2 * * * * *\"\ncatch_up = true\n",
    );
    let now = Utc::now();
    env.write_feed(&[
        ("Retrieval for code generation", now - Duration::hours(1)),
        (
            "Quantum error correction with transformers",
            now - Duration::hours(2),
        ),
    ]);
    let log = env.dir.path().join("daemon.log");
    let child = env
        .cmd(&["run"])
        .env_remove("NOTIFY_SOCKET")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut daemon = Daemon(child);
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    while !log_text().contains("trendd running") {
        assert!(
            Instant::now() < deadline,
            "the daemon did not start:\n{}",
            log_text()
        );
        assert!(
            daemon.0.try_wait().unwrap().is_none(),
            "the daemon exited:\n{}",
            log_text()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    let mut cli_delivered = 0;
    for args in [
        &["status"][..],
        &["items"],
        &["fetch"],
        &["digest", "--now"],
        &["status"],
    ] {
        let o = env.run(args);
        assert!(
            o.status.success(),
            "`{}` failed beside the daemon:\n{}\n--- daemon log\n{}",
            args.join(" "),
            both(&o),
            log_text()
        );
        if args[0] == "digest" && text(&o.stderr).contains("delivered: file") {
            cli_delivered += 1;
        }
    }
    // Let the daemon's 2-second schedule fire a few more times.
    std::thread::sleep(std::time::Duration::from_secs(5));
    assert!(
        daemon.0.try_wait().unwrap().is_none(),
        "the daemon exited:\n{}",
        log_text()
    );
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(daemon.0.id() as libc::pid_t, libc::SIGTERM) };
    let _ = daemon.0.wait();
    let daemon_delivered = log_text().matches("delivered to [file]").count();
    assert_eq!(
        cli_delivered + daemon_delivered,
        1,
        "today's digest went out {} times (daemon {daemon_delivered}, digest --now {cli_delivered}):\n{}",
        cli_delivered + daemon_delivered,
        log_text()
    );
    assert!(env
        .digest_json(&support_rel::today())
        .contains("code generation"));
}
