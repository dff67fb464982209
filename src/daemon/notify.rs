//! The systemd notify protocol, by hand: newline-separated `KEY=VALUE` datagrams sent to the Unix
//! socket named by `$NOTIFY_SOCKET` (a path, or an abstract name written with a leading '@').
//! Without `$NOTIFY_SOCKET` (not under systemd) every call is a no-op.

use std::io;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

/// A handle on the service manager's notify socket (or on nothing).
pub struct Notifier {
    target: Option<(UnixDatagram, SocketAddr)>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("enabled", &self.is_enabled())
            .finish()
    }
}

impl Notifier {
    /// From `$NOTIFY_SOCKET`; a socket that cannot be used is logged and notification disabled.
    pub fn from_env() -> Notifier {
        match std::env::var("NOTIFY_SOCKET") {
            Ok(path) if !path.is_empty() => Notifier::new(&path).unwrap_or_else(|e| {
                tracing::warn!(
                    "NOTIFY_SOCKET={path} is unusable ({e}); not notifying the service manager"
                );
                Notifier::disabled()
            }),
            _ => Notifier::disabled(),
        }
    }

    /// Notifies the socket at `path` (a filesystem path, or `@name` for an abstract socket).
    pub fn new(path: &str) -> io::Result<Notifier> {
        let addr = if let Some(name) = path.strip_prefix('@') {
            use std::os::linux::net::SocketAddrExt;
            SocketAddr::from_abstract_name(name.as_bytes())?
        } else {
            SocketAddr::from_pathname(path)?
        };
        let sock = UnixDatagram::unbound()?;
        // A full socket buffer must never stall the daemon's loop.
        sock.set_nonblocking(true)?;
        Ok(Notifier {
            target: Some((sock, addr)),
        })
    }

    /// A notifier that sends nothing.
    pub fn disabled() -> Notifier {
        Notifier { target: None }
    }

    pub fn is_enabled(&self) -> bool {
        self.target.is_some()
    }

    /// Sends one state message (e.g. `READY=1`, or several lines at once).
    pub fn send(&self, state: &str) -> io::Result<()> {
        match &self.target {
            None => Ok(()),
            Some((sock, addr)) => sock.send_to_addr(state.as_bytes(), addr).map(|_| ()),
        }
    }

    /// Sends and logs a failure instead of returning it: notification is best effort.
    fn send_logged(&self, state: &str) {
        if let Err(e) = self.send(state) {
            tracing::warn!(
                "could not notify the service manager ({}): {e}",
                state.lines().next().unwrap_or("")
            );
        }
    }

    /// Start-up is complete: config and store are open.
    pub fn ready(&self) {
        self.send_logged("READY=1");
    }

    /// A reload begins; `ready` ends it.
    pub fn reloading(&self) {
        let msg = match monotonic_usec() {
            Some(us) => format!("RELOADING=1\nMONOTONIC_USEC={us}"),
            None => "RELOADING=1".to_string(),
        };
        self.send_logged(&msg);
    }

    pub fn stopping(&self) {
        self.send_logged("STOPPING=1");
    }

    /// A one-line human-readable status (shown by `systemctl status`).
    pub fn status(&self, status: &str) {
        let one_line = status.replace(['\n', '\r'], " ");
        self.send_logged(&format!("STATUS={one_line}"));
    }

    pub fn watchdog(&self) {
        self.send_logged("WATCHDOG=1");
    }
}

/// How often to send `WATCHDOG=1`: half of `$WATCHDOG_USEC`, when that is set for this process.
pub fn watchdog_interval() -> Option<Duration> {
    watchdog_interval_from(
        std::env::var("WATCHDOG_USEC").ok().as_deref(),
        std::env::var("WATCHDOG_PID").ok().as_deref(),
        std::process::id(),
    )
}

fn watchdog_interval_from(usec: Option<&str>, pid: Option<&str>, my_pid: u32) -> Option<Duration> {
    let usec: u64 = usec?.trim().parse().ok().filter(|&u| u > 0)?;
    // WATCHDOG_PID names the process the watchdog is meant for; a child that inherited it must not ping.
    if let Some(pid) = pid {
        if pid.trim().parse::<u32>().ok() != Some(my_pid) {
            return None;
        }
    }
    Some(Duration::from_micros(usec / 2))
}

/// CLOCK_MONOTONIC in microseconds, as systemd expects beside `RELOADING=1`.
fn monotonic_usec() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the valid pointer it is given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recv(sock: &UnixDatagram) -> String {
        let mut buf = [0u8; 4096];
        let n = sock.recv(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[test]
    fn messages_arrive_on_a_path_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify.sock");
        let server = UnixDatagram::bind(&path).unwrap();
        server
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let n = Notifier::new(path.to_str().unwrap()).unwrap();
        assert!(n.is_enabled());
        n.ready();
        assert_eq!(recv(&server), "READY=1");
        n.status("last fetch 07:00: 12 new;\nlast digest 2026-11-21 sent");
        assert_eq!(
            recv(&server),
            "STATUS=last fetch 07:00: 12 new; last digest 2026-11-21 sent"
        );
        n.reloading();
        let msg = recv(&server);
        let mut lines = msg.lines();
        assert_eq!(lines.next(), Some("RELOADING=1"));
        let us: u64 = lines
            .next()
            .unwrap()
            .strip_prefix("MONOTONIC_USEC=")
            .unwrap()
            .parse()
            .unwrap();
        assert!(us > 0);
        n.watchdog();
        assert_eq!(recv(&server), "WATCHDOG=1");
        n.stopping();
        assert_eq!(recv(&server), "STOPPING=1");
    }

    #[test]
    fn messages_arrive_on_an_abstract_socket() {
        use std::os::linux::net::SocketAddrExt;
        let name = format!("trendd-test-{}-{}", std::process::id(), fastrand::u64(..));
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let server = UnixDatagram::bind_addr(&addr).unwrap();
        server
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let n = Notifier::new(&format!("@{name}")).unwrap();
        n.ready();
        assert_eq!(recv(&server), "READY=1");
    }

    #[test]
    fn without_a_socket_nothing_is_sent_and_nothing_fails() {
        let n = Notifier::disabled();
        assert!(!n.is_enabled());
        assert!(n.send("READY=1").is_ok());
        n.stopping();
    }

    #[test]
    fn a_vanished_socket_is_an_error_for_send_only() {
        let dir = tempfile::tempdir().unwrap();
        let n = Notifier::new(dir.path().join("gone.sock").to_str().unwrap()).unwrap();
        assert!(n.send("READY=1").is_err());
        n.ready(); // logged, not fatal
    }

    #[test]
    fn watchdog_interval_is_half_the_timeout_and_only_for_this_process() {
        assert_eq!(
            watchdog_interval_from(Some("30000000"), None, 42),
            Some(Duration::from_secs(15))
        );
        assert_eq!(
            watchdog_interval_from(Some("30000000"), Some("42"), 42),
            Some(Duration::from_secs(15))
        );
        assert_eq!(
            watchdog_interval_from(Some("30000000"), Some("43"), 42),
            None
        );
        assert_eq!(watchdog_interval_from(None, Some("42"), 42), None);
        assert_eq!(watchdog_interval_from(Some("0"), None, 42), None);
        assert_eq!(watchdog_interval_from(Some("junk"), None, 42), None);
    }
}
