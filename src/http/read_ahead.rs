//! Local files read ahead of the fetch that wants them, on a thread of their own.
//!
//! A fetch of many `file://` feeds spent a third of its time in the kernel opening and reading
//! files, one after another on the thread that then parsed and stored them. A thread beside it
//! reads them in the order the fetch will ask for them, so the reading and the parsing overlap on
//! two cores. It stays at most `WINDOW` bytes ahead of what the fetch has taken, so memory stays
//! flat however many files there are; a file the fetch asks for before the thread reached it is
//! read by the fetch itself, and the thread skips it.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::{file, Fetched, HttpError};

/// Bytes read and not yet taken, past which the thread waits for the fetch to catch up.
const WINDOW: u64 = 8 * 1024 * 1024;

/// Fewer local files than this are read where they are asked for: a thread costs more than it saves.
const MIN_FILES: usize = 8;

// A file's state. Atomics, not one lock over every file: the two threads meet at each file, and a
// shared lock (with a wake-up call per file) had them waiting on each other.
const WAITING: u8 = 0;
const READING: u8 = 1;
const DONE: u8 = 2;
const TAKEN: u8 = 3;

struct Slot {
    /// `None`: nothing to read ahead for this source.
    url: Option<String>,
    state: AtomicU8,
    got: Mutex<Option<Result<Fetched, HttpError>>>,
}

struct Shared {
    slots: Vec<Slot>,
    /// Bytes of the read bodies not yet taken.
    held: AtomicU64,
    stop: AtomicBool,
    /// Threads asleep on `bell`; it is rung only when there are some.
    sleepers: AtomicUsize,
    bell: Mutex<()>,
    rung: Condvar,
}

impl Shared {
    /// Returns once `ready()` holds, asleep unless it soon does.
    fn wait_until(&self, ready: impl Fn() -> bool) {
        // Most waits are for the other thread to finish reading one small file.
        for _ in 0..64 {
            if ready() {
                return;
            }
            std::hint::spin_loop();
        }
        let mut bell = lock(&self.bell);
        self.sleepers.fetch_add(1, SeqCst);
        // A change made before `ring` read `sleepers` is seen here; one made after is rung.
        while !ready() {
            bell = self.rung.wait(bell).unwrap_or_else(|p| p.into_inner());
        }
        self.sleepers.fetch_sub(1, SeqCst);
    }

    /// Wakes the sleepers (if any) to look again.
    fn ring(&self) {
        if self.sleepers.load(SeqCst) > 0 {
            let _bell = lock(&self.bell);
            self.rung.notify_all();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The files of one fetch being read ahead; dropping it stops the thread.
pub struct ReadAhead {
    shared: Option<Arc<Shared>>,
}

impl ReadAhead {
    /// Starts reading, in their order, the plain `file:///` URLs among `urls` (one for each source
    /// of a fetch, the first it will ask for), each under the body cap `max`. Other URLs are left
    /// to the client.
    pub fn start(urls: impl IntoIterator<Item = Option<String>>, max: u64) -> ReadAhead {
        let slots: Vec<Slot> = urls
            .into_iter()
            .map(|url| Slot {
                url: url.filter(|u| file::plain_path(u).is_some()),
                state: AtomicU8::new(WAITING),
                got: Mutex::new(None),
            })
            .collect();
        if slots.iter().filter(|s| s.url.is_some()).count() < MIN_FILES {
            return ReadAhead { shared: None };
        }
        let shared = Arc::new(Shared {
            slots,
            held: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            sleepers: AtomicUsize::new(0),
            bell: Mutex::new(()),
            rung: Condvar::new(),
        });
        let reader = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("read-ahead".into())
            .spawn(move || read_all(&reader, max));
        // Without the thread every file is still read, where it is asked for.
        ReadAhead {
            shared: spawned.is_ok().then_some(shared),
        }
    }

    /// What reading `url` gave, for the source at `at` in the list this read-ahead started with,
    /// when it has it or is reading it now; `None` when the caller is to read it (not the file read
    /// ahead for that source, or asked for before the thread reached it).
    pub fn take(&self, at: usize, url: &str) -> Option<Result<Fetched, HttpError>> {
        let shared = self.shared.as_ref()?;
        let slot = shared.slots.get(at)?;
        if slot.url.as_deref() != Some(url) {
            return None;
        }
        match slot.state.compare_exchange(WAITING, TAKEN, SeqCst, SeqCst) {
            Ok(_) | Err(TAKEN) => return None,
            Err(_) => {}
        }
        shared.wait_until(|| slot.state.load(SeqCst) != READING);
        if slot.state.swap(TAKEN, SeqCst) != DONE {
            return None;
        }
        let got = lock(&slot.got).take()?;
        shared.held.fetch_sub(held_by(&got), SeqCst);
        shared.ring();
        Some(got)
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        if let Some(shared) = &self.shared {
            shared.stop.store(true, SeqCst);
            shared.ring();
        }
    }
}

fn held_by(got: &Result<Fetched, HttpError>) -> u64 {
    match got {
        Ok(Fetched::Body(r)) => r.bytes.len() as u64,
        _ => 0,
    }
}

fn read_all(shared: &Shared, max: u64) {
    for slot in &shared.slots {
        let Some(url) = &slot.url else { continue };
        shared.wait_until(|| shared.held.load(SeqCst) <= WINDOW || shared.stop.load(SeqCst));
        if shared.stop.load(SeqCst) {
            return;
        }
        if slot
            .state
            .compare_exchange(WAITING, READING, SeqCst, SeqCst)
            .is_err()
        {
            continue;
        }
        // A plain file URL's path is what follows `file://` (see `plain_path`).
        let path = std::path::Path::new(&url["file://".len()..]);
        let got = file::read(path, url, max);
        shared.held.fetch_add(held_by(&got), SeqCst);
        *lock(&slot.got) = Some(got);
        slot.state.store(DONE, SeqCst);
        shared.ring();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(dir: &std::path::Path, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                let p = dir.join(format!("f{i}.xml"));
                std::fs::write(&p, format!("<rss>{i}</rss>")).unwrap();
                format!("file://{}", p.display())
            })
            .collect()
    }

    /// Waits (ten seconds at most) for the thread to have read `n` files.
    fn read_by_thread(ahead: &ReadAhead, n: usize) -> usize {
        let shared = ahead.shared.as_ref().unwrap();
        let done = || {
            let state = |s: &Slot| s.state.load(SeqCst);
            shared.slots.iter().filter(|s| state(s) == DONE).count()
        };
        for _ in 0..1000 {
            if done() >= n {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        done()
    }

    fn body(got: Option<Result<Fetched, HttpError>>) -> Option<String> {
        match got? {
            Ok(Fetched::Body(r)) => Some(String::from_utf8(r.bytes).unwrap()),
            other => panic!("not a body: {other:?}"),
        }
    }

    #[test]
    fn every_file_comes_from_the_thread_or_is_left_to_the_caller_once() {
        let dir = tempfile::tempdir().unwrap();
        let urls = urls(dir.path(), 40);
        let ahead = ReadAhead::start(urls.iter().cloned().map(Some), 1 << 20);
        // Taken out of order: whatever the thread had not reached is the caller's to read.
        for (i, url) in urls.iter().enumerate().rev() {
            // Another source's file is not this source's.
            assert!(ahead.take((i + 1) % urls.len(), url).is_none());
            if let Some(text) = body(ahead.take(i, url)) {
                assert_eq!(text, format!("<rss>{i}</rss>"));
            }
            // Once taken (or left to the caller), never given again.
            assert!(ahead.take(i, url).is_none());
        }
        // The first file is asked for last; by then the thread is done with it.
        let late = ReadAhead::start(urls.iter().cloned().map(Some), 1 << 20);
        assert_eq!(read_by_thread(&late, urls.len()), urls.len());
        assert_eq!(
            body(late.take(0, &urls[0])).as_deref(),
            Some("<rss>0</rss>")
        );
    }

    #[test]
    fn errors_are_kept_for_their_file_and_other_urls_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut list = urls(dir.path(), 10);
        let missing = format!("file://{}/gone.xml", dir.path().display());
        list.push(missing.clone());
        list.push("https://example.org/feed.xml".into());
        // A source with nothing planned has no file to read ahead either.
        list.push(String::new());
        let mut planned: Vec<Option<String>> = list.iter().cloned().map(Some).collect();
        *planned.last_mut().unwrap() = None;
        let ahead = ReadAhead::start(planned, 1 << 20);
        assert_eq!(read_by_thread(&ahead, 11), 11);
        let err = ahead.take(10, &missing).unwrap().unwrap_err();
        assert!(err.message.contains("no such file"), "{}", err.message);
        assert!(ahead.take(11, "https://example.org/feed.xml").is_none());
        assert!(ahead.take(12, "").is_none());
        assert!(ahead.take(13, &missing).is_none());
    }

    #[test]
    fn a_few_files_start_no_thread() {
        let dir = tempfile::tempdir().unwrap();
        let urls = urls(dir.path(), MIN_FILES - 1);
        let ahead = ReadAhead::start(urls.iter().cloned().map(Some), 1 << 20);
        assert!(ahead.shared.is_none());
        assert!(ahead.take(0, &urls[0]).is_none());
    }

    #[test]
    fn the_thread_waits_once_it_holds_a_window_of_bodies() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![b'x'; (WINDOW / 4 - 1) as usize];
        let urls: Vec<String> = (0..MIN_FILES * 2)
            .map(|i| {
                let p = dir.path().join(format!("big{i}.xml"));
                std::fs::write(&p, &big).unwrap();
                format!("file://{}", p.display())
            })
            .collect();
        let ahead = ReadAhead::start(urls.iter().cloned().map(Some), 1 << 30);
        // Past the window by one body at most: five of a quarter window each, then it waits.
        assert_eq!(read_by_thread(&ahead, 5), 5);
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert_eq!(read_by_thread(&ahead, 5), 5);
        // One taken makes room for one more.
        assert!(ahead.take(0, &urls[0]).is_some());
        assert_eq!(read_by_thread(&ahead, 5), 5);
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert_eq!(read_by_thread(&ahead, 5), 5);
    }
}
