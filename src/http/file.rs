//! `file://` URLs, read from disk under the same body cap as HTTP.
//!
//! File responses carry no validators and always return the body: reading a file is cheap, and an
//! mtime has one-second resolution in an HTTP date, so a file rewritten within the same second would
//! wrongly look unchanged.

use std::path::{Path, PathBuf};

use std::io::Read;

use super::{Fetched, HttpError, HttpErrorKind, Response, Validators};

/// The buffer a file is first read into; most feeds fit, larger ones grow it.
const FIRST_READ: usize = 16 * 1024;

/// The path of a plain `file:///absolute/path` URL, whose path needs no decoding or normalizing:
/// no `%`-escapes, `.` or `..` segments, query, fragment, backslash or white space. Other file URLs
/// go through the URL parser, which costs more than reading a small feed.
pub fn plain_path(raw: &str) -> Option<&Path> {
    let path = raw
        .strip_prefix("file:///")
        .map(|_| &raw["file://".len()..])?;
    // Bytes, not chars: every character that needs the parser is ASCII except white space beyond
    // it, so any non-ASCII byte goes to the parser too (rare in a path, and never wrong there).
    // Each segment follows a `/`, so without "/." there is no `.` or `..` segment to look for. Both
    // scans are folds, which compile to vector code.
    let b = path.as_bytes();
    let odd = b.iter().fold(false, |seen, &c| {
        seen | (c <= b' ') | (c >= 0x7f) | (c == b'%') | (c == b'?') | (c == b'#') | (c == b'\\')
    });
    let dot = b[..b.len() - 1]
        .iter()
        .zip(&b[1..])
        .fold(false, |seen, (&x, &y)| seen | ((x == b'/') & (y == b'.')));
    let plain = !odd && !(dot && path.split('/').any(|seg| seg == "." || seg == ".."));
    plain.then(|| Path::new(path))
}

/// Read the file a parsed `file://` URL names.
pub fn get(url: &url::Url, raw: &str, max: u64) -> Result<Fetched, HttpError> {
    match to_path(url) {
        Ok(path) => read(&path, raw, max),
        Err(message) => Err(HttpError {
            url: raw.to_string(),
            kind: HttpErrorKind::Io,
            message,
        }),
    }
}

/// Read the file at `path`, which `raw` names.
pub fn read(path: &Path, raw: &str, max: u64) -> Result<Fetched, HttpError> {
    let err = |kind, message: String| HttpError {
        url: raw.to_string(),
        kind,
        message,
    };
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
    // No `stat` first: a folder says so at the first read, and the cap below bounds a big file.
    let file = std::fs::File::open(path).map_err(io_err)?;
    // Read one byte past the cap: a file that grows, or a device such as /dev/zero, still stops.
    let mut bytes = Vec::with_capacity(FIRST_READ.min(max as usize + 1));
    match file.take(max + 1).read_to_end(&mut bytes) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => return listing(path, raw, max),
        Err(e) => return Err(io_err(e)),
    }
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
        content_type: guess_type(path).map(str::to_string),
        final_url: raw.to_string(),
        validators: Validators::default(),
    }))
}

/// A folder answers as a web server's index would, as a `text/uri-list` of the files in it (sorted),
/// so a source that reads an index of files (e.g. `deadlines`) treats a folder and a site alike.
fn listing(path: &Path, raw: &str, max: u64) -> Result<Fetched, HttpError> {
    let io_err = |e: std::io::Error| HttpError {
        url: raw.to_string(),
        kind: HttpErrorKind::Io,
        message: format!("cannot list {}: {e}", path.display()),
    };
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io_err)? {
        let p = entry.map_err(io_err)?.path();
        if p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    let mut body = String::new();
    for f in files {
        if let Ok(u) = url::Url::from_file_path(&f) {
            body.push_str(u.as_str());
            body.push_str("\r\n");
        }
    }
    if body.len() as u64 > max {
        return Err(HttpError {
            url: raw.to_string(),
            kind: HttpErrorKind::TooLarge,
            message: format!("body larger than {max} bytes"),
        });
    }
    Ok(Fetched::Body(Response {
        status: 200,
        bytes: body.into_bytes(),
        content_type: Some("text/uri-list".into()),
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
        "yml" | "yaml" => "application/yaml",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_file_urls_skip_the_parser_and_agree_with_it() {
        for raw in ["file:///tmp/feeds/a.xml", "file:///srv/x-y_z/feed.rss"] {
            let by_parser = url::Url::parse(raw).unwrap().to_file_path().unwrap();
            assert_eq!(plain_path(raw), Some(by_parser.as_path()), "{raw}");
        }
        for raw in [
            "file:///tmp/a%20b.xml",
            "file:///tmp/a b.xml",
            "file:///tmp/../etc/feed.xml",
            "file:///tmp/./feed.xml",
            "file:///tmp/feed.xml?x=1",
            "file:///tmp/feed.xml#top",
            "file:///tmp/caf\u{e9}.xml",
            "file:///tmp/a\u{a0}b.xml",
            "file:///tmp/a\tb.xml",
            "file://host/tmp/feed.xml",
            "file:/tmp/feed.xml",
            "FILE:///tmp/feed.xml",
            "https://example.org/feed.xml",
        ] {
            assert_eq!(plain_path(raw), None, "{raw}");
        }
    }
}
