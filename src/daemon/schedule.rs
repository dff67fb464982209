//! Cron schedules evaluated in an IANA time zone at local wall-clock time (croner).
//!
//! DST rules, the same for every zone:
//! - a job whose local time falls inside the spring-forward gap (02:30 in Europe/Berlin on the last
//!   Sunday of March) fires once that day, at the first valid instant after the gap (03:00 local);
//!   jobs with stepped or wildcard hours/minutes simply have no instants inside the gap;
//! - a local time that occurs twice in the autumn fall-back overlap fires once, at its first
//!   occurrence; the repeated hour does not fire again.
//!
//! `next_after` is strictly monotonic: its result is always later than `after`, which the daemon
//! relies on to fire at most once per scheduled instant.

use chrono::{DateTime, Duration, LocalResult, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use croner::parser::{CronParser, Seconds};
use croner::Cron;

/// Parses a cron expression: 5 fields (minute hour day-of-month month day-of-week), or 6 with
/// seconds first; `@daily`-style nicknames are accepted too.
pub fn parse_cron(expr: &str) -> Result<croner::Cron, String> {
    let fields = expr.split_whitespace().count();
    if !expr.trim_start().starts_with('@') && !(5..=6).contains(&fields) {
        return Err(format!(
            "expected 5 fields (minute hour day month weekday) or 6 (second first), found {fields}"
        ));
    }
    CronParser::builder()
        .seconds(Seconds::Optional)
        .build()
        .parse(expr)
        .map_err(|e| e.to_string())
}

/// The first scheduled instant strictly after `after`, reading the cron at wall-clock time in `tz`.
/// `None` when the pattern never matches again.
pub fn next_after(cron: &Cron, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    // Whole seconds: croner steps in seconds and would otherwise carry the fraction into its result.
    let mut from = after.with_nanosecond(0)?.with_timezone(&tz);
    for _ in 0..16 {
        let next = cron.find_next_occurrence(&from, false).ok()?;
        let next_utc = next.with_timezone(&Utc);
        if !matches_or_replaces_gap_time(cron, tz, &next) {
            from = next;
            continue;
        }
        if next_utc > after {
            return Some(next_utc);
        }
        // croner searches in local wall time and resolves an ambiguous (autumn) local time to its
        // first occurrence, which lies in the past when `after` is in the repeated hour. Skip past
        // the later occurrence of that wall time so each local time fires once, never twice.
        let later = tz.from_local_datetime(&next.naive_local()).latest()?;
        from = if later > from {
            later
        } else {
            from + Duration::seconds(1)
        };
    }
    None
}

/// Whether `t` matches the cron, or is the end of a spring-forward gap that swallowed a matching
/// time of the same day. croner moves a fixed-time job that falls into the gap to the gap's end, but
/// it also lands there when its search merely walks through the gap (a 01:30 job would fire at 01:30
/// and again at 03:00); this tells the two apart.
fn matches_or_replaces_gap_time(cron: &Cron, tz: Tz, t: &DateTime<Tz>) -> bool {
    if cron.is_time_matching(t).unwrap_or(false) {
        return true;
    }
    let end = t.naive_local();
    let mut probe = end - Duration::seconds(1);
    // Gaps are at most a few hours; walk back through the wall times that do not exist.
    while end - probe <= Duration::hours(3)
        && matches!(tz.from_local_datetime(&probe), LocalResult::None)
    {
        let p = &cron.pattern;
        let hit = probe.date() == end.date()
            && p.hour_match(probe.hour()).unwrap_or(false)
            && p.minute_match(probe.minute()).unwrap_or(false)
            && p.second_match(probe.second()).unwrap_or(false);
        if hit {
            return true;
        }
        probe -= Duration::seconds(1);
    }
    false
}

/// Whether a digest missed today should be sent now (start-up catch-up): today's (local) schedule
/// had an instant at or before `now`, and today's digest is not recorded as sent.
pub fn catch_up_due(now: DateTime<Utc>, tz: Tz, cron: &Cron, sent_today: bool) -> bool {
    if sent_today {
        return false;
    }
    let local = now.with_timezone(&tz);
    let today = local.date_naive();
    let midnight = tz
        .from_local_datetime(&today.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        // Zones whose DST change skips midnight itself: count back the wall-clock seconds.
        .unwrap_or_else(|| now - Duration::seconds(i64::from(local.num_seconds_from_midnight())));
    match next_after(cron, tz, midnight - Duration::seconds(1)) {
        Some(first) => first <= now && first.with_timezone(&tz).date_naive() == today,
        None => false,
    }
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
