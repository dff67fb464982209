//! Conference deadlines from the `huggingface/ai-deadlines` YAML: one file per conference series, each
//! a list of editions with `title`, `year`, `link`, `tags` and `deadlines: [{type, label, date,
//! timezone}]` (older files: `deadline`, `abstract_deadline` and one `timezone` per edition).
//!
//! `url` names one YAML file, or an index of them: a folder (`file://…/`, which the HTTP layer lists),
//! a web server's HTML index, a `text/uri-list`, or a GitHub "contents" API answer. An index makes the
//! fetch follow the YAML files it names. A malformed edition or deadline is skipped and named in the
//! source's note; the rest of the file is kept. Times are stored in UTC: `AoE` is UTC−12, `UTC±N` and
//! `GMT±N` (also `±HH:MM`) are fixed offsets, anything else an IANA zone name.
//!
//! Deadlines are not items (no paper, no TL;DR, never "sent"): they are kept in the store's
//! `Deadlines` table, one record per (source, file URL), so a file answered 304 keeps its record.

use super::{Body, Parsed, PlanContext, Request, Source};
use crate::config::DeadlinesSource;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// The upstream folder, through GitHub's contents API (an index of one YAML file per conference).
pub const DEFAULT_URL: &str =
    "https://api.github.com/repos/huggingface/ai-deadlines/contents/src/data/conferences";
/// Files an index may name (the upstream folder holds about 70).
const MAX_FILES: usize = 500;

/// One deadline of one conference edition, in UTC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deadline {
    /// "NeurIPS 2027".
    pub title: String,
    /// "Paper submission deadline".
    pub label: String,
    /// "paper", "abstract", "camera_ready", … (as the file says).
    #[serde(default)]
    pub kind: String,
    pub deadline: DateTime<Utc>,
    /// The zone as written ("AoE", "UTC-7", "Europe/London").
    #[serde(default)]
    pub timezone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

pub struct Deadlines {
    cfg: DeadlinesSource,
}

impl Deadlines {
    pub fn new(cfg: DeadlinesSource) -> Self {
        Deadlines { cfg }
    }
}

impl Source for Deadlines {
    fn name(&self) -> &str {
        &self.cfg.name
    }
    fn kind(&self) -> &'static str {
        "deadlines"
    }
    fn plan(&self, _ctx: &PlanContext) -> Vec<Request> {
        vec![Request::get(
            self.cfg.url.clone().unwrap_or_else(|| DEFAULT_URL.into()),
        )]
    }
    fn parse(&self, body: &Body<'_>) -> Result<Parsed, String> {
        if let Some(files) = index(body) {
            return Ok(Parsed {
                follow: files.into_iter().take(MAX_FILES).collect(),
                ..Default::default()
            });
        }
        let (list, skipped) = parse_yaml(body.bytes, file_name(body.url))?;
        Ok(Parsed {
            note: skipped_note(&skipped),
            deadlines: Some(list),
            ..Default::default()
        })
    }
}

/// Whether a deadline passes the source's `tags` filter (no tags: every deadline).
pub fn wanted(d: &Deadline, tags: &[String]) -> bool {
    tags.is_empty()
        || d.tags
            .iter()
            .any(|t| tags.iter().any(|w| w.eq_ignore_ascii_case(t)))
}

/// Whether a deadline is of a type the source lists (no types: every deadline).
pub fn of_type(d: &Deadline, types: &[String]) -> bool {
    types.is_empty() || types.iter().any(|t| t.eq_ignore_ascii_case(&d.kind))
}

fn file_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

fn skipped_note(skipped: &[String]) -> Option<String> {
    match skipped.len() {
        0 => None,
        n => Some(format!(
            "skipped {n} malformed deadline entr{}: {}",
            if n == 1 { "y" } else { "ies" },
            skipped.join("; ")
        )),
    }
}

/// The YAML files an index body names, or `None` when the body is not an index.
fn index(body: &Body<'_>) -> Option<Vec<String>> {
    let ct = body.content_type.unwrap_or("").to_ascii_lowercase();
    let text = String::from_utf8_lossy(body.bytes);
    let head = text.trim_start();
    let path = body
        .url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.contains("yaml") || path.ends_with(".yml") || path.ends_with(".yaml") {
        return None;
    }
    let links: Vec<String> = if ct.starts_with("text/uri-list") {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    } else if ct.contains("json") || head.starts_with('[') {
        // GitHub's contents API: [{"name", "type": "file", "download_url"}, …].
        let v: Vec<serde_json::Value> = serde_json::from_str(head).ok()?;
        v.iter()
            .filter_map(|e| e.get("download_url")?.as_str().map(str::to_string))
            .collect()
    } else if ct.starts_with("text/html") || head.starts_with('<') {
        hrefs(&text)
    } else {
        return None;
    };
    let base = url::Url::parse(body.url).ok();
    let mut out: Vec<String> = links
        .into_iter()
        .filter_map(|l| match &base {
            Some(b) => b.join(&l).ok().map(|u| u.to_string()),
            None => Some(l),
        })
        .filter(|u| {
            let path = u.split(['?', '#']).next().unwrap_or(u).to_ascii_lowercase();
            path.ends_with(".yml") || path.ends_with(".yaml")
        })
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

/// `href="…"` values of an HTML index page (a server's directory listing: no scripts, plain links).
fn hrefs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(i) = lower[at..].find("href=") {
        let start = at + i + 5;
        let rest = &html[start..];
        let (quote, rest) = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => (Some(q), &rest[1..]),
            _ => (None, rest),
        };
        let end = match quote {
            Some(q) => rest.find(q),
            None => rest.find(|c: char| c.is_whitespace() || c == '>'),
        }
        .unwrap_or(rest.len());
        out.push(decode_entities(&rest[..end]));
        at = start + end.max(1);
        if at >= html.len() {
            break;
        }
    }
    out
}

fn decode_entities(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// One conference edition as the file has it; every field optional, so one bad field names its
/// edition instead of failing the file.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Edition {
    title: Option<String>,
    year: Option<serde_norway::Value>,
    id: Option<String>,
    link: Option<String>,
    deadlines: Option<Vec<serde_norway::Value>>,
    deadline: Option<serde_norway::Value>,
    abstract_deadline: Option<serde_norway::Value>,
    timezone: Option<String>,
    tags: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Item {
    #[serde(rename = "type")]
    kind: Option<String>,
    label: Option<String>,
    date: Option<serde_norway::Value>,
    timezone: Option<String>,
}

/// Parses one file: the deadlines it holds and the entries it skipped (named).
pub fn parse_yaml(bytes: &[u8], file: &str) -> Result<(Vec<Deadline>, Vec<String>), String> {
    let editions: Vec<serde_norway::Value> = match serde_norway::from_slice(bytes) {
        Ok(serde_norway::Value::Sequence(v)) => v,
        Ok(serde_norway::Value::Null) => Vec::new(),
        Ok(_) => return Err(format!("{file}: not a list of conferences")),
        Err(e) => return Err(format!("{file}: not YAML: {e}")),
    };
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (i, v) in editions.into_iter().enumerate() {
        let ed: Edition = match serde_norway::from_value(v) {
            Ok(e) => e,
            Err(e) => {
                skipped.push(format!("{file} entry {}: {e}", i + 1));
                continue;
            }
        };
        let year = ed.year.as_ref().and_then(scalar).unwrap_or_default();
        let name = ed.title.clone().or(ed.id.clone()).unwrap_or_default();
        let title = match (name.trim(), year.trim()) {
            ("", _) => {
                skipped.push(format!("{file} entry {}: no title", i + 1));
                continue;
            }
            (t, "") => t.to_string(),
            (t, y) if t.contains(y) => t.to_string(),
            (t, y) => format!("{t} {y}"),
        };
        let mut items: Vec<Item> = Vec::new();
        for (j, d) in ed
            .deadlines
            .clone()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            match serde_norway::from_value::<Item>(d) {
                Ok(it) => items.push(it),
                Err(e) => skipped.push(format!("{file}: {title} deadline {}: {e}", j + 1)),
            }
        }
        for (kind, label, v) in [
            ("paper", "Paper submission deadline", &ed.deadline),
            (
                "abstract",
                "Abstract submission deadline",
                &ed.abstract_deadline,
            ),
        ] {
            if let Some(v) = v {
                items.push(Item {
                    kind: Some(kind.into()),
                    label: Some(label.into()),
                    date: Some(v.clone()),
                    timezone: None,
                });
            }
        }
        for it in items {
            let Some(date) = it.date.as_ref().and_then(scalar) else {
                continue;
            };
            // Upstream writes "TBA"/"TBD" for deadlines not announced yet: nothing to show, nothing wrong.
            if date.trim().is_empty() || date.to_ascii_uppercase().starts_with("TB") {
                continue;
            }
            let zone = it
                .timezone
                .as_deref()
                .or(ed.timezone.as_deref())
                .unwrap_or("AoE")
                .trim()
                .to_string();
            let what = it
                .label
                .clone()
                .or(it.kind.clone())
                .unwrap_or("deadline".into());
            match to_utc(&date, &zone) {
                Ok(t) => out.push(Deadline {
                    title: title.clone(),
                    label: what,
                    kind: it.kind.unwrap_or_default(),
                    deadline: t,
                    timezone: zone,
                    url: ed.link.clone().filter(|u| u.starts_with("http")),
                    tags: ed.tags.clone().unwrap_or_default(),
                }),
                Err(e) => skipped.push(format!("{file}: {title} {what}: {e}")),
            }
        }
    }
    Ok((out, skipped))
}

/// A YAML scalar as text (dates may come unquoted and read as strings or numbers).
fn scalar(v: &serde_norway::Value) -> Option<String> {
    match v {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A local date-time in `zone` as UTC.
pub fn to_utc(date: &str, zone: &str) -> Result<DateTime<Utc>, String> {
    let date = date.trim();
    let local = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(date, f).ok())
    .or_else(|| {
        // A bare day means its last second, as a deadline on that day does.
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(23, 59, 59))
    })
    .ok_or_else(|| format!("bad date {date:?}"))?;
    if let Some(off) = fixed_offset(zone) {
        return off
            .from_local_datetime(&local)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("bad date {date:?}"));
    }
    let tz: chrono_tz::Tz = zone
        .parse()
        .map_err(|_| format!("unknown time zone {zone:?}"))?;
    // In a DST gap or fold, the earlier reading: a deadline is never later than it says.
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("bad date {date:?} in {zone}"))
}

/// `AoE`, `UTC`, `GMT`, `UTC±N`, `GMT±HH:MM`, `±HHMM`, and the few US/EU abbreviations the files use.
fn fixed_offset(zone: &str) -> Option<FixedOffset> {
    let z = zone.trim().to_ascii_uppercase();
    let hours = |h: i32| FixedOffset::east_opt(h * 3600);
    match z.as_str() {
        "AOE" | "ANYWHERE ON EARTH" => return hours(-12),
        "UTC" | "GMT" | "Z" | "UT" => return hours(0),
        "PST" => return hours(-8),
        "PDT" => return hours(-7),
        "MST" => return hours(-7),
        "MDT" => return hours(-6),
        "CST" => return hours(-6),
        "CDT" => return hours(-5),
        "EST" => return hours(-5),
        "EDT" => return hours(-4),
        "CET" => return hours(1),
        "CEST" => return hours(2),
        _ => {}
    }
    let rest = z
        .strip_prefix("UTC")
        .or_else(|| z.strip_prefix("GMT"))
        .or_else(|| z.strip_prefix("AOE"))
        .unwrap_or(&z)
        .trim();
    let (sign, num) = match rest.chars().next()? {
        '+' => (1, &rest[1..]),
        '-' | '−' => (-1, &rest[rest.chars().next()?.len_utf8()..]),
        _ => return None,
    };
    let num = num.trim();
    let (h, m) = match num.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        None if num.len() == 4 => (num[..2].parse().ok()?, num[2..].parse().ok()?),
        None => (num.parse().ok()?, 0),
    };
    if h > 14 || m >= 60 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
#[path = "deadlines_tests.rs"]
mod tests;
