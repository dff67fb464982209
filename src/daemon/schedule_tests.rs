use super::*;
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::BTreeMap;

fn utc(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .unwrap()
        .and_utc()
}

fn tz(name: &str) -> Tz {
    name.parse().unwrap()
}

/// The next `n` fires after `from`, as UTC strings.
fn fires(expr: &str, zone: &str, from: &str, n: usize) -> Vec<String> {
    let cron = parse_cron(expr).unwrap();
    let mut t = utc(from);
    let mut out = Vec::new();
    for _ in 0..n {
        t = next_after(&cron, tz(zone), t).unwrap();
        out.push(t.format("%Y-%m-%d %H:%M:%S").to_string());
    }
    out
}

/// The next `n` fires after `from`, as local wall-clock strings with their offset.
fn local_fires(expr: &str, zone: &str, from: &str, n: usize) -> Vec<String> {
    let cron = parse_cron(expr).unwrap();
    let mut t = utc(from);
    let mut out = Vec::new();
    for _ in 0..n {
        t = next_after(&cron, tz(zone), t).unwrap();
        out.push(
            t.with_timezone(&tz(zone))
                .format("%Y-%m-%d %H:%M %z")
                .to_string(),
        );
    }
    out
}

#[test]
fn berlin_0730_across_spring_change() {
    // 2026-03-29: 02:00 CET -> 03:00 CEST.
    assert_eq!(
        local_fires("30 7 * * *", "Europe/Berlin", "2026-03-27 12:00:00", 3),
        [
            "2026-03-28 07:30 +0100",
            "2026-03-29 07:30 +0200",
            "2026-03-30 07:30 +0200"
        ]
    );
    assert_eq!(
        fires("30 7 * * *", "Europe/Berlin", "2026-03-27 12:00:00", 3),
        [
            "2026-03-28 06:30:00",
            "2026-03-29 05:30:00",
            "2026-03-30 05:30:00"
        ]
    );
}

#[test]
fn berlin_0730_across_autumn_change() {
    // 2026-10-25: 03:00 CEST -> 02:00 CET.
    assert_eq!(
        fires("30 7 * * *", "Europe/Berlin", "2026-10-23 12:00:00", 3),
        [
            "2026-10-24 05:30:00",
            "2026-10-25 06:30:00",
            "2026-10-26 06:30:00"
        ]
    );
}

#[test]
fn new_york_0730_across_both_changes() {
    // 2026-03-08: 02:00 EST -> 03:00 EDT; 2026-11-01: 02:00 EDT -> 01:00 EST.
    assert_eq!(
        fires("30 7 * * *", "America/New_York", "2026-03-06 18:00:00", 3),
        [
            "2026-03-07 12:30:00",
            "2026-03-08 11:30:00",
            "2026-03-09 11:30:00"
        ]
    );
    assert_eq!(
        fires("30 7 * * *", "America/New_York", "2026-10-30 18:00:00", 3),
        [
            "2026-10-31 11:30:00",
            "2026-11-01 12:30:00",
            "2026-11-02 12:30:00"
        ]
    );
}

#[test]
fn seoul_has_no_dst_and_fires_at_the_same_utc_time() {
    // Over both European and American change dates Seoul stays at +09:00.
    for from in [
        "2026-03-26 00:00:00",
        "2026-03-06 00:00:00",
        "2026-10-23 00:00:00",
        "2026-10-30 00:00:00",
    ] {
        for f in fires("30 7 * * *", "Asia/Seoul", from, 4) {
            assert!(f.ends_with("22:30:00"), "{f}");
        }
    }
    assert_eq!(
        local_fires("0 9 * * 1", "Asia/Seoul", "2026-03-27 00:00:00", 1),
        ["2026-03-30 09:00 +0900"]
    );
}

#[test]
fn spring_gap_job_fires_once_at_the_end_of_the_gap() {
    // 02:30 does not exist on 2026-03-29 in Berlin: the job runs once, at 03:00 CEST.
    assert_eq!(
        local_fires("30 2 * * *", "Europe/Berlin", "2026-03-27 12:00:00", 3),
        [
            "2026-03-28 02:30 +0100",
            "2026-03-29 03:00 +0200",
            "2026-03-30 02:30 +0200"
        ]
    );
    // Same in New York (2026-03-08).
    assert_eq!(
        local_fires("30 2 * * *", "America/New_York", "2026-03-06 12:00:00", 3),
        [
            "2026-03-07 02:30 -0500",
            "2026-03-08 03:00 -0400",
            "2026-03-09 02:30 -0400"
        ]
    );
}

#[test]
fn autumn_overlap_job_fires_once_not_twice() {
    // 02:30 happens twice on 2026-10-25 in Berlin: only the first (CEST) fires.
    assert_eq!(
        local_fires("30 2 * * *", "Europe/Berlin", "2026-10-24 12:00:00", 2),
        ["2026-10-25 02:30 +0200", "2026-10-26 02:30 +0100"]
    );
    // 01:30 happens twice on 2026-11-01 in New York.
    assert_eq!(
        local_fires("30 1 * * *", "America/New_York", "2026-10-31 12:00:00", 2),
        ["2026-11-01 01:30 -0400", "2026-11-02 01:30 -0500"]
    );
}

#[test]
fn from_inside_the_repeated_hour_the_past_first_occurrence_is_not_returned() {
    // 01:00Z on 2026-10-25 is 02:00 CET, the second pass; 02:30 CEST (00:30Z) already happened.
    let cron = parse_cron("30 2 * * *").unwrap();
    let next = next_after(&cron, tz("Europe/Berlin"), utc("2026-10-25 01:00:00")).unwrap();
    assert_eq!(next, utc("2026-10-26 01:30:00"));
    let cron = parse_cron("*/15 * * * *").unwrap();
    let next = next_after(&cron, tz("Europe/Berlin"), utc("2026-10-25 01:10:00")).unwrap();
    assert!(next > utc("2026-10-25 01:10:00"));
}

#[test]
fn hourly_job_is_monotonic_and_each_wall_time_fires_once_across_changes() {
    for (zone, from) in [
        ("Europe/Berlin", "2026-03-28 12:00:00"),
        ("Europe/Berlin", "2026-10-24 12:00:00"),
        ("America/New_York", "2026-03-07 12:00:00"),
        ("America/New_York", "2026-10-31 12:00:00"),
    ] {
        let cron = parse_cron("0 * * * *").unwrap();
        let mut t = utc(from);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..60 {
            let n = next_after(&cron, tz(zone), t).unwrap();
            assert!(n > t, "{zone}: {n} not after {t}");
            let local = n.with_timezone(&tz(zone)).naive_local();
            assert!(seen.insert(local), "{zone}: wall time {local} fired twice");
            t = n;
        }
    }
}

#[test]
fn a_daily_job_fires_exactly_once_per_local_day_for_a_year() {
    for zone in ["Europe/Berlin", "America/New_York", "Asia/Seoul"] {
        for expr in ["30 7 * * *", "30 2 * * *", "30 1 * * *", "0 0 * * *"] {
            let cron = parse_cron(expr).unwrap();
            let mut per_day: BTreeMap<NaiveDate, u32> = BTreeMap::new();
            let mut t = utc("2025-12-31 12:00:00");
            while t < utc("2027-01-01 00:00:00") {
                t = next_after(&cron, tz(zone), t).unwrap();
                *per_day
                    .entry(t.with_timezone(&tz(zone)).date_naive())
                    .or_default() += 1;
            }
            let days_2026 = per_day
                .iter()
                .filter(|(d, _)| d.format("%Y").to_string() == "2026")
                .collect::<Vec<_>>();
            assert_eq!(days_2026.len(), 365, "{zone} {expr}");
            assert!(
                days_2026.iter().all(|(_, &n)| n == 1),
                "{zone} {expr}: {days_2026:?}"
            );
        }
    }
}

#[test]
fn six_fields_read_seconds_first() {
    assert_eq!(
        fires("*/3 * * * * *", "UTC", "2026-05-01 12:00:00", 2),
        ["2026-05-01 12:00:03", "2026-05-01 12:00:06"]
    );
    assert_eq!(
        fires("15 30 7 * * *", "UTC", "2026-05-01 12:00:00", 1),
        ["2026-05-02 07:30:15"]
    );
    // Five fields: minute first, second 0.
    assert_eq!(
        fires("30 7 * * *", "UTC", "2026-05-01 12:00:00", 1),
        ["2026-05-02 07:30:00"]
    );
    assert_eq!(
        fires("@daily", "UTC", "2026-05-01 12:00:00", 1),
        ["2026-05-02 00:00:00"]
    );
}

#[test]
fn field_counts_other_than_five_or_six_are_refused() {
    assert!(parse_cron("* * * *").unwrap_err().contains("found 4"));
    assert!(parse_cron("0 0 7 * * * 2026")
        .unwrap_err()
        .contains("found 7"));
    assert!(parse_cron("61 * * * *").is_err());
    assert!(parse_cron("").is_err());
}

#[test]
fn fractional_seconds_do_not_leak_into_fire_times() {
    let cron = parse_cron("* * * * * *").unwrap();
    let after = utc("2026-05-01 12:00:00") + Duration::milliseconds(500);
    assert_eq!(
        next_after(&cron, chrono_tz::UTC, after),
        Some(utc("2026-05-01 12:00:01"))
    );
    assert_eq!(
        next_after(&cron, chrono_tz::UTC, utc("2026-05-01 12:00:01")),
        Some(utc("2026-05-01 12:00:02"))
    );
}

#[test]
fn catch_up_decision() {
    let cron = parse_cron("30 7 * * *").unwrap();
    let berlin = tz("Europe/Berlin");
    // 08:00 CEST: today's 07:30 passed.
    assert!(catch_up_due(
        utc("2026-06-10 06:00:00"),
        berlin,
        &cron,
        false
    ));
    assert!(!catch_up_due(
        utc("2026-06-10 06:00:00"),
        berlin,
        &cron,
        true
    ));
    // 07:00 CEST: not yet.
    assert!(!catch_up_due(
        utc("2026-06-10 05:00:00"),
        berlin,
        &cron,
        false
    ));
    // Exactly at 07:30: due.
    assert!(catch_up_due(
        utc("2026-06-10 05:30:00"),
        berlin,
        &cron,
        false
    ));
    // 23:59 local, still the same day.
    assert!(catch_up_due(
        utc("2026-06-10 21:59:00"),
        berlin,
        &cron,
        false
    ));
    // On the spring-change day the local time is what counts: 07:40 CEST = 05:40Z.
    assert!(catch_up_due(
        utc("2026-03-29 05:40:00"),
        berlin,
        &cron,
        false
    ));
    assert!(!catch_up_due(
        utc("2026-03-29 05:20:00"),
        berlin,
        &cron,
        false
    ));
    // Seoul, 00:10 local: yesterday's 07:30 is not today's.
    let seoul = tz("Asia/Seoul");
    assert!(!catch_up_due(
        utc("2026-06-09 15:10:00"),
        seoul,
        &cron,
        false
    ));
    assert!(catch_up_due(
        utc("2026-06-09 23:00:00"),
        seoul,
        &cron,
        false
    ));
    // A weekday-only schedule on a Sunday has nothing to catch up.
    let weekdays = parse_cron("30 7 * * 1-5").unwrap();
    assert!(!catch_up_due(
        utc("2026-06-14 10:00:00"),
        berlin,
        &weekdays,
        false
    ));
    assert!(catch_up_due(
        utc("2026-06-15 10:00:00"),
        berlin,
        &weekdays,
        false
    ));
}

#[test]
fn a_job_before_the_gap_is_not_also_fired_at_the_end_of_the_gap() {
    // croner 3 snaps any fixed-time search that walks through the gap to 03:00; only a job whose time
    // lies inside the gap may be moved there.
    assert_eq!(
        local_fires("30 1 * * *", "Europe/Berlin", "2026-03-27 12:00:00", 3),
        [
            "2026-03-28 01:30 +0100",
            "2026-03-29 01:30 +0100",
            "2026-03-30 01:30 +0200"
        ]
    );
    assert_eq!(
        local_fires("30 1 * * *", "America/New_York", "2026-03-06 12:00:00", 3),
        [
            "2026-03-07 01:30 -0500",
            "2026-03-08 01:30 -0500",
            "2026-03-09 01:30 -0400"
        ]
    );
}
