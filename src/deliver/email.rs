//! The `email` channel: one multipart/alternative message to the configured recipients over SMTP (lettre), with
//! STARTTLS, implicit TLS or none, an optional private CA, and AUTH with a password read at send time.

use super::{secret, Channel, Rendered};
use crate::config::{EmailConfig, TlsMode};
use crate::error::{Error, Result};
use futures_util::future::BoxFuture;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Sends each digest as one message to every address of `to` (one SMTP transaction, so the ledger's
/// "sent" means every recipient has it: a partial send cannot leave some recipients waiting for a retry
/// that would reach the others twice).
pub struct EmailChannel {
    name: String,
    cfg: EmailConfig,
    from: Mailbox,
    to: Vec<Mailbox>,
}

impl std::fmt::Debug for EmailChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // EmailConfig holds only the *names* of the password's variable or file, never the value.
        f.debug_struct("EmailChannel")
            .field("name", &self.name)
            .field("cfg", &self.cfg)
            .finish()
    }
}

impl EmailChannel {
    /// Checks the addresses now, so a typo is a config error rather than a failed delivery each day.
    pub fn new(name: String, cfg: EmailConfig) -> Result<Self> {
        let bad = |key: &str, v: &str| Error::Config {
            path: format!("deliver '{name}'"),
            message: format!(
                "{key} = {v:?} is not an email address (\"name <user@host>\" or \"user@host\")"
            ),
        };
        let from: Mailbox = cfg
            .from
            .trim()
            .parse()
            .map_err(|_| bad("from", &cfg.from))?;
        let to = cfg
            .to
            .iter()
            .map(|t| t.trim().parse::<Mailbox>().map_err(|_| bad("to", t)))
            .collect::<Result<Vec<_>>>()?;
        Ok(EmailChannel {
            name,
            cfg,
            from,
            to,
        })
    }

    fn fail(&self, message: impl Into<String>) -> Error {
        Error::Deliver {
            channel: self.name.clone(),
            message: message.into(),
        }
    }

    fn port(&self) -> u16 {
        self.cfg.port.unwrap_or(match self.cfg.tls {
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
            TlsMode::None => 25,
        })
    }

    fn subject(&self, d: &Rendered) -> String {
        let s = match &self.cfg.subject {
            Some(t) if !t.trim().is_empty() => t
                .replace("{date}", &d.date.to_string())
                .replace("{count}", &item_count(&d.json).to_string()),
            _ => d.subject.clone(),
        };
        sanitize_header(&s)
    }

    /// The recipients as one stable string (sorted, lower case), for the Message-ID.
    fn recipients_key(&self) -> String {
        let mut r: Vec<String> = self
            .to
            .iter()
            .map(|m| m.email.to_string().to_ascii_lowercase())
            .collect();
        r.sort();
        r.join(",")
    }

    fn message(&self, d: &Rendered) -> Result<(Message, String)> {
        let mid = message_id(d.date, &self.recipients_key(), self.from.email.domain());
        let footer = "You receive this digest because your address is listed in an email [[deliver]] block of \
             trendd.toml; remove it there to stop it."
            .to_string();
        let text = format!("{}\n\n-- \n{footer}\n", d.text.trim_end());
        let html_footer = format!(
            "<p style=\"color:#777;font-size:12px\">{}</p>",
            crate::render::escape::html(&footer)
        );
        let html = match d.html.rfind("</body>") {
            Some(i) => format!("{}{html_footer}{}", &d.html[..i], &d.html[i..]),
            None => format!("{}{html_footer}", d.html),
        };
        let unsubscribe = format!("<mailto:{}?subject=unsubscribe>", self.from.email);
        let header = |name: &str, value: String| {
            HeaderValue::new(
                HeaderName::new_from_ascii(name.to_string()).expect("a valid header name"),
                value,
            )
        };
        let mut builder = Message::builder().from(self.from.clone());
        for rcpt in &self.to {
            builder = builder.to(rcpt.clone());
        }
        let msg = builder
            .subject(self.subject(d))
            .date_now()
            .message_id(Some(mid.clone()))
            .raw_header(header("List-Unsubscribe", unsubscribe))
            .raw_header(header("Auto-Submitted", "auto-generated".into()))
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| self.fail(format!("cannot build the message: {e}")))?;
        Ok((msg, mid))
    }

    fn transport(
        &self,
        password: Option<&secret::Secret>,
    ) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
        let host = self.cfg.host.trim();
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(self.port())
            .timeout(Some(Duration::from_secs(self.cfg.timeout_secs.max(1))));
        if self.cfg.tls != TlsMode::None {
            let mut p = TlsParameters::builder(host.to_string());
            if let Some(ca) = self.cfg.ca_file.as_deref().filter(|c| !c.is_empty()) {
                let pem = std::fs::read(ca)
                    .map_err(|e| self.fail(format!("cannot read ca_file {ca}: {e}")))?;
                let cert = Certificate::from_pem(&pem).map_err(|e| {
                    self.fail(format!("ca_file {ca} holds no PEM certificate: {e}"))
                })?;
                p = p.add_root_certificate(cert);
            }
            let p = p
                .build_rustls()
                .map_err(|e| self.fail(format!("TLS setup failed: {e}")))?;
            b = b.tls(if self.cfg.tls == TlsMode::Tls {
                Tls::Wrapper(p)
            } else {
                Tls::Required(p)
            });
        }
        if let (Some(user), Some(pw)) = (self.cfg.username.as_deref(), password) {
            b = b.credentials(Credentials::new(user.to_string(), pw.expose().to_string()));
        }
        Ok(b.build())
    }

    async fn send_to(&self, d: &Rendered) -> Result<String> {
        let password = match self.cfg.username.as_deref().filter(|u| !u.is_empty()) {
            None => None,
            Some(_) => Some(
                secret::read(
                    &self.name,
                    "password",
                    self.cfg.password_env.as_deref(),
                    self.cfg.password_file.as_deref(),
                )?
                .ok_or_else(|| {
                    self.fail("username is set but no password: set password_env or password_file")
                })?,
            ),
        };
        let (msg, mid) = self.message(d)?;
        let transport = self.transport(password.as_ref())?;
        // lettre's timeout bounds each step; this bounds the whole exchange against a server that
        // trickles its answers.
        let limit = Duration::from_secs(self.cfg.timeout_secs.max(1) * 2);
        let scrub = |s: String| match &password {
            Some(p) => p.scrub(&s),
            None => s,
        };
        match tokio::time::timeout(limit, transport.send(msg)).await {
            Err(_) => Err(self.fail(format!(
                "no answer from {}:{} within {} s (timeout_secs)",
                self.cfg.host,
                self.port(),
                limit.as_secs()
            ))),
            Ok(Err(e)) => Err(self.fail(scrub(self.explain(&e)))),
            Ok(Ok(resp)) => Ok(scrub(format!(
                "{mid} {} {}",
                resp.code(),
                resp.message().collect::<Vec<_>>().join(" ")
            ))),
        }
    }

    /// A message a person can act on, for each way an SMTP exchange fails.
    fn explain(&self, e: &lettre::transport::smtp::Error) -> String {
        let at = format!("{}:{}", self.cfg.host, self.port());
        let reply = reply_text(e);
        if let Some(code) = e.status() {
            let code = u16::from(code);
            return match code {
                535 | 534 => format!(
                    "the SMTP server refused the login for user '{}' ({code} {reply}): check password_env/password_file",
                    self.cfg.username.as_deref().unwrap_or("")
                ),
                530 => format!("the SMTP server requires authentication ({code} {reply}): set username and password_env or password_file"),
                400..=499 => format!("the SMTP server deferred the message ({code} {reply}); it will be retried"),
                _ => format!("the SMTP server rejected the message ({code} {reply})"),
            };
        }
        if e.is_timeout() {
            return format!(
                "no answer from {at} within {} s (timeout_secs)",
                self.cfg.timeout_secs.max(1)
            );
        }
        let text = chain(e);
        if e.is_tls() || looks_like_tls(&text) {
            return format!(
                "TLS with {at} failed ({text}): check tls (starttls|tls|none), port and ca_file"
            );
        }
        if let Some(io) = io_error(e) {
            use std::io::ErrorKind as K;
            return match io.kind() {
                K::ConnectionRefused => format!("cannot connect to {at}: connection refused"),
                K::UnexpectedEof | K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => {
                    format!("the connection to {at} was lost before the server confirmed the message ({io})")
                }
                _ if e.to_string().starts_with("Connection error") => {
                    format!("cannot connect to {at}: {io}")
                }
                _ => format!("talking to {at} failed: {io}"),
            };
        }
        if text.contains("STARTTLS") || text.contains("StartTls") {
            return format!("{text}: the server at {at} does not offer STARTTLS (use tls = \"tls\" for port 465, or \"none\" for a local relay)");
        }
        if text.contains("authentication mechanism") {
            return format!("{text}: the server at {at} offers no AUTH method trendd can use");
        }
        if text.contains("incomplete response") {
            return format!(
                "the connection to {at} was lost before the server confirmed the message ({text})"
            );
        }
        format!("{at}: {text}")
    }
}

/// rustls failures reach lettre as io errors of its connect step; their text is what tells them apart.
fn looks_like_tls(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "certificate",
        "handshake",
        "corrupt message",
        "tls",
        "alert",
    ]
    .iter()
    .any(|k| t.contains(k))
}

/// The text of the server's negative reply, if that is what the error carries.
fn reply_text(e: &lettre::transport::smtp::Error) -> String {
    std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_default()
}

fn io_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cur = err.source();
    }
    None
}

/// The error and its causes on one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

impl Channel for EmailChannel {
    fn name(&self) -> &str {
        &self.name
    }

    fn targets(&self) -> Vec<String> {
        vec![self.name.clone()]
    }

    fn send<'a>(&'a self, _target: &'a str, d: &'a Rendered) -> BoxFuture<'a, Result<String>> {
        Box::pin(self.send_to(d))
    }
}

/// `<trendd.{date}.{hash of the recipients}@{domain}>`: the same for a given day and recipients in every
/// run and version, so a copy sent again after a crash folds into the first.
pub fn message_id(date: chrono::NaiveDate, recipient: &str, domain: &str) -> String {
    let domain = if domain.is_empty() {
        "localhost"
    } else {
        domain
    };
    format!(
        "<trendd.{date}.{:016x}@{domain}>",
        fnv1a64(recipient.trim().to_ascii_lowercase().as_bytes())
    )
}

/// FNV-1a, 64 bit: written out so the value never changes with a library's hasher.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// One header line's worth of text: control characters (CR, LF, TAB, NUL, C1) and Unicode line
/// separators become spaces, runs of spaces collapse, and the result is capped at 200 characters, so
/// no title can start a header of its own.
pub fn sanitize_header(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut out = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > 200 {
        out = out.chars().take(199).collect::<String>() + "…";
    }
    out
}

/// Items in a `digest.json` (for `{count}` in the subject template); 0 when it does not parse.
fn item_count(json: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    v["sections"].as_array().map_or(0, |s| {
        s.iter()
            .map(|x| x["items"].as_array().map_or(0, Vec::len))
            .sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_published_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn message_id_is_stable_and_per_recipient_set() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let a = message_id(d, "reader@example.org", "example.org");
        assert_eq!(a, message_id(d, " Reader@Example.org", "example.org"));
        assert_ne!(a, message_id(d, "second@example.org", "example.org"));
        assert_ne!(
            a,
            message_id(d.succ_opt().unwrap(), "reader@example.org", "example.org")
        );
        // Pinned: a change here would break folding of copies sent across an upgrade.
        assert_eq!(
            a,
            format!(
                "<trendd.2026-11-20.{:016x}@example.org>",
                fnv1a64(b"reader@example.org")
            )
        );
    }

    #[test]
    fn header_text_cannot_break_the_line() {
        assert_eq!(
            sanitize_header("Digest <script>\r\nBcc: evil@example.com\u{0}\u{2028}x"),
            "Digest <script> Bcc: evil@example.com x"
        );
        assert_eq!(sanitize_header("a\tb\u{85}c"), "a b c");
        assert_eq!(sanitize_header(&"é".repeat(300)).chars().count(), 200);
    }

    #[test]
    fn subject_template_and_count() {
        let cfg = EmailConfig {
            from: "trendd <t@example.org>".into(),
            to: vec!["r@example.org".into()],
            subject: Some("ML {date}: {count} papers\r\nBcc: x@y".into()),
            ..Default::default()
        };
        let ch = EmailChannel::new("email".into(), cfg).unwrap();
        let d = Rendered {
            date: chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
            subject: String::new(),
            html: String::new(),
            text: String::new(),
            slack: serde_json::Value::Null,
            json: r#"{"sections":[{"items":[{},{}]},{"items":[{}]}]}"#.into(),
        };
        assert_eq!(ch.subject(&d), "ML 2026-01-02: 3 papers Bcc: x@y");
        assert_eq!(ch.targets(), vec!["email".to_string()]);
        assert!(EmailChannel::new(
            "email".into(),
            EmailConfig {
                from: "not an address".into(),
                ..Default::default()
            }
        )
        .is_err());
    }
}
