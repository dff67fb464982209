//! `trendd status`: source health and validators, recent digests and their delivery states.

use super::output::{self, one_line, Page};
use crate::error::Result;
use crate::pipeline::App;
use crate::sources::{self, PlanContext};
use crate::store::DeliveryState;
use chrono::{DateTime, Utc};

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".into())
}

/// A channel's receipt (the server's reply, the path written) on one short line.
fn receipt(r: &str) -> String {
    let r = one_line(r);
    if r.chars().count() <= 100 {
        return r;
    }
    format!("{}…", r.chars().take(100).collect::<String>())
}

pub fn status(app: &App) -> Result<i32> {
    // Everything is read before anything is printed: a store that fails half-way (damage) gives
    // one error, not half a report.
    let mut o = Page::default();
    o.line(format!("state: {}", app.store.path().display()));
    o.line(format!("items: {}", app.store.item_count()));
    o.line(format!("\nsources:"));
    let mut health = app.store.source_statuses()?;
    for cfg in &app.config.sources {
        let st = health.remove(cfg.name()).unwrap_or_default();
        let state = if !cfg.enabled() {
            "disabled".to_string()
        } else if let Some(e) = &st.last_error {
            format!("FAILING since {}: {}", when(st.failing_since), one_line(e))
        } else if st.last_success.is_some() {
            "ok".into()
        } else {
            "not fetched yet".into()
        };
        o.line(format!(
            "  {} ({}): last success {}; {}",
            cfg.name(),
            cfg.kind(),
            when(st.last_success),
            state
        ));
        if let Some(note) = &st.note {
            o.line(format!("    note: {}", one_line(note)));
        }
        let src = sources::build(cfg);
        for req in src.plan(&PlanContext {
            now: Utc::now(),
            last_success: st.last_success,
        }) {
            if let Some(h) = app.store.http_state(&req.url)? {
                let v = &h.validators;
                o.line(format!(
                    "    {}: HTTP {} at {}; etag {}; last-modified {}",
                    crate::http::guard::without_credentials(&req.url),
                    h.last_status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "-".into()),
                    when(h.last_fetch),
                    one_line(v.etag.as_deref().unwrap_or("-")),
                    one_line(v.last_modified.as_deref().unwrap_or("-"))
                ));
            }
        }
    }
    o.line(format!("\ndigests:"));
    let recent = app.store.recent_digests(7)?;
    if recent.is_empty() {
        o.line(format!("  none yet"));
    }
    for d in recent {
        o.line(format!(
            "  {}: {} items, composed {}",
            d.date,
            d.keys.len(),
            when(Some(d.composed_at))
        ));
        for (target, st) in &d.channels {
            let state = match st.state {
                DeliveryState::Sent => match st.receipt.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => format!("sent {}: {}", when(Some(st.updated)), receipt(r)),
                    None => format!("sent {}", when(Some(st.updated))),
                },
                DeliveryState::Pending => format!("pending since {}", when(Some(st.updated))),
                DeliveryState::Failed => format!(
                    "FAILED ({} attempts): {}",
                    st.attempts,
                    one_line(st.last_error.as_deref().unwrap_or("?"))
                ),
            };
            o.line(format!("    {target}: {state}"));
        }
    }
    output::print(&o.0)?;
    Ok(0)
}
