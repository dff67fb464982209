//! `file://` URLs, read from disk under the same body cap as HTTP.
//!
//! File responses carry no validators and always return the body: reading a file is cheap, and an
//! mtime has one-second resolution in an HTTP date, so a file rewritten within the same second would
//! wrongly look unchanged.

use std::path::{Path, PathBuf};

use std::io::Read;

use super::{Fetched, HttpError, HttpErrorKind, Response, Validators};

/// Read the file a `file://` URL names.
pub async fn get(url: &url::Url, raw: &str, max: u64) -> Result<Fetched, HttpError> {
    let err = |kind, message: String| HttpError {
        url: raw.to_string(),
        kind,
        message,
    };
    let path = to_path(url).map_err(|m| err(HttpErrorKind::Io, m))?;
    let io_err = |e: std::io::Error| {
        let p = path.display();
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => format!("no such file: {p}"),
            std::io::ErrorKind::PermissionDenied => format!("permission denied reading {p}"),
            _ => format!("cannot read {p}: {e}"),
        };
        err(HttpErrorKind::Io, message)
    };
    // Plain blocking reads: local feeds are small, and a thread hop per file cost more than the read.
    let file = std::fs::File::open(&path).map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    if meta.is_dir() {
        return Err(err(
            HttpErrorKind::Io,
            format!("{} is a directory, not a file", path.display()),
        ));
    }
    if meta.len() > max {
        return Err(err(
            HttpErrorKind::TooLarge,
            format!("body larger than {max} bytes"),
        ));
    }
    // Read one byte past the cap: a file that grows, or a device such as /dev/zero, still stops.
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(io_err)?;
    if bytes.len() as u64 > max {
        return Err(err(
            HttpErrorKind::TooLarge,
            format!("body larger than {max} bytes"),
        ));
    }
    tracing::debug!(
        method = "GET",
        url = raw,
        status = 200,
        bytes = bytes.len(),
        "file read"
    );
    Ok(Fetched::Body(Response {
        status: 200,
        bytes,
        content_type: guess_type(&path).map(str::to_string),
        final_url: raw.to_string(),
        validators: Validators::default(),
    }))
}

fn to_path(url: &url::Url) -> Result<PathBuf, String> {
    match url.host_str() {
        None | Some("") | Some("localhost") => {}
        Some(h) => {
            return Err(format!(
                "file URL names a host ({h}); write file:///absolute/path"
            ))
        }
    }
    // Percent-decodes the path (`%20` → space).
    url.to_file_path()
        .map_err(|()| "not a usable file path".to_string())
}

/// What a static file server would say, so sources can treat a file like the page it stands for.
fn guess_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "xml" | "rss" | "atom" | "opml" => "application/xml",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "txt" => "text/plain",
        _ => return None,
    })
}
