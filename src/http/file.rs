//! `file://` URLs, read from disk under the same body cap as HTTP.
//!
//! File responses carry no validators and always return the body: reading a file is cheap, and an
//! mtime has one-second resolution in an HTTP date, so a file rewritten within the same second would
//! wrongly look unchanged.

use std::path::{Path, PathBuf};

use std::io::Read;

use super::{Fetched, HttpError, HttpErrorKind, Response, Validators};

/// The buffer a file is first read into, one per thread and kept: most feeds fit, and the body is
/// then copied out at its own size. A fresh buffer per file, grown as it filled, was fresh memory
/// the kernel had to fault in for every file of a large fetch.
const FIRST_READ: usize = 64 * 1024;

thread_local! {
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads `file` to its end, at most `cap` bytes.
fn read_capped(file: std::fs::File, cap: u64) -> std::io::Result<Vec<u8>> {
    SCRATCH.with(|scratch| {
        let mut buf = scratch.borrow_mut();
        buf.clear();
        buf.reserve_exact(FIRST_READ);
        let mut src = file.take(cap);
        // Up to the buffer's room first; only a larger file grows a list of its own.
        let room = buf.capacity();
        (&mut src).take(room as u64).read_to_end(&mut buf)?;
        if buf.len() < room {
            return Ok(buf.as_slice().to_vec());
        }
        let mut bytes = Vec::with_capacity(room * 2);
        bytes.extend_from_slice(&buf);
        src.read_to_end(&mut bytes)?;
        Ok(bytes)
    })
}

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
    let bytes = match read_capped(file, max + 1) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => return listing(path, raw, max),
        Err(e) => return Err(io_err(e)),
    };
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
    // The text after the file name's last dot, read off the bytes: `Path::extension` parses every
    // component of the path, which cost more than reading a small feed's file.
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let name = bytes.rsplit(|&b| b == b'/').next()?;
    let dot = name.iter().rposition(|&b| b == b'.').filter(|&d| d > 0)?;
    let ext = std::str::from_utf8(&name[dot + 1..])
        .ok()?
        .to_ascii_lowercase();
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

    #[test]
    fn a_file_type_is_guessed_from_the_name_as_a_server_would() {
        for (p, want) in [
            ("/srv/feeds/a.xml", Some("application/xml")),
            ("/srv/feeds/a.tar.JSON", Some("application/json")),
            ("/srv/x.y/feed", None),
            ("/srv/feeds/.xml", None),
            ("/srv/feeds/a.", None),
            ("relative.yml", Some("application/yaml")),
        ] {
            assert_eq!(guess_type(Path::new(p)), want, "{p}");
        }
    }

    #[test]
    fn files_small_and_large_read_whole_and_the_cap_holds() {
        let dir = tempfile::tempdir().unwrap();
        for n in [
            0,
            1,
            FIRST_READ - 1,
            FIRST_READ,
            FIRST_READ + 1,
            3 * FIRST_READ + 7,
        ] {
            let p = dir.path().join(format!("f{n}"));
            let body: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            std::fs::write(&p, &body).unwrap();
            let got = read_capped(std::fs::File::open(&p).unwrap(), u64::MAX).unwrap();
            assert_eq!(got, body, "{n} bytes");
            let cut = read_capped(std::fs::File::open(&p).unwrap(), 5).unwrap();
            assert_eq!(cut, body[..n.min(5)], "{n} bytes, cap 5");
        }
    }
}
