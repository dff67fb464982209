//! arXiv's announcement calendar, so the digest can say plainly why there is no new listing.
//!
//! arXiv announces new submissions Sunday to Thursday at 20:00 America/New_York; nothing is announced
//! on Friday and Saturday evenings, nor on the holidays below. A digest whose last 24 hours hold no
//! announcement gets a note instead of an empty "For you" section that looks like a failure.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::America::New_York;

/// Evening announcements arXiv has said it will skip (dates in New York), with the reason.
///
/// Taken from arXiv's "Availability of submissions" page (info.arxiv.org/help/availability.html,
/// "On Deferred Mailings"). This table MUST be kept up to date: add each year's list when arXiv
/// publishes it. Dates falling on a Friday or Saturday cost no announcement (there is none those
/// evenings) and are kept only so the table mirrors arXiv's list.
const HOLIDAYS: &[(&str, &str)] = &[
    ("2025-01-01", "New Year's Day"),
    ("2025-01-20", "Martin Luther King Jr. Day"),
    ("2025-06-19", "Juneteenth"),
    ("2025-07-06", "Independence Day break"),
    ("2025-09-01", "Labor Day"),
    ("2025-11-27", "Thanksgiving"),
    // arXiv had not yet scheduled December 2025 when this table was written; Christmas Day is assumed.
    ("2025-12-25", "Christmas Day"),
    ("2026-01-01", "New Year's Day"),
    ("2026-01-19", "Martin Luther King Jr. Day"),
    ("2026-06-19", "Juneteenth"),
    ("2026-07-03", "Independence Day, observed"),
    ("2026-09-07", "Labor Day"),
    ("2026-11-26", "Thanksgiving"),
    ("2026-12-25", "Christmas Day"),
    ("2026-12-29", "winter break"),
    ("2026-12-31", "New Year's Eve"),
];

/// The holiday on this New York date, if arXiv listed one.
pub fn arxiv_holiday(date: NaiveDate) -> Option<&'static str> {
    let key = date.format("%Y-%m-%d").to_string();
    HOLIDAYS
        .iter()
        .find(|(d, _)| *d == key)
        .map(|(_, name)| *name)
}

/// Whether arXiv announces at 20:00 New York time on this (New York) date.
pub fn arxiv_announces_on(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Fri | Weekday::Sat) && arxiv_holiday(date).is_none()
}

/// The instant of the 20:00 New York announcement on `date` (20:00 is never inside a DST change).
fn announcement_at(date: NaiveDate) -> DateTime<Utc> {
    let local = date.and_hms_opt(20, 0, 0).expect("20:00 is a valid time");
    New_York
        .from_local_datetime(&local)
        .earliest()
        .expect("20:00 exists in New York")
        .with_timezone(&Utc)
}

/// The first announcement strictly after `now` (searching a few weeks ahead).
pub fn next_arxiv_announcement(now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today = now.with_timezone(&New_York).date_naive();
    (0..30)
        .map(|i| today + Duration::days(i))
        .filter(|d| arxiv_announces_on(*d))
        .map(announcement_at)
        .find(|t| *t > now)
}

/// A plain-words note for the digest footer when no arXiv listing was announced in the 24 hours
/// before `now` (weekends and arXiv holidays); `None` when there is a fresh listing.
pub fn arxiv_announcement_note(now: DateTime<Utc>) -> Option<String> {
    let today = now.with_timezone(&New_York).date_naive();
    // The New York evenings whose 20:00 falls in the last 24 hours (one, or two around DST).
    let window: Vec<NaiveDate> = (0..3)
        .map(|i| today - Duration::days(i))
        .filter(|d| {
            let t = announcement_at(*d);
            t <= now && t > now - Duration::hours(24)
        })
        .collect();
    if window.iter().any(|d| arxiv_announces_on(*d)) {
        return None;
    }
    let next = next_arxiv_announcement(now).map(|t| {
        let local = t.with_timezone(&New_York);
        format!(
            " The next listing is due {} at 20:00 New York time.",
            local.format("%A %-d %B")
        )
    });
    let next = next.unwrap_or_default();
    let holiday = window.iter().find_map(|d| {
        let name = arxiv_holiday(*d)?;
        (!matches!(d.weekday(), Weekday::Fri | Weekday::Sat)).then_some((*d, name))
    });
    Some(match holiday {
        Some((d, name)) => format!(
            "No new arXiv listing today: arXiv did not announce on {} ({name}).{next}",
            d.format("%A %-d %B %Y")
        ),
        None => format!(
            "No new arXiv listing today: arXiv announces Sunday to Thursday at 20:00 New York time, so no new \
             papers appear between Thursday 20:00 and Sunday 20:00 (no mailing on Friday and Saturday nights).{next}"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
    }

    #[test]
    fn weekday_mornings_after_an_announcement_have_no_note() {
        // Tuesday to Friday and Monday mornings, 07:00 New York (12:00Z in November, EST).
        for d in [
            "2026-11-17",
            "2026-11-18",
            "2026-11-19",
            "2026-11-20",
            "2026-11-23",
        ] {
            assert_eq!(
                arxiv_announcement_note(utc(&format!("{d} 12:00"))),
                None,
                "{d}"
            );
        }
    }

    #[test]
    fn weekend_mornings_say_there_is_no_listing_and_when_the_next_is() {
        for d in ["2026-11-21", "2026-11-22"] {
            let note = arxiv_announcement_note(utc(&format!("{d} 12:00"))).expect(d);
            assert!(
                note.contains("Sunday to Thursday at 20:00 New York time"),
                "{note}"
            );
            assert!(note.contains("Friday and Saturday"), "{note}");
            assert!(
                note.contains("next listing is due Sunday 22 November"),
                "{note}"
            );
        }
    }

    #[test]
    fn sunday_evening_announcement_ends_the_weekend_note() {
        // 19:00 vs 21:00 EST on Sunday 2026-11-22.
        assert!(arxiv_announcement_note(utc("2026-11-23 00:00")).is_some());
        assert_eq!(arxiv_announcement_note(utc("2026-11-23 02:00")), None);
        // Sunday 2026-03-08 is New York's spring change: 20:00 EDT is 00:00Z.
        assert!(arxiv_announcement_note(utc("2026-03-08 23:30")).is_some());
        assert_eq!(arxiv_announcement_note(utc("2026-03-09 00:30")), None);
    }

    #[test]
    fn holidays_are_named() {
        let note = arxiv_announcement_note(utc("2026-11-27 12:00")).unwrap();
        assert!(
            note.contains("Thursday 26 November 2026 (Thanksgiving)"),
            "{note}"
        );
        assert!(
            note.contains("next listing is due Sunday 29 November"),
            "{note}"
        );
        let note = arxiv_announcement_note(utc("2026-01-20 12:00")).unwrap();
        assert!(note.contains("Martin Luther King Jr. Day"), "{note}");
        assert!(
            note.contains("next listing is due Tuesday 20 January"),
            "{note}"
        );
        let note = arxiv_announcement_note(utc("2026-12-30 12:00")).unwrap();
        assert!(note.contains("Tuesday 29 December 2026"), "{note}");
        // The day after a holiday's announcement resumes, the note is gone.
        assert_eq!(arxiv_announcement_note(utc("2026-12-31 12:00")), None);
    }

    #[test]
    fn friday_holidays_cost_no_announcement() {
        assert!(!arxiv_announces_on(
            NaiveDate::from_ymd_opt(2026, 7, 3).unwrap()
        ));
        let note = arxiv_announcement_note(utc("2026-07-04 12:00")).unwrap();
        assert!(note.contains("Sunday to Thursday"), "{note}");
        // Thursday 2 July's listing is fresh on Friday 3 July.
        assert_eq!(arxiv_announcement_note(utc("2026-07-03 12:00")), None);
    }

    #[test]
    fn the_table_is_sorted_and_well_formed() {
        let dates: Vec<NaiveDate> = HOLIDAYS.iter().map(|(d, _)| d.parse().unwrap()).collect();
        assert!(dates.windows(2).all(|w| w[0] < w[1]));
    }
}
