//! The one shared HTTP client: conditional GET, compression, timeouts, a body cap, redirect limit,
//! per-host pacing, Retry-After and bounded retries. `file://` URLs are read from disk the same way.
//!
//! Every request runs the same steps: wait for the host's turn and a global permit (`pacing`), send,
//! follow redirects by hand (so each hop is checked, counted and paced), read the decoded body under
//! the cap (`body`), and on a retryable failure wait — the server's Retry-After or a jittered backoff
//! (`retry`) — and try again. The total timeout covers one exchange (headers and body) and excludes
//! time spent waiting for a turn.
//!
//! Secrets: request headers never appear in errors or logs. `post_json` URLs (Slack webhooks) are
//! secrets too: they are never logged, and errors and the returned `final_url` show only the scheme
//! and host.

mod body;
mod file;
pub mod guard;
mod pacing;
mod read_ahead;
mod retry;

use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{
    HeaderMap, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION,
    RETRY_AFTER,
};
use serde::{Deserialize, Serialize};

pub use file::plain_path as plain_file_path;
pub use pacing::is_arxiv;
pub use read_ahead::ReadAhead;

/// Cache validators kept per URL in the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// A response with a body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    /// After redirects. For `post_json`, only the scheme and host (the full URL may be a secret).
    pub final_url: String,
    pub validators: Validators,
}

/// The outcome of a conditional GET.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// 304: what the store holds is current.
    NotModified,
    Body(Response),
}

/// Why a request failed; `Display` names the URL (for `post_json`, only its scheme and host).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{url}: {message}")]
pub struct HttpError {
    pub url: String,
    pub kind: HttpErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpErrorKind {
    Timeout,
    Connect,
    Status(u16),
    TooLarge,
    TooManyRedirects,
    BadScheme,
    /// A redirect from a public address to a local one (see `guard`).
    LocalRedirect,
    Io,
    Other,
}

/// The shared client (cheap to clone; clones share pacing and the in-flight limit).
#[derive(Clone)]
pub struct HttpClient {
    /// Built at the first http(s) request: loading the platform's root certificates costs more than a
    /// whole run over local `file://` feeds.
    inner: std::sync::Arc<std::sync::OnceLock<Result<reqwest::Client, String>>>,
    user_agent: String,
    pacer: pacing::Pacer,
    max_body: u64,
    max_redirects: u32,
    retries: u32,
    max_retry_after: Duration,
    timeout: Duration,
    connect_timeout_secs: u64,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("max_body", &self.max_body)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

/// One request as the retry and redirect loops see it.
struct Req<'a> {
    /// `None`: GET; `Some`: POST with this JSON body.
    post: Option<&'a [u8]>,
    url: url::Url,
    /// How the URL appears in errors: as given for GET, scheme and host only for POST.
    shown: String,
    validators: Option<&'a Validators>,
    headers: &'a [(String, String)],
    /// No retry is begun that would end after this; the error at hand is returned instead.
    deadline: Option<tokio::time::Instant>,
}

/// A failed attempt, with what the retry loop needs to decide.
struct Failure {
    err: HttpError,
    /// The server's Retry-After, when it sent one within the limit.
    retry_after: Option<Duration>,
    /// Whether the request surely never reached the server (safe to repeat a POST).
    unsent: bool,
    /// Retrying now is pointless even though the kind is retryable (a Retry-After beyond the limit).
    give_up: bool,
}

impl Failure {
    fn new(url: &str, kind: HttpErrorKind, message: String) -> Self {
        Failure {
            err: HttpError {
                url: url.to_string(),
                kind,
                message,
            },
            retry_after: None,
            unsent: false,
            give_up: false,
        }
    }
}

/// What one exchange ended with.
enum Hop {
    Done(Fetched),
    Redirect(String),
}

impl HttpClient {
    pub fn new(cfg: &crate::config::Http, user_agent: &str) -> crate::Result<Self> {
        let connect_timeout_secs = cfg.connect_timeout_secs.max(1);
        Ok(HttpClient {
            inner: Default::default(),
            user_agent: user_agent.to_string(),
            pacer: pacing::Pacer::new(
                cfg.concurrency,
                pacing::secs_f64(cfg.per_host_interval_secs),
            ),
            max_body: cfg.max_body_bytes,
            max_redirects: cfg.max_redirects,
            retries: cfg.retries,
            max_retry_after: Duration::from_secs(cfg.max_retry_after_secs),
            timeout: Duration::from_secs(cfg.timeout_secs.max(1)),
            connect_timeout_secs,
        })
    }

    /// Starts reading ahead the local files among `urls`, the first URL each source of a fetch will
    /// ask for, in the order they will be asked for.
    pub fn read_ahead(&self, urls: impl IntoIterator<Item = Option<String>>) -> ReadAhead {
        ReadAhead::start(urls, self.max_body)
    }

    /// GET `url`, sending `validators` when given; `headers` are extra request headers (dropped when a
    /// redirect leaves the URL's origin). `file://` URLs are read from disk, without validators.
    pub async fn get(
        &self,
        url: &str,
        validators: Option<&Validators>,
        headers: &[(String, String)],
    ) -> Result<Fetched, HttpError> {
        let err = |kind, message: String| HttpError {
            url: url.to_string(),
            kind,
            message,
        };
        if let Some(path) = file::plain_path(url) {
            return file::read(path, url, self.max_body);
        }
        let parsed = url::Url::parse(url.trim())
            .map_err(|e| err(HttpErrorKind::Other, format!("not a valid URL ({e})")))?;
        match parsed.scheme() {
            "http" | "https" => {}
            "file" => return file::get(&parsed, url, self.max_body),
            other => {
                return Err(err(
                    HttpErrorKind::BadScheme,
                    format!("not an http, https or file URL ({other}:…)"),
                ))
            }
        }
        let req = Req {
            post: None,
            url: parsed,
            shown: guard::without_credentials(url),
            validators,
            headers,
            deadline: None,
        };
        self.with_retries(&req).await
    }

    /// POST a JSON body (Slack webhooks, OpenAI-compatible endpoints); `headers` are extra headers.
    /// 429 and 5xx are retried like GET (honouring Retry-After), and so are connection failures; a
    /// timeout after the request went out is not, since the server may have acted on it. Redirects
    /// are not followed. The URL is never logged, and errors show only its scheme and host. With a
    /// `deadline`, a retry that could not begin before it is not waited for: the caller, which gives
    /// up then anyway, hears what the server said rather than only that time ran out.
    pub async fn post_json(
        &self,
        url: &str,
        body: &serde_json::Value,
        headers: &[(String, String)],
        deadline: Option<tokio::time::Instant>,
    ) -> Result<Response, HttpError> {
        let shown = redact(url);
        let err = |kind, message: String| HttpError {
            url: shown.clone(),
            kind,
            message,
        };
        let parsed = url::Url::parse(url.trim())
            .map_err(|_| err(HttpErrorKind::Other, "not a valid URL".into()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(err(
                HttpErrorKind::BadScheme,
                format!("not an http or https URL ({}:…)", parsed.scheme()),
            ));
        }
        let bytes = body.to_string().into_bytes();
        let req = Req {
            post: Some(&bytes),
            url: parsed,
            shown: shown.clone(),
            validators: None,
            headers,
            deadline,
        };
        match self.with_retries(&req).await? {
            Fetched::Body(r) => Ok(r),
            // `exchange` never answers a POST with NotModified; this keeps the match total.
            Fetched::NotModified => Err(err(
                HttpErrorKind::Status(304),
                "HTTP 304 Not Modified".into(),
            )),
        }
    }

    async fn with_retries(&self, req: &Req<'_>) -> Result<Fetched, HttpError> {
        let mut attempt = 0u32;
        loop {
            let f = match self.follow(req).await {
                Ok(done) => return Ok(done),
                Err(f) => f,
            };
            let repeatable = !f.give_up
                && retry::retryable(f.err.kind)
                && (req.post.is_none()
                    || f.unsent
                    || matches!(f.err.kind, HttpErrorKind::Status(_)));
            let wait = match f.retry_after {
                Some(d) => d,
                None => retry::backoff(attempt),
            };
            let too_late = req
                .deadline
                .is_some_and(|d| tokio::time::Instant::now() + wait >= d);
            if !repeatable || attempt >= self.retries || too_late {
                let mut err = f.err;
                if attempt > 0 {
                    err.message = format!("{} (after {} attempts)", err.message, attempt + 1);
                }
                return Err(err);
            }
            match req.post {
                None => {
                    tracing::debug!(url = %req.shown, error = %f.err.message, wait_ms = wait.as_millis() as u64, "retrying")
                }
                Some(_) => {
                    tracing::debug!(method = "POST", error = %f.err.message, wait_ms = wait.as_millis() as u64, "retrying")
                }
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One attempt: the request and the redirects it leads to.
    async fn follow(&self, req: &Req<'_>) -> Result<Fetched, Failure> {
        let fail = |kind, message| Failure::new(&req.shown, kind, message);
        let mut url = req.url.clone();
        let mut visited = vec![url.clone()];
        let mut same_origin = true;
        let mut origin_local = None;
        loop {
            let hop = self
                .exchange(req, &url, same_origin)
                .await
                .map_err(|mut f| {
                    // Name the URL that failed, not only the one first asked for.
                    if visited.len() > 1 {
                        f.err.message =
                            format!("{} (redirected from {})", f.err.message, req.shown);
                        f.err.url = guard::without_credentials(url.as_str());
                    }
                    f
                })?;
            let location = match hop {
                Hop::Done(done) => return Ok(done),
                Hop::Redirect(location) => location,
            };
            let next = url
                .join(&location)
                .map_err(|_| fail(HttpErrorKind::Other, "redirect to an invalid URL".into()))?;
            if !matches!(next.scheme(), "http" | "https") {
                let scheme = body::truncate(next.scheme(), 20);
                return Err(fail(
                    HttpErrorKind::BadScheme,
                    format!("redirect to a non-http URL ({scheme}:…)"),
                ));
            }
            if visited.len() > self.max_redirects as usize {
                return Err(fail(
                    HttpErrorKind::TooManyRedirects,
                    format!("too many redirects (more than {})", self.max_redirects),
                ));
            }
            if visited.contains(&next) {
                return Err(fail(
                    HttpErrorKind::TooManyRedirects,
                    "redirect loop (back to a URL already visited)".into(),
                ));
            }
            if let Err(why) = guard::check_redirect(&req.url, &next, &mut origin_local).await {
                return Err(fail(HttpErrorKind::LocalRedirect, why));
            }
            // Extra headers may hold tokens meant for the original host only.
            same_origin &= next.origin() == req.url.origin();
            visited.push(next.clone());
            url = next;
        }
    }

    /// One HTTP exchange with `url`, paced, under the total timeout.
    async fn exchange(
        &self,
        req: &Req<'_>,
        url: &url::Url,
        send_headers: bool,
    ) -> Result<Hop, Failure> {
        let host = url.host_str().unwrap_or_default().to_string();
        let slot = self.pacer.acquire(&host).await;
        let started = Instant::now();
        let outcome = match tokio::time::timeout(
            self.timeout,
            self.exchange_inner(req, url, send_headers, &host),
        )
        .await
        {
            Ok(outcome) => outcome,
            Err(_) => Err(Failure::new(
                &req.shown,
                HttpErrorKind::Timeout,
                format!("timed out after {} s", self.timeout.as_secs()),
            )),
        };
        drop(slot);
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let (status, bytes) = match &outcome {
            Ok(Hop::Done(Fetched::Body(r))) => (r.status.to_string(), r.bytes.len()),
            Ok(Hop::Done(Fetched::NotModified)) => ("304".to_string(), 0),
            Ok(Hop::Redirect(_)) => ("redirect".to_string(), 0),
            Err(f) => (f.err.message.clone(), 0),
        };
        match req.post {
            None => {
                tracing::debug!(method = "GET", url = %guard::without_credentials(url.as_str()), status = %status, bytes, elapsed_ms, "http")
            }
            Some(_) => {
                tracing::debug!(method = "POST", status = %status, bytes, elapsed_ms, "http")
            }
        }
        outcome
    }

    fn client(&self) -> Result<&reqwest::Client, String> {
        self.inner
            .get_or_init(|| {
                reqwest::Client::builder()
                    .user_agent(&self.user_agent)
                    .connect_timeout(Duration::from_secs(self.connect_timeout_secs))
                    // Redirects are followed by hand: each hop is paced, counted and scheme-checked.
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| format!("cannot set up the HTTP client: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    async fn exchange_inner(
        &self,
        req: &Req<'_>,
        url: &url::Url,
        send_headers: bool,
        host: &str,
    ) -> Result<Hop, Failure> {
        let fail = |kind, message| Failure::new(&req.shown, kind, message);
        let client = self.client().map_err(|m| fail(HttpErrorKind::Other, m))?;
        let transport = |e: reqwest::Error| {
            let (kind, message) = body::describe(&e, self.connect_timeout_secs);
            Failure {
                unsent: e.is_connect(),
                ..Failure::new(&req.shown, kind, message)
            }
        };
        let mut rb = match req.post {
            None => client.get(url.clone()),
            Some(b) => client
                .post(url.clone())
                .header(CONTENT_TYPE, "application/json")
                .body(b.to_vec()),
        };
        if let Some(v) = req.validators {
            if let Some(e) = &v.etag {
                rb = rb.header(IF_NONE_MATCH, e);
            }
            if let Some(l) = &v.last_modified {
                rb = rb.header(IF_MODIFIED_SINCE, l);
            }
        }
        if send_headers {
            for (k, v) in req.headers {
                rb = rb.header(k, v);
            }
        }
        let mut resp = rb.send().await.map_err(transport)?;
        let status = resp.status();
        let code = status.as_u16();
        let headers = resp.headers().clone();

        if code == 304 && req.post.is_none() {
            return Ok(Hop::Done(Fetched::NotModified));
        }
        if matches!(code, 301 | 302 | 303 | 307 | 308) && req.post.is_none() {
            if let Some(loc) = headers.get(LOCATION) {
                let loc = loc
                    .to_str()
                    .map_err(|_| fail(HttpErrorKind::Other, "redirect to an invalid URL".into()))?;
                return Ok(Hop::Redirect(loc.to_string()));
            }
        }
        if !status.is_success() {
            let mut message = format!("HTTP {} {}", code, status.canonical_reason().unwrap_or(""))
                .trim_end()
                .to_string();
            let mut retry_after = None;
            if code == 429 || code == 503 {
                if let Some(wait) = header(&headers, RETRY_AFTER)
                    .and_then(|v| retry::parse_retry_after(&v, SystemTime::now()))
                {
                    if wait > self.max_retry_after {
                        message = format!(
                            "{message}: server asked to retry after {} s (more than max_retry_after_secs = {}); will try again next fetch",
                            retry::human_secs(wait),
                            self.max_retry_after.as_secs()
                        );
                        // Not worth another attempt now: the next scheduled fetch will try.
                        return Err(Failure {
                            give_up: true,
                            ..fail(HttpErrorKind::Status(code), message)
                        });
                    }
                    self.pacer.defer(host, wait);
                    retry_after = Some(wait);
                }
            }
            if req.post.is_some() {
                if (300..400).contains(&code) {
                    message.push_str(" (redirects are not followed for POST)");
                } else if let Some(snippet) = error_snippet(&mut resp).await {
                    // A server may echo the request: the URL (a webhook is a secret) or a header.
                    message = format!("{message}: {}", scrub_request(&snippet, req));
                }
            }
            return Err(Failure {
                retry_after,
                ..fail(HttpErrorKind::Status(code), message)
            });
        }
        let bytes = match body::read_capped(&mut resp, self.max_body).await {
            Ok(b) => b,
            Err(body::BodyError::TooLarge) => {
                return Err(fail(
                    HttpErrorKind::TooLarge,
                    format!("body larger than {} bytes", self.max_body),
                ))
            }
            Err(body::BodyError::Transport(e)) => return Err(transport(e)),
        };
        let validators = match req.post {
            None => Validators {
                etag: header(&headers, ETAG),
                last_modified: header(&headers, LAST_MODIFIED),
            },
            Some(_) => Validators::default(),
        };
        let final_url = match req.post {
            None => url.to_string(),
            Some(_) => req.shown.clone(),
        };
        Ok(Hop::Done(Fetched::Body(Response {
            status: code,
            bytes,
            content_type: header(&headers, CONTENT_TYPE),
            final_url,
            validators,
        })))
    }
}

/// A header's value as text, when it is text.
fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The start of an error body (Slack answers `invalid_payload`, `no_service`, …), on one short line.
async fn error_snippet(resp: &mut reqwest::Response) -> Option<String> {
    let bytes = body::read_capped(resp, 4096).await.ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!line.is_empty()).then(|| body::truncate(&line, 120))
}

/// `text` with every secret part of a POST request taken out: the URL, its path and query and their
/// long segments (a webhook token), and the extra headers' values (an API key).
fn scrub_request(text: &str, req: &Req<'_>) -> String {
    let mut secrets: Vec<&str> = vec![req.url.as_str(), req.url.path()];
    if let Some(q) = req.url.query() {
        secrets.push(q);
    }
    secrets.extend(req.url.path().split('/').filter(|s| s.len() >= 12));
    for (_, v) in req.headers {
        secrets.push(v);
        secrets.extend(v.split_whitespace().filter(|s| s.len() >= 12));
    }
    scrub_all(text, secrets)
}

/// Replaces each of `secrets` (longest first, so a part never leaves the rest of a longer one) in
/// `text` with `…`. Secrets shorter than 4 characters (a path of "/") are left alone.
pub fn scrub_all<'a>(text: &str, secrets: impl IntoIterator<Item = &'a str>) -> String {
    let mut list: Vec<&str> = secrets.into_iter().filter(|s| s.len() >= 4).collect();
    list.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_string();
    for s in list {
        if out.contains(s) {
            out = out.replace(s, "…");
        }
    }
    out
}

/// Scheme and host of a URL that may be a secret (a webhook): enough to say where, nothing more.
fn redact(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{}://{h}:{p}/…", u.scheme()),
            (Some(h), None) => format!("{}://{h}/…", u.scheme()),
            _ => format!("{}:…", u.scheme()),
        },
        Err(_) => "(invalid URL)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_are_redacted() {
        assert_eq!(
            redact("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            redact("http://127.0.0.1:8080/hook?token=abc"),
            "http://127.0.0.1:8080/…"
        );
        assert!(!redact("not a url with SECRET").contains("SECRET"));
    }
}
