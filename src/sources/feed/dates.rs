//! Tolerant date parsing for feeds: W3C-DTF / ISO 8601 / RFC 3339 in their many partial forms, and
//! RFC 822 as blogs really write it (`Thurs, 3 Sep 2015`, `Sept`, two-digit years, missing seconds
//! or zone, `EST`, asctime order). A date with no zone is taken as UTC. Anything unreadable is None,
//! never an error: a post without a date is still a post.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses a feed date; None when nothing sensible can be read.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() || s.len() > 80 {
        return None;
    }
    if s.as_bytes()[0].is_ascii_digit() {
        if let Some(d) = iso(s) {
            return Some(d);
        }
    }
    words(s)
}

/// `2003-12-31T10:14:55.123-05:00`, `2003-12-31 10:14`, `2003-12-31`, `2003-12`, `2003`, `20031231T101455Z`.
fn iso(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = b.get(from..from + len)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(part).ok()?.parse().ok())?
    };
    let year = num(0, 4)? as i32;
    let (month, day, mut i) = if b.get(4) == Some(&b'-') {
        let month = num(5, 2)?;
        if b.get(7) == Some(&b'-') {
            (month, num(8, 2)?, 10)
        } else {
            (month, 1, 7)
        }
    } else if let (Some(m), Some(d)) = (num(4, 2), num(6, 2)) {
        (m, d, 8)
    } else {
        (1, 1, 4)
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let mut time = NaiveTime::MIN;
    if matches!(b.get(i), Some(b'T' | b't' | b' ')) && b.get(i + 1).is_some_and(u8::is_ascii_digit)
    {
        i += 1;
        let compact = b.get(i + 2) != Some(&b':');
        let step = if compact { 2 } else { 3 };
        let h = num(i, 2)?;
        let m = num(i + step, 2).unwrap_or(0);
        i += if num(i + step, 2).is_some() {
            step + 2
        } else {
            2
        };
        let mut sec = 0;
        if (compact && num(i, 2).is_some()) || (!compact && b.get(i) == Some(&b':')) {
            let at = if compact { i } else { i + 1 };
            sec = num(at, 2)?;
            i = at + 2;
        }
        let mut nanos = 0;
        if matches!(b.get(i), Some(b'.' | b',')) {
            let start = i + 1;
            i = start;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let frac = &s[start..i.min(start + 9)];
            nanos = format!("{frac:0<9}").parse().unwrap_or(0);
        }
        time = NaiveTime::from_hms_nano_opt(h.min(23), m, sec.min(59), nanos)?;
    }
    let offset = zone(s[i..].trim())?;
    offset
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .single()
        .map(|d| d.with_timezone(&Utc))
}

/// RFC 822 and its relatives, read as a bag of tokens: a month name, a day, a year, a time, a zone.
fn words(s: &str) -> Option<DateTime<Utc>> {
    let (mut day, mut month, mut year, mut time, mut offset) = (None, None, None, None, None);
    for tok in s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        let t = tok.trim_end_matches('.');
        if t.contains(':') && t.as_bytes()[0].is_ascii_digit() && time.is_none() {
            // A zone glued to the time: 10:14:55Z, 10:14:55+0100.
            let split = t
                .find(|c: char| c.is_ascii_alphabetic() || c == '+' || c == '-')
                .unwrap_or(t.len());
            time = hms(&t[..split]);
            if split < t.len() {
                offset = zone(&t[split..]);
            }
        } else if let Some(m) = month_number(t) {
            month.get_or_insert(m);
        } else if let Some(n) = t
            .bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse::<u32>().ok())
            .flatten()
        {
            if t.len() >= 3 || (day.is_some() && month.is_some()) {
                year.get_or_insert(if t.len() <= 2 {
                    if n < 50 {
                        2000 + n
                    } else {
                        1900 + n
                    }
                } else {
                    n
                });
            } else {
                day.get_or_insert(n);
            }
        } else if offset.is_none() && time.is_some() {
            offset = zone(t);
        }
    }
    let date = NaiveDate::from_ymd_opt(year? as i32, month?, day.unwrap_or(1))?;
    let naive = NaiveDateTime::new(date, time.unwrap_or(NaiveTime::MIN));
    let offset = offset.unwrap_or(FixedOffset::east_opt(0)?);
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

fn hms(t: &str) -> Option<NaiveTime> {
    let mut parts = t
        .split(':')
        .map(|p| p.split('.').next().unwrap_or("").parse::<u32>().ok());
    let h = parts.next()??;
    let m = parts.next().flatten().unwrap_or(0);
    let s = parts.next().flatten().unwrap_or(0);
    NaiveTime::from_hms_opt(h.min(23), m.min(59), s.min(59))
}

fn month_number(t: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if t.len() < 3 || !t.is_char_boundary(3) {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    let i = NAMES.iter().position(|n| lower.starts_with(n))?;
    // Reject words that merely start like a month ("Market", "Decimal").
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    (FULL[i].starts_with(&lower) || lower == "sept").then_some(i as u32 + 1)
}

/// A zone: empty (UTC), `Z`, `+05:30`, `-0500`, `+05`, `GMT`, `UT`, `EST` … (unknown names read as UTC).
fn zone(t: &str) -> Option<FixedOffset> {
    let t = t.trim();
    let hours = |h: i32| FixedOffset::east_opt(h * 3600);
    if t.is_empty() {
        return hours(0);
    }
    if let Some(sign) = t
        .strip_prefix('+')
        .map(|r| (1, r))
        .or_else(|| t.strip_prefix('-').map(|r| (-1, r)))
    {
        let (sign, rest) = sign;
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        let (h, m) = match digits.len() {
            1 | 2 => (digits.parse::<i32>().ok()?, 0),
            3 | 4 => (
                digits[..digits.len() - 2].parse::<i32>().ok()?,
                digits[digits.len() - 2..].parse::<i32>().ok()?,
            ),
            _ => return None,
        };
        return FixedOffset::east_opt(sign * (h * 3600 + m * 60));
    }
    let upper = t
        .trim_matches(|c: char| c == '(' || c == ')')
        .to_ascii_uppercase();
    match upper.as_str() {
        "Z" | "GMT" | "UT" | "UTC" | "WET" => hours(0),
        "EST" => hours(-5),
        "EDT" => hours(-4),
        "CST" => hours(-6),
        "CDT" => hours(-5),
        "MST" => hours(-7),
        "MDT" => hours(-6),
        "PST" => hours(-8),
        "PDT" => hours(-7),
        "CET" | "BST" | "WEST" => hours(1),
        "CEST" | "EET" => hours(2),
        "EEST" => hours(3),
        "JST" | "KST" => hours(9),
        "AEST" => hours(10),
        _ if upper.chars().all(|c| c.is_ascii_alphabetic()) => hours(0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse_date(s)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn iso_forms() {
        assert_eq!(p("2003-12-31T10:14:55Z"), "2003-12-31T10:14:55Z");
        assert_eq!(p("2003-12-31T10:14:55.25-05:00"), "2003-12-31T15:14:55Z");
        assert_eq!(p("2004-04-06T23:05:43-05:00"), "2004-04-07T04:05:43Z");
        assert_eq!(p("2003-12-31 10:14"), "2003-12-31T10:14:00Z");
        assert_eq!(p("2003-12-31"), "2003-12-31T00:00:00Z");
        assert_eq!(p("2003-12"), "2003-12-01T00:00:00Z");
        assert_eq!(p("20031231T101455Z"), "2003-12-31T10:14:55Z");
        assert_eq!(p("2003-12-31T10:14+0100"), "2003-12-31T09:14:00Z");
    }

    #[test]
    fn rfc822_as_written_in_the_wild() {
        assert_eq!(p("Wed, 31 Dec 2003 10:14:55 GMT"), "2003-12-31T10:14:55Z");
        assert_eq!(p("Thurs, 3 Sep 2015"), "2015-09-03T00:00:00Z");
        assert_eq!(p("Thu, 03 Sept 2015 08:00 EST"), "2015-09-03T13:00:00Z");
        assert_eq!(p("Tue, 10 Jun 03 09:41:01 -0400"), "2003-06-10T13:41:01Z");
        assert_eq!(p("Sun Jan  4 16:29:06 2004"), "2004-01-04T16:29:06Z");
        assert_eq!(p("September 3, 2015"), "2015-09-03T00:00:00Z");
        assert_eq!(p("17 Oct 2018 12:00:00 +0200"), "2018-10-17T10:00:00Z");
        assert_eq!(
            p("Mon, 21 Mar 2020 06:29:51 -04:00"),
            "2020-03-21T10:29:51Z"
        );
    }

    #[test]
    fn garbage_is_none() {
        for s in [
            "",
            "yesterday",
            "Market update",
            "31/31/31",
            "2003-13-45",
            "99:99",
        ] {
            assert_eq!(p(s), "none", "{s}");
        }
    }
}
