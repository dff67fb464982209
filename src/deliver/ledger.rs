//! The exactly-once ledger: per (digest date, target) state kept in the digest record, flushed to disk
//! before and after every send.

use super::{Channel, Rendered};
use crate::error::Error;
use crate::store::{ChannelState, DeliveryState, DigestRecord, Store};
use chrono::Utc;
use std::time::Duration;

/// Sends tried per target within one call of [`deliver`]; later runs (and the daemon) retry failures.
pub const ATTEMPTS_PER_RUN: u32 = 2;

/// Pause before the second attempt: long enough for a relay that is restarting, short enough not to
/// hold up the other channels.
const BACKOFF: Duration = Duration::from_secs(1);

/// What one call of [`deliver`] did, by ledger target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryOutcome {
    pub delivered: Vec<String>,
    pub already_sent: Vec<String>,
    /// (target, reason); the reason names the channel: "email: cannot connect to …".
    pub failed: Vec<(String, String)>,
}

/// Sends `rendered` to every target of every channel whose state in `rec.channels` is not Sent (all of
/// them with `force`), recording each state change in the store (`store.put_digest(rec)` flushes)
/// BEFORE and AFTER each send: pending (attempts+1) → sent (receipt) | failed (reason).
///
/// A target found `Pending` means an earlier process died mid-send: it is sent again. A send is not
/// started when its pending state cannot be written, since the ledger could then not stop a second copy.
pub async fn deliver(
    store: &Store,
    rec: &mut DigestRecord,
    channels: &[Box<dyn Channel>],
    rendered: &Rendered,
    force: bool,
) -> DeliveryOutcome {
    let mut out = DeliveryOutcome::default();
    for ch in channels {
        for target in ch.targets() {
            if !force
                && rec
                    .channels
                    .get(&target)
                    .is_some_and(|s| s.state == DeliveryState::Sent)
            {
                out.already_sent.push(target);
                continue;
            }
            match send_one(store, rec, ch.as_ref(), &target, rendered).await {
                Ok(()) => out.delivered.push(target),
                Err(reason) => out.failed.push((target, reason)),
            }
        }
    }
    out
}

async fn send_one(
    store: &Store,
    rec: &mut DigestRecord,
    ch: &dyn Channel,
    target: &str,
    rendered: &Rendered,
) -> Result<(), String> {
    let mut reason = String::new();
    for attempt in 1..=ATTEMPTS_PER_RUN {
        if attempt > 1 {
            tokio::time::sleep(BACKOFF).await;
        }
        let prev = rec.channels.get(target);
        let pending = ChannelState {
            state: DeliveryState::Pending,
            attempts: prev.map_or(0, |s| s.attempts) + 1,
            updated: Utc::now(),
            receipt: None,
            last_error: prev.and_then(|s| s.last_error.clone()),
        };
        rec.channels.insert(target.to_string(), pending);
        if let Err(e) = store.put_digest(rec) {
            // Nothing was sent; the in-memory pending state is marked failed so the caller sees why.
            let reason = format!(
                "{}: the delivery ledger could not be written, so nothing was sent: {e}",
                ch.name()
            );
            set(
                rec,
                target,
                DeliveryState::Failed,
                None,
                Some(reason.clone()),
            );
            return Err(reason);
        }
        match ch.send(target, rendered).await {
            Ok(receipt) => {
                set(rec, target, DeliveryState::Sent, Some(receipt), None);
                if let Err(e) = store.put_digest(rec) {
                    // Sent but not recorded: the next run will send again (one copy, same Message-ID).
                    tracing::error!(
                        channel = ch.name(),
                        target,
                        "sent, but recording it failed: {e}"
                    );
                } else {
                    tracing::info!(channel = ch.name(), target, attempt, "delivered");
                }
                return Ok(());
            }
            Err(e) => {
                reason = match e {
                    Error::Deliver { channel, message } => format!("{channel}: {message}"),
                    other => format!("{}: {other}", ch.name()),
                };
                set(
                    rec,
                    target,
                    DeliveryState::Failed,
                    None,
                    Some(reason.clone()),
                );
                if let Err(e) = store.put_digest(rec) {
                    tracing::error!(
                        channel = ch.name(),
                        target,
                        "recording a failed delivery failed: {e}"
                    );
                }
                tracing::warn!(
                    channel = ch.name(),
                    target,
                    attempt,
                    "delivery failed: {reason}"
                );
            }
        }
    }
    Err(reason)
}

fn set(
    rec: &mut DigestRecord,
    target: &str,
    state: DeliveryState,
    receipt: Option<String>,
    last_error: Option<String>,
) {
    if let Some(s) = rec.channels.get_mut(target) {
        s.state = state;
        s.updated = Utc::now();
        s.receipt = receipt;
        s.last_error = last_error;
    }
}
