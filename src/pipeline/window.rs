//! Which items a day's digest may take: those of its window by first-seen time and by their own date,
//! never one dated after the day (a digest composed for a past date must not swallow later items), and
//! no date in the future at all.

use super::App;
use crate::error::{Error, Result};
use crate::model::Item;
use crate::store::Table;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use std::collections::HashSet;

/// The last instant of `date` in the configured time zone.
pub fn end_of(app: &App, date: NaiveDate) -> DateTime<Utc> {
    let next = date
        .succ_opt()
        .unwrap_or(date)
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let tz = app.config.timezone();
    let start_next = tz
        .from_local_datetime(&next)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| next.and_utc());
    start_next - Duration::seconds(1)
}

/// Refuses a digest date after today (in the configured time zone): it would take every item up to
/// then and leave the days between empty.
pub fn check_date(app: &App, date: NaiveDate, now: DateTime<Utc>) -> Result<()> {
    let today = now.with_timezone(&app.config.timezone()).date_naive();
    if date > today {
        return Err(Error::Other(format!(
            "--date {date} is in the future (today is {today} in {}); a digest is composed for today or an earlier day",
            app.config.timezone()
        )));
    }
    Ok(())
}

/// The index record that lets a digest find `item` by its own date (see `Table::Dated`).
pub fn dated_key(day: NaiveDate, key: &str) -> String {
    format!("{day}\0{key}")
}

/// The candidates for the digest of `date`: first seen in the window or dated in it, dated (by their
/// own date, else first-seen) no later than the day, never sent before, with a title. An item first
/// seen after the day but dated before it belongs to the day (a past digest composed late, from
/// what was fetched since, still shows that day's papers).
pub fn candidates(app: &App, date: NaiveDate, max_age_days: u32) -> Result<Vec<Item>> {
    let end = end_of(app, date);
    let cutoff = end - Duration::days(max_age_days.min(100_000) as i64);
    let window_start = cutoff.max(DateTime::<Utc>::UNIX_EPOCH);
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for it in app.store.items_seen_since(window_start)? {
        seen.insert(it.key.clone());
        found.push(it);
    }
    for key in dated_keys(app, window_start.date_naive(), end.date_naive())? {
        if seen.insert(key.clone()) {
            if let Some(it) = app.store.item(&key)? {
                found.push(it);
            }
        }
    }
    let mut out = Vec::with_capacity(found.len());
    for it in found {
        let own = it.date();
        if own < cutoff || own > end || it.title.trim().is_empty() {
            continue;
        }
        if app.store.sent_on(&it.key)?.is_some() {
            continue;
        }
        out.push(it);
    }
    Ok(out)
}

/// Keys of items whose own date falls in `from..=to`, read month by month from the index.
fn dated_keys(app: &App, from: NaiveDate, to: NaiveDate) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    while (y, m) <= (to.year(), to.month()) {
        for (k, _) in app
            .store
            .kv_scan::<u8>(Table::Dated, &format!("{y:04}-{m:02}-"))?
        {
            let Some((day, key)) = k.split_once('\0') else {
                continue;
            };
            let in_range =
                NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok_and(|d| d >= from && d <= to);
            if in_range {
                out.push(key.to_string());
            }
        }
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    Ok(out)
}
