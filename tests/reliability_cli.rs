//! Reliability of the commands a user runs, as real processes on a real state directory: dates and
//! clocks (a digest for a past date takes no later items, a future date is refused, items fetched
//! under a clock stuck in 1970 are still sent), the job locks (a digest or fetch waits for the one
//! running), output errors (a closed pipe ends quietly, a full disk is an error, a digest is not
//! sent twice because stdout failed), and configs that cannot work (devices, FIFOs, numbers that
//! empty every digest, addresses that are not addresses).

mod support_rel;

use chrono::{Duration, Utc};
use std::io::Read;
use std::process::Stdio;
use std::time::Instant;
use support_rel::{both, text, today, Env};

#[test]
fn a_digest_for_a_past_date_takes_no_later_items_and_a_future_date_is_refused() {
    let env = Env::new("");
    let now = Utc::now();
    env.write_feed(&[
        (
            "Sparse attention for protein folding",
            now - Duration::hours(1),
        ),
        (
            "Robot grasping from a single video",
            now - Duration::hours(2),
        ),
    ]);
    let o = env.run(&["fetch"]);
    assert!(o.status.success(), "{}", both(&o));

    let o = env.run(&["digest", "--now", "--no-fetch", "--date", "2025-12-01"]);
    assert!(o.status.success(), "{}", both(&o));
    let past = env.digest_json("2025-12-01");
    assert!(
        !past.contains("protein folding") && !past.contains("Robot grasping"),
        "the digest of 2025-12-01 took items dated a year later:\n{past}"
    );

    let o = env.run(&["digest", "--now", "--no-fetch"]);
    assert!(o.status.success(), "{}", both(&o));
    let day = env.digest_json(&today());
    assert!(
        day.contains("protein folding") && day.contains("Robot grasping"),
        "today's digest lost today's items:\n{day}"
    );

    let tomorrow = (now + Duration::days(2)).date_naive().to_string();
    let o = env.run(&["digest", "--now", "--date", &tomorrow]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(text(&o.stderr).contains("is in the future"), "{}", both(&o));
    assert!(env.digest_json(&tomorrow).is_empty());
}

#[test]
fn items_fetched_while_the_clock_said_1970_are_still_delivered() {
    if std::process::Command::new("faketime")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "faketime is needed in CI"
        );
        eprintln!("SKIPPED: faketime is not installed");
        return;
    }
    let env = Env::new("");
    let now = Utc::now();
    env.write_feed(&[(
        "Diffusion models for weather forecasting",
        now - Duration::hours(3),
    )]);
    let bin = support_rel::bin();
    let o = std::process::Command::new("faketime")
        .arg("1970-01-02 00:00:00")
        .arg(bin)
        .arg("--config")
        .arg(&env.config)
        .arg("--state-dir")
        .arg(&env.state)
        .arg("fetch")
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", both(&o));
    let err = text(&o.stderr);
    assert!(
        err.contains("1970-01-02") && err.contains("clock is wrong"),
        "no warning about the clock:\n{}",
        both(&o)
    );

    let o = env.run(&["digest", "--now", "--no-fetch"]);
    assert!(o.status.success(), "{}", both(&o));
    assert!(
        env.digest_json(&today()).contains("weather forecasting"),
        "an item fetched under a wrong clock never made a digest:\n{}",
        both(&o)
    );
}

/// Holds `<state>/locks/<name>` the way another trendd job does.
fn hold_lock(env: &Env, name: &str, role: &str) -> std::fs::File {
    let dir = env.state.join("locks");
    std::fs::create_dir_all(&dir).unwrap();
    let f = std::fs::File::create(dir.join(name)).unwrap();
    f.lock().unwrap();
    std::fs::write(dir.join(name), format!("pid=4242\nrole={role}\n")).unwrap();
    f
}

/// Starts `args`, waits until its stderr holds `needle`, checks it is still running, lets `lock` go
/// and returns the finished output.
fn waits_for(env: &Env, args: &[&str], lock: std::fs::File, needle: &str) -> std::process::Output {
    let err_path = env.dir.path().join(format!("{}.err", args[0]));
    let mut child = env
        .cmd(args)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + std::time::Duration::from_secs(60);
    while !std::fs::read_to_string(&err_path)
        .unwrap_or_default()
        .contains(needle)
    {
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!(
                "`{}` did not wait for the lock; stderr:\n{}",
                args.join(" "),
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "went on while another job held the lock"
    );
    drop(lock);
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let status = child.wait().unwrap();
    std::process::Output {
        status,
        stdout: out.into_bytes(),
        stderr: std::fs::read(&err_path).unwrap(),
    }
}

#[test]
fn a_digest_and_a_fetch_wait_for_the_job_that_holds_their_lock() {
    let env = Env::new("");
    env.write_feed(&[(
        "Graph networks for traffic",
        Utc::now() - Duration::hours(1),
    )]);
    let lock = hold_lock(&env, "fetch.lock", "daemon");
    let o = waits_for(
        &env,
        &["fetch"],
        lock,
        "the daemon (pid 4242) is fetching; waiting",
    );
    assert!(o.status.success(), "{}", both(&o));
    assert!(text(&o.stdout).contains("blog: new 1"), "{}", both(&o));

    let lock = hold_lock(&env, "digest.lock", "daemon");
    let o = waits_for(
        &env,
        &["digest", "--now", "--no-fetch"],
        lock,
        "the daemon (pid 4242) is composing today's digest; waiting",
    );
    assert!(o.status.success(), "{}", both(&o));
    assert!(text(&o.stderr).contains("delivered: file"), "{}", both(&o));
    // Read-only commands take no lock: they answer while a job holds one.
    let _held = hold_lock(&env, "digest.lock", "daemon");
    let _held2 = hold_lock(&env, "fetch.lock", "daemon");
    for args in [&["status"][..], &["items"][..]] {
        let o = env.run(args);
        assert!(o.status.success(), "{}", both(&o));
    }
}

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: pipe(2) fills two fds we then own; the read end is closed at once.
    unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
        libc::close(fds[0]);
        Stdio::from(std::os::fd::OwnedFd::from_raw_fd(fds[1]))
    }
}

use std::os::fd::FromRawFd;

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

#[test]
fn a_closed_pipe_ends_quietly_and_a_full_disk_is_an_error_never_a_panic() {
    let env = Env::new("");
    env.write_feed(&[("Tokenizers for genomics", Utc::now() - Duration::hours(1))]);
    assert!(env.run(&["fetch"]).status.success());
    for args in [
        &["status"][..],
        &["items"],
        &["items", "--json"],
        &["config", "check"],
        &["fetch"],
    ] {
        let o = env.cmd(args).stdout(closed_pipe()).output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?} into a closed pipe:\n{}",
            both(&o)
        );
        assert!(!text(&o.stderr).contains("panicked"), "{}", both(&o));
        let o = env.cmd(args).stdout(dev_full()).output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(1),
            "{args:?} > /dev/full:\n{}",
            both(&o)
        );
        let err = text(&o.stderr);
        assert!(
            err.contains("writing to standard output") && !err.contains("panicked"),
            "{args:?} > /dev/full:\n{}",
            both(&o)
        );
    }
    // The digest is delivered before it is printed; stdout failing does not make it go out again.
    let o = env
        .cmd(&["digest", "--now", "--no-fetch"])
        .stdout(dev_full())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(text(&o.stderr).contains("delivered: file"), "{}", both(&o));
    let o = env.run(&["digest", "--now", "--no-fetch"]);
    assert!(o.status.success(), "{}", both(&o));
    assert!(
        text(&o.stderr).contains("delivered: none; already sent: file"),
        "{}",
        both(&o)
    );
}

/// Runs `config check` with `cfg` as the config file; (exit code, stderr).
fn check_text(env: &Env, cfg: &std::path::Path) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(support_rel::bin())
        .arg("--config")
        .arg(cfg)
        .args(["config", "check"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(env.dir.path().join("check.err")).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("config check of {} hung", cfg.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let err = std::fs::read_to_string(env.dir.path().join("check.err")).unwrap();
    (status.code(), err)
}

#[test]
fn configs_that_cannot_work_are_refused_at_config_check() {
    let env = Env::new("");
    let (code, err) = check_text(&env, std::path::Path::new("/dev/zero"));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    let fifo = env.dir.path().join("fifo.toml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo(3) on a path we own.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let (code, err) = check_text(&env, &fifo);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("not a regular file"), "{err}");

    for (extra, key, line) in [
        ("\n[digest]\nmax_trending = 0\n", "digest.max_trending", 14),
        ("\n[digest]\nseconds_per_entry = 4000000000\n", "digest.seconds_per_entry", 14),
        (
            "\n[[deliver]]\nkind = \"email\"\nhost = \"smtp.example.org\"\nfrom = \"not an address\"\nto = [\"me@example.org\"]\n",
            "from",
            16,
        ),
        (
            "\n[[deliver]]\nkind = \"email\"\nhost = \"smtp.example.org\"\nfrom = \"me@example.org\"\nto = [\"you at example\"]\n",
            "to",
            17,
        ),
    ] {
        env.write_config(extra);
        let (code, err) = check_text(&env, &env.config);
        assert_eq!(code, Some(1), "{extra}: {err}");
        assert!(
            err.contains(&format!("line {line}: key `{key}`")),
            "{extra}: the error does not name line {line} and key {key}: {err}"
        );
    }
    // Nothing was composed or marked sent under a config that cannot deliver.
    env.write_config(
        "\n[[deliver]]\nkind = \"email\"\nhost = \"smtp.example.org\"\nfrom = \"not an address\"\nto = [\"me@example.org\"]\n",
    );
    let o = env.run(&["digest", "--now", "--no-fetch"]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(env.digest_json(&today()).is_empty());
}

#[test]
fn one_failing_channel_never_stops_another() {
    let env = Env::new(
        "\n[[deliver]]\nkind = \"slack\"\nwebhook_url_env = \"TRENDD_TEST_UNSET_WEBHOOK_VAR\"\n",
    );
    env.write_feed(&[("Sign language translation", Utc::now() - Duration::hours(1))]);
    let o = env
        .cmd(&["digest", "--now"])
        .env_remove("TRENDD_TEST_UNSET_WEBHOOK_VAR")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", both(&o));
    let err = text(&o.stderr);
    assert!(
        err.contains("delivered: file") && err.contains("delivery failed: slack"),
        "{err}"
    );
    assert!(env.digest_json(&today()).contains("Sign language"));
}
