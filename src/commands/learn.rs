//! `trendd feedback …` and `trendd library import …`: what the reader tells trendd about their taste.

use crate::error::{Error, Result};
use crate::learn::formats::Format;
use crate::learn::{feedback, library, resolve, train, Rating, Vote, DEFAULT_READER};
use crate::pipeline::App;
use chrono::Utc;
use std::io::Write;
use std::path::Path;

/// What `feedback` was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Clear,
}

fn print(lines: &[String]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for l in lines {
        if writeln!(out, "{l}").is_err() {
            break;
        }
    }
    Ok(())
}

/// `trendd feedback up|down|clear ID...`: all or nothing. Every id is resolved first; one that names
/// no stored paper is an error naming it, and then nothing is recorded, so a typo never leaves half a
/// batch behind that the reader has to work out.
pub fn feedback(app: &App, action: Action, ids: &[String]) -> Result<i32> {
    let reader = DEFAULT_READER;
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for id in ids {
        match resolve::resolve(&app.store, id)? {
            Some(it) => found.push(it),
            None => unknown.push(id.clone()),
        }
    }
    if !unknown.is_empty() {
        return Err(Error::Other(format!(
            "no stored paper or post for {} (an item key from `trendd items`, an arXiv id, a DOI or a URL); nothing recorded",
            unknown
                .iter()
                .map(|u| format!("{u:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let now = Utc::now();
    let mut lines = Vec::new();
    for it in &found {
        match action {
            Action::Clear => {
                let had = feedback::clear(&app.store, reader, &it.key)?;
                lines.push(format!(
                    "{} {}  {}",
                    if had { "cleared" } else { "not rated" },
                    it.key,
                    it.title
                ));
            }
            Action::Up | Action::Down => {
                let vote = if action == Action::Up {
                    Vote::Up
                } else {
                    Vote::Down
                };
                feedback::record(
                    &app.store,
                    reader,
                    &Rating {
                        key: it.key.clone(),
                        vote,
                        at: now,
                        title: it.title.clone(),
                    },
                )?;
                lines.push(format!("{} {}  {}", vote.as_str(), it.key, it.title));
            }
        }
    }
    train::refresh(&app.store, reader, now)?;
    print(&lines)?;
    Ok(0)
}

/// `trendd feedback list [--json]`: the ratings, newest first.
pub fn feedback_list(app: &App, json: bool) -> Result<i32> {
    let lines: Vec<String> = feedback::list(&app.store, DEFAULT_READER)?
        .into_iter()
        .map(|r| {
            if json {
                serde_json::json!({"key": r.key, "vote": r.vote.as_str(), "at": r.at, "title": r.title})
                    .to_string()
            } else {
                format!(
                    "{}  {:4}  {}  {}",
                    r.at.format("%Y-%m-%d %H:%M"),
                    r.vote.as_str(),
                    r.key,
                    r.title
                )
            }
        })
        .collect();
    print(&lines)?;
    Ok(0)
}

/// `trendd library list [--json]`: what the library holds, newest first.
pub fn library_list(app: &App, json: bool) -> Result<i32> {
    let mut recs = library::list(&app.store, DEFAULT_READER)?;
    recs.sort_by(|a, b| b.added.cmp(&a.added).then(a.entry.id.cmp(&b.entry.id)));
    let lines: Vec<String> = recs
        .into_iter()
        .map(|r| {
            if json {
                serde_json::json!({"id": r.entry.id, "title": r.entry.title, "added": r.added, "from": r.from})
                    .to_string()
            } else {
                format!("{}  {}  {}", r.added.format("%Y-%m-%d %H:%M"), r.entry.id, r.entry.title)
            }
        })
        .collect();
    print(&lines)?;
    Ok(0)
}

/// `trendd library import FILE [--format F]`: new entries stored, bad ones named by line (on
/// stderr) and skipped; exit 1 when the file held entries and none could be read.
pub fn library_import(app: &App, file: &Path, format: Option<&str>) -> Result<i32> {
    let format = match format {
        None => None,
        Some(f) => Some(Format::parse(f).ok_or_else(|| {
            Error::Other(format!(
                "--format {f:?}: use bibtex, ris, csl-json, zotero-csv or ids"
            ))
        })?),
    };
    let now = Utc::now();
    let rep = library::import(&app.store, DEFAULT_READER, file, format, now)?;
    for p in &rep.problems {
        eprintln!("{}:{}: skipped: {}", file.display(), p.line, p.message);
    }
    if !rep.added.is_empty() {
        train::refresh(&app.store, DEFAULT_READER, now)?;
    }
    let fmt = rep.format.map(|f| f.name()).unwrap_or("?");
    println!(
        "{}: {fmt}: {} added, {} already in the library, {} skipped",
        file.display(),
        rep.added.len(),
        rep.already,
        rep.problems.len()
    );
    if rep.added.is_empty() && rep.already == 0 && !rep.problems.is_empty() {
        return Err(Error::Other(format!(
            "{}: no entry could be read",
            file.display()
        )));
    }
    Ok(0)
}
