//! Reading a (decoded) body under the size cap, and turning transport errors into short messages.

use std::error::Error as _;

use super::HttpErrorKind;

/// Why reading a body stopped early.
pub enum BodyError {
    TooLarge,
    Transport(reqwest::Error),
}

/// Read the whole body, stopping as soon as it passes `max` bytes: a declared Content-Length above
/// the cap fails before any read, and an endless or decompression-bomb body is cut off at the cap, so
/// memory never holds more than `max` plus one chunk.
pub async fn read_capped(resp: &mut reqwest::Response, max: u64) -> Result<Vec<u8>, BodyError> {
    // With gzip/brotli decoding reqwest reports no length, so this only catches plain bodies.
    if resp.content_length().is_some_and(|n| n > max) {
        return Err(BodyError::TooLarge);
    }
    let mut buf =
        Vec::with_capacity(resp.content_length().unwrap_or(0).min(max).min(1 << 20) as usize);
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if buf.len() as u64 + chunk.len() as u64 > max {
            return Err(BodyError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// Classify a reqwest error and describe it without the URL (the caller adds that) and without any
/// request header.
pub fn describe(e: &reqwest::Error, connect_timeout_secs: u64) -> (HttpErrorKind, String) {
    if e.is_timeout() {
        // Only reqwest's own connect timeout reaches here; the total timeout is enforced around it.
        return (
            HttpErrorKind::Timeout,
            format!("connection timed out after {connect_timeout_secs} s"),
        );
    }
    if let Some(io) = find_io(e) {
        use std::io::ErrorKind as K;
        let msg = match io.kind() {
            K::ConnectionRefused => Some("connection refused"),
            K::ConnectionReset => Some("connection reset by the server"),
            K::ConnectionAborted => Some("connection aborted"),
            K::UnexpectedEof if e.is_body() || e.is_decode() => {
                Some("connection closed before the body was complete")
            }
            K::UnexpectedEof => Some("connection closed before the response was complete"),
            K::TimedOut => return (HttpErrorKind::Timeout, "connection timed out".into()),
            _ => None,
        };
        if let Some(m) = msg {
            let kind = if e.is_connect() {
                HttpErrorKind::Connect
            } else {
                HttpErrorKind::Io
            };
            return (kind, m.to_string());
        }
    }
    let detail = innermost(e);
    if e.is_connect() {
        let lower = detail.to_ascii_lowercase();
        if lower.contains("dns") || lower.contains("lookup") || lower.contains("resolve") {
            return (
                HttpErrorKind::Connect,
                format!("could not resolve host ({detail})"),
            );
        }
        return (
            HttpErrorKind::Connect,
            format!("could not connect ({detail})"),
        );
    }
    if e.is_decode() {
        return (
            HttpErrorKind::Other,
            format!("could not decode the body ({detail})"),
        );
    }
    if e.is_body() || e.is_request() {
        if detail.contains("before message length reached") || detail.contains("end of file") {
            return (
                HttpErrorKind::Io,
                "connection closed before the body was complete".into(),
            );
        }
        return (
            HttpErrorKind::Io,
            format!("error reading the response ({detail})"),
        );
    }
    (HttpErrorKind::Other, detail)
}

fn find_io(e: &reqwest::Error) -> Option<&std::io::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cur = err.source();
    }
    None
}

/// The deepest cause's message: reqwest's own top-level message names the URL, which the caller adds
/// itself (and hides for POST).
fn innermost(e: &reqwest::Error) -> String {
    let mut last: Option<&(dyn std::error::Error + 'static)> = None;
    let mut cur = e.source();
    while let Some(err) = cur {
        last = Some(err);
        cur = err.source();
    }
    let msg = match last {
        Some(err) => err.to_string(),
        None => "request failed".to_string(),
    };
    // Causes are short, but a hostile server's text could be anything: keep it to one short line.
    let one_line: String = msg
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    truncate(&one_line, 160)
}

/// At most `max` characters, with an ellipsis when cut.
pub fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}
