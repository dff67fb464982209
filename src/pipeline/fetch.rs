//! `run_fetch`: for each source — plan, fetch with validators, parse, identify, store, record health.

use super::{window, App, FetchReport, SourceReport};
use crate::control::JobKind;
use crate::error::{Error, Result};
use crate::http::{Fetched, ReadAhead};
use crate::identity::identify;
use crate::sources::{self, Body, PlanContext, Source};
use crate::store::{FetchCounts, HttpState, ResponseWrite, SourceStatus, Upsert};
use chrono::Utc;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

/// URLs one fetch of a source follows from the indexes it read, at most.
const MAX_FOLLOWED: usize = 1000;

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
    // One fetch at a time per state directory: a second one beside it would ask every site again
    // for what the first is fetching right now. It waits, then shows what that fetch found.
    let before = app.store.source_statuses()?;
    let _job = crate::control::lock::acquire(&app.state_dir, JobKind::Fetch, |h| {
        tracing::info!("{} is fetching; waiting for it to finish", h.describe())
    })
    .await?;
    if _job.waited {
        if let Some(rep) = fetched_meanwhile(app, &selected, &before)? {
            tracing::info!("showing what that fetch found instead of asking every site again");
            return Ok(rep);
        }
    }
    // `concurrency` workers take sources from one queue, so one source is parsed while others wait
    // on the network (on every thread of the daemon's runtime). Workers file their reports
    // themselves: handing each one to this task would wake it once per source.
    let mut health = app.store.source_statuses()?;
    let queue: Vec<(usize, Box<dyn Source>, SourceStatus)> = selected
        .into_iter()
        .enumerate()
        .map(|(i, src)| {
            let prev = health.remove(src.name()).unwrap_or_default();
            (i, src, prev)
        })
        .collect();
    let expected: Vec<String> = queue
        .iter()
        .map(|(_, src, _)| src.name().to_string())
        .collect();
    // Local files are read on a thread beside the one that parses them (see `ReadAhead`). Each
    // source plans again when its turn comes (its plan may depend on the time); a plan that then
    // names another file only misses the read-ahead.
    let now = crate::control::clock::plausible(Utc::now());
    let ahead = Arc::new(app.http.read_ahead(queue.iter().map(|(_, src, prev)| {
        let ctx = PlanContext {
            now,
            last_success: prev.last_success,
        };
        src.plan(&ctx).into_iter().next().map(|r| r.url)
    })));
    let workers = (app.config.http.concurrency.max(1) as usize).min(queue.len());
    let queue = Arc::new(Mutex::new(VecDeque::from(queue)));
    // Each report goes to its source's place in the config, which is often already name order.
    let done: Arc<Mutex<Vec<Option<SourceReport>>>> =
        Arc::new(Mutex::new((0..expected.len()).map(|_| None).collect()));
    let shared = Arc::new(app.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (app, queue, done, on_done, ahead) = (
            shared.clone(),
            queue.clone(),
            done.clone(),
            on_done.clone(),
            ahead.clone(),
        );
        tasks.spawn(async move {
            loop {
                let next = lock(&queue).pop_front();
                let Some((i, src, prev)) = next else { break };
                let report = fetch_source(&app, (&ahead, i), src.as_ref(), prev).await;
                on_done(&report);
                lock(&done)[i] = Some(report);
            }
            // Not left open while the other workers wait on the network; a failure is reported
            // by `end_batch` below.
            let _ = app.store.commit_batch();
        });
    }
    let mut panicked = None;
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined {
            panicked = Some(e);
        }
    }
    // First, so that no early return leaves the store's write lock held by an open batch.
    let stored = app.store.end_batch();
    let mut sources = std::mem::take(&mut *lock(&done));
    // A panic outside the parsers' own guard ended a worker: its source failed, the others went on.
    if let Some(e) = panicked {
        // The store is not written until every worker is done, so it still holds their health.
        let mut health = app.store.source_statuses()?;
        for (slot, name) in sources.iter_mut().zip(&expected) {
            if slot.is_none() {
                let prev = health.remove(name).unwrap_or_default();
                let report = failed_task(name.clone(), prev, &e);
                on_done(&report);
                *slot = Some(report);
            }
        }
    }
    // A damaged store is the whole command's error, not one source's.
    app.store.ensure_sound()?;
    // Counted as stored, so a lost batch fails the whole fetch (its sources are fetched again).
    stored?;
    let sources = by_name(sources);
    app.store
        .put_source_statuses(sources.iter().map(|r| (r.name.as_str(), &r.status)))?;
    // Committed, not synced: a power cut may lose this fetch's last responses, which the next fetch
    // asks for again (see `Store::settle`).
    app.store.settle()?;
    Ok(FetchReport { sources })
}

/// The reports in name order, from the reports in the config's order (one for each source), which
/// is often name order already.
fn by_name(slots: Vec<Option<SourceReport>>) -> Vec<SourceReport> {
    // `filter_map` collects in place (an `Option` of a report is the report's size); `flatten`
    // made a second list, fresh memory for a fetch of a thousand sources.
    #[allow(clippy::filter_map_identity)]
    let mut reports: Vec<SourceReport> = slots.into_iter().filter_map(|r| r).collect();
    if !reports.is_sorted_by(|a, b| a.name <= b.name) {
        reports.sort_by(|a, b| a.name.cmp(&b.name));
    }
    reports
}

/// The reports of a fetch another job finished while this one waited, when it fetched every source
/// this one was asked to (else `None`: this fetch goes ahead).
fn fetched_meanwhile(
    app: &App,
    selected: &[Box<dyn Source>],
    before: &crate::store::Health,
) -> Result<Option<FetchReport>> {
    let mut health = app.store.source_statuses()?;
    let mut sources = Vec::with_capacity(selected.len());
    for src in selected {
        let Some(st) = health.remove(src.name()) else {
            return Ok(None);
        };
        // Health is written once, when a fetch ends: a changed attempt time is that fetch's.
        let old = before.get(src.name()).and_then(|b| b.last_attempt);
        if st.last_attempt.is_none() || st.last_attempt == old {
            return Ok(None);
        }
        sources.push(SourceReport {
            name: src.name().to_string(),
            kind: src.kind().to_string(),
            counts: st.last_counts,
            error: st.last_error.clone(),
            note: st.note.clone(),
            status: st,
        });
    }
    sources.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(FetchReport { sources }))
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

/// Fetches one source, `status` being its health so far and `at` its place in what `ahead` reads.
/// Every failure is reported against the source; nothing already stored is touched.
async fn fetch_source(
    app: &App,
    (ahead, at): (&ReadAhead, usize),
    src: &dyn Source,
    mut status: SourceStatus,
) -> SourceReport {
    let name = src.name().to_string();
    // A clock stuck before the build would date every new item outside every digest's window.
    let now = crate::control::clock::plausible(Utc::now());
    let ctx = PlanContext {
        now,
        last_success: status.last_success,
    };
    let mut counts = FetchCounts::default();
    let mut errors: Vec<String> = Vec::new();
    let mut note = None;
    let mut queue = src.plan(&ctx);
    let mut pages_left = src.max_pages();
    let mut followed: HashSet<String> = HashSet::new();
    while let Some(req) = (!queue.is_empty()).then(|| queue.remove(0)) {
        // Local files carry no validators, so there is nothing stored to look up; nor is there a
        // wait in reading them, which is when the batch of stored responses must not stay open.
        let state = if req.url.starts_with("file:") {
            HttpState::default()
        } else {
            // A failure is reported by the fetch's `end_batch`.
            let _ = app.store.commit_batch();
            app.store
                .http_state(&req.url)
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        let fetched = match ahead.take(at, &req.url) {
            Some(got) => got,
            None => {
                let validators = Some(&state.validators).filter(|v| !v.is_empty());
                app.http.get(&req.url, validators, &req.headers).await
            }
        };
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
        let ids: Vec<_> = parsed
            .entries
            .iter()
            .filter_map(|e| identify(e).map(|id| (e, id)))
            .collect();
        let dated: Vec<_> = ids
            .iter()
            .map(|(e, id)| {
                e.published
                    .map(|p| window::dated_key(p.date_naive(), &id.key))
            })
            .collect();
        // Validators are kept only with the body they came with, so a failed body is asked for
        // again. An index is always read whole: the files it names may change while it does not.
        let is_index = !parsed.follow.is_empty();
        let validators = (!is_index
            && (!resp.validators.is_empty() || !state.validators.is_empty()))
        .then(|| HttpState {
            validators: resp.validators.clone(),
            last_status: Some(resp.status),
            last_fetch: Some(now),
        });
        let deadlines_key = parsed
            .deadlines
            .as_ref()
            .map(|_| format!("{name}\0{}", req.url));
        let write = ResponseWrite {
            source: &name,
            kind: src.kind(),
            entries: &ids,
            dated: &dated,
            now,
            http: validators.as_ref().map(|v| (req.url.as_str(), v)),
            deadlines: deadlines_key.as_deref().zip(parsed.deadlines.as_deref()),
        };
        // Everything this response gave is stored, or none of it.
        match app.store.put_response(&write) {
            Ok(outcomes) => {
                for o in outcomes {
                    match o {
                        Upsert::New => counts.new += 1,
                        Upsert::Merged => counts.merged += 1,
                        Upsert::Unchanged => counts.unchanged += 1,
                    }
                }
            }
            Err(e) => errors.push(e.to_string()),
        }
        // An index names files to read next; a file named twice is read once.
        for u in parsed.follow {
            if followed.len() < MAX_FOLLOWED && followed.insert(u.clone()) {
                queue.push(crate::sources::Request::get(u));
            }
        }
        note = match (note, parsed.note) {
            (Some(a), Some(b)) if a != b => Some(format!("{a}; {b}")),
            (a, b) => b.or(a),
        };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn report(name: &str) -> Option<SourceReport> {
        Some(SourceReport {
            name: name.into(),
            ..Default::default()
        })
    }

    #[test]
    fn reports_come_out_in_name_order_whatever_the_config_order() {
        let names = |r: Vec<SourceReport>| r.into_iter().map(|r| r.name).collect::<Vec<_>>();
        assert_eq!(names(by_name(vec![report("a"), report("b")])), ["a", "b"]);
        assert_eq!(
            names(by_name(vec![report("c"), None, report("a"), report("b")])),
            ["a", "b", "c"]
        );
    }
}
