//! A real HTTP/1.1 server on loopback for the integration tests: serves files with ETag and
//! Last-Modified, answers 304 to matching validators, and can misbehave per path (status codes,
//! Retry-After, delays) so tests see real responses and real timing.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the server answers one path.
#[derive(Clone, Debug)]
pub enum Rule {
    /// This status with this body, every time.
    Status(u16, &'static str),
    /// 429 with `Retry-After: secs` the first `times` requests, then the file.
    TooManyThenOk { times: u32, retry_after: u32 },
    /// Waits before answering.
    Delay(Duration),
}

#[derive(Clone, Debug)]
pub struct Logged {
    pub path: String,
    pub status: u16,
    pub at: Instant,
    pub if_none_match: bool,
}

pub struct Server {
    pub port: u16,
    pub log: Arc<Mutex<Vec<Logged>>>,
    rules: Arc<Mutex<HashMap<String, Rule>>>,
}

impl Server {
    /// Serves the files under `root` at `http://127.0.0.1:PORT/<relative path>` (query ignored).
    pub fn start(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let rules: Arc<Mutex<HashMap<String, Rule>>> = Arc::new(Mutex::new(HashMap::new()));
        let counts: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
        let (l, r) = (log.clone(), rules.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, l, r, c) = (root.clone(), l.clone(), r.clone(), counts.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &root, &l, &r, &c);
                });
            }
        });
        Server { port, log, rules }
    }

    pub fn rule(&self, path: &str, rule: Rule) {
        self.rules.lock().unwrap().insert(path.to_string(), rule);
    }

    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }
}

fn etag_of(bytes: &[u8]) -> String {
    // FNV-1a: stable, and enough to tell versions of a fixture apart.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h = (h ^ *b as u64).wrapping_mul(0x100000001b3);
    }
    format!("\"{h:016x}\"")
}

fn serve(
    mut stream: TcpStream,
    root: &std::path::Path,
    log: &Mutex<Vec<Logged>>,
    rules: &Mutex<HashMap<String, Rule>>,
    counts: &Mutex<HashMap<String, u32>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let path = target
            .split('?')
            .next()
            .unwrap_or("/")
            .trim_start_matches('/')
            .to_string();
        let mut inm = None;
        let mut content_length = 0usize;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                match k.to_ascii_lowercase().as_str() {
                    "if-none-match" => inm = Some(v.trim().to_string()),
                    "content-length" => content_length = v.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body)?;
        let n = {
            let mut c = counts.lock().unwrap();
            let e = c.entry(path.clone()).or_default();
            *e += 1;
            *e
        };
        let rule = rules.lock().unwrap().get(&path).cloned();
        let (status, headers, bytes): (u16, Vec<String>, Vec<u8>) = match rule {
            Some(Rule::Status(s, b)) => (s, vec![], b.as_bytes().to_vec()),
            Some(Rule::TooManyThenOk { times, retry_after }) if n <= times => (
                429,
                vec![format!("Retry-After: {retry_after}")],
                b"slow down".to_vec(),
            ),
            other => {
                if let Some(Rule::Delay(d)) = other {
                    std::thread::sleep(d);
                }
                match std::fs::read(root.join(&path)) {
                    Err(_) => (404, vec![], b"not found".to_vec()),
                    Ok(b) => {
                        let tag = etag_of(&b);
                        if inm.as_deref() == Some(tag.as_str()) {
                            (304, vec![format!("ETag: {tag}")], Vec::new())
                        } else {
                            (
                                200,
                                vec![
                                    format!("ETag: {tag}"),
                                    "Last-Modified: Mon, 16 Nov 2026 07:00:00 GMT".into(),
                                ],
                                b,
                            )
                        }
                    }
                }
            }
        };
        log.lock().unwrap().push(Logged {
            path: path.clone(),
            status,
            at: Instant::now(),
            if_none_match: inm.is_some(),
        });
        let mut head = format!(
            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: keep-alive\r\n",
            bytes.len()
        );
        for h in headers {
            head.push_str(&h);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.write_all(&bytes)?;
        stream.flush()?;
    }
}

/// `../shared` beside the repo (the recorded fixtures, corpus and benchmark data).
///
/// A test that reads it is marked
/// `#[cfg_attr(shared_missing, ignore = "needs ../shared (recorded fixtures beside the checkout)")]`
/// (see build.rs): without `../shared` it is counted as ignored in `cargo test`'s summary. When such a
/// test runs anyway — under `CI=true`, or with `--ignored` — and `../shared` is absent, this panics
/// with the reason: a test that needs the data never passes without it.
pub fn shared() -> PathBuf {
    shared_at(&PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared"
    )))
}

/// [`shared`] for a given folder (the test of the helper itself points it elsewhere).
pub fn shared_at(p: &std::path::Path) -> PathBuf {
    if p.join("fixtures").is_dir() {
        return p.to_path_buf();
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    panic!(
        "{} is absent: this test needs the recorded fixtures beside the checkout{}",
        p.display(),
        if ci {
            " (CI=true: CI always has them, so their absence is an error)"
        } else {
            "; a test marked #[cfg_attr(shared_missing, ignore = ...)] is then listed as ignored"
        }
    );
}

/// Runs the trendd binary with a config and state dir; returns (exit code, stdout, stderr).
pub fn trendd(
    config: &std::path::Path,
    state: &std::path::Path,
    args: &[&str],
) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trendd"))
        .arg("--config")
        .arg(config)
        .arg("--state-dir")
        .arg(state)
        .args(args)
        .output()
        .expect("run trendd");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every entry of a `digest.json`, section by section.
pub fn digest_entries(d: &serde_json::Value) -> Vec<&serde_json::Value> {
    d["sections"]
        .as_array()
        .expect("a digest has sections")
        .iter()
        .flat_map(|s| s["items"].as_array().expect("a section has items"))
        .collect()
}
