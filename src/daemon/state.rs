//! The daemon's bookkeeping, kept free of I/O so it can be tested with made-up clocks: when each
//! scheduled job is due, and whether today's digest still needs to run.

use super::schedule::next_after;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use croner::Cron;
use std::time::Duration;

/// One cron-driven job: fires at most once per scheduled instant, and once (not once per missed
/// instant) when the wall clock jumps past several of them (suspend, NTP step).
#[derive(Debug, Clone)]
pub struct Job {
    cron: Cron,
    /// The scheduled instant last fired.
    last_fired: Option<DateTime<Utc>>,
    next: Option<DateTime<Utc>>,
}

impl Job {
    pub fn new(cron: Cron, tz: Tz, now: DateTime<Utc>) -> Job {
        let next = next_after(&cron, tz, now);
        Job {
            cron,
            last_fired: None,
            next,
        }
    }

    pub fn cron(&self) -> &Cron {
        &self.cron
    }

    /// The next scheduled instant, if any.
    pub fn next(&self) -> Option<DateTime<Utc>> {
        self.next
    }

    /// Recomputes the next instant from `now` (after a reload or a backward clock step), never
    /// returning to an instant already fired.
    pub fn reschedule(&mut self, cron: Cron, tz: Tz, now: DateTime<Utc>) {
        self.cron = cron;
        let from = self.last_fired.map_or(now, |l| l.max(now));
        self.next = next_after(&self.cron, tz, from);
    }

    /// The scheduled instant that is due at `now`, marking it fired.
    pub fn take_due(&mut self, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let due = self.next.filter(|n| *n <= now)?;
        self.last_fired = Some(due);
        // From `now`, not `due`: instants skipped while the clock jumped are not replayed one by one.
        self.next = next_after(&self.cron, tz, now.max(due));
        Some(due)
    }
}

/// Retry delay after the `failures`-th consecutive failure: base, 2×base, 4×base … capped.
pub fn retry_delay(base: Duration, cap: Duration, failures: u32) -> Duration {
    let factor = 1u32
        .checked_shl(failures.saturating_sub(1))
        .unwrap_or(u32::MAX);
    base.checked_mul(factor).unwrap_or(cap).min(cap)
}

/// Whether a digest should run for a date: once it succeeded, not again that day; after a failed
/// channel, again only once the backoff has passed.
#[derive(Debug, Clone)]
pub struct DigestGate {
    base: Duration,
    cap: Duration,
    done: Option<NaiveDate>,
    /// The date being retried, consecutive failures, and when the next attempt may run.
    retry: Option<(NaiveDate, u32, DateTime<Utc>)>,
}

impl DigestGate {
    pub fn new(base: Duration, cap: Duration) -> DigestGate {
        DigestGate {
            base,
            cap,
            done: None,
            retry: None,
        }
    }

    /// May a digest for `date` run at `now`?
    pub fn may_run(&self, date: NaiveDate, now: DateTime<Utc>) -> bool {
        if self.done == Some(date) {
            return false;
        }
        match self.retry {
            Some((d, _, at)) if d == date => at <= now,
            _ => true,
        }
    }

    /// `date`'s digest is delivered everywhere (or recorded so in the ledger).
    pub fn succeeded(&mut self, date: NaiveDate) {
        self.done = Some(date);
        if self.retry.is_some_and(|(d, _, _)| d == date) {
            self.retry = None;
        }
    }

    /// A channel failed for `date`: returns when to try again.
    pub fn failed(&mut self, date: NaiveDate, now: DateTime<Utc>) -> DateTime<Utc> {
        let failures = match self.retry {
            Some((d, n, _)) if d == date => n + 1,
            _ => 1,
        };
        let delay = retry_delay(self.base, self.cap, failures);
        let at = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
        self.retry = Some((date, failures, at));
        at
    }

    /// A pending retry for `today`: its date and time. Retries of an earlier day are dropped, as that
    /// day's digest is no longer today's.
    pub fn pending_retry(&mut self, today: NaiveDate) -> Option<(NaiveDate, DateTime<Utc>)> {
        match self.retry {
            Some((d, _, at)) if d == today => Some((d, at)),
            Some(_) => {
                self.retry = None;
                None
            }
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemon::schedule::parse_cron;

    fn utc(s: &str) -> DateTime<Utc> {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_job_fires_once_per_instant() {
        let tz = chrono_tz::UTC;
        let mut job = Job::new(
            parse_cron("30 7 * * *").unwrap(),
            tz,
            utc("2026-05-01 07:00:00"),
        );
        assert_eq!(job.take_due(tz, utc("2026-05-01 07:29:59")), None);
        assert_eq!(
            job.take_due(tz, utc("2026-05-01 07:30:00")),
            Some(utc("2026-05-01 07:30:00"))
        );
        assert_eq!(job.take_due(tz, utc("2026-05-01 07:30:00")), None);
        assert_eq!(job.take_due(tz, utc("2026-05-01 07:45:00")), None);
        assert_eq!(job.next(), Some(utc("2026-05-02 07:30:00")));
    }

    #[test]
    fn a_clock_jump_past_several_instants_fires_once() {
        let tz = chrono_tz::UTC;
        let mut job = Job::new(
            parse_cron("30 7 * * *").unwrap(),
            tz,
            utc("2026-05-01 07:00:00"),
        );
        // Suspended for three days.
        assert_eq!(
            job.take_due(tz, utc("2026-05-04 09:00:00")),
            Some(utc("2026-05-01 07:30:00"))
        );
        assert_eq!(job.take_due(tz, utc("2026-05-04 09:00:01")), None);
        assert_eq!(job.next(), Some(utc("2026-05-05 07:30:00")));
    }

    #[test]
    fn a_backward_clock_step_does_not_fire_the_same_instant_again() {
        let tz = chrono_tz::UTC;
        let cron = parse_cron("30 7 * * *").unwrap();
        let mut job = Job::new(cron.clone(), tz, utc("2026-05-01 07:00:00"));
        assert!(job.take_due(tz, utc("2026-05-01 07:30:05")).is_some());
        // NTP steps the clock back an hour: 07:30 is ahead again, but it already fired.
        job.reschedule(cron, tz, utc("2026-05-01 06:30:05"));
        assert_eq!(job.next(), Some(utc("2026-05-02 07:30:00")));
        assert_eq!(job.take_due(tz, utc("2026-05-01 07:30:00")), None);
    }

    #[test]
    fn backoff_doubles_from_the_base_and_is_capped() {
        let (m, h) = (Duration::from_secs(60), Duration::from_secs(3600));
        let got: Vec<u64> = (1..=9)
            .map(|n| retry_delay(m, h, n).as_secs() / 60)
            .collect();
        assert_eq!(got, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(retry_delay(m, h, 200), h);
        assert_eq!(
            retry_delay(Duration::from_secs(1), Duration::from_secs(5), 3),
            Duration::from_secs(4)
        );
    }

    #[test]
    fn the_gate_skips_a_day_already_done_and_waits_out_the_backoff() {
        let mut g = DigestGate::new(Duration::from_secs(2), Duration::from_secs(10));
        let d = date("2026-05-01");
        let t0 = utc("2026-05-01 07:30:00");
        assert!(g.may_run(d, t0));
        assert_eq!(g.failed(d, t0), utc("2026-05-01 07:30:02"));
        assert!(!g.may_run(d, utc("2026-05-01 07:30:01")));
        assert!(g.may_run(d, utc("2026-05-01 07:30:02")));
        assert_eq!(
            g.failed(d, utc("2026-05-01 07:30:02")),
            utc("2026-05-01 07:30:06")
        );
        assert_eq!(g.pending_retry(d), Some((d, utc("2026-05-01 07:30:06"))));
        g.succeeded(d);
        assert!(!g.may_run(d, utc("2026-05-01 09:00:00")));
        assert_eq!(g.pending_retry(d), None);
        // The next day runs again.
        assert!(g.may_run(date("2026-05-02"), utc("2026-05-02 07:30:00")));
    }

    #[test]
    fn a_retry_of_yesterday_is_dropped_at_the_day_change() {
        let mut g = DigestGate::new(Duration::from_secs(60), Duration::from_secs(3600));
        let d = date("2026-05-01");
        g.failed(d, utc("2026-05-01 23:59:00"));
        assert_eq!(g.pending_retry(date("2026-05-02")), None);
        assert!(g.may_run(date("2026-05-02"), utc("2026-05-02 00:00:30")));
    }
}
