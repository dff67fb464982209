//! The web face: thin handlers over the store and the same render code as the email.
//!
//! `/` the latest digest and the archive by month, `/digests/YYYY-MM-DD` one digest (the email's HTML
//! with working 👍/👎), `.bib` and `.json` beside it, `/items?q=` search, `/feed.atom` the digests as
//! Atom, `/f/{token}` the page behind a 👍/👎 link (GET asks, POST records; mail scanners prefetch
//! GETs). Served by `trendd serve` alone and inside `trendd run` when `[web] listen` is set.
//!
//! Bounds (see `server`): loopback unless `allow_remote`, a header and body deadline per client, a
//! cap on connections and on a connection's life, a request-rate limit, a 16 KiB request body, a
//! deadline per response. Every page is a maud template (escaping by default) under a CSP that
//! allows no script, and no page shows the secret that signs links.

pub mod bibtex;
pub mod config;
mod feedback;
mod layout;
mod pages;
mod server;

pub use config::Settings;
pub use server::{start, Running};

use crate::learn::token::Secret;
use crate::store::Store;
use std::sync::Arc;

/// What every handler reads: the store, the link secret and the settings.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub store: Store,
    pub secret: Secret,
    pub settings: Arc<Settings>,
    pub tz: chrono_tz::Tz,
}

impl Ctx {
    /// The base for 👍/👎 links on the digest page: `base_url` when set (the email's links and the
    /// page's then agree), else relative links, which work on whatever address the page came from.
    fn link_base(&self) -> &str {
        if self.settings.base_url_set {
            &self.settings.base
        } else {
            ""
        }
    }
}

/// The web face of the app in `app`, until `shutdown` resolves (`trendd serve`).
pub async fn serve(
    app: &crate::pipeline::App,
    listen: Option<&str>,
    shutdown: impl std::future::Future<Output = ()>,
) -> crate::Result<()> {
    let running = start(app, listen)?;
    shutdown.await;
    running.stop().await;
    Ok(())
}

/// The daemon's web face: started when `[web] listen` is set, else `None`.
pub fn start_in_daemon(app: &crate::pipeline::App) -> crate::Result<Option<Running>> {
    if app.config.web.listen.trim().is_empty() {
        return Ok(None);
    }
    start(app, None).map(Some)
}
