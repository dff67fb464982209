//! Shared by the delivery tests: a real store in a tempdir, a hand-built `Rendered`, a loopback SMTP
//! server (aiosmtpd, in `smtp_server.py`), a throwaway CA made with `openssl`, and captured logs.
#![allow(dead_code)]

use chrono::{NaiveDate, Utc};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use trendd::deliver::Rendered;
use trendd::store::{DigestRecord, Store};

pub const PASSWORD: &str = "s3cret-pw-5f9d2";
pub const PASSWORD_ENV: &str = "TRENDD_TEST_DELIVER_SMTP_PASSWORD";
pub const WEBHOOK_SECRET: &str = "xoxSECRETtoken77";
/// A hostile title: markup and a CRLF that tries to start a Bcc header.
pub const HOSTILE_SUBJECT: &str =
    "ML digest <script>alert(1)</script>\r\nBcc: evil@attacker.example";

static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct LogWriter(Arc<Mutex<Vec<u8>>>);
impl Write for LogWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs a subscriber that keeps every log line (trendd at trace level), and sets the environment
/// variables the tests read, once per test binary before any test goes on (so no setenv races a getenv).
pub fn init() {
    LOGS.get_or_init(|| {
        std::env::set_var(PASSWORD_ENV, PASSWORD);
        let buf = Arc::new(Mutex::new(Vec::new()));
        let w = LogWriter(buf.clone());
        let sub = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info,trendd=trace"))
            .with_writer(move || w.clone())
            .with_ansi(false)
            .finish();
        let _ = tracing::subscriber::set_global_default(sub);
        buf
    });
}

pub fn logs() -> String {
    String::from_utf8_lossy(&LOGS.get().expect("init() first").lock().unwrap()).into_owned()
}

/// Fails when any secret shows in `text` (errors, receipts, ledger, logs).
pub fn assert_no_secret(what: &str, text: &str) {
    for s in [PASSWORD, WEBHOOK_SECRET, "wrong-pw-ab12"] {
        assert!(!text.contains(s), "{what} contains a secret ({s}): {text}");
    }
}

pub fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

pub fn rendered(date: NaiveDate) -> Rendered {
    Rendered {
        date,
        subject: HOSTILE_SUBJECT.to_string(),
        html: "<!doctype html><html><body><h1>Trending</h1><p>Übersicht — naïve café ✓ &lt;script&gt;</p></body></html>".into(),
        text: "Trending\n\nÜbersicht — naïve café ✓ <script>\n".into(),
        slack: serde_json::json!({"text": "ML digest", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Trending* Übersicht"}}]}),
        json: r#"{"date":"2026-11-20","sections":[{"title":"Trending","items":[{"key":"2604.00001"}]}]}"#.into(),
    }
}

pub fn record(date: NaiveDate) -> DigestRecord {
    DigestRecord {
        date,
        composed_at: Utc::now(),
        digest_json: "{}".into(),
        keys: vec!["2604.00001".into()],
        channels: Default::default(),
    }
}

/// A store in a fresh tempdir holding the composed record, as the pipeline leaves it before delivery.
pub fn store_with_record(dir: &Path, date: NaiveDate) -> (Store, DigestRecord) {
    let store = Store::open(dir).unwrap();
    let rec = record(date);
    store.put_digest_and_mark_sent(&rec).unwrap();
    (store, rec)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether aiosmtpd is importable; if not, prints a visible SKIP (or fails when `CI` is set).
pub fn aiosmtpd_available(test: &str) -> bool {
    let ok = Command::new(python())
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: python3 cannot import aiosmtpd (pip install aiosmtpd==1.4.6)"
        );
        // Written to the real stderr, past the test harness's capture, so the skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIP {test}: python3 cannot import aiosmtpd (pip install aiosmtpd==1.4.6 to run it)"
        );
    }
    ok
}

/// A throwaway CA and a server certificate for 127.0.0.1 / localhost.
pub struct TestTls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub fn make_tls(dir: &Path) -> TestTls {
    let p = |n: &str| dir.join(n);
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl must be installed for the TLS tests");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let s = |p: PathBuf| p.to_str().unwrap().to_string();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=trendd test CA",
        "-keyout",
        &s(p("ca.key")),
        "-out",
        &s(p("ca.pem")),
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        &s(p("server.key")),
        "-out",
        &s(p("server.csr")),
    ]);
    std::fs::write(p("ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        &s(p("server.csr")),
        "-CA",
        &s(p("ca.pem")),
        "-CAkey",
        &s(p("ca.key")),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        &s(p("ext")),
        "-out",
        &s(p("server.pem")),
    ]);
    TestTls {
        ca: p("ca.pem"),
        cert: p("server.pem"),
        key: p("server.key"),
    }
}

/// A running aiosmtpd; killed on drop.
pub struct Smtp {
    child: Child,
    pub port: u16,
    pub out: PathBuf,
}

impl Smtp {
    /// `mode`: starttls | tls | none; `auth`: (user, password) the server accepts.
    pub fn start(
        port: u16,
        out: &Path,
        mode: &str,
        tls: Option<&TestTls>,
        auth: Option<(&str, &str)>,
    ) -> Smtp {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support_deliver/smtp_server.py"
        );
        let mut cmd = Command::new(python());
        cmd.arg(script).arg(port.to_string()).arg(out).arg(mode);
        if let Some(t) = tls {
            cmd.arg(&t.cert).arg(&t.key);
        }
        cmd.env_remove("TEST_SMTP_USER")
            .env_remove("TEST_SMTP_PASSWORD");
        if let Some((u, p)) = auth {
            cmd.env("TEST_SMTP_USER", u).env("TEST_SMTP_PASSWORD", p);
        }
        // The server's own log (tracebacks of refused TLS handshakes) goes beside the mail folder.
        let log_path = out.with_extension("log");
        let log = std::fs::File::create(&log_path).unwrap();
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start smtp_server.py");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(l) if l.trim() == "ready" => {}
            other => {
                let _ = child.kill();
                panic!(
                    "smtp_server.py did not start: {other:?}\n{}",
                    std::fs::read_to_string(&log_path).unwrap_or_default()
                );
            }
        }
        Smtp {
            child,
            port,
            out: out.to_path_buf(),
        }
    }

    /// Every message received so far, as parsed by Python's `email` package, in arrival order.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        messages_in(&self.out)
    }
}

pub fn messages_in(out: &Path) -> Vec<serde_json::Value> {
    let mut files: Vec<_> = std::fs::read_dir(out)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Values of header `name` (case-insensitive) in a parsed message.
pub fn header(m: &serde_json::Value, name: &str) -> Vec<String> {
    m["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|h| h[1].as_str().unwrap().to_string())
        .collect()
}

pub fn http_client() -> trendd::http::HttpClient {
    let cfg = trendd::config::Http {
        connect_timeout_secs: 5,
        timeout_secs: 10,
        max_body_bytes: 1 << 20,
        max_redirects: 3,
        retries: 2,
        max_retry_after_secs: 5,
        concurrency: 2,
        per_host_interval_secs: 0.0,
    };
    trendd::http::HttpClient::new(&cfg, "trendd-test (test@example.org)").unwrap()
}
