//! Cron schedules evaluated in an IANA time zone at local wall-clock time (croner).

/// Parses a cron expression (5 fields, or 6 with seconds first).
pub fn parse_cron(expr: &str) -> Result<croner::Cron, String> {
    expr.parse::<croner::Cron>().map_err(|e| e.to_string())
}
