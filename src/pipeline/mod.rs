//! The two jobs, each reading top to bottom: `run_fetch` (plan, fetch with validators, parse,
//! identify, store, record health) and `run_digest` (fetch, compose, store the ledger, render,
//! deliver).

use crate::config::Config;
use crate::error::Result;
use crate::http::HttpClient;
use crate::store::Store;
use chrono::NaiveDate;

use std::path::PathBuf;

/// Everything a job needs: the effective config, the open store, the shared HTTP client. Cheap to
/// clone: each fetch task holds its own.
#[derive(Clone)]
pub struct App {
    pub config: std::sync::Arc<Config>,
    /// The config file in use (None: built-in defaults); reloaded on SIGHUP by the daemon.
    pub config_path: Option<PathBuf>,
    pub state_dir: PathBuf,
    pub store: Store,
    pub http: HttpClient,
}

impl App {
    pub fn new(
        config: Config,
        config_path: Option<PathBuf>,
        state_dir: PathBuf,
        store: Store,
    ) -> Result<App> {
        let http = HttpClient::new(&config.http, &config.general.user_agent)?;
        Ok(App {
            config: std::sync::Arc::new(config),
            config_path,
            state_dir,
            store,
            http,
        })
    }
}

/// Per-source outcome of one fetch.
#[derive(Debug, Clone, Default)]
pub struct SourceReport {
    pub name: String,
    pub kind: String,
    pub counts: crate::store::FetchCounts,
    pub error: Option<String>,
    pub note: Option<String>,
    /// The source's health after this fetch (stored by `run_fetch`).
    pub status: crate::store::SourceStatus,
}

#[derive(Debug, Clone, Default)]
pub struct FetchReport {
    pub sources: Vec<SourceReport>,
}

impl FetchReport {
    /// Exit code of `trendd fetch`: 0 when at least one source worked or none failed, 2 when all failed.
    pub fn exit_code(&self) -> i32 {
        let failed = self.sources.iter().filter(|s| s.error.is_some()).count();
        if failed > 0 && failed == self.sources.len() {
            2
        } else {
            0
        }
    }
}

/// Options of `trendd digest --now`.
#[derive(Debug, Clone, Default)]
pub struct DigestOptions {
    /// The digest's date (default: today in the configured time zone).
    pub date: Option<NaiveDate>,
    pub fetch: bool,
    pub dry_run: bool,
    pub force: bool,
    /// Also write digest.html, digest.txt, digest.json here.
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Default)]
pub struct DigestReport {
    pub date: Option<NaiveDate>,
    pub fetch: Option<FetchReport>,
    pub items: usize,
    /// Channel names delivered this run, already sent before, and failed (with reasons).
    pub delivered: Vec<String>,
    pub already_sent: Vec<String>,
    pub failed: Vec<(String, String)>,
    /// The plain-text rendering (printed by `digest --now` when the only channel is the default file one).
    pub text: String,
}

mod digest;
mod fetch;
pub mod reach;

pub use digest::{compose_digest, run_digest};
pub use fetch::{run_fetch, run_fetch_with};
