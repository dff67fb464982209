//! The deadlines a digest lists: those of every enabled `deadlines` source, filtered by its `tags`,
//! still ahead and within `[digest] deadline_days`, soonest first, shown in the reader's time zone.

use crate::config::SourceConfig;
use crate::error::Result;
use crate::pipeline::App;
use crate::sources::deadlines::{of_type, wanted, Deadline};
use crate::store::Table;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// `digest.json` "deadlines".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadlineEntry {
    /// "NeurIPS 2027".
    pub title: String,
    /// "Paper submission deadline".
    pub label: String,
    /// RFC 3339, UTC.
    pub deadline: DateTime<Utc>,
    /// Calendar days from today to the deadline's day, in the reader's time zone.
    pub days_left: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The deadline in the reader's time zone: "Fri 14 May, 13:59".
    #[serde(default)]
    pub local: String,
}

/// The deadlines ahead of `now`, soonest first, with the days left counted from `today` (the
/// digest's date in the reader's zone).
pub fn list(app: &App, now: DateTime<Utc>, today: NaiveDate) -> Result<Vec<DeadlineEntry>> {
    let days = app.config.digest.deadline_days as i64;
    let until = now + Duration::days(days);
    let tz = app.config.timezone();
    let mut all: Vec<Deadline> = Vec::new();
    for s in app.config.sources.iter().filter(|s| s.enabled()) {
        let SourceConfig::Deadlines(cfg) = s else {
            continue;
        };
        let recs: Vec<(String, Vec<Deadline>)> = app
            .store
            .kv_scan(Table::Deadlines, &format!("{}\0", cfg.name))?;
        all.extend(
            recs.into_iter()
                .flat_map(|(_, v)| v)
                .filter(|d| d.deadline > now && d.deadline <= until)
                .filter(|d| wanted(d, &cfg.tags) && of_type(d, &cfg.types)),
        );
    }
    all.sort_by(|a, b| {
        a.deadline
            .cmp(&b.deadline)
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.label.cmp(&b.label))
    });
    // The same conference may come from two files or two sources.
    all.dedup_by(|a, b| a.deadline == b.deadline && a.title == b.title && a.label == b.label);
    Ok(all.into_iter().map(|d| entry(d, today, &tz)).collect())
}

fn entry<Z: TimeZone>(d: Deadline, today: NaiveDate, tz: &Z) -> DeadlineEntry
where
    Z::Offset: std::fmt::Display,
{
    let local = d.deadline.with_timezone(tz);
    let days_left = (local.date_naive() - today).num_days();
    DeadlineEntry {
        title: d.title,
        label: d.label,
        deadline: d.deadline,
        days_left,
        url: d.url,
        local: local.format("%a %-d %b, %H:%M").to_string(),
    }
}

/// "NeurIPS 2027 paper submission deadline: Fri 14 May, 13:59 your time — 12 days".
pub fn line(d: &DeadlineEntry) -> String {
    let label = d.label.trim();
    let mut chars = label.chars();
    let label = match chars.next() {
        // "Paper submission deadline" reads after the title as "paper submission deadline".
        Some(c) if chars.clone().next().is_some_and(|n| n.is_lowercase()) => {
            c.to_lowercase().chain(chars).collect::<String>()
        }
        _ => label.to_string(),
    };
    let when = match d.days_left {
        0 => "today".to_string(),
        1 => "1 day".to_string(),
        n => format!("{n} days"),
    };
    format!("{} {label}: {} your time — {when}", d.title, d.local)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(title: &str, at: &str) -> Deadline {
        Deadline {
            title: title.into(),
            label: "Paper submission deadline".into(),
            kind: "paper".into(),
            deadline: DateTime::parse_from_rfc3339(at)
                .unwrap()
                .with_timezone(&Utc),
            timezone: "AoE".into(),
            url: Some("https://neurips.cc/".into()),
            tags: vec![],
        }
    }

    #[test]
    fn shown_in_the_readers_zone_with_days_left() {
        let now = NaiveDate::from_ymd_opt(2027, 5, 2).unwrap();
        // 23:59:59 AoE on 14 May is 11:59:59 UTC on the 15th, 13:59 in Berlin (CEST).
        let e = entry(
            d("NeurIPS 2027", "2027-05-15T11:59:59Z"),
            now,
            &chrono_tz::Europe::Berlin,
        );
        assert_eq!(e.local, "Sat 15 May, 13:59");
        assert_eq!(e.days_left, 13);
        assert_eq!(
            line(&e),
            "NeurIPS 2027 paper submission deadline: Sat 15 May, 13:59 your time — 13 days"
        );
        let e = entry(d("X", "2027-05-02T20:00:00Z"), now, &chrono_tz::UTC);
        assert!(line(&e).ends_with("— today"), "{}", line(&e));
        let e = entry(d("X", "2027-05-03T20:00:00Z"), now, &chrono_tz::UTC);
        assert!(line(&e).ends_with("— 1 day"));
    }
}
