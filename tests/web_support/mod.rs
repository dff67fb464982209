//! What the web-face tests share: a store with a real digest in it (made by the real `trendd digest
//! --now` from an arXiv-API-shaped listing this file writes), and the real `trendd serve` on a
//! loopback port it picks itself.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_trendd");

/// One paper of the listing.
pub struct Paper {
    pub id: String,
    pub title: String,
    pub abstract_text: String,
}

/// Twelve papers published today; the fifth has markup in its title (it must come out inert).
pub fn papers() -> Vec<Paper> {
    let topics = [
        "Sparse attention for long-context language models",
        "Diffusion policies for robot manipulation",
        "Reasoning traces improve small language models",
        "Multimodal retrieval with contrastive pretraining",
        "<script>alert(1)</script> Robust reinforcement learning under shift",
        "Scaling laws for mixture-of-experts routing",
        "Calibrated uncertainty for medical image segmentation",
        "Efficient fine-tuning with low-rank adapters",
        "Graph transformers for molecule generation",
        "Self-supervised speech representations at scale",
        "Benchmarking code generation with unit tests",
        "Federated learning with differential privacy budgets",
    ];
    topics
        .iter()
        .enumerate()
        .map(|(i, t)| Paper {
            id: format!("2612.{}", 40000 + i),
            title: t.to_string(),
            abstract_text: format!(
                "We propose a new method for {}. Our approach improves accuracy by {} points on three \
                 standard benchmarks while using less compute. We show that the gains hold across model \
                 sizes and release code.",
                t.to_lowercase().replace(['<', '>'], ""),
                3 + i
            ),
        })
        .collect()
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An arXiv export-API feed of `papers`, published today.
pub fn listing(papers: &[Paper]) -> String {
    let today = chrono::Utc::now().format("%Y-%m-%d");
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" \
         xmlns:arxiv=\"http://arxiv.org/schemas/atom\">\n<id>https://arxiv.org/api/test</id>\
         <title>arXiv Query: test</title><updated>{today}T00:00:00Z</updated>\n"
    );
    for p in papers {
        out.push_str(&format!(
            "<entry><id>http://arxiv.org/abs/{id}v1</id><published>{today}T17:00:00Z</published>\
             <updated>{today}T17:00:00Z</updated><title>{title}</title><summary>{abs}</summary>\
             <author><name>Ada Lovelace</name></author><author><name>Alan Turing</name></author>\
             <link href=\"http://arxiv.org/abs/{id}v1\" rel=\"alternate\" type=\"text/html\"/>\
             <link title=\"pdf\" href=\"http://arxiv.org/pdf/{id}v1\" rel=\"related\" type=\"application/pdf\"/>\
             <arxiv:primary_category term=\"cs.LG\"/><category term=\"cs.LG\" scheme=\"http://arxiv.org/schemas/atom\"/>\
             </entry>\n",
            id = p.id,
            title = xml(&p.title),
            abs = xml(&p.abstract_text),
        ));
    }
    out.push_str("</feed>\n");
    out
}

/// A state directory, a config and a file channel folder in a temp dir.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub state: PathBuf,
    pub files: PathBuf,
}

impl Setup {
    /// Writes the listing and a config whose `[web]` section has `web` added to it.
    pub fn new(web: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let listing_path = dir.path().join("listing.xml");
        std::fs::write(&listing_path, listing(&papers())).unwrap();
        let files = dir.path().join("digests");
        let config = dir.path().join("trendd.toml");
        std::fs::write(
            &config,
            format!(
                "[general]\ntimezone = \"UTC\"\n[digest]\nmax_age_days = 3\n[web]\n{web}\n\
                 [[source]]\nkind = \"arxiv\"\nname = \"arxiv\"\nurl = \"file://{}\"\n\
                 [[deliver]]\nkind = \"file\"\ndir = \"{}\"\n",
                listing_path.display(),
                files.display()
            ),
        )
        .unwrap();
        let state = dir.path().join("state");
        Setup {
            dir,
            config,
            state,
            files,
        }
    }

    pub fn trendd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--config")
            .arg(&self.config)
            .arg("--state-dir")
            .arg(&self.state);
        c
    }

    /// `trendd digest --now`: today's digest, stored and written by the file channel.
    pub fn digest(&self) {
        let out = self.trendd().args(["digest", "--now"]).output().unwrap();
        assert!(
            out.status.success(),
            "digest --now failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `trendd serve` on a port of its own choosing.
    pub fn serve(&self) -> Served {
        let mut child = self
            .trendd()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("serving http://") {
                    let _ = tx.send(rest.split('/').next().unwrap_or_default().to_string());
                }
                eprintln!("trendd serve: {line}");
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("trendd serve said where it listens");
        Served {
            child: Some(child),
            base: format!("http://{addr}"),
        }
    }
}

/// A running `trendd serve`; killed if the test fails half-way.
pub struct Served {
    child: Option<Child>,
    pub base: String,
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGTERM, and the exit status.
    pub fn stop(mut self) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        child.wait().unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The `/f/…` links of a page, in order.
pub fn feedback_links(html: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"href="((?:https?://[^"/]+)?/f/[A-Za-z0-9_-]+)""#).unwrap();
    re.captures_iter(html).map(|c| c[1].to_string()).collect()
}

/// A visible skip, or a failure under CI (where everything the tests need is installed).
pub fn skip(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why} (CI=true: .ci/run installs it)");
    }
    eprintln!("SKIPPED: {why}");
}

pub fn state_has_secret(state: &Path) -> Vec<u8> {
    std::fs::read(state.join("feedback.key")).unwrap()
}
