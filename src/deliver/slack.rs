//! The `slack` channel: the Block Kit JSON posted to an incoming webhook. The webhook URL is a secret
//! (anyone holding it can post), so no message built here ever contains it.

use super::{secret, Channel, Rendered};
use crate::config::SlackConfig;
use crate::error::{Error, Result};
use crate::http::{HttpClient, HttpErrorKind};
use futures_util::future::BoxFuture;

/// Posts `Rendered::slack` to the webhook read from `webhook_url_env` / `webhook_url_file`.
#[derive(Clone)]
pub struct SlackChannel {
    name: String,
    cfg: SlackConfig,
    http: HttpClient,
}

impl std::fmt::Debug for SlackChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackChannel")
            .field("name", &self.name)
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl SlackChannel {
    pub fn new(name: String, cfg: SlackConfig, http: HttpClient) -> Self {
        SlackChannel { name, cfg, http }
    }

    fn fail(&self, message: impl Into<String>) -> Error {
        Error::Deliver {
            channel: self.name.clone(),
            message: message.into(),
        }
    }

    async fn post(&self, d: &Rendered) -> Result<String> {
        let url = secret::read(
            &self.name,
            "webhook_url",
            self.cfg.webhook_url_env.as_deref(),
            self.cfg.webhook_url_file.as_deref(),
        )?
        .ok_or_else(|| {
            self.fail("no webhook URL configured: set webhook_url_env or webhook_url_file")
        })?;
        let parsed = url::Url::parse(url.expose())
            .map_err(|_| self.fail("the webhook URL is not a valid URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(self.fail("the webhook URL must be http(s)"));
        }
        let resp = self.http.post_json(url.expose(), &d.slack, &[], None).await.map_err(|e| {
            // Only the kind and status are used: the error's own url and message carry the secret URL.
            let host = parsed.host_str().unwrap_or("?");
            self.fail(match e.kind {
                HttpErrorKind::Status(s) => status_message(s),
                HttpErrorKind::Timeout => format!("the webhook at {host} did not answer in time"),
                HttpErrorKind::Connect => format!("cannot connect to the webhook host {host}"),
                HttpErrorKind::TooLarge => "the webhook's answer was too large".into(),
                HttpErrorKind::TooManyRedirects => "the webhook redirected too many times".into(),
                _ => format!("the request to the webhook host {host} failed (connection or protocol error)"),
            })
        })?;
        let body: String = String::from_utf8_lossy(&resp.bytes)
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect();
        Ok(url.scrub_url(&format!("HTTP {} {}", resp.status, body.trim())))
    }
}

fn status_message(s: u16) -> String {
    let hint = match s {
        400 => " (Slack refused the payload)",
        403 | 404 | 410 => {
            " (the webhook URL is wrong or was revoked; check webhook_url_env / webhook_url_file)"
        }
        429 => " (rate limited; it will be retried)",
        500..=599 => " (server error; it will be retried)",
        _ => "",
    };
    format!("the webhook answered HTTP {s}{hint}")
}

impl Channel for SlackChannel {
    fn name(&self) -> &str {
        &self.name
    }

    fn targets(&self) -> Vec<String> {
        vec![self.name.clone()]
    }

    fn send<'a>(&'a self, _target: &'a str, d: &'a Rendered) -> BoxFuture<'a, Result<String>> {
        Box::pin(self.post(d))
    }
}
