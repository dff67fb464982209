//! Cross-process job locks: `flock(2)` on `<state dir>/locks/{fetch,digest}.lock` (through
//! `std::fs::File::try_lock`, which is `flock` on Unix). The kernel drops the lock when the holder
//! exits or is killed, so a crashed job never leaves a stale lock behind. The holder writes its pid
//! and role into the file, only so a waiter can say whom it waits for.
//!
//! `flock` locks belong to an open file description, so two jobs inside one process (the daemon's
//! fetch and the fetch a digest starts) exclude each other the same way two processes do.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often a waiter looks again. Polling (rather than a blocking `flock` on a thread) keeps the
/// wait cancellable: the daemon's shutdown drops a waiting job like any other future.
const POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Fetch,
    Digest,
}

impl JobKind {
    fn file_name(self) -> &'static str {
        match self {
            JobKind::Fetch => "fetch.lock",
            JobKind::Digest => "digest.lock",
        }
    }
}

/// Who holds a lock, as it wrote itself into the lock file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holder {
    pub pid: Option<u32>,
    /// `daemon` for `trendd run`, else the command (`digest`, `fetch`).
    pub role: String,
}

impl Holder {
    /// "the daemon (pid 42)", "another trendd process (pid 43, digest)".
    pub fn describe(&self) -> String {
        let pid = self.pid.map(|p| format!("pid {p}")).unwrap_or_default();
        match (self.role.as_str(), pid.is_empty()) {
            ("daemon", true) => "the daemon".into(),
            ("daemon", false) => format!("the daemon ({pid})"),
            ("", true) => "another trendd process".into(),
            ("", false) => format!("another trendd process ({pid})"),
            (r, true) => format!("another trendd process ({r})"),
            (r, false) => format!("another trendd process ({pid}, {r})"),
        }
    }
}

/// A held job lock; released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct JobLock {
    _file: File,
    /// Whether this job had to wait for another holder first.
    pub waited: bool,
}

/// The role this process writes into the locks it holds (`daemon` is set by `trendd run`).
static ROLE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Names this process in the locks it takes ("daemon", "digest", "fetch").
pub fn set_role(role: &str) {
    let _ = ROLE.set(role.to_string());
}

fn lock_path(state_dir: &Path, kind: JobKind) -> PathBuf {
    state_dir.join("locks").join(kind.file_name())
}

fn open(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Error::io(format!("opening the lock file {}", path.display()), e))
}

/// Reads who holds the lock at `path` (best effort: the holder may be writing it just now).
pub fn holder(path: &Path) -> Holder {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let _ = Read::by_ref(&mut f).take(256).read_to_string(&mut text);
    }
    let mut h = Holder::default();
    for line in text.lines() {
        match line.split_once('=') {
            Some(("pid", v)) => h.pid = v.trim().parse().ok(),
            Some(("role", v)) => h.role = v.trim().chars().take(32).collect(),
            _ => {}
        }
    }
    h
}

fn claim(file: &mut File) {
    // Only informative: a failure to write it leaves the lock held all the same.
    let role = ROLE.get().map(String::as_str).unwrap_or("");
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "pid={}\nrole={role}\n", std::process::id());
    let _ = file.flush();
}

/// Takes the `kind` lock of `state_dir` without waiting: `None` when another job holds it.
pub fn try_acquire(state_dir: &Path, kind: JobKind) -> Result<Option<JobLock>> {
    let path = lock_path(state_dir, kind);
    let mut file = open(&path)?;
    match file.try_lock() {
        Ok(()) => {
            claim(&mut file);
            Ok(Some(JobLock {
                _file: file,
                waited: false,
            }))
        }
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(Error::io(format!("locking {}", path.display()), e)),
    }
}

/// Takes the `kind` lock of `state_dir`, waiting as long as another job holds it. `on_wait` is called
/// once, with the holder, when the lock is busy.
pub async fn acquire(
    state_dir: &Path,
    kind: JobKind,
    on_wait: impl FnOnce(&Holder),
) -> Result<JobLock> {
    if let Some(l) = try_acquire(state_dir, kind)? {
        return Ok(l);
    }
    on_wait(&holder(&lock_path(state_dir, kind)));
    loop {
        tokio::time::sleep(POLL).await;
        if let Some(mut l) = try_acquire(state_dir, kind)? {
            l.waited = true;
            return Ok(l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn a_second_job_waits_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = try_acquire(dir.path(), JobKind::Digest).unwrap().unwrap();
        assert!(try_acquire(dir.path(), JobKind::Digest).unwrap().is_none());
        // The other job's lock is independent.
        let fetch = try_acquire(dir.path(), JobKind::Fetch).unwrap();
        assert!(fetch.is_some());
        let h = holder(&lock_path(dir.path(), JobKind::Digest));
        assert_eq!(h.pid, Some(std::process::id()));

        let path = dir.path().to_path_buf();
        let waiter = tokio::spawn(async move {
            let mut told = None;
            let l = acquire(&path, JobKind::Digest, |h| told = Some(h.clone()))
                .await
                .unwrap();
            (l.waited, told)
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!waiter.is_finished(), "took a lock that was held");
        drop(first);
        let (waited, told) = waiter.await.unwrap();
        assert!(waited);
        assert_eq!(told.unwrap().pid, Some(std::process::id()));
    }

    #[test]
    fn holders_are_described_for_people() {
        let h = Holder {
            pid: Some(7),
            role: "daemon".into(),
        };
        assert_eq!(h.describe(), "the daemon (pid 7)");
        assert_eq!(Holder::default().describe(), "another trendd process");
    }
}
