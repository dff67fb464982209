//! Delivery channels and the exactly-once ledger.
//!
//! Each channel (`email`, `slack`, `file`) names its ledger targets; [`deliver`] walks them and moves
//! each target's state in the digest record pending → sent | failed, flushing the store before and
//! after every send. A target already `Sent` is never sent again unless forced. The one window no
//! protocol closes — the server accepted the message and the process died before recording it — lasts
//! from the end of the message's data until the record is flushed: as long as the SMTP server takes to
//! answer DATA, which a slow relay stretches to seconds; a mail copy sent again then carries the same
//! `Message-ID`, so mail clients fold it.

mod email;
mod file;
mod ledger;
pub mod secret;
mod slack;

pub use email::{message_id, sanitize_header, EmailChannel};
pub use file::FileChannel;
pub use ledger::{deliver, DeliveryOutcome, ATTEMPTS_PER_RUN};
pub use slack::SlackChannel;

use crate::config::{Config, DeliverConfig};
use std::path::Path;

/// A digest rendered for sending (filled by the render step).
#[derive(Debug, Clone)]
pub struct Rendered {
    pub date: chrono::NaiveDate,
    pub subject: String,
    pub html: String,
    pub text: String,
    pub slack: serde_json::Value,
    pub json: String,
}

/// One configured delivery channel.
pub trait Channel: Send + Sync {
    /// Channel name from config (DeliverConfig::name()).
    fn name(&self) -> &str;
    /// Ledger keys this channel delivers to: its name (["email"], ["slack"], ["file"]); a channel with
    /// several independent destinations may list one key each, as `name/destination`.
    fn targets(&self) -> Vec<String>;
    /// Sends to one target; Ok(receipt) = the server's reply / message id / written path.
    fn send<'a>(
        &'a self,
        target: &'a str,
        d: &'a Rendered,
    ) -> futures_util::future::BoxFuture<'a, crate::Result<String>>;
}

/// The channels of every `[[deliver]]` block. Secrets are not read here but at send time, so a missing
/// password fails (and is recorded against) its own channel only.
pub fn build_channels(
    cfg: &Config,
    state_dir: &Path,
    http: &crate::http::HttpClient,
) -> crate::Result<Vec<Box<dyn Channel>>> {
    cfg.delivers
        .iter()
        .map(|d| build_one(d, state_dir, http))
        .collect()
}

fn build_one(
    d: &DeliverConfig,
    state_dir: &Path,
    http: &crate::http::HttpClient,
) -> crate::Result<Box<dyn Channel>> {
    Ok(match d {
        DeliverConfig::Email(c) => Box::new(EmailChannel::new(d.name(), c.clone())?),
        DeliverConfig::Slack(c) => Box::new(SlackChannel::new(d.name(), c.clone(), http.clone())),
        DeliverConfig::File(c) => Box::new(FileChannel::new(d.name(), c, state_dir)),
    })
}

/// Like [`build_channels`], but a channel that cannot be built is set aside with its reason
/// (`(name, "name: why")`) instead of stopping the others.
pub fn build_each(
    cfg: &Config,
    state_dir: &Path,
    http: &crate::http::HttpClient,
) -> (Vec<Box<dyn Channel>>, Vec<(String, String)>) {
    let (mut built, mut failed) = (Vec::new(), Vec::new());
    for d in &cfg.delivers {
        match build_one(d, state_dir, http) {
            Ok(ch) => built.push(ch),
            Err(e) => {
                tracing::error!(channel = %d.name(), "cannot set up the channel: {e}");
                failed.push((d.name(), format!("{}: {e}", d.name())));
            }
        }
    }
    (built, failed)
}
