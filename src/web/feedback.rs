//! `/f/{token}`: the page behind a 👍/👎 link. GET only shows what would be recorded, with a button
//! (mail scanners and link previews fetch every link in a message); POST verifies the token and
//! records the rating; `/f/{token}/undo` removes it again. The signed token is the only credential:
//! no cookie, so no other site can make a browser record anything without a link trendd signed.

use super::layout::page;
use super::pages::{blocking, PageError};
use super::Ctx;
use crate::learn::feedback::{self, Rating};
use crate::learn::token::Claim;
use crate::learn::Vote;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};

/// Ratings shown under a confirmation.
const RECENT: usize = 10;

pub(super) fn routes() -> Router<Ctx> {
    Router::new()
        .route("/f/{token}", get(ask).post(record))
        .route("/f/{token}/undo", post(undo))
}

fn verify(c: &Ctx, token: &str) -> Result<Claim, PageError> {
    c.secret.verify(token).ok_or_else(|| {
        PageError::Forbidden(
            "This 👍/👎 link was not signed by this trendd (it is altered, cut short, or from another \
             installation). Nothing was recorded."
                .into(),
        )
    })
}

fn emoji(v: Vote) -> &'static str {
    match v {
        Vote::Up => "👍",
        Vote::Down => "👎",
    }
}

fn words(v: Vote) -> &'static str {
    match v {
        Vote::Up => "more like this",
        Vote::Down => "less like this",
    }
}

/// The item's title as shown (the item may have been pruned since: then its key).
fn title_of(c: &Ctx, key: &str) -> crate::Result<(String, Option<String>)> {
    Ok(match c.store.item(key)? {
        Some(it) => (
            crate::render::escape::plain(&it.title),
            crate::render::escape::safe_url(it.url.as_deref()),
        ),
        None => (key.to_string(), None),
    })
}

/// Pages behind tokens are never cached: each shows the reader's current state.
fn no_store(m: Markup) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], m).into_response()
}

async fn ask(State(c): State<Ctx>, Path(token): Path<String>) -> Result<Response, PageError> {
    let claim = verify(&c, &token)?;
    let cc = c.clone();
    let cl = claim.clone();
    let (title, current) = blocking(move || {
        let (title, _) = title_of(&cc, &cl.key)?;
        Ok((title, feedback::get(&cc.store, &cl.reader, &cl.key)?))
    })
    .await?;
    let action = format!("/f/{token}");
    Ok(no_store(page(
        "Rate a paper",
        html! {
            h1 { (emoji(claim.vote)) " " (match claim.vote { Vote::Up => "More like this?", Vote::Down => "Less like this?" }) }
            p { "“" (title) "”" }
            p.muted { "From your digest of " (claim.date.format("%A %-d %B %Y")) "." }
            @if let Some(r) = &current {
                p { "You said " (emoji(r.vote)) " on " (r.at.with_timezone(&c.tz).format("%-d %b %Y %H:%M")) "." }
            }
            form method="post" action=(action) {
                button type="submit" { "Record " (emoji(claim.vote)) " " (words(claim.vote)) }
            }
            p.muted { "Nothing is recorded until you press the button." }
        },
    )))
}

async fn record(State(c): State<Ctx>, Path(token): Path<String>) -> Result<Response, PageError> {
    let claim = verify(&c, &token)?;
    let cc = c.clone();
    let cl = claim.clone();
    let (title, recent) = blocking(move || {
        let (title, _) = title_of(&cc, &cl.key)?;
        let rating = Rating {
            key: cl.key.clone(),
            vote: cl.vote,
            at: chrono::Utc::now(),
            title: title.clone(),
        };
        feedback::record(&cc.store, &cl.reader, &rating)?;
        Ok((title, recent_ratings(&cc, &cl.reader)?))
    })
    .await?;
    tracing::info!(
        "feedback: {} {} ({})",
        claim.vote.as_str(),
        claim.key,
        claim.reader
    );
    Ok(no_store(page(
        "Recorded",
        html! {
            h1 role="status" { (emoji(claim.vote)) " Recorded" }
            p { "“" (title) "”: " (words(claim.vote)) ". Tomorrow's digest takes it into account." }
            (recent_list(&c, &recent))
        },
    )))
}

async fn undo(State(c): State<Ctx>, Path(token): Path<String>) -> Result<Response, PageError> {
    let claim = verify(&c, &token)?;
    let cc = c.clone();
    let cl = claim.clone();
    let (title, removed, recent) = blocking(move || {
        let (title, _) = title_of(&cc, &cl.key)?;
        // Only the rating this token stands for: an old 👍 link cannot undo a newer 👎.
        let removed = match feedback::get(&cc.store, &cl.reader, &cl.key)? {
            Some(r) if r.vote == cl.vote => feedback::clear(&cc.store, &cl.reader, &cl.key)?,
            _ => false,
        };
        Ok((title, removed, recent_ratings(&cc, &cl.reader)?))
    })
    .await?;
    Ok(no_store(page(
        "Undone",
        html! {
            @if removed {
                h1 role="status" { "Removed" }
                p { "Your " (emoji(claim.vote)) " for “" (title) "” is gone." }
            } @else {
                h1 role="status" { "Nothing to undo" }
                p { "There is no " (emoji(claim.vote)) " for “" (title) "” to remove." }
            }
            (recent_list(&c, &recent))
        },
    )))
}

/// The reader's newest ratings, each with the token that undoes it.
fn recent_ratings(c: &Ctx, reader: &str) -> crate::Result<Vec<(Rating, String)>> {
    let mut all = feedback::list(&c.store, reader)?;
    all.truncate(RECENT);
    Ok(all
        .into_iter()
        .map(|r| {
            let token = c.secret.sign(&Claim {
                reader: reader.to_string(),
                date: r.at.with_timezone(&c.tz).date_naive(),
                key: r.key.clone(),
                vote: r.vote,
            });
            (r, token)
        })
        .collect())
}

fn recent_list(c: &Ctx, recent: &[(Rating, String)]) -> Markup {
    html! {
        @if !recent.is_empty() {
            h2 { "Your recent ratings" }
            table {
                @for (r, token) in recent {
                    tr {
                        td { (emoji(r.vote)) }
                        td {
                            @if r.title.is_empty() { (r.key) } @else { (r.title) }
                            br;
                            span.muted { (r.at.with_timezone(&c.tz).format("%-d %b %Y %H:%M")) }
                        }
                        td {
                            form.inline method="post" action={"/f/" (token) "/undo"} {
                                button.small type="submit" { "Undo" }
                            }
                        }
                    }
                }
            }
        }
    }
}
