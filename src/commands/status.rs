//! `trendd status`: source health and validators, recent digests and their delivery states.

use crate::error::Result;
use crate::pipeline::App;
use crate::sources::{self, PlanContext};
use crate::store::DeliveryState;
use chrono::{DateTime, Utc};
use std::fmt::Write as _;
use std::io::Write as _;

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".into())
}

pub fn status(app: &App) -> Result<i32> {
    // Everything is read before anything is printed: a store that fails half-way (damage) gives
    // one error, not half a report.
    let mut out = String::new();
    let _ = writeln!(out, "state: {}", app.store.path().display());
    let _ = writeln!(out, "items: {}", app.store.item_count());
    let _ = writeln!(out, "\nsources:");
    let mut health = app.store.source_statuses()?;
    for cfg in &app.config.sources {
        let st = health.remove(cfg.name()).unwrap_or_default();
        let state = if !cfg.enabled() {
            "disabled".to_string()
        } else if let Some(e) = &st.last_error {
            format!("FAILING since {}: {e}", when(st.failing_since))
        } else if st.last_success.is_some() {
            "ok".into()
        } else {
            "not fetched yet".into()
        };
        let _ = writeln!(
            out,
            "  {} ({}): last success {}; {}",
            cfg.name(),
            cfg.kind(),
            when(st.last_success),
            state
        );
        let src = sources::build(cfg);
        for req in src.plan(&PlanContext {
            now: Utc::now(),
            last_success: st.last_success,
        }) {
            if let Some(h) = app.store.http_state(&req.url)? {
                let v = &h.validators;
                let _ = writeln!(
                    out,
                    "    {}: HTTP {} at {}; etag {}; last-modified {}",
                    req.url,
                    h.last_status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "-".into()),
                    when(h.last_fetch),
                    v.etag.as_deref().unwrap_or("-"),
                    v.last_modified.as_deref().unwrap_or("-")
                );
            }
        }
    }
    let _ = writeln!(out, "\ndigests:");
    let recent = app.store.recent_digests(7)?;
    if recent.is_empty() {
        let _ = writeln!(out, "  none yet");
    }
    for d in recent {
        let _ = writeln!(
            out,
            "  {}: {} items, composed {}",
            d.date,
            d.keys.len(),
            when(Some(d.composed_at))
        );
        for (target, st) in &d.channels {
            let state = match st.state {
                DeliveryState::Sent => format!("sent {}", when(Some(st.updated))),
                DeliveryState::Pending => format!("pending since {}", when(Some(st.updated))),
                DeliveryState::Failed => format!(
                    "FAILED ({} attempts): {}",
                    st.attempts,
                    st.last_error.as_deref().unwrap_or("?")
                ),
            };
            let _ = writeln!(out, "    {target}: {state}");
        }
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(crate::error::Error::io("writing the status", e))
        }
        _ => Ok(0),
    }
}
