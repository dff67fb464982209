//! `trendd run`: scheduled fetches and digests, systemd notify, signals.
//!
//! One loop owns all scheduling. It sleeps until the next fire time but never longer than
//! `max_sleep`, and re-reads the wall clock on every wake: tokio's timers run on the monotonic clock,
//! which stands still during suspend, so only the wall clock tells that 07:30 has passed. Each job
//! fires at most once per scheduled instant (see `state::Job`).
//!
//! Fetch and digest are separate jobs running as tasks. A digest wants fresh data: it waits for a
//! running fetch (or one it starts when the last is stale) at most `fetch_wait`, then composes with
//! `fetch: false`. `pipeline::run_digest` owns the exactly-once ledger; the daemon only avoids calling
//! it again the same day once a digest went out, and retries with backoff when a channel failed.

pub mod calendar;
pub mod notify;
pub mod schedule;
pub mod signals;
mod state;

pub use calendar::arxiv_announcement_note;

use crate::error::{Error, Result};
use crate::pipeline::{self, App, DigestOptions, DigestReport, FetchReport};
use crate::store::DeliveryState;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use notify::Notifier;
use signals::{Request, Signals};
use state::{DigestGate, Job};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinHandle};
use tokio::time::Instant;
use tracing::{debug, error, info, warn};

/// The daemon's timings. The defaults are for production; tests shorten them.
#[derive(Debug, Clone)]
pub struct DaemonOptions {
    /// Longest sleep between two looks at the wall clock (suspend/resume, NTP steps).
    pub max_sleep: Duration,
    /// How long a due digest waits for a running fetch before composing without it.
    pub fetch_wait: Duration,
    /// A due digest first starts a fetch when the last one finished longer ago than this.
    pub fresh_fetch: Duration,
    /// Time in-flight jobs get at shutdown before their (network) work is abandoned.
    pub shutdown_grace: Duration,
    /// First retry delay after a failed delivery; doubles per failure up to `retry_cap`.
    pub retry_base: Duration,
    pub retry_cap: Duration,
}

impl Default for DaemonOptions {
    fn default() -> Self {
        DaemonOptions {
            max_sleep: Duration::from_secs(30),
            fetch_wait: Duration::from_secs(120),
            fresh_fetch: Duration::from_secs(600),
            shutdown_grace: Duration::from_secs(5),
            retry_base: Duration::from_secs(60),
            retry_cap: Duration::from_secs(3600),
        }
    }
}

/// Runs the daemon until SIGTERM or SIGINT. Sends READY=1 to `$NOTIFY_SOCKET` once started.
pub async fn run(app: App) -> Result<()> {
    let mut signals = Signals::install()?;
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(async move {
        loop {
            let request = signals.recv().await;
            if tx.send(request).await.is_err() {
                break;
            }
        }
    });
    run_until(app, DaemonOptions::default(), Notifier::from_env(), rx).await
}

/// Runs the daemon, taking stop and reload requests from `requests` (signals, or a test).
pub async fn run_until(
    app: App,
    opts: DaemonOptions,
    notifier: Notifier,
    requests: mpsc::Receiver<Request>,
) -> Result<()> {
    // The web face binds before READY=1, so a port in use fails the start, not a later request.
    let web = crate::web::start_in_daemon(&app)?;
    let result = Daemon::new(app, opts, notifier)?.run(requests).await;
    if let Some(w) = web {
        w.stop().await;
    }
    result
}

fn parse_schedule(expr: &str, key: &str, app: &App) -> Result<croner::Cron> {
    schedule::parse_cron(expr).map_err(|e| {
        let origin = app
            .config_path
            .as_ref()
            .map_or("<built-in config>".to_string(), |p| p.display().to_string());
        Error::config(
            origin,
            format!("key `{key}`: invalid cron expression {expr:?}: {e}"),
        )
    })
}

type Slot<K, T> = Option<(K, JoinHandle<T>)>;

/// Awaits the task in `slot`, or forever when there is none.
async fn join_some<K: Copy, T>(slot: &mut Slot<K, T>) -> (K, Result<T, JoinError>) {
    match slot {
        Some((k, h)) => {
            let r = h.await;
            (*k, r)
        }
        None => std::future::pending().await,
    }
}

struct Daemon {
    app: App,
    opts: DaemonOptions,
    notifier: Notifier,
    tz: Tz,
    fetch_job: Job,
    digest_job: Job,
    gate: DigestGate,
    fetch: Slot<&'static str, Result<FetchReport>>,
    digest: Slot<NaiveDate, Result<DigestReport>>,
    /// A digest due while a fetch runs: its date and how long it waits at most.
    waiting: Option<(NaiveDate, Instant)>,
    last_fetch_done: Option<Instant>,
    last_wall: DateTime<Utc>,
    status_fetch: String,
    status_digest: String,
}

impl Daemon {
    fn new(app: App, opts: DaemonOptions, notifier: Notifier) -> Result<Daemon> {
        let fetch_cron = parse_schedule(&app.config.schedule.fetch, "schedule.fetch", &app)?;
        let digest_cron = parse_schedule(&app.config.schedule.digest, "schedule.digest", &app)?;
        let tz = app.config.timezone();
        let now = Utc::now();
        let status_digest = match app.store.recent_digests(1) {
            Ok(recs) => recs.first().map_or("no digest yet".to_string(), |r| {
                format!("last digest {} {}", r.date, ledger_word(r))
            }),
            Err(e) => {
                warn!("cannot read the digest ledger: {e}");
                "no digest yet".to_string()
            }
        };
        Ok(Daemon {
            gate: DigestGate::new(opts.retry_base, opts.retry_cap),
            fetch_job: Job::new(fetch_cron, tz, now),
            digest_job: Job::new(digest_cron, tz, now),
            app,
            opts,
            notifier,
            tz,
            fetch: None,
            digest: None,
            waiting: None,
            last_fetch_done: None,
            last_wall: now,
            status_fetch: "no fetch yet".to_string(),
            status_digest,
        })
    }

    fn local(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M:%S %Z")
            .to_string()
    }

    fn next_str(&self, job: &Job) -> String {
        job.next().map_or("never".to_string(), |t| self.local(t))
    }

    fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.tz).date_naive()
    }

    async fn run(mut self, mut requests: mpsc::Receiver<Request>) -> Result<()> {
        self.notifier.ready();
        info!(
            "trendd running: time zone {}, fetch {:?} (next {}), digest {:?} (next {}), state in {}",
            self.tz,
            self.app.config.schedule.fetch,
            self.next_str(&self.fetch_job),
            self.app.config.schedule.digest,
            self.next_str(&self.digest_job),
            self.app.state_dir.display()
        );
        self.start_up(Utc::now());
        self.publish_status();
        let mut watchdog = notify::watchdog_interval().map(|period| {
            let mut i = tokio::time::interval(period);
            i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            i
        });
        loop {
            let now = Utc::now();
            if now < self.last_wall - chrono::Duration::seconds(2) {
                warn!(
                    "the wall clock stepped back from {} to {}; rescheduling",
                    self.local(self.last_wall),
                    self.local(now)
                );
                self.reschedule(now);
            }
            self.last_wall = now;
            self.fire_due(now);
            let sleep = self.sleep_for(now);
            tokio::select! {
                request = requests.recv() => match request {
                    Some(Request::Reload) => self.reload(),
                    Some(Request::Stop(signal)) => {
                        info!("{signal} received: stopping");
                        break;
                    }
                    None => break,
                },
                (why, result) = join_some(&mut self.fetch) => {
                    self.fetch = None;
                    self.fetch_finished(why, result);
                    release_memory();
                }
                (date, result) = join_some(&mut self.digest) => {
                    self.digest = None;
                    self.digest_finished(date, result);
                    release_memory();
                }
                _ = async { match watchdog.as_mut() { Some(i) => { i.tick().await; } None => std::future::pending().await } } => {
                    self.notifier.watchdog();
                }
                _ = tokio::time::sleep(sleep) => {}
            }
        }
        self.shutdown().await
    }

    /// After READY=1: one fetch, then today's digest if it was missed (catch-up).
    fn start_up(&mut self, now: DateTime<Utc>) {
        self.start_fetch("start-up");
        let today = self.today(now);
        let sent = self.sent_in_ledger(today);
        if sent {
            info!(
                "today's digest ({today}) is already sent; the next one is due {}",
                self.next_str(&self.digest_job)
            );
            self.gate.succeeded(today);
        } else if self.app.config.schedule.catch_up
            && schedule::catch_up_due(now, self.tz, self.digest_job.cron(), false)
        {
            info!("catch-up: today's digest ({today}) was due earlier and is not sent yet; sending it after the start-up fetch");
            self.request_digest(today, "catch-up");
        }
    }

    /// Whether the ledger records `date`'s digest as sent on every configured channel.
    fn sent_in_ledger(&self, date: NaiveDate) -> bool {
        let rec = match self.app.store.digest(date) {
            Ok(Some(rec)) => rec,
            Ok(None) => return false,
            Err(e) => {
                warn!("cannot read the digest ledger for {date}: {e}");
                return false;
            }
        };
        let all_sent = !rec.channels.is_empty()
            && rec
                .channels
                .values()
                .all(|c| c.state == DeliveryState::Sent);
        let covered = self.app.config.delivers.iter().all(|d| {
            let name = d.name();
            rec.channels
                .keys()
                .any(|k| *k == name || k.starts_with(&format!("{name}/")))
        });
        all_sent && covered
    }

    fn reschedule(&mut self, now: DateTime<Utc>) {
        let (fetch, digest) = (
            self.fetch_job.cron().clone(),
            self.digest_job.cron().clone(),
        );
        self.fetch_job.reschedule(fetch, self.tz, now);
        self.digest_job.reschedule(digest, self.tz, now);
    }

    fn fire_due(&mut self, now: DateTime<Utc>) {
        if let Some(at) = self.fetch_job.take_due(self.tz, now) {
            if self.fetch.is_some() {
                warn!(
                    "fetch scheduled for {} skipped: the previous fetch is still running",
                    self.local(at)
                );
            } else {
                self.start_fetch("scheduled");
            }
        }
        if let Some(at) = self.digest_job.take_due(self.tz, now) {
            let date = at.with_timezone(&self.tz).date_naive();
            self.request_digest(date, "scheduled");
        }
        let today = self.today(now);
        if let Some((date, at)) = self.gate.pending_retry(today) {
            if at <= now {
                self.request_digest(date, "retry");
            }
        }
        if let Some((date, deadline)) = self.waiting {
            if self.fetch.is_none() {
                self.waiting = None;
                self.spawn_digest(date);
            } else if Instant::now() >= deadline {
                warn!(
                    "the fetch is still running after {} s; composing the digest for {date} without waiting for it",
                    self.opts.fetch_wait.as_secs()
                );
                self.waiting = None;
                self.spawn_digest(date);
            }
        }
    }

    fn sleep_for(&mut self, now: DateTime<Utc>) -> Duration {
        let mut wake = now
            + chrono::Duration::from_std(self.opts.max_sleep)
                .unwrap_or(chrono::Duration::seconds(30));
        let today = self.today(now);
        let retry = self
            .gate
            .pending_retry(today)
            .map(|(_, at)| at)
            .filter(|at| *at > now);
        for t in [self.fetch_job.next(), self.digest_job.next(), retry]
            .into_iter()
            .flatten()
        {
            wake = wake.min(t);
        }
        let mut d = (wake - now).to_std().unwrap_or(Duration::ZERO);
        if let Some((_, deadline)) = self.waiting {
            d = d.min(deadline.saturating_duration_since(Instant::now()));
        }
        // Timers round to milliseconds; waking a hair early would only loop once more.
        d.max(Duration::from_millis(5))
    }

    fn start_fetch(&mut self, why: &'static str) {
        if self.fetch.is_some() {
            return;
        }
        let app = self.app.clone();
        debug!("fetch started ({why})");
        self.fetch = Some((
            why,
            tokio::spawn(async move { pipeline::run_fetch(&app, None).await }),
        ));
    }

    /// A digest for `date` is due: run it unless one is in progress or the gate says not today.
    fn request_digest(&mut self, date: NaiveDate, why: &str) {
        if self.digest.is_some() || self.waiting.is_some() {
            debug!("digest ({why}) not started: one is already in progress");
            return;
        }
        if !self.gate.may_run(date, Utc::now()) {
            debug!("digest for {date} ({why}) skipped: already sent today, or waiting out a retry delay");
            return;
        }
        let fresh = self
            .last_fetch_done
            .is_some_and(|t| t.elapsed() < self.opts.fresh_fetch);
        if self.fetch.is_none() && !fresh {
            self.start_fetch("before the digest");
        }
        if self.fetch.is_some() {
            info!(
                "digest for {date} ({why}) waits for the running fetch (at most {} s)",
                self.opts.fetch_wait.as_secs()
            );
            self.waiting = Some((date, Instant::now() + self.opts.fetch_wait));
        } else {
            info!("digest for {date} ({why}) starting");
            self.spawn_digest(date);
        }
    }

    fn spawn_digest(&mut self, date: NaiveDate) {
        let app = self.app.clone();
        let opts = DigestOptions {
            date: Some(date),
            fetch: false,
            ..DigestOptions::default()
        };
        self.digest = Some((
            date,
            tokio::spawn(async move { pipeline::run_digest(&app, &opts).await }),
        ));
    }

    fn fetch_finished(&mut self, why: &str, result: Result<Result<FetchReport>, JoinError>) {
        self.last_fetch_done = Some(Instant::now());
        let when = Utc::now().with_timezone(&self.tz).format("%H:%M");
        match result {
            Ok(Ok(report)) => {
                let new: u32 = report.sources.iter().map(|s| s.counts.new).sum();
                let merged: u32 = report.sources.iter().map(|s| s.counts.merged).sum();
                let failed: Vec<&str> = report
                    .sources
                    .iter()
                    .filter(|s| s.error.is_some())
                    .map(|s| s.name.as_str())
                    .collect();
                if failed.is_empty() {
                    info!(
                        "fetch ({why}) done: {new} new, {merged} merged from {} sources",
                        report.sources.len()
                    );
                } else {
                    warn!(
                        "fetch ({why}) done: {new} new, {merged} merged; {} of {} sources failed: {}",
                        failed.len(),
                        report.sources.len(),
                        failed.join(", ")
                    );
                }
                self.status_fetch = format!("last fetch {when}: {new} new");
            }
            Ok(Err(e)) => {
                error!("fetch ({why}) failed: {e}");
                self.status_fetch = format!("last fetch {when}: failed");
            }
            Err(e) => {
                error!("fetch ({why}) task ended abnormally: {e}");
                self.status_fetch = format!("last fetch {when}: failed");
            }
        }
        self.publish_status();
    }

    fn digest_finished(
        &mut self,
        date: NaiveDate,
        result: Result<Result<DigestReport>, JoinError>,
    ) {
        let now = Utc::now();
        let problem = match result {
            Ok(Ok(report)) if report.failed.is_empty() => {
                info!(
                    "digest for {date}: {} items; delivered to [{}], already sent to [{}]",
                    report.items,
                    report.delivered.join(", "),
                    report.already_sent.join(", ")
                );
                self.gate.succeeded(date);
                self.status_digest = format!("last digest {date} sent");
                // Retention runs once a day, after the day's digest has taken what it wanted
                // (one short transaction: a day's worth of old items).
                if let Err(e) = self.app.store.prune(self.app.config.retention_days(), now) {
                    error!("retention: {e}");
                }
                None
            }
            Ok(Ok(report)) => {
                let failed: Vec<String> = report
                    .failed
                    .iter()
                    .map(|(c, why)| format!("{c} ({why})"))
                    .collect();
                Some(format!("delivery failed on {}", failed.join(", ")))
            }
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(format!("the digest task ended abnormally: {e}")),
        };
        if let Some(problem) = problem {
            let at = self.gate.failed(date, now);
            error!(
                "digest for {date}: {problem}; trying again at {}",
                self.local(at)
            );
            self.status_digest = format!(
                "last digest {date} failed, retry at {}",
                at.with_timezone(&self.tz).format("%H:%M")
            );
        }
        self.publish_status();
    }

    fn publish_status(&self) {
        self.notifier
            .status(&format!("{}; {}", self.status_fetch, self.status_digest));
    }

    /// SIGHUP: read the config again; a bad one is reported and the running one kept.
    fn reload(&mut self) {
        self.notifier.reloading();
        let origin = self
            .app
            .config_path
            .as_ref()
            .map_or("<built-in config>".to_string(), |p| p.display().to_string());
        info!("SIGHUP: reloading the configuration from {origin}");
        match self.reload_config() {
            Ok(()) => info!(
                "configuration reloaded from {origin}: next fetch {}, next digest {}",
                self.next_str(&self.fetch_job),
                self.next_str(&self.digest_job)
            ),
            Err(e) => error!("configuration not reloaded, keeping the running one: {e}"),
        }
        self.notifier.ready();
        self.publish_status();
    }

    fn reload_config(&mut self) -> Result<()> {
        let loaded = crate::config::load(self.app.config_path.as_deref())?;
        let app = App::new(
            loaded.config,
            self.app.config_path.clone(),
            self.app.state_dir.clone(),
            self.app.store.clone(),
        )?;
        let fetch = parse_schedule(&app.config.schedule.fetch, "schedule.fetch", &app)?;
        let digest = parse_schedule(&app.config.schedule.digest, "schedule.digest", &app)?;
        let now = Utc::now();
        self.tz = app.config.timezone();
        self.app = app;
        self.fetch_job.reschedule(fetch, self.tz, now);
        self.digest_job.reschedule(digest, self.tz, now);
        Ok(())
    }

    /// STOPPING=1, then give in-flight jobs a few seconds, abandon what is left, flush the store.
    async fn shutdown(mut self) -> Result<()> {
        self.notifier.stopping();
        self.waiting = None;
        let deadline = Instant::now() + self.opts.shutdown_grace;
        if let Some((why, handle)) = self.fetch.take() {
            if let Some(result) = finish_or_abandon("fetch", handle, deadline).await {
                self.fetch_finished(why, result);
            }
        }
        if let Some((date, handle)) = self.digest.take() {
            if let Some(result) = finish_or_abandon("digest", handle, deadline).await {
                self.digest_finished(date, result);
            }
        }
        // Job futures write to the store synchronously between awaits, so an abandoned job never leaves a
        // half-written record; flushing makes every finished write durable.
        self.app.store.flush()?;
        info!("stopped");
        Ok(())
    }
}

/// Hands the memory a job freed back to the system. The binary allocates small blocks through
/// mimalloc and big ones straight from the kernel (`crate::alloc`); this covers what goes through the
/// C allocator (TLS, and builds of the library with another allocator), which glibc would otherwise
/// keep in its arenas at the peak of every fetch.
fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Waits for a job until `deadline`, then aborts it at its next await point.
async fn finish_or_abandon<T>(
    what: &str,
    mut handle: JoinHandle<T>,
    deadline: Instant,
) -> Option<Result<T, JoinError>> {
    info!("waiting for the {what} in progress to finish");
    match tokio::time::timeout_at(deadline, &mut handle).await {
        Ok(result) => Some(result),
        Err(_) => {
            handle.abort();
            warn!("the {what} was still running at shutdown and was abandoned; it will run again after restart");
            None
        }
    }
}

/// "sent", "partly sent" or "pending" for a ledger record.
fn ledger_word(rec: &crate::store::DigestRecord) -> &'static str {
    let sent = rec
        .channels
        .values()
        .filter(|c| c.state == DeliveryState::Sent)
        .count();
    match sent {
        0 => "pending",
        n if n == rec.channels.len() => "sent",
        _ => "partly sent",
    }
}

#[cfg(test)]
mod tests;
