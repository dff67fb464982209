//! The `file` channel: YYYY-MM-DD.{html,txt,json} in a folder, each written atomically, and
//! `feed.atom` beside them (the folder's digests as an Atom feed, for a reader without the web face).

use super::{Channel, Rendered};
use crate::config::FileConfig;
use crate::error::{Error, Result};
use futures_util::future::BoxFuture;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes each digest into `dir` (default `<state dir>/digests`).
#[derive(Debug, Clone)]
pub struct FileChannel {
    name: String,
    dir: PathBuf,
}

impl FileChannel {
    pub fn new(name: String, cfg: &FileConfig, state_dir: &Path) -> Self {
        let dir = if cfg.dir.trim().is_empty() {
            state_dir.join("digests")
        } else {
            PathBuf::from(&cfg.dir)
        };
        FileChannel { name, dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn write_all(&self, d: &Rendered) -> Result<String> {
        let fail = |message: String| Error::Deliver {
            channel: self.name.clone(),
            message,
        };
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| fail(format!("cannot create {}: {e}", self.dir.display())))?;
        let mut last = PathBuf::new();
        // json last: its presence (the receipt) means the other two are complete.
        for (ext, body) in [("html", &d.html), ("txt", &d.text), ("json", &d.json)] {
            last = self.dir.join(format!("{}.{ext}", d.date));
            write_atomic(&last, body.as_bytes())
                .map_err(|e| fail(format!("cannot write {}: {e}", last.display())))?;
        }
        let feed = self.dir.join("feed.atom");
        write_atomic(&feed, self.feed()?.as_bytes())
            .map_err(|e| fail(format!("cannot write {}: {e}", feed.display())))?;
        sync_dir(&self.dir);
        Ok(last.display().to_string())
    }

    /// The feed of the newest digests in the folder, read back from their `YYYY-MM-DD.json` (the
    /// folder is the record here: digests written by an earlier run or another store count too).
    fn feed(&self) -> Result<String> {
        let fail = |message: String| Error::Deliver {
            channel: self.name.clone(),
            message,
        };
        let dir = std::fs::canonicalize(&self.dir)
            .map_err(|e| fail(format!("cannot resolve {}: {e}", self.dir.display())))?;
        let mut dates: Vec<chrono::NaiveDate> = std::fs::read_dir(&dir)
            .map_err(|e| fail(format!("cannot list {}: {e}", dir.display())))?
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                chrono::NaiveDate::parse_from_str(name.strip_suffix(".json")?, "%Y-%m-%d").ok()
            })
            .collect();
        dates.sort_unstable_by(|a, b| b.cmp(a));
        dates.truncate(crate::render::atom::MAX_ENTRIES);
        let digests: Vec<crate::compose::Digest> = dates
            .iter()
            .filter_map(|d| {
                let p = dir.join(format!("{d}.json"));
                let text = std::fs::read_to_string(&p).ok()?;
                serde_json::from_str(&text)
                    .map_err(|e| {
                        tracing::warn!("{}: not a digest, left out of feed.atom: {e}", p.display())
                    })
                    .ok()
            })
            .collect();
        let base = url::Url::from_directory_path(&dir)
            .map_err(|_| fail(format!("{} is not an absolute path", dir.display())))?;
        let at = |name: &str| base.join(name).map(String::from).unwrap_or_default();
        let self_href = at("feed.atom");
        let digest_href = |d: chrono::NaiveDate| at(&format!("{d}.html"));
        Ok(crate::render::atom::feed(
            &digests,
            &crate::render::atom::FeedLinks {
                self_href: &self_href,
                site_href: base.as_str(),
                digest_href: &digest_href,
            },
        ))
    }
}

/// Temp file in the same folder, fsync, rename: a reader sees the old file or the whole new one.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Makes the renames durable; best effort (not every filesystem allows opening a folder).
fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

impl Channel for FileChannel {
    fn name(&self) -> &str {
        &self.name
    }

    fn targets(&self) -> Vec<String> {
        vec![self.name.clone()]
    }

    fn send<'a>(&'a self, _target: &'a str, d: &'a Rendered) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            let this = self.clone();
            let d = d.clone();
            tokio::task::spawn_blocking(move || this.write_all(&d))
                .await
                .map_err(|e| Error::Deliver {
                    channel: self.name.clone(),
                    message: format!("writer task failed: {e}"),
                })?
        })
    }
}
