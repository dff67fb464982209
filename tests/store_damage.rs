//! A damaged store, with real flipped bytes in the database file: every command stops at once with
//! one error naming the file (exit 1), `store check` says what it found, `store recover` saves what
//! is readable into a fresh store and keeps the damaged one aside.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs trendd, killing it (and failing) if it takes longer than 60 s: a damaged store must never
/// make a command hang.
fn run(config: &Path, state: &Path, args: &[&str]) -> (i32, String, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_trendd"))
        .arg("--config")
        .arg(config)
        .arg("--state-dir")
        .arg(state)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // Output is read while waiting (a full pipe would stall the child).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            // SAFETY: kill(2) on the pid of a child this test spawned.
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL);
            }
            panic!("trendd {args:?} hung on a damaged store");
        }
    };
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A feed of `n` papers with abstracts of a realistic length.
fn write_feed(path: &Path, n: usize) {
    let mut x = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Lab</title><link>https://lab.example/</link>",
    );
    for i in 0..n {
        x.push_str(&format!(
            "<item><title>Paper {i}: scaling sparse models</title><link>https://lab.example/p/{i}</link>\
             <guid>https://lab.example/p/{i}</guid><pubDate>Mon, 30 Nov 2026 08:00:00 GMT</pubDate>\
             <description>{}</description></item>",
            format!("We study sparse model {i} and show that it scales with data number {}. ", i * 7).repeat(10)
        ));
    }
    x.push_str("</channel></rss>");
    std::fs::write(path, x).unwrap();
}

fn setup(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let feed = dir.join("feed.xml");
    write_feed(&feed, 600);
    let config = dir.join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[general]\ntimezone = \"UTC\"\n[[source]]\nkind = \"feed\"\nname = \"lab\"\nurl = \"file://{}\"\n\
             [[deliver]]\nkind = \"file\"\ndir = \"{}\"\n",
            feed.display(),
            dir.join("out").display()
        ),
    )
    .unwrap();
    let state = dir.join("state");
    let (rc, _, err) = run(&config, &state, &["fetch"]);
    assert_eq!(rc, 0, "{err}");
    let (rc, _, err) = run(&config, &state, &["digest", "--now", "--no-fetch"]);
    assert_eq!(rc, 0, "{err}");
    // Everything into the database file itself (not the WAL), as a long-running store has it.
    let (rc, _, err) = run(&config, &state, &["store", "compact"]);
    assert_eq!(rc, 0, "{err}");
    let (rc, out, err) = run(&config, &state, &["store", "check"]);
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.contains("ok"), "{out}");
    (config, state)
}

fn flip(db: &Path, offsets: impl IntoIterator<Item = u64>) {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(db)
        .unwrap();
    for off in offsets {
        let mut b = [0u8; 1];
        f.seek(SeekFrom::Start(off)).unwrap();
        f.read_exact(&mut b).unwrap();
        f.seek(SeekFrom::Start(off)).unwrap();
        f.write_all(&[b[0] ^ 0x5a]).unwrap();
    }
    f.sync_all().unwrap();
}

fn item_lines(config: &Path, state: &Path) -> usize {
    let (rc, out, err) = run(config, state, &["items", "--json"]);
    assert_eq!(rc, 0, "{err}");
    out.lines().count()
}

#[test]
fn flipped_bytes_in_the_data_are_found_named_and_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let (config, state) = setup(dir.path());
    let db = state.join("store.db");
    let pages = std::fs::metadata(&db).unwrap().len() / 4096;
    assert!(pages > 40, "{pages} pages");
    // 16 bytes in the cell content at the end of 16 pages spread over the file's middle.
    flip(
        &db,
        (0..16).map(|i| (pages / 4 + i * pages / 40) * 4096 + 4096 - 300 + i),
    );
    // The first command to meet the damage prints none of the list it meant to print.
    let (rc, out, err) = run(&config, &state, &["items", "--json"]);
    assert_eq!((rc, out.as_str()), (1, ""), "{err}");
    assert!(err.contains("damaged"), "{err}");
    let (rc, out, _) = run(&config, &state, &["store", "check"]);
    assert_eq!(rc, 1, "check must report the damage: {out}");
    assert!(out.contains("DAMAGED"), "{out}");
    // From now on every command stops with one error that names the file, and prints nothing else.
    for args in [
        &["status"][..],
        &["items", "--json"],
        &["fetch"],
        &["digest", "--now", "--no-fetch"],
    ] {
        let (rc, out, err) = run(&config, &state, args);
        assert_eq!(rc, 1, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?} printed: {out}");
        assert!(
            err.contains(&db.display().to_string()) && err.contains("damaged"),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: one error: {err}");
    }
    let (rc, out, err) = run(&config, &state, &["store", "recover"]);
    assert_eq!(rc, 0, "{out}{err}");
    assert!(out.contains("saved") && out.contains("kept at"), "{out}");
    let aside: Vec<_> = std::fs::read_dir(&state)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("store.db.damaged-")
        })
        .collect();
    assert_eq!(aside.len(), 1, "the damaged store is kept aside");
    let (rc, out, _) = run(&config, &state, &["store", "check"]);
    assert_eq!(rc, 0, "the recovered store is sound: {out}");
    let n = item_lines(&config, &state);
    assert!(n >= 450 && n <= 600, "{n} of 600 items saved");
    let (rc, out, err) = run(&config, &state, &["status"]);
    assert_eq!(rc, 0, "{err}");
    assert!(out.contains(&format!("items: {n}")), "{out}");
    assert!(out.contains("sent"), "the digest ledger survived: {out}");
    // The recovered store takes new items again.
    let (rc, _, err) = run(&config, &state, &["fetch"]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(item_lines(&config, &state), 600);
}

#[test]
fn a_flipped_header_stops_every_command_at_once_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (config, state) = setup(dir.path());
    let db = state.join("store.db");
    flip(&db, 0..16);
    for args in [
        &["status"][..],
        &["items"],
        &["fetch"],
        &["digest", "--now"],
        &["store", "compact"],
    ] {
        let (rc, out, err) = run(&config, &state, args);
        assert_eq!(rc, 1, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?} printed: {out}");
        assert!(
            err.contains(&db.display().to_string()) && err.contains("damaged"),
            "{args:?}: {err}"
        );
    }
    let (rc, out, _) = run(&config, &state, &["store", "check"]);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("damaged"), "{out}");
}
