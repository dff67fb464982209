//! Per-host pacing and the global in-flight limit.
//!
//! Every request to one host takes a turn: it waits until the host's next free moment, then takes a
//! global permit, then books the host's next free moment `interval` later. Holding the host's turn
//! while waiting for the global permit keeps starts to one host strictly `interval` apart even when
//! the global limit is the bottleneck. arXiv asks for one request every 3 s over one connection, so
//! every `*.arxiv.org` host shares one pacing key, gets at least 3 s, allows one request in flight, and
//! counts its interval from the end of the previous request rather than its start.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// arXiv's published limit for automated access.
pub const ARXIV_MIN_INTERVAL: Duration = Duration::from_secs(3);

/// Paces requests per host and bounds requests in flight over all hosts.
#[derive(Clone)]
pub struct Pacer {
    global: Arc<Semaphore>,
    interval: Duration,
    hosts: Arc<Mutex<HashMap<String, Arc<Host>>>>,
}

struct Host {
    interval: Duration,
    /// Serializes the "wait, then book" step among requests to this host.
    turn: tokio::sync::Mutex<()>,
    /// Earliest moment the next request to this host may start.
    next: Mutex<Instant>,
    /// `Some` for hosts that allow one request in flight (arXiv).
    single: Option<Arc<Semaphore>>,
    /// Count the interval from the end of a request rather than its start.
    from_end: bool,
}

/// Held for the whole exchange (headers and body); dropping it frees the slot.
pub struct Slot {
    host: Arc<Host>,
    _global: OwnedSemaphorePermit,
    _single: Option<OwnedSemaphorePermit>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if self.host.from_end {
            push_back(&self.host, Instant::now() + self.host.interval);
        }
    }
}

/// Whether `host` belongs to arXiv (arxiv.org or any subdomain).
pub fn is_arxiv(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "arxiv.org" || h.ends_with(".arxiv.org")
}

/// A duration from a config number of seconds; negative, NaN or absurd values count as zero.
pub fn secs_f64(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs)
        .unwrap_or(Duration::ZERO)
        .min(Duration::from_secs(86_400))
}

fn push_back(host: &Host, at: Instant) {
    let mut next = host.next.lock().unwrap_or_else(|p| p.into_inner());
    if at > *next {
        *next = at;
    }
}

impl Pacer {
    /// `concurrency` requests in flight at once (at least one); `interval` between starts per host.
    pub fn new(concurrency: u32, interval: Duration) -> Self {
        Pacer {
            global: Arc::new(Semaphore::new(concurrency.max(1) as usize)),
            interval,
            hosts: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn host(&self, host: &str) -> Arc<Host> {
        let arxiv = is_arxiv(host);
        let key = if arxiv {
            "arxiv.org".to_string()
        } else {
            host.to_ascii_lowercase()
        };
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Host {
                    interval: if arxiv {
                        self.interval.max(ARXIV_MIN_INTERVAL)
                    } else {
                        self.interval
                    },
                    turn: tokio::sync::Mutex::new(()),
                    next: Mutex::new(Instant::now()),
                    single: arxiv.then(|| Arc::new(Semaphore::new(1))),
                    from_end: arxiv,
                })
            })
            .clone()
    }

    /// Wait for this host's turn and a global permit.
    pub async fn acquire(&self, host: &str) -> Slot {
        let h = self.host(host);
        let single = match &h.single {
            // The semaphores are never closed, so acquiring cannot fail.
            Some(s) => Some(s.clone().acquire_owned().await.expect("semaphore closed")),
            None => None,
        };
        let turn = h.turn.lock().await;
        loop {
            let at = *h.next.lock().unwrap_or_else(|p| p.into_inner());
            if Instant::now() >= at {
                break;
            }
            // A Retry-After may push `next` further while we sleep, hence the loop.
            tokio::time::sleep_until(at).await;
        }
        let global = self
            .global
            .clone()
            .acquire_owned()
            .await
            .expect("semaphore closed");
        push_back(&h, Instant::now() + h.interval);
        drop(turn);
        Slot {
            host: h,
            _global: global,
            _single: single,
        }
    }

    /// A server asked this host to be left alone for `wait` (Retry-After): every request to it waits.
    pub fn defer(&self, host: &str, wait: Duration) {
        push_back(&self.host(host), Instant::now() + wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arxiv_hosts() {
        for h in [
            "arxiv.org",
            "export.arxiv.org",
            "rss.arxiv.org",
            "EXPORT.ArXiv.org",
            "arxiv.org.",
        ] {
            assert!(is_arxiv(h), "{h}");
        }
        for h in [
            "notarxiv.org",
            "arxiv.org.evil.com",
            "huggingface.co",
            "arxiv.com",
        ] {
            assert!(!is_arxiv(h), "{h}");
        }
    }

    #[test]
    fn bad_intervals_are_zero() {
        assert_eq!(secs_f64(-1.0), Duration::ZERO);
        assert_eq!(secs_f64(f64::NAN), Duration::ZERO);
        assert_eq!(secs_f64(0.25), Duration::from_millis(250));
    }

    #[tokio::test(start_paused = true)]
    async fn starts_to_one_host_are_spaced() {
        let p = Pacer::new(8, Duration::from_millis(500));
        let t0 = Instant::now();
        drop(p.acquire("example.org").await);
        drop(p.acquire("example.org").await);
        let t2 = Instant::now();
        assert!(t2 - t0 >= Duration::from_millis(500));
        // Another host is not held back.
        let before = Instant::now();
        drop(p.acquire("other.org").await);
        assert_eq!(Instant::now(), before);
    }

    #[tokio::test(start_paused = true)]
    async fn arxiv_is_one_at_a_time_and_three_seconds_from_the_end() {
        let p = Pacer::new(8, Duration::from_millis(200));
        let first = p.acquire("export.arxiv.org").await;
        let p2 = p.clone();
        let second = tokio::spawn(async move {
            let _s = p2.acquire("rss.arxiv.org").await;
            Instant::now()
        });
        // The first request takes 10 s; the second may not start during it, nor within 3 s of its end.
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(!second.is_finished());
        let end = Instant::now();
        drop(first);
        let started = second.await.unwrap();
        assert!(started - end >= ARXIV_MIN_INTERVAL);
    }

    #[tokio::test(start_paused = true)]
    async fn global_limit_and_defer() {
        let p = Pacer::new(1, Duration::ZERO);
        let a = p.acquire("a.example").await;
        let p2 = p.clone();
        let b = tokio::spawn(async move { drop(p2.acquire("b.example").await) });
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(
            !b.is_finished(),
            "a second request started past the global limit of one"
        );
        drop(a);
        b.await.unwrap();

        p.defer("a.example", Duration::from_secs(30));
        let t0 = Instant::now();
        drop(p.acquire("a.example").await);
        assert!(Instant::now() - t0 >= Duration::from_secs(30));
    }
}
