//! The `file` channel: YYYY-MM-DD.{html,txt,json} in a folder, each written atomically.

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
        sync_dir(&self.dir);
        Ok(last.display().to_string())
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
