//! When to try a request again, and how long to wait first.

use std::time::{Duration, SystemTime};

use super::HttpErrorKind;

/// First backoff step; later steps double it. Each wait is jittered to 50–100% of its step.
const BACKOFF_BASE: Duration = Duration::from_millis(1000);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Whether an error of this kind is worth another attempt (timeouts, connection trouble, 429, 5xx).
pub fn retryable(kind: HttpErrorKind) -> bool {
    match kind {
        HttpErrorKind::Timeout | HttpErrorKind::Connect | HttpErrorKind::Io => true,
        HttpErrorKind::Status(s) => s == 429 || (500..=599).contains(&s),
        _ => false,
    }
}

/// The wait before attempt `attempt + 1` (attempt counts from 0): `base · 2^attempt`, jittered.
pub fn backoff(attempt: u32) -> Duration {
    let step = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(16))
        .min(BACKOFF_MAX);
    step.mul_f64(0.5 + fastrand::f64() * 0.5)
}

/// Parse a Retry-After value: delta-seconds or an HTTP-date (a date in the past means "now").
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Seconds for a human, rounded up so "0.4 s" never reads as "0 s".
pub fn human_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:51:37 GMT", now),
            Some(Duration::from_secs(120))
        );
        // RFC 850 and asctime forms are still legal HTTP-dates.
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:47 1994", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_a_ceiling() {
        for attempt in 0..5 {
            let step = BACKOFF_BASE * (1 << attempt);
            let d = backoff(attempt);
            assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?}");
        }
        assert!(backoff(40) <= BACKOFF_MAX);
    }

    #[test]
    fn what_is_retried() {
        assert!(retryable(HttpErrorKind::Timeout));
        assert!(retryable(HttpErrorKind::Connect));
        assert!(retryable(HttpErrorKind::Status(429)));
        assert!(retryable(HttpErrorKind::Status(503)));
        assert!(retryable(HttpErrorKind::Status(500)));
        assert!(!retryable(HttpErrorKind::Status(404)));
        assert!(!retryable(HttpErrorKind::Status(400)));
        assert!(!retryable(HttpErrorKind::TooLarge));
        assert!(!retryable(HttpErrorKind::BadScheme));
        assert!(!retryable(HttpErrorKind::TooManyRedirects));
    }
}
