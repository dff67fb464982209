//! The one sanity check trendd can make of the system clock: it cannot be earlier than the moment this
//! binary was built (stamped by `build.rs`). A clock that says 1970 dated every item fetched then in
//! 1970, outside every digest's window, so such items were never sent.

use chrono::{DateTime, Utc};

/// When this binary was built (a lower bound for any true "now").
pub fn build_time() -> DateTime<Utc> {
    let secs: i64 = env!("TRENDD_BUILD_EPOCH").parse().unwrap_or(0);
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// A warning when `now` is before the build time, else `None`.
pub fn check(now: DateTime<Utc>) -> Option<String> {
    let built = build_time();
    (now < built).then(|| {
        format!(
            "the system clock says {}, but this trendd was built on {}: the clock is wrong (check NTP / \
             timedatectl); items are dated by their own dates until it is fixed",
            now.format("%Y-%m-%d %H:%M UTC"),
            built.format("%Y-%m-%d")
        )
    })
}

/// `now`, but never before the build time: what a fetch records as an item's first-seen time, so a
/// clock stuck in the past does not push new items out of every digest's window.
pub fn plausible(now: DateTime<Utc>) -> DateTime<Utc> {
    now.max(build_time())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_before_the_build_is_named_wrong() {
        let epoch = DateTime::<Utc>::UNIX_EPOCH;
        let w = check(epoch).expect("1970 is before any build of trendd");
        assert!(
            w.contains("1970-01-01") && w.contains("clock is wrong"),
            "{w}"
        );
        assert!(check(Utc::now()).is_none());
        assert_eq!(plausible(epoch), build_time());
        let later = build_time() + chrono::Duration::days(3);
        assert_eq!(plausible(later), later);
    }
}
