//! A state directory, a config and a feed written by the test, and the real `trendd` binary run
//! against them: what the reliability tests share.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Env {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub state: PathBuf,
    /// The file channel's folder.
    pub out: PathBuf,
    pub feed: PathBuf,
}

/// An RSS 2.0 feed of `(title, published)` items, each with its own link.
pub fn feed_xml(items: &[(&str, DateTime<Utc>)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>Test blog</title><link>https://blog.example/</link>\n",
    );
    for (i, (title, at)) in items.iter().enumerate() {
        s.push_str(&format!(
            "<item><title>{title}</title><link>https://blog.example/posts/{i}-{}</link><guid>https://blog.example/posts/{i}</guid><pubDate>{}</pubDate><description>{title}. We describe it at length in this post.</description></item>\n",
            title.len(),
            at.to_rfc2822()
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

impl Env {
    /// A feed source reading `feed.xml` and a file channel, plus `extra` appended to the config.
    pub fn new(extra: &str) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let (config, state, out, feed) = (
            dir.path().join("trendd.toml"),
            dir.path().join("state"),
            dir.path().join("out"),
            dir.path().join("feed.xml"),
        );
        std::fs::write(&feed, feed_xml(&[])).unwrap();
        let env = Env {
            dir,
            config,
            state,
            out,
            feed,
        };
        env.write_config(extra);
        env
    }

    pub fn write_config(&self, extra: &str) {
        let text = format!(
            "[general]\ntimezone = \"UTC\"\n\n[[source]]\nkind = \"feed\"\nname = \"blog\"\nurl = \"file://{}\"\n\n[[deliver]]\nkind = \"file\"\ndir = \"{}\"\n{extra}",
            self.feed.display(),
            self.out.display()
        );
        std::fs::write(&self.config, text).unwrap();
    }

    pub fn write_feed(&self, items: &[(&str, DateTime<Utc>)]) {
        std::fs::write(&self.feed, feed_xml(items)).unwrap();
    }

    /// The command, ready to run: `--config`, `--state-dir`, no inherited log filter.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.arg("--config")
            .arg(&self.config)
            .arg("--state-dir")
            .arg(&self.state)
            .args(args)
            .env_remove("RUST_LOG")
            .env_remove("TRENDD_CONFIG")
            .env_remove("TRENDD_STATE_DIR")
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("trendd runs")
    }

    /// The digest the file channel wrote for `date`, as text ("" when none).
    pub fn digest_json(&self, date: &str) -> String {
        std::fs::read_to_string(self.out.join(format!("{date}.json"))).unwrap_or_default()
    }
}

/// The binary under test: this build's, or `$TRENDD_TEST_BIN` (to run these tests against another
/// build, e.g. one from before a fix, and see them fail).
pub fn bin() -> PathBuf {
    std::env::var_os("TRENDD_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_trendd")))
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Stdout and stderr of `o`, for messages.
pub fn both(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    )
}

pub fn today() -> String {
    Utc::now().date_naive().to_string()
}

/// Whether `path` holds `needle` anywhere under it (the store's files included).
pub fn tree_contains(path: &Path, needle: &[u8]) -> bool {
    let Ok(entries) = std::fs::read_dir(path) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            tree_contains(&p, needle)
        } else {
            std::fs::read(&p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
        }
    })
}
