//! The signals the daemon answers: SIGTERM and SIGINT stop it, SIGHUP reloads the config.

use crate::error::{Error, Result};
use tokio::signal::unix::{signal, Signal, SignalKind};

/// What a received signal asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Stop, naming the signal for the log.
    Stop(&'static str),
    Reload,
}

/// The daemon's signal handlers, installed once before READY=1 so an early SIGTERM is not lost.
pub struct Signals {
    term: Signal,
    int: Signal,
    hup: Signal,
}

impl Signals {
    pub fn install() -> Result<Signals> {
        let install = |kind: SignalKind, name: &str| {
            signal(kind).map_err(|e| Error::io(format!("installing the {name} handler"), e))
        };
        Ok(Signals {
            term: install(SignalKind::terminate(), "SIGTERM")?,
            int: install(SignalKind::interrupt(), "SIGINT")?,
            hup: install(SignalKind::hangup(), "SIGHUP")?,
        })
    }

    /// The next signal's request.
    pub async fn recv(&mut self) -> Request {
        tokio::select! {
            _ = self.term.recv() => Request::Stop("SIGTERM"),
            _ = self.int.recv() => Request::Stop("SIGINT"),
            _ = self.hup.recv() => Request::Reload,
        }
    }
}
