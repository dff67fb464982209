//! Sources turn response bodies into `Entry`s. They do no I/O: each says which URLs it wants this run
//! (`plan`) and parses what the shared HTTP client brought back (`parse`), one file per source kind.

pub mod arxiv;
pub mod deadlines;
pub mod feed;
pub mod huggingface;
pub mod opml;
pub mod paperswithcode;
mod xml;

use crate::config::SourceConfig;
use crate::model::Entry;
use chrono::{DateTime, Utc};

/// What a source knows about its own past runs when planning the next one.
#[derive(Debug, Clone, Default)]
pub struct PlanContext {
    pub now: DateTime<Utc>,
    /// When this source last worked.
    pub last_success: Option<DateTime<Utc>>,
}

/// One request a source wants made.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub url: String,
    /// Extra headers (e.g. an HF token); values are secrets and never logged.
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn get(url: impl Into<String>) -> Self {
        Request {
            url: url.into(),
            headers: Vec::new(),
        }
    }
}

/// A body handed to a source's parser.
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    pub bytes: &'a [u8],
    pub content_type: Option<&'a str>,
    /// The URL the body came from (after redirects): base for relative links.
    pub url: &'a str,
}

/// What a source made of one body.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    /// A further page to request (JSON APIs with `next`), bounded by the source.
    pub next: Option<String>,
    /// Something worth telling the reader that is not an error (e.g. "no arXiv listing on Saturdays").
    pub note: Option<String>,
    /// Further URLs this body names (an index of files), each fetched and parsed in turn.
    pub follow: Vec<String>,
    /// Conference deadlines read from this body (the `deadlines` kind), stored per source and URL.
    pub deadlines: Option<Vec<deadlines::Deadline>>,
}

/// One configured source.
pub trait Source: Send + Sync {
    fn name(&self) -> &str;
    fn kind(&self) -> &'static str;
    /// The requests to make this run.
    fn plan(&self, ctx: &PlanContext) -> Vec<Request>;
    /// Parses one body; an `Err` is reported against the source and nothing from this body is stored.
    fn parse(&self, body: &Body<'_>) -> Result<Parsed, String>;
    /// How many `next` pages may be followed after the planned requests.
    fn max_pages(&self) -> u32 {
        1
    }
}

/// Builds the source a `[[source]]` describes.
pub fn build(cfg: &SourceConfig) -> Box<dyn Source> {
    match cfg {
        SourceConfig::Arxiv(c) => Box::new(arxiv::Arxiv::new(c.clone())),
        SourceConfig::Huggingface(c) => Box::new(huggingface::HuggingFace::new(c.clone())),
        SourceConfig::Paperswithcode(c) => Box::new(paperswithcode::PapersWithCode::new(c.clone())),
        SourceConfig::Feed(c) => Box::new(feed::Feed::new(c.clone())),
        SourceConfig::Deadlines(c) => Box::new(deadlines::Deadlines::new(c.clone())),
    }
}
