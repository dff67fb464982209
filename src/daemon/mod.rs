//! `trendd run`: scheduled fetches and digests, systemd notify, signals.

pub mod schedule;

/// The daemon (placeholder until the scheduler lands).
pub async fn run(_app: crate::pipeline::App) -> crate::Result<()> {
    Ok(())
}
