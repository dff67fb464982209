//! The config's types. Each field's doc comment is its documentation; its default value lives in
//! `config/trendd.toml` only (the `#[serde(default)]`s let a user file leave keys out).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub general: General,
    pub http: Http,
    pub schedule: Schedule,
    pub digest: Digest,
    pub interests: Interests,
    pub summarizer: Summarizer,
    pub rising: Rising,
    pub web: Web,
    pub store: StoreConfig,
    #[serde(rename = "source")]
    pub sources: Vec<SourceConfig>,
    #[serde(rename = "deliver")]
    pub delivers: Vec<DeliverConfig>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct General {
    /// IANA time zone for the schedule; empty: the system's zone.
    pub timezone: String,
    /// User-Agent sent with every request, with a contact address.
    pub user_agent: String,
    /// State directory; empty: the usual places (see `config::state_dir`).
    pub state_dir: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Days an item no digest carried is kept (by its own date and by when it was first seen).
    pub keep_days: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Http {
    pub connect_timeout_secs: u64,
    pub timeout_secs: u64,
    pub max_body_bytes: u64,
    pub max_redirects: u32,
    pub retries: u32,
    pub max_retry_after_secs: u64,
    pub concurrency: u32,
    pub per_host_interval_secs: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Schedule {
    /// Cron expression for fetching (5 fields, or 6 with seconds).
    pub fetch: String,
    /// Cron expression for the digest.
    pub digest: String,
    /// Send a digest missed while the machine was off, if still the same day.
    pub catch_up: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Digest {
    pub minutes: u32,
    pub words_per_minute: u32,
    /// Fixed cost of glancing at one entry, in seconds.
    pub seconds_per_entry: u32,
    pub max_age_days: u32,
    pub send_empty: bool,
    pub max_trending: u32,
    pub max_for_you: u32,
    pub max_blogs: u32,
    /// Conference deadlines this many days ahead are listed.
    pub deadline_days: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Interests {
    pub keywords: Vec<String>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Summarizer {
    /// "extractive" or "openai".
    pub kind: String,
    pub url: String,
    pub model: String,
    /// Environment variable holding the API key (secret; never printed).
    pub api_key_env: String,
    /// Language the model writes TL;DRs in ("en", "ko", or a name such as "Korean").
    pub language: String,
    pub max_items: u32,
    pub timeout_secs: u64,
    pub concurrency: u32,
    pub max_tokens: u32,
    /// Use Hugging Face's own `ai_summary` for the papers that have one.
    pub prefer_hf: bool,
}

/// What's rising (`trend::rising`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rising {
    /// Weeks before this one that make the baseline.
    pub baseline_weeks: u32,
    /// Papers a phrase needs in the window to be tested, and this week to be shown.
    pub min_papers: u32,
    /// Phrases shown at most.
    pub max_phrases: u32,
    /// False discovery rate of the Benjamini–Hochberg correction.
    pub fdr: f64,
}

/// `[web]`: the web face (src/web) and the address its links use.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Web {
    /// `IP:port` the web face listens on; empty: not served by `trendd run` (`trendd serve` then uses
    /// 127.0.0.1:8025).
    pub listen: String,
    /// Listening on a non-loopback address must be asked for with this.
    pub allow_remote: bool,
    /// What links in emails (👍/👎) start with, e.g. "http://127.0.0.1:8025".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Requests answered per second at most (all clients together); more get 429.
    pub max_requests_per_second: u32,
    /// Seconds a client has to send a request's headers or body before it is cut off.
    pub client_timeout_secs: u64,
}

/// One `[[source]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SourceConfig {
    Arxiv(ArxivSource),
    Huggingface(HuggingfaceSource),
    Paperswithcode(PwcSource),
    Feed(FeedSource),
    Deadlines(DeadlinesSource),
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArxivSource {
    pub name: String,
    /// What readers see ("arXiv", "Lil'Log"); default per kind, see `SourceConfig::label`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Endpoint to request instead of the RSS listing of `categories` (RSS or export-API Atom).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    /// Keep cross-lists from other categories.
    #[serde(default = "yes")]
    pub cross_lists: bool,
    /// Keep replacements (vN > 1) of papers not seen before.
    #[serde(default = "yes")]
    pub replacements: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuggingfaceSource {
    pub name: String,
    /// What readers see ("arXiv", "Lil'Log"); default per kind, see `SourceConfig::label`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Daily papers API endpoint; `?date=YYYY-MM-DD` is appended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Environment variable holding an HF token (optional; secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_env: Option<String>,
    /// Days missed since the last success that are fetched (at most).
    #[serde(default = "seven")]
    pub max_catch_up_days: u32,
    #[serde(default = "yes")]
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PwcSource {
    pub name: String,
    /// What readers see ("arXiv", "Lil'Log"); default per kind, see `SourceConfig::label`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A PwC-v1-compatible JSON API or a trending HTML page; default: Hugging Face's trending page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Pages of a JSON API followed through `next`.
    #[serde(default = "one")]
    pub max_pages: u32,
    #[serde(default = "yes")]
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSource {
    pub name: String,
    /// What readers see ("arXiv", "Lil'Log"); default per kind, see `SourceConfig::label`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// RSS, Atom or JSON Feed; http(s) or file://.
    pub url: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlinesSource {
    pub name: String,
    /// What readers see; default "AI deadlines".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// One ai-deadlines YAML file, or an index of them (folder, HTML index, GitHub contents API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Keep conferences with any of these tags (none: all).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Deadline types to list (the YAML's `type`); default: the submission deadlines; none: all.
    #[serde(default = "submission_types")]
    pub types: Vec<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// What an author must meet: reviews, rebuttals and notifications are not the reader's deadlines.
fn submission_types() -> Vec<String> {
    [
        "abstract",
        "paper",
        "submission",
        "supplementary",
        "registration",
        "commitment_deadline",
    ]
    .map(String::from)
    .to_vec()
}

fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}
fn seven() -> u32 {
    7
}

impl SourceConfig {
    pub fn name(&self) -> &str {
        match self {
            SourceConfig::Arxiv(s) => &s.name,
            SourceConfig::Huggingface(s) => &s.name,
            SourceConfig::Paperswithcode(s) => &s.name,
            SourceConfig::Feed(s) => &s.name,
            SourceConfig::Deadlines(s) => &s.name,
        }
    }
    /// The configured label, else a human default: "arXiv", "Hugging Face daily", "Hugging Face
    /// trending" (or "Papers with Code" for a PwC-compatible API), a feed's host — never the slug.
    pub fn label(&self) -> String {
        let explicit = match self {
            SourceConfig::Arxiv(s) => &s.label,
            SourceConfig::Huggingface(s) => &s.label,
            SourceConfig::Paperswithcode(s) => &s.label,
            SourceConfig::Feed(s) => &s.label,
            SourceConfig::Deadlines(s) => &s.label,
        };
        if let Some(l) = explicit.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            return l.to_string();
        }
        default_label(self.kind(), self.url()).unwrap_or_else(|| self.name().to_string())
    }

    pub fn kind(&self) -> &'static str {
        match self {
            SourceConfig::Arxiv(_) => "arxiv",
            SourceConfig::Huggingface(_) => "huggingface",
            SourceConfig::Paperswithcode(_) => "paperswithcode",
            SourceConfig::Feed(_) => "feed",
            SourceConfig::Deadlines(_) => "deadlines",
        }
    }
    pub fn enabled(&self) -> bool {
        match self {
            SourceConfig::Arxiv(s) => s.enabled,
            SourceConfig::Huggingface(s) => s.enabled,
            SourceConfig::Paperswithcode(s) => s.enabled,
            SourceConfig::Feed(s) => s.enabled,
            SourceConfig::Deadlines(s) => s.enabled,
        }
    }
    pub fn url_mut(&mut self) -> Option<&mut String> {
        match self {
            SourceConfig::Arxiv(s) => s.url.as_mut(),
            SourceConfig::Huggingface(s) => s.url.as_mut(),
            SourceConfig::Paperswithcode(s) => s.url.as_mut(),
            SourceConfig::Feed(s) => Some(&mut s.url),
            SourceConfig::Deadlines(s) => s.url.as_mut(),
        }
    }

    pub fn url(&self) -> Option<&str> {
        match self {
            SourceConfig::Arxiv(s) => s.url.as_deref(),
            SourceConfig::Huggingface(s) => s.url.as_deref(),
            SourceConfig::Paperswithcode(s) => s.url.as_deref(),
            SourceConfig::Feed(s) => Some(&s.url),
            SourceConfig::Deadlines(s) => s.url.as_deref(),
        }
    }
}

/// The label a source of `kind` reading `url` gets when the config gives none. For a feed: its host
/// without `www.` (for a local file, the file's name), None when that says nothing.
pub fn default_label(kind: &str, url: Option<&str>) -> Option<String> {
    let parsed = url.and_then(|u| url::Url::parse(u).ok());
    let host = parsed
        .as_ref()
        .and_then(|u| u.host_str())
        .map(|h| h.strip_prefix("www.").unwrap_or(h).to_string())
        .filter(|h| !h.is_empty());
    match kind {
        "arxiv" => Some("arXiv".into()),
        "deadlines" => Some("AI deadlines".into()),
        "huggingface" => Some("Hugging Face daily".into()),
        "paperswithcode" => Some(
            match host {
                Some(h)
                    if !h.ends_with("huggingface.co") && h != "127.0.0.1" && h != "localhost" =>
                {
                    "Papers with Code"
                }
                _ => "Hugging Face trending",
            }
            .into(),
        ),
        _ => host.or_else(|| {
            let p = parsed.filter(|u| u.scheme() == "file")?;
            let stem = std::path::Path::new(p.path())
                .file_stem()?
                .to_string_lossy()
                .into_owned();
            (!stem.is_empty()).then_some(stem)
        }),
    }
}

/// One `[[deliver]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DeliverConfig {
    Email(EmailConfig),
    Slack(SlackConfig),
    File(FileConfig),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    #[default]
    Starttls,
    Tls,
    None,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// Channel name (default "email").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    /// An extra trusted root certificate (PEM), for relays with a private CA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Environment variable holding the SMTP password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_env: Option<String>,
    /// File holding the SMTP password (e.g. a systemd credential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_file: Option<String>,
    pub from: String,
    pub to: Vec<String>,
    /// Subject template; `{date}` and `{count}` are replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default = "thirty")]
    pub timeout_secs: u64,
}

fn thirty() -> u64 {
    30
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Environment variable holding the incoming-webhook URL (a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url_env: Option<String>,
    /// File holding the incoming-webhook URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url_file: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Folder for YYYY-MM-DD.{html,txt,json}; empty: `<state dir>/digests`.
    #[serde(default)]
    pub dir: String,
}

impl DeliverConfig {
    /// The channel's name in the ledger and in messages.
    pub fn name(&self) -> String {
        let (n, k) = match self {
            DeliverConfig::Email(c) => (&c.name, "email"),
            DeliverConfig::Slack(c) => (&c.name, "slack"),
            DeliverConfig::File(c) => (&c.name, "file"),
        };
        if n.is_empty() {
            k.to_string()
        } else {
            n.clone()
        }
    }
}

impl Config {
    /// Days retention keeps an undigested item: `store.keep_days`, but never less than the digest's
    /// window, so retention cannot take what a digest could still choose.
    pub fn retention_days(&self) -> u32 {
        self.store.keep_days.max(self.digest.max_age_days)
    }

    /// Checks values serde cannot: returns the offending key path and what is wrong.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let tz = &self.general.timezone;
        if !tz.is_empty() && tz.parse::<chrono_tz::Tz>().is_err() {
            return Err((
                "general.timezone".into(),
                format!("unknown IANA time zone {tz:?}"),
            ));
        }
        for (key, expr) in [
            ("schedule.fetch", &self.schedule.fetch),
            ("schedule.digest", &self.schedule.digest),
        ] {
            if let Err(e) = crate::daemon::schedule::parse_cron(expr) {
                return Err((key.into(), format!("invalid cron expression {expr:?}: {e}")));
            }
        }
        let d = &self.digest;
        if d.minutes == 0 || d.minutes > 240 {
            return Err(("digest.minutes".into(), "must be between 1 and 240".into()));
        }
        if d.words_per_minute < 50 || d.words_per_minute > 2000 {
            return Err((
                "digest.words_per_minute".into(),
                "must be between 50 and 2000".into(),
            ));
        }
        if d.max_age_days == 0 {
            return Err(("digest.max_age_days".into(), "must be at least 1".into()));
        }
        if d.deadline_days > 3660 {
            return Err((
                "digest.deadline_days".into(),
                "must be at most 3660 (ten years)".into(),
            ));
        }
        let r = &self.rising;
        if r.baseline_weeks < 2 || r.baseline_weeks > 52 {
            return Err((
                "rising.baseline_weeks".into(),
                "must be between 2 and 52".into(),
            ));
        }
        if r.min_papers < 2 {
            return Err(("rising.min_papers".into(), "must be at least 2".into()));
        }
        if r.max_phrases > 50 {
            return Err(("rising.max_phrases".into(), "must be at most 50".into()));
        }
        if !(r.fdr > 0.0 && r.fdr <= 0.5) {
            return Err((
                "rising.fdr".into(),
                "must be above 0 and at most 0.5".into(),
            ));
        }
        let k = self.store.keep_days;
        if !(7..=36_500).contains(&k) {
            return Err((
                "store.keep_days".into(),
                "must be between 7 and 36500".into(),
            ));
        }
        self.summarizer.check()?;
        crate::web::config::validate(&self.web)?;
        if self.http.concurrency == 0 {
            return Err(("http.concurrency".into(), "must be at least 1".into()));
        }
        let mut names = rustc_hash::FxHashSet::default();
        for s in &self.sources {
            if s.name().trim().is_empty() {
                return Err((
                    "source.name".into(),
                    format!("a {} source has no name", s.kind()),
                ));
            }
            if let Some(l) = match s {
                SourceConfig::Arxiv(c) => &c.label,
                SourceConfig::Huggingface(c) => &c.label,
                SourceConfig::Paperswithcode(c) => &c.label,
                SourceConfig::Feed(c) => &c.label,
                SourceConfig::Deadlines(c) => &c.label,
            } {
                if l.trim().is_empty() || l.chars().count() > 60 || l.chars().any(char::is_control)
                {
                    return Err((
                        "label".into(),
                        format!(
                            "source {:?}: a label is 1 to 60 characters on one line",
                            s.name()
                        ),
                    ));
                }
            }
            if !names.insert(s.name()) {
                return Err((
                    "source.name".into(),
                    format!("two sources are named {:?}", s.name()),
                ));
            }
            if let Some(u) = s
                .url()
                .filter(|u| crate::http::plain_file_path(u).is_none())
            {
                match url::Url::parse(u) {
                    Ok(p) if matches!(p.scheme(), "http" | "https" | "file") => {}
                    Ok(p) => {
                        return Err((
                            "url".into(),
                            format!(
                                "source {:?}: scheme {:?} is not http, https or file",
                                s.name(),
                                p.scheme()
                            ),
                        ))
                    }
                    Err(e) => {
                        return Err((
                            "url".into(),
                            format!("source {:?}: {u:?} is not a URL: {e}", s.name()),
                        ))
                    }
                }
            }
        }
        let mut names = std::collections::HashSet::new();
        for d in &self.delivers {
            if !names.insert(d.name()) {
                return Err((
                    "deliver.name".into(),
                    format!("two channels are named {:?}; give each a `name`", d.name()),
                ));
            }
            match d {
                DeliverConfig::Email(e) => {
                    if e.host.is_empty() {
                        return Err((
                            "host".into(),
                            format!("email channel {:?} needs a host", d.name()),
                        ));
                    }
                    if e.to.is_empty() {
                        return Err((
                            "to".into(),
                            format!("email channel {:?} needs at least one recipient", d.name()),
                        ));
                    }
                    if e.from.is_empty() {
                        return Err((
                            "from".into(),
                            format!("email channel {:?} needs a from address", d.name()),
                        ));
                    }
                    if e.password_env.is_some() && e.password_file.is_some() {
                        return Err((
                            "password_env".into(),
                            "give password_env or password_file, not both".into(),
                        ));
                    }
                }
                DeliverConfig::Slack(s) => {
                    if s.webhook_url_env.is_none() == s.webhook_url_file.is_none() {
                        return Err(("webhook_url_env".into(), format!("slack channel {:?} needs exactly one of webhook_url_env, webhook_url_file", d.name())));
                    }
                }
                DeliverConfig::File(_) => {}
            }
        }
        super::checks::check(self)
    }

    /// The configured time zone, else the system's, else UTC.
    pub fn timezone(&self) -> chrono_tz::Tz {
        if let Ok(tz) = self.general.timezone.parse() {
            return tz;
        }
        system_timezone().unwrap_or(chrono_tz::UTC)
    }
}

fn system_timezone() -> Option<chrono_tz::Tz> {
    if let Ok(tz) = std::env::var("TZ") {
        if let Ok(z) = tz.trim_start_matches(':').parse() {
            return Some(z);
        }
    }
    let link = std::fs::read_link("/etc/localtime").ok()?;
    let s = link.to_string_lossy();
    let name = s.split("zoneinfo/").nth(1)?;
    name.parse().ok()
}
