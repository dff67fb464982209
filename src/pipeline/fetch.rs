//! `run_fetch`: for each source — plan, fetch with validators, parse, identify, store, record health.

use super::{App, FetchReport, SourceReport};
use crate::error::{Error, Result};
use crate::http::Fetched;
use crate::identity::identify;
use crate::sources::{self, Body, PlanContext, Source};
use crate::store::{FetchCounts, HttpState, SourceStatus, Upsert};
use chrono::Utc;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

/// Called as each source finishes (live progress), from the worker that fetched it.
pub type OnDone = Arc<dyn Fn(&SourceReport) + Send + Sync>;

/// One pull of every enabled source (or only the one named `only`).
pub async fn run_fetch(app: &App, only: Option<&str>) -> Result<FetchReport> {
    run_fetch_with(app, only, Arc::new(|_: &SourceReport| {})).await
}

/// Like `run_fetch`, calling `on_done` as each source finishes.
pub async fn run_fetch_with(app: &App, only: Option<&str>, on_done: OnDone) -> Result<FetchReport> {
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
    // `concurrency` workers take sources from one queue, so parsing runs on every thread while
    // other sources wait on the network. Workers file their reports themselves: handing each one
    // to this task would wake it once per source.
    let mut health = app.store.source_statuses()?;
    let queue: Vec<(Box<dyn Source>, SourceStatus)> = selected
        .into_iter()
        .map(|src| {
            let prev = health.remove(src.name()).unwrap_or_default();
            (src, prev)
        })
        .collect();
    let expected: Vec<String> = queue
        .iter()
        .map(|(src, _)| src.name().to_string())
        .collect();
    let workers = (app.config.http.concurrency.max(1) as usize).min(queue.len());
    let queue = Arc::new(Mutex::new(VecDeque::from(queue)));
    let done = Arc::new(Mutex::new(Vec::with_capacity(expected.len())));
    let shared = Arc::new(app.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (app, queue, done, on_done) =
            (shared.clone(), queue.clone(), done.clone(), on_done.clone());
        tasks.spawn(async move {
            loop {
                let next = lock(&queue).pop_front();
                let Some((src, prev)) = next else { break };
                let report = fetch_source(&app, src.as_ref(), prev).await;
                on_done(&report);
                lock(&done).push(report);
            }
        });
    }
    let mut panicked = None;
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined {
            panicked = Some(e);
        }
    }
    let mut sources = std::mem::take(&mut *lock(&done));
    // A panic outside the parsers' own guard ended a worker: its source failed, the others went on.
    if let Some(e) = panicked {
        // The store is not written until every worker is done, so it still holds their health.
        let mut health = app.store.source_statuses()?;
        let reported: HashSet<String> = sources.iter().map(|r| r.name.clone()).collect();
        for name in expected {
            if !reported.contains(&name) {
                let prev = health.remove(&name).unwrap_or_default();
                let report = failed_task(name, prev, &e);
                on_done(&report);
                sources.push(report);
            }
        }
    }
    // A damaged store is the whole command's error, not one source's.
    app.store.ensure_sound()?;
    app.store
        .put_source_statuses(sources.iter().map(|r| (r.name.as_str(), &r.status)))?;
    app.store.flush()?;
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(FetchReport { sources })
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn failed_task(name: String, prev: SourceStatus, e: &tokio::task::JoinError) -> SourceReport {
    let error = format!("internal error while fetching: {e}");
    tracing::error!("{name}: {error}");
    let now = Utc::now();
    let status = SourceStatus {
        last_attempt: Some(now),
        last_error: Some(error.clone()),
        failing_since: prev.failing_since.or(Some(now)),
        ..prev
    };
    SourceReport {
        name,
        kind: status.kind.clone(),
        error: Some(error),
        status,
        ..Default::default()
    }
}

/// Fetches one source, `status` being its health so far. Every failure is reported against the
/// source; nothing already stored is touched.
async fn fetch_source(app: &App, src: &dyn Source, mut status: SourceStatus) -> SourceReport {
    let name = src.name().to_string();
    let now = Utc::now();
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
        let ids: Vec<_> = parsed
            .entries
            .iter()
            .filter_map(|e| identify(e).map(|id| (e, id)))
            .collect();
        // One transaction per response: all of its entries are stored, or none.
        match app.store.upsert_many(&name, src.kind(), &ids, now) {
            Ok(outcomes) => {
                for o in outcomes {
                    match o {
                        Upsert::New => counts.new += 1,
                        Upsert::Merged => counts.merged += 1,
                        Upsert::Unchanged => counts.unchanged += 1,
                    }
                }
            }
            Err(e) => {
                stored_all = false;
                errors.push(e.to_string());
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
