//! How commands and the daemon share one state directory. The store itself is shared by several
//! processes; what must not run twice at once are the jobs that write what the others read: one fetch
//! (so no site is asked twice for the same thing) and one digest (compose + ledger + deliver, so a
//! day's digest is composed and sent once). Each job holds an advisory file lock in the state
//! directory while it runs; read-only commands (`status`, `items`) take none and never wait.

pub mod clock;
pub mod lock;

pub use lock::{JobKind, JobLock};

use crate::error::Result;
use crate::pipeline::App;
use chrono::NaiveDate;

/// Takes the digest lock for composing `date`, saying whom it waits for when another job holds it.
pub async fn digest_job(app: &App, date: NaiveDate) -> Result<JobLock> {
    let today = chrono::Utc::now()
        .with_timezone(&app.config.timezone())
        .date_naive();
    let which = if date == today {
        "today's digest".to_string()
    } else {
        format!("the digest of {date}")
    };
    lock::acquire(&app.state_dir, JobKind::Digest, |h| {
        tracing::info!("{} is composing {which}; waiting", h.describe())
    })
    .await
}
