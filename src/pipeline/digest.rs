//! `run_digest`: fetch, compose within the budget, store the ledger, render, deliver.

use super::{run_fetch, window, App, DigestOptions, DigestReport};
use crate::compose::{self, authors_line, entry_seconds, Candidate, Digest, DigestEntry, Health};
use crate::deliver::{self, Rendered};
use crate::error::{Error, Result};
use crate::model::Item;
use crate::rank;
use crate::render;
use crate::store::DigestRecord;
use crate::summarize;
use chrono::{Duration, NaiveDate, Utc};
use std::collections::BTreeMap;

/// Fetch (unless told not to), compose, store the ledger, render and deliver one day's digest.
pub async fn run_digest(app: &App, opts: &DigestOptions) -> Result<DigestReport> {
    let date = opts.date.unwrap_or_else(|| {
        Utc::now()
            .with_timezone(&app.config.timezone())
            .date_naive()
    });
    window::check_date(app, date, Utc::now())?;
    let fetch = if opts.fetch {
        Some(run_fetch(app, None).await?)
    } else {
        None
    };
    // One digest job at a time per state directory: a second one waits, then finds the day sent.
    let _job = match opts.dry_run {
        true => None,
        false => Some(crate::control::digest_job(app, date).await?),
    };
    // Every channel is built before the ledger marks anything sent; one that cannot be built fails
    // on its own (see `deliver::build_each`), the others still deliver.
    let (channels, unbuilt) = deliver::build_each(&app.config, &app.state_dir, &app.http);

    // A date is composed once; reruns (and retries after an outage) send exactly what was composed.
    let existing = app.store.digest(date)?;
    let (digest, mut record) = match existing {
        Some(rec) => {
            let d: Digest = serde_json::from_str(&rec.digest_json)
                .map_err(|e| Error::Other(format!("stored digest of {date} is unreadable: {e}")))?;
            (d, Some(rec))
        }
        None => {
            let mut d = compose_digest(app, date, !opts.dry_run)?;
            // An empty digest while no source answers is an outage, not news: composing it would spend
            // the day on "nothing new" and the next run could not send the real one.
            if d.item_count() == 0 {
                if let Some(why) = super::reach::nothing_reached(app)? {
                    return Err(Error::NothingReached(why));
                }
            }
            // Only the entries that made the digest go to a model, and its answers are cached at once.
            summarize::for_digest::model_tldrs(&app.config, &app.http, &app.store, &mut d).await?;
            (d, None)
        }
    };
    let empty = digest.item_count() == 0;
    if record.is_none() && !opts.dry_run && !(empty && !app.config.digest.send_empty) {
        let rec = DigestRecord {
            date,
            composed_at: Utc::now(),
            digest_json: serde_json::to_string(&digest).expect("digest serializes"),
            keys: digest
                .sections
                .iter()
                .flat_map(|s| s.items.iter().map(|e| e.key.clone()))
                .collect(),
            channels: BTreeMap::new(),
        };
        app.store.put_digest_and_mark_sent(&rec)?;
        record = Some(rec);
    }

    let rendered = Rendered {
        date,
        subject: render::subject(&digest),
        html: render::html(&digest),
        text: render::text(&digest),
        slack: render::slack(&digest),
        json: render::json(&digest),
    };
    if let Some(dir) = &opts.out {
        write_out(dir, &rendered)?;
    }

    let mut report = DigestReport {
        date: Some(date),
        fetch,
        items: digest.item_count(),
        text: rendered.text.clone(),
        ..Default::default()
    };
    if let (Some(rec), false) = (record.as_mut(), opts.dry_run) {
        let outcome = deliver::deliver(&app.store, rec, &channels, &rendered, opts.force).await;
        report.delivered = outcome.delivered;
        report.already_sent = outcome.already_sent;
        report.failed = outcome.failed;
        report.failed.extend(unbuilt);
    }
    Ok(report)
}

fn write_out(dir: &std::path::Path, r: &Rendered) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    for (name, body) in [
        ("digest.html", &r.html),
        ("digest.txt", &r.text),
        ("digest.json", &r.json),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, body).map_err(|e| Error::io(format!("writing {}", p.display()), e))?;
    }
    Ok(())
}

/// Composes the digest of `date` from the store: candidates of the window, never an item an earlier
/// digest carried, summarized (and, with `save`, the summaries cached), ranked, fitted to the budget.
pub fn compose_digest(app: &App, date: NaiveDate, save: bool) -> Result<Digest> {
    let cfg = &app.config.digest;
    let now = Utc::now();
    let end_of_day = window::end_of(app, date);
    let mut items = window::candidates(app, date, cfg.max_age_days)?;
    let prefer_hf = app.config.summarizer.prefer_hf;
    for it in items.iter_mut() {
        if ensure_summary(it, prefer_hf) && save {
            if let Some(sum) = &it.summary {
                app.store.put_summary(&it.key, sum)?;
            }
        }
    }
    // Recency is judged from the digest's own day, so composing a past date ranks as it would have then.
    let model = crate::learn::train::current(&app.store, crate::learn::DEFAULT_READER, now, save)?;
    let scored = rank::score_all_learned(
        items,
        &app.config.interests,
        now.min(end_of_day),
        model.as_ref(),
    );
    let tz = app.config.timezone();
    let labels = super::reach::labels(app);
    let candidates: Vec<Candidate> = scored
        .into_iter()
        .map(|s| {
            let it = &s.item;
            let mut entry = DigestEntry {
                key: it.key.clone(),
                title: digest_title(&it.title),
                url: it
                    .url
                    .clone()
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
                summary: it
                    .summary
                    .as_ref()
                    .map(|s| s.text.clone())
                    .unwrap_or_default(),
                summary_by: it
                    .summary
                    .as_ref()
                    .map(|s| s.by.clone())
                    .unwrap_or_else(|| summarize::BY_EXTRACTIVE.to_string()),
                why: why_line(&s, &labels),
                sources: source_labels(it, &labels),
                authors: authors_line(&it.authors),
                kind: it.kind.as_str().to_string(),
                published: it.date().with_timezone(&tz).format("%Y-%m-%d").to_string(),
                links: crate::links::of(it),
                first_seen: it.first_seen,
                ..Default::default()
            };
            entry.estimated_seconds = entry_seconds(&entry, cfg);
            Candidate { scored: s, entry }
        })
        .collect();
    let contenders = crate::trend::pick::contenders(&candidates);
    let (mut sections, used, held_back) = compose::select(candidates, cfg);
    // "New since yesterday": first seen within the day before the digest's own moment.
    let since = now.min(end_of_day) - Duration::hours(24);
    for sec in &mut sections {
        sec.new_since_yesterday = sec.items.iter().filter(|e| e.first_seen > since).count() as u32;
    }
    let trend = crate::trend::compose(app, end_of_day, now, &sections, contenders)?;
    let mut digest = Digest {
        date,
        budget_seconds: cfg.minutes * 60,
        estimated_seconds: used,
        sections,
        source_health: health(app, &labels)?,
        arxiv_note: arxiv_note(app)?,
        summary_note: None,
        taste_note: (held_back > 0).then(|| {
            format!(
                "{held_back} more paper{} of the day left out of For you: your ratings say you would not like {}.",
                if held_back == 1 { "" } else { "s" },
                if held_back == 1 { "it" } else { "them" }
            )
        }),
        generated_at: now,
        settings_hint: super::reach::settings_hint(app),
        trend,
        feedback_links: Default::default(),
    };
    let base_url = app.config.web.base_url.as_deref();
    crate::learn::links::add(&mut digest, base_url, &app.state_dir)?;
    Ok(digest)
}

/// The labels of the sources that mentioned `it`, in order, none twice.
fn source_labels(it: &Item, labels: &super::reach::Labels) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in &it.sources {
        let l = labels.of(&h.name, &h.kind, h.url.as_deref());
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// A title fit for a digest line: no endless words, at most 300 characters.
fn digest_title(t: &str) -> String {
    let t = crate::summarize::cap_words(t);
    if t.chars().count() <= 300 {
        return t;
    }
    format!("{}…", t.chars().take(300).collect::<String>().trim_end())
}

/// Fills in the item's offline TL;DR when it has none (or not the one wanted); true when it changed.
fn ensure_summary(it: &mut Item, prefer_hf: bool) -> bool {
    match summarize::offline_summary(it, prefer_hf) {
        Some(s) => {
            it.summary = Some(s);
            true
        }
        None => false,
    }
}

fn why_line(s: &rank::Scored, labels: &super::reach::Labels) -> String {
    let w = s.why();
    if !w.is_empty() {
        return w;
    }
    match s.item.kind {
        crate::model::ItemKind::Post => format!(
            "new post on {}",
            s.item
                .sources
                .first()
                .map(|h| labels.of(&h.name, &h.kind, h.url.as_deref()))
                .unwrap_or_else(|| "a blog".into())
        ),
        crate::model::ItemKind::Paper => "new paper".to_string(),
    }
}

/// Health of every configured source, from the store.
fn health(app: &App, labels: &super::reach::Labels) -> Result<Vec<Health>> {
    let mut all = app.store.source_statuses()?;
    let mut out = Vec::new();
    for s in app.config.sources.iter().filter(|s| s.enabled()) {
        let st = all.remove(s.name());
        let (ok, error, since) = match st {
            Some(st) => (st.last_error.is_none(), st.last_error, st.failing_since),
            // Never fetched is not "answered": the footer must not claim it did.
            None => (false, Some("not fetched yet".to_string()), None),
        };
        out.push(Health {
            name: s.name().to_string(),
            label: labels.of(s.name(), s.kind(), s.url()),
            ok,
            error,
            since,
        });
    }
    Ok(out)
}

/// What arXiv's announcement calendar means for this digest, said plainly: no listing on the
/// weekend or a holiday is news for the reader, not an error.
fn arxiv_note(app: &App) -> Result<Option<String>> {
    if !app
        .config
        .sources
        .iter()
        .any(|s| s.kind() == "arxiv" && s.enabled())
    {
        return Ok(None);
    }
    if let Some(note) = crate::daemon::arxiv_announcement_note(Utc::now()) {
        return Ok(Some(note));
    }
    let mut all = app.store.source_statuses()?;
    for s in app
        .config
        .sources
        .iter()
        .filter(|s| s.kind() == "arxiv" && s.enabled())
    {
        if let Some(note) = all.remove(s.name()).and_then(|st| st.note) {
            return Ok(Some(note));
        }
    }
    Ok(None)
}
