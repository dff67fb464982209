//! Fetch cycle: `BENCH_FEEDS` (500) feeds on one loopback HTTP server that answers each request after
//! `BENCH_LATENCY_MS` (100 ms) and honours ETag / If-None-Match with 304. The real `trendd fetch` runs
//! twice per scenario on a fresh state dir (the second cycle should transfer no body), with the default
//! `[http]` settings and with `per_host_interval_secs = 0` (all feeds share the host 127.0.0.1, so the
//! per-host pacing, not the concurrency, bounds the default cycle). Then the memory of `trendd run`:
//! idle after start-up, idle after one scheduled fetch cycle, and its peak.
//!
//!     cargo bench --bench fetch_cycle

mod common;

use common::*;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    ok: AtomicU64,
    not_modified: AtomicU64,
    body_bytes: AtomicU64,
    conditional: AtomicU64,
    inflight: AtomicU64,
    max_inflight: AtomicU64,
    connections: AtomicU64,
    /// Arrival times of requests (since the server's epoch), to see the pacing.
    arrivals: Mutex<Vec<Duration>>,
}

impl Stats {
    fn reset(&self) {
        for a in [
            &self.requests,
            &self.ok,
            &self.not_modified,
            &self.body_bytes,
            &self.conditional,
            &self.max_inflight,
            &self.connections,
        ] {
            a.store(0, Relaxed);
        }
        self.arrivals.lock().unwrap().clear();
    }
}

/// A realistic blog feed: RSS 2.0, `items` entries with ≈600-byte descriptions.
fn feed_body(n: usize, items: usize) -> Vec<u8> {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Blog {n}</title><link>https://blog{n}.example.org/</link><description>Feed {n}</description>\n"
    );
    for k in 0..items {
        s.push_str(&format!(
            "<item><title>Post {k} of blog {n}: notes on scaling sparse attention and reasoning</title><link>https://blog{n}.example.org/posts/{k}</link><guid>https://blog{n}.example.org/posts/{k}</guid><pubDate>Mon, 0{} Jun 2026 10:00:00 GMT</pubDate><author>author{k}@example.org (Author {k})</author><description>&lt;p&gt;{}&lt;/p&gt;</description></item>\n",
            1 + k % 9,
            "We look at how models trade memory for speed, what the benchmarks miss, and which ideas from this week's papers survive contact with production workloads. ".repeat(4)
        ));
    }
    s.push_str("</channel></rss>\n");
    s.into_bytes()
}

async fn serve(
    listener: TcpListener,
    feeds: Arc<Vec<Vec<u8>>>,
    latency: Duration,
    stats: Arc<Stats>,
    epoch: Instant,
) {
    loop {
        let Ok((sock, _)) = listener.accept().await else {
            continue;
        };
        stats.connections.fetch_add(1, Relaxed);
        let (feeds, stats) = (feeds.clone(), stats.clone());
        tokio::spawn(async move {
            let (r, mut w) = sock.into_split();
            let mut r = BufReader::new(r);
            loop {
                let mut line = String::new();
                // An idle keep-alive connection is closed after 30 s; the bench never waits that long.
                match tokio::time::timeout(Duration::from_secs(30), r.read_line(&mut line)).await {
                    Ok(Ok(n)) if n > 0 => {}
                    _ => return,
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut inm = None;
                let mut close = false;
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        match k.trim().to_ascii_lowercase().as_str() {
                            "if-none-match" => inm = Some(v.trim().to_string()),
                            "connection" => close = v.trim().eq_ignore_ascii_case("close"),
                            _ => {}
                        }
                    }
                }
                stats.requests.fetch_add(1, Relaxed);
                stats.arrivals.lock().unwrap().push(epoch.elapsed());
                let now_in = stats.inflight.fetch_add(1, Relaxed) + 1;
                stats.max_inflight.fetch_max(now_in, Relaxed);
                tokio::time::sleep(latency).await;
                stats.inflight.fetch_sub(1, Relaxed);
                let idx: Option<usize> = path
                    .strip_prefix("/feed/")
                    .and_then(|p| p.strip_suffix(".xml"))
                    .and_then(|n| n.parse().ok());
                let resp: Vec<u8> = match idx.and_then(|i| feeds.get(i).map(|b| (i, b))) {
                    None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
                    Some((i, body)) => {
                        let etag = format!("\"feed-{i}-v1\"");
                        if inm.is_some() {
                            stats.conditional.fetch_add(1, Relaxed);
                        }
                        if inm.as_deref() == Some(etag.as_str()) {
                            stats.not_modified.fetch_add(1, Relaxed);
                            format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n")
                                .into_bytes()
                        } else {
                            stats.ok.fetch_add(1, Relaxed);
                            stats.body_bytes.fetch_add(body.len() as u64, Relaxed);
                            let mut v = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\nContent-Length: {}\r\nETag: {etag}\r\n\r\n",
                                body.len()
                            )
                            .into_bytes();
                            v.extend_from_slice(body);
                            v
                        }
                    }
                };
                if w.write_all(&resp).await.is_err() || close {
                    return;
                }
            }
        });
    }
}

fn config(path: &Path, port: u16, n: usize, http: &str, extra: &str) {
    let list: Vec<(&str, String)> = (0..n)
        .map(|i| ("feed", format!("http://127.0.0.1:{port}/feed/{i}.xml")))
        .collect();
    write_config(
        path,
        &format!("[general]\ntimezone = \"UTC\"\n\n[http]\n{http}\n{extra}\n"),
        &list,
    );
}

/// Median gap between consecutive request arrivals, in ms.
fn median_gap(a: &[Duration]) -> f64 {
    let mut a = a.to_vec();
    a.sort();
    let gaps: Vec<f64> = a
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64() * 1e3)
        .collect();
    median(&gaps)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n = env_or("BENCH_FEEDS", 500usize);
    let latency = Duration::from_millis(env_or("BENCH_LATENCY_MS", 100u64));
    let items = env_or("BENCH_FEED_ITEMS", 20usize);
    println!("machine: {}", machine());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let feeds: Arc<Vec<Vec<u8>>> = Arc::new((0..n).map(|i| feed_body(i, items)).collect());
    let total: usize = feeds.iter().map(Vec::len).sum();
    let stats = Arc::new(Stats::default());
    let epoch = Instant::now();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(serve(
        listener,
        feeds.clone(),
        latency,
        stats.clone(),
        epoch,
    ));
    println!(
        "{n} feeds of {items} items ({:.1} MB in all) on 127.0.0.1:{port}, {} ms per request",
        total as f64 / 1e6,
        latency.as_millis()
    );

    let tmp = tempfile::tempdir().unwrap();
    let defaults = trendd::config::parse_str("", "defaults").unwrap().http;
    let scenarios: Vec<(&str, String, u32, f64)> = vec![
        (
            "default [http]",
            String::new(),
            defaults.concurrency,
            defaults.per_host_interval_secs,
        ),
        (
            "per_host_interval_secs = 0",
            "per_host_interval_secs = 0.0".into(),
            defaults.concurrency,
            0.0,
        ),
        (
            "per_host_interval_secs = 0, concurrency = 32",
            "per_host_interval_secs = 0.0\nconcurrency = 32".into(),
            32,
            0.0,
        ),
    ];
    // BENCH_DAEMON_ONLY=1: only the `trendd run` memory figures at the end.
    let cycles = if std::env::var_os("BENCH_DAEMON_ONLY").is_some() {
        &scenarios[..0]
    } else {
        &scenarios[..]
    };
    for (k, (label, http, conc, interval)) in cycles.iter().enumerate() {
        let cfg = tmp.path().join(format!("c{k}.toml"));
        config(&cfg, port, n, http, "");
        let state = tmp.path().join(format!("s{k}"));
        let conc_ideal = (n as f64 / *conc as f64).ceil() * latency.as_secs_f64();
        let host_ideal = if *interval > 0.0 {
            (n as f64 - 1.0) * interval + latency.as_secs_f64()
        } else {
            0.0
        };
        let ideal = conc_ideal.max(host_ideal);
        println!("== {label}: concurrency {conc}, per-host interval {interval} s; ideal {ideal:.2} s (concurrency bound {conc_ideal:.2} s, host bound {host_ideal:.2} s); load {}", loadavg());
        for cycle in 1..=2 {
            stats.reset();
            let r = run_child(
                &mut trendd(&cfg, &state, &["fetch"]),
                Duration::from_secs(900),
            );
            let arrivals = stats.arrivals.lock().unwrap().clone();
            println!(
                "  cycle {cycle}: exit {} wall {:.2} s ({:.2}x ideal), cpu {:.2} s, peak RSS {:.1} MiB; requests {} (200: {}, 304: {}, conditional: {}), body bytes {}, max in flight {}, connections {}, median gap between requests {:.1} ms",
                r.code,
                r.wall.as_secs_f64(),
                r.wall.as_secs_f64() / ideal,
                r.cpu.as_secs_f64(),
                r.max_rss_kib as f64 / 1024.0,
                stats.requests.load(Relaxed),
                stats.ok.load(Relaxed),
                stats.not_modified.load(Relaxed),
                stats.conditional.load(Relaxed),
                stats.body_bytes.load(Relaxed),
                stats.max_inflight.load(Relaxed),
                stats.connections.load(Relaxed),
                median_gap(&arrivals)
            );
        }
    }

    // `trendd run`: idle after start-up, after one scheduled fetch cycle, and its peak.
    stats.reset();
    let cfg = tmp.path().join("daemon.toml");
    config(
        &cfg,
        port,
        n,
        "per_host_interval_secs = 0.0",
        "[schedule]\nfetch = \"*/15 * * * * *\"\ndigest = \"0 0 1 1 *\"\ncatch_up = false\n",
    );
    let state = tmp.path().join("daemon-state");
    let mut child = trendd(&cfg, &state, &["run"]).spawn().unwrap();
    let pid = child.id();
    std::thread::sleep(Duration::from_millis(1500));
    if child.try_wait().unwrap().is_some() {
        println!("== trendd run: exited at once (the daemon is not in this build); idle figures not available");
        return;
    }
    let (idle0, _) = proc_status_kib(pid);
    let start = Instant::now();
    let mut fetched = false;
    while start.elapsed() < Duration::from_secs(120) {
        if stats.requests.load(Relaxed) as usize >= n && stats.inflight.load(Relaxed) == 0 {
            fetched = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(3)); // let the cycle finish storing and settle
    let (idle1, hwm) = proc_status_kib(pid);
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let _ = child.wait();
    println!(
        "== trendd run ({n} feeds, fetch every 15 s): idle after start-up {:.1} MiB; idle after a fetch cycle {:.1} MiB{}; peak {:.1} MiB",
        idle0 as f64 / 1024.0,
        idle1 as f64 / 1024.0,
        if fetched { "" } else { " (no full fetch cycle seen within 120 s)" },
        hwm as f64 / 1024.0
    );
}
