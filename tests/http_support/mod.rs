//! A raw HTTP/1.1 server on loopback for the HTTP client's tests: each handler gets the parsed
//! request and the socket, so it decides status, headers, timing and truncation byte by byte.
//! Every connection serves one request and is closed afterwards.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Req {
    /// 0 for the first request this server saw, 1 for the next, …
    pub n: usize,
    /// When the request head was complete.
    pub at: Instant,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running server; its accept loop stops when this is dropped.
pub struct Server {
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Req>>>,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
    /// The requests seen so far, in arrival order.
    pub fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
    pub fn count(&self) -> usize {
        self.log.lock().unwrap().len()
    }
    /// TCP connections accepted (counts those that never sent a request, e.g. a TLS handshake).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Start a server on 127.0.0.1 calling `handler` for every request.
pub async fn serve<F, Fut>(handler: F) -> Server
where
    F: Fn(Req, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(AtomicUsize::new(0));
    let handler = Arc::new(handler);
    let (log2, conns2) = (log.clone(), connections.clone());
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                continue;
            };
            conns2.fetch_add(1, Ordering::SeqCst);
            let (log, handler) = (log2.clone(), handler.clone());
            tokio::spawn(async move {
                let Some(mut req) = read_request(&mut sock).await else {
                    return;
                };
                {
                    let mut log = log.lock().unwrap();
                    req.n = log.len();
                    log.push(req.clone());
                }
                handler(req, sock).await;
            });
        }
    });
    Server {
        addr,
        log,
        connections,
        task,
    }
}

/// A listener that accepts connections and never writes a byte (nor reads one).
pub async fn silent() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let conns2 = connections.clone();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            conns2.fetch_add(1, Ordering::SeqCst);
            held.push(sock);
        }
    });
    Server {
        addr,
        log: Arc::new(Mutex::new(Vec::new())),
        connections,
        task,
    }
}

async fn read_request(sock: &mut TcpStream) -> Option<Req> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let at = Instant::now();
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Req {
        n: 0,
        at,
        method,
        path,
        headers,
        body,
    })
}

/// Write a complete response with a Content-Length and close.
pub async fn reply(sock: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    let _ = sock.write_all(&bytes).await;
    let _ = sock.shutdown().await;
}

/// Write only a status line and headers (no Content-Length added); the caller streams the rest.
pub async fn head(
    sock: &mut TcpStream,
    status: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    sock.write_all(out.as_bytes()).await
}

/// A config with small timeouts and caps so hostile cases end quickly.
pub fn cfg() -> trendd::config::Http {
    trendd::config::Http {
        connect_timeout_secs: 1,
        timeout_secs: 2,
        max_body_bytes: 1 << 20,
        max_redirects: 5,
        retries: 2,
        max_retry_after_secs: 5,
        concurrency: 8,
        per_host_interval_secs: 0.0,
    }
}

pub fn client(cfg: &trendd::config::Http) -> trendd::http::HttpClient {
    trendd::http::HttpClient::new(cfg, "trendd-test/0").unwrap()
}

/// The gap between two server-side arrival times.
pub fn gap(a: &Req, b: &Req) -> Duration {
    b.at.saturating_duration_since(a.at)
}

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Peak resident set size of this process (VmHWM), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    status_kib("VmHWM:")
}

/// Current resident set size (VmRSS), in KiB.
pub fn rss_kib() -> Option<u64> {
    status_kib("VmRSS:")
}

/// Reset the peak to the current RSS (Linux ≥ 4.0), so the next peak belongs to what runs next.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
