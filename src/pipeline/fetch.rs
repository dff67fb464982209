//! `run_fetch`: for each source — plan, fetch with validators, parse, identify, store, record health.

use super::{App, FetchReport, SourceReport};
use crate::error::{Error, Result};
use crate::http::Fetched;
use crate::identity::identify;
use crate::sources::{self, Body, PlanContext, Source};
use crate::store::{FetchCounts, HttpState, Upsert};
use chrono::Utc;
use futures_util::StreamExt;

/// One pull of every enabled source (or only the one named `only`).
pub async fn run_fetch(app: &App, only: Option<&str>) -> Result<FetchReport> {
    run_fetch_with(app, only, &|_| {}).await
}

/// Like `run_fetch`, calling `on_done` as each source finishes (for live progress).
pub async fn run_fetch_with(
    app: &App,
    only: Option<&str>,
    on_done: &(dyn Fn(&SourceReport) + Sync),
) -> Result<FetchReport> {
    let selected: Vec<Box<dyn Source>> = app
        .config
        .sources
        .iter()
        .filter(|s| match only {
            Some(n) => s.name() == n,
            None => s.enabled(),
        })
        .map(sources::build)
        .collect();
    if let Some(n) = only {
        if selected.is_empty() {
            let origin = app
                .config_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "<built-in config>".into());
            return Err(Error::config(
                origin,
                format!("no source named {n:?} (see `trendd config check`)"),
            ));
        }
    }
    let concurrency = app.config.http.concurrency.max(1) as usize;
    // Built in a plain loop: a closure here makes the future not `Send` for the daemon's tasks
    // (rustc's higher-ranked lifetime limits).
    let mut jobs = Vec::with_capacity(selected.len());
    for src in &selected {
        jobs.push(fetch_and_report(app, src.as_ref(), on_done));
    }
    let sources: Vec<SourceReport> = futures_util::stream::iter(jobs)
        .buffer_unordered(concurrency)
        .collect()
        .await;
    // Health is written in one batch: one store operation instead of one per source.
    app.store
        .put_source_statuses(sources.iter().map(|r| (r.name.as_str(), &r.status)))?;
    app.store.flush()?;
    let mut sources = sources;
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(FetchReport { sources })
}

async fn fetch_and_report(
    app: &App,
    src: &dyn Source,
    on_done: &(dyn Fn(&SourceReport) + Sync),
) -> SourceReport {
    let report = fetch_source(app, src).await;
    on_done(&report);
    report
}

/// Fetches one source. Every failure is reported against the source; nothing already stored is touched.
async fn fetch_source(app: &App, src: &dyn Source) -> SourceReport {
    let name = src.name().to_string();
    let now = Utc::now();
    let mut status = app
        .store
        .source_status(&name)
        .ok()
        .flatten()
        .unwrap_or_default();
    let ctx = PlanContext {
        now,
        last_success: status.last_success,
    };
    let mut counts = FetchCounts::default();
    let mut errors: Vec<String> = Vec::new();
    let mut note = None;
    let mut queue = src.plan(&ctx);
    let mut pages_left = src.max_pages();
    while let Some(req) = (!queue.is_empty()).then(|| queue.remove(0)) {
        // Local files carry no validators, so there is nothing stored to look up.
        let state = if req.url.starts_with("file:") {
            HttpState::default()
        } else {
            app.store
                .http_state(&req.url)
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        let fetched = app
            .http
            .get(
                &req.url,
                Some(&state.validators).filter(|v| !v.is_empty()),
                &req.headers,
            )
            .await;
        let resp = match fetched {
            Ok(Fetched::NotModified) => {
                counts.not_modified += 1;
                continue;
            }
            Ok(Fetched::Body(r)) => r,
            Err(e) => {
                counts.errors += 1;
                errors.push(e.to_string());
                continue;
            }
        };
        let body = Body {
            bytes: &resp.bytes,
            content_type: resp.content_type.as_deref(),
            url: &resp.final_url,
        };
        let parsed = match src.parse(&body) {
            Ok(p) => p,
            Err(e) => {
                counts.errors += 1;
                errors.push(e);
                continue;
            }
        };
        let mut stored_all = true;
        for entry in &parsed.entries {
            let Some(id) = identify(entry) else { continue };
            match app.store.upsert(&name, src.kind(), entry, &id, now) {
                Ok(Upsert::New) => counts.new += 1,
                Ok(Upsert::Merged) => counts.merged += 1,
                Ok(Upsert::Unchanged) => counts.unchanged += 1,
                Err(e) => {
                    stored_all = false;
                    errors.push(e.to_string());
                }
            }
        }
        // Validators are kept only once the body is stored, so a failed body is asked for again.
        if stored_all && (!resp.validators.is_empty() || !state.validators.is_empty()) {
            let st = HttpState {
                validators: resp.validators.clone(),
                last_status: Some(resp.status),
                last_fetch: Some(now),
            };
            if let Err(e) = app.store.put_http_state(&req.url, &st) {
                errors.push(e.to_string());
            }
        }
        note = parsed.note.or(note);
        if let Some(next) = parsed.next {
            pages_left = pages_left.saturating_sub(1);
            if pages_left > 0 {
                queue.push(crate::sources::Request::get(next));
            }
        }
    }
    let error = (!errors.is_empty()).then(|| errors.join("; "));
    status.kind = src.kind().to_string();
    status.last_attempt = Some(now);
    status.last_counts = counts;
    status.note = note.clone();
    match &error {
        None => {
            status.last_success = Some(now);
            status.failing_since = None;
            status.last_error = None;
        }
        Some(e) => {
            status.last_error = Some(e.clone());
            status.failing_since.get_or_insert(now);
        }
    }
    SourceReport {
        name,
        kind: src.kind().to_string(),
        counts,
        error,
        note,
        status,
    }
}
