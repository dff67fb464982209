//! Secrets: an SMTP password and a Slack webhook URL, each distinctive, given through the environment,
//! with both channels failing (a closed loopback port; a loopback webhook answering 500 or refusing).
//! Every command a user runs, at trace level, must keep them out of stdout and stderr.

mod support;

use std::path::Path;
use std::process::Command;
use support::{Rule, Server};

const PASSWORD: &str = "pw-Zq8-SECRET-4471-smtp";
/// A path segment only the secret URL carries.
const WEBHOOK_TOKEN: &str = "T0SECRET/B0HOOK/xyzWebhookToken9931";

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Runs trendd at trace level with the secrets in its environment; (exit code, stdout + stderr).
fn run(config: &Path, state: &Path, webhook: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_trendd"))
        .arg("--config")
        .arg(config)
        .arg("--state-dir")
        .arg(state)
        .args(args)
        .env("RUST_LOG", "trace")
        .env("TRENDD_TEST_SMTP_PASSWORD", PASSWORD)
        .env("TRENDD_TEST_SLACK_WEBHOOK", webhook)
        .output()
        .expect("run trendd");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn assert_clean(what: &str, text: &str, webhook: &str) {
    let path = webhook.split_once("://").map(|x| x.1).unwrap_or(webhook);
    let path = &path[path.find('/').unwrap_or(0)..];
    for (secret, name) in [
        (PASSWORD, "SMTP password"),
        (WEBHOOK_TOKEN, "webhook token"),
        (webhook, "webhook URL"),
        (path, "webhook path"),
    ] {
        if let Some(line) = text.lines().find(|l| l.contains(secret)) {
            panic!("{what}: the {name} appears in the output:\n{line}");
        }
    }
    assert!(!text.contains("panicked"), "{what}:\n{text}");
}

fn config(dir: &Path, smtp_port: u16) -> std::path::PathBuf {
    let feed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hostile/hostile.xml"
    );
    let cfg = format!(
        "[general]\ntimezone = \"UTC\"\n\n[digest]\nmax_age_days = 100000\n\n\
         [[source]]\nkind = \"feed\"\nname = \"blog\"\nurl = \"file://{feed}\"\n\n\
         [[deliver]]\nkind = \"email\"\nhost = \"127.0.0.1\"\nport = {smtp_port}\ntls = \"none\"\ntimeout_secs = 5\n\
         username = \"reader\"\npassword_env = \"TRENDD_TEST_SMTP_PASSWORD\"\nfrom = \"trendd@example.org\"\nto = [\"reader@example.org\"]\n\n\
         [[deliver]]\nkind = \"slack\"\nwebhook_url_env = \"TRENDD_TEST_SLACK_WEBHOOK\"\n"
    );
    let p = dir.join("c.toml");
    std::fs::write(&p, cfg).unwrap();
    p
}

fn every_command(what: &str, webhook: &str) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), closed_port());
    let state = dir.path().join("state");
    let mut ran = Vec::new();
    for args in [
        &["config", "check"][..],
        &["fetch", "-v"],
        &["-vv", "fetch"],
        &["digest", "--now"],
        &["-vv", "digest", "--now"],
        &["digest", "--now", "--force", "-vv"],
        &["status"],
        &["-vv", "status"],
        &["items", "--json"],
    ] {
        let (code, text) = run(&cfg, &state, webhook, args);
        assert_clean(
            &format!("{what}: trendd {}", args.join(" ")),
            &text,
            webhook,
        );
        ran.push(format!("{} → {code}", args.join(" ")));
        if args.contains(&"-vv") {
            assert!(
                text.contains("TRACE"),
                "{what}: trace logging was not on, so the test proves little:\n{text:.2000}"
            );
        }
        if args[0] == "digest" || args.get(1) == Some(&"digest") {
            // Both channels must have failed (and said so) for this test to mean anything.
            assert_eq!(
                code, 3,
                "{what}: digest with two failing channels should exit 3:\n{text}"
            );
            assert!(text.contains("delivery failed"), "{what}:\n{text}");
        }
    }
    // The ledger keeps the failure reasons; they are shown by `status` above and must be clean too.
    println!(
        "secrets ({what}): no secret in the output of {}",
        ran.join(", ")
    );
}

#[test]
fn secrets_stay_out_of_output_when_the_webhook_answers_500() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path().to_path_buf());
    let path = format!("services/{WEBHOOK_TOKEN}");
    server.rule(&path, Rule::Status(500, "internal error"));
    let webhook = server.url(&path);
    every_command("webhook 500", &webhook);
    assert!(
        server.requests().iter().any(|r| r.path == path),
        "the webhook was never called: the test proved nothing"
    );
}

#[test]
fn secrets_stay_out_of_output_when_the_webhook_refuses() {
    let webhook = format!(
        "http://127.0.0.1:{}/services/{WEBHOOK_TOKEN}",
        closed_port()
    );
    every_command("webhook refused", &webhook);
}

/// A secret file path is not a secret, but the file's contents are: a password read from a file stays
/// out of the output just the same.
#[test]
fn password_from_a_file_stays_out_of_output() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    let cfg = config(dir.path(), closed_port());
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "password_env = \"TRENDD_TEST_SMTP_PASSWORD\"",
        &format!("password_file = \"{}\"", pw.display()),
    );
    std::fs::write(&cfg, text).unwrap();
    let webhook = format!(
        "http://127.0.0.1:{}/services/{WEBHOOK_TOKEN}",
        closed_port()
    );
    for args in [
        &["config", "check"][..],
        &["-vv", "digest", "--now"],
        &["status"],
    ] {
        let (_, out) = run(&cfg, &dir.path().join("s"), &webhook, args);
        assert_clean(
            &format!("password_file: trendd {}", args.join(" ")),
            &out,
            &webhook,
        );
    }
}
