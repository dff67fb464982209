//! Helpers shared by the bench binaries: where the shared data lives, CPU time, child peak memory,
//! the machine description printed beside every figure.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `../shared` next to the project, if present (benches skip, loudly, without it).
pub fn shared_dir() -> Option<PathBuf> {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared"));
    if p.is_dir() {
        Some(p.canonicalize().unwrap_or_else(|_| p.to_path_buf()))
    } else {
        eprintln!(
            "skipping: {} is absent (the shared fixtures and corpora)",
            p.display()
        );
        None
    }
}

/// The feedparser corpus's well-formed feeds, sorted.
pub fn corpus_files(shared: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![shared.join("corpus/feedparser/wellformed")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "xml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// The recorded responses under `fixtures/`, each with the source kind that reads it, sorted
/// within each kind.
pub fn fixture_files(shared: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    for (dir, kind) in [
        ("arxiv-api", "arxiv"),
        ("arxiv-rss", "arxiv"),
        ("hf-daily", "huggingface"),
        ("pwc", "paperswithcode"),
        ("blogs", "feed"),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("fixtures").join(dir))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|p| (kind, p)));
    }
    out
}

/// `trendd --config CFG --state-dir STATE ARGS…`, its output discarded.
pub fn trendd(cfg: &Path, state: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(trendd_bin());
    c.arg("--config")
        .arg(cfg)
        .arg("--state-dir")
        .arg(state)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// The release `trendd` binary cargo built for this bench.
pub fn trendd_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_trendd"))
}

/// Python with feedparser 6.0.14: `$FEEDPARSER_PY`, else a venv at `$TMPDIR/fpvenv` (see BENCHMARKS.md).
pub fn feedparser_python() -> Option<PathBuf> {
    let p = std::env::var_os("FEEDPARSER_PY")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("fpvenv/bin/python"));
    let ok = Command::new(&p)
        .args([
            "-c",
            "import feedparser,sys; sys.exit(0 if feedparser.__version__ == '6.0.14' else 1)",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(p)
    } else {
        eprintln!(
            "no feedparser 6.0.14 at {} (python3 -m venv /tmp/fpvenv && /tmp/fpvenv/bin/pip install feedparser==6.0.14, or set FEEDPARSER_PY): Python figures skipped",
            p.display()
        );
        None
    }
}

/// CPU time (user + system) of this whole process, all threads, dead ones included.
pub fn cpu_time() -> Duration {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// This process's resident memory now and its high-water mark, in KiB (VmRSS, VmHWM).
pub fn self_rss_kib() -> (u64, u64) {
    proc_status_kib(std::process::id())
}

/// VmRSS and VmHWM of a process, in KiB (0 when gone).
pub fn proc_status_kib(pid: u32) -> (u64, u64) {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// What one child process run cost.
#[derive(Debug, Clone, Copy)]
pub struct ChildRun {
    pub wall: Duration,
    pub cpu: Duration,
    /// Peak resident set size in KiB (ru_maxrss).
    pub max_rss_kib: u64,
    pub code: i32,
}

/// Runs `cmd` to completion (stdout/stderr discarded unless given) and reports wall time, CPU time
/// and peak RSS from wait4, killing it after `limit`.
pub fn run_child(cmd: &mut Command, limit: Duration) -> ChildRun {
    let start = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: plain wait4 on our own child; the Child handle is never waited on afterwards.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
        if r == pid {
            break;
        }
        if start.elapsed() > limit {
            eprintln!("child {pid} ran over {limit:?}: killing it");
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let wall = start.elapsed();
    std::mem::forget(child);
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    ChildRun {
        wall,
        cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
        max_rss_kib: ru.ru_maxrss as u64,
        code,
    }
}

pub fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    if v.is_empty() {
        return f64::NAN;
    }
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// nproc, CPU model, RAM and the load average, printed at the top of every bench.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown")
        .to_string();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let nproc = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    format!(
        "nproc={nproc} cpu=\"{model}\" ram={:.1}GiB load={}",
        mem_kib as f64 / 1048576.0,
        loadavg()
    )
}

/// The 1, 5 and 15 minute load averages.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Bytes a directory takes on disk (allocated blocks, as `du` counts them) and its logical size.
pub fn dir_usage(dir: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let (mut disk, mut logical) = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                stack.push(e.path());
            } else {
                disk += m.blocks() * 512;
                logical += m.len();
            }
        }
    }
    (disk, logical)
}

/// A config file of `[[source]]`s (kind, url), each with a unique name, after `header`.
pub fn write_config(path: &Path, header: &str, sources: &[(&str, String)]) {
    let mut s = String::from(header);
    s.push('\n');
    for (i, (kind, url)) in sources.iter().enumerate() {
        s.push_str(&format!(
            "[[source]]\nkind = \"{kind}\"\nname = \"s{i:04}\"\nurl = \"{url}\"\n\n"
        ));
    }
    std::fs::write(path, s).expect("writing a bench config");
}

/// An environment variable parsed, or a default.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
