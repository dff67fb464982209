//! Hugging Face daily papers: `GET /api/daily_papers?date=YYYY-MM-DD` for today and each day missed
//! since the last success (bounded). Every field but the paper id is optional: the API drifts.

use super::{Body, Parsed, PlanContext, Request, Source};
use crate::config::HuggingfaceSource;
use crate::identity::parse_arxiv_id;
use crate::model::{Entry, ItemKind, Signals};
use crate::text::clean_inline;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;

pub const DEFAULT_URL: &str = "https://huggingface.co/api/daily_papers";

pub struct HuggingFace {
    cfg: HuggingfaceSource,
}

impl HuggingFace {
    pub fn new(cfg: HuggingfaceSource) -> Self {
        HuggingFace { cfg }
    }
}

/// The days to ask for: from the day of the last success (or yesterday, on a first run) to today,
/// at most `max_days` + 1 of them, newest first.
pub fn days_to_fetch(
    now: DateTime<Utc>,
    last_success: Option<DateTime<Utc>>,
    max_days: u32,
) -> Vec<NaiveDate> {
    let today = now.date_naive();
    let from = last_success
        .map(|t| t.date_naive())
        .unwrap_or(today - Duration::days(1));
    let span = (today - from).num_days().clamp(0, max_days as i64);
    (0..=span).map(|d| today - Duration::days(d)).collect()
}

fn with_date(base: &str, day: NaiveDate) -> String {
    match url::Url::parse(base) {
        Ok(mut u) if u.scheme() != "file" => {
            let kept: Vec<(String, String)> = u
                .query_pairs()
                .filter(|(k, _)| k != "date")
                .map(|(k, v)| (k.into(), v.into()))
                .collect();
            u.query_pairs_mut()
                .clear()
                .extend_pairs(kept)
                .append_pair("date", &day.to_string());
            u.to_string()
        }
        _ => base.to_string(),
    }
}

impl Source for HuggingFace {
    fn name(&self) -> &str {
        &self.cfg.name
    }
    fn kind(&self) -> &'static str {
        "huggingface"
    }
    fn plan(&self, ctx: &PlanContext) -> Vec<Request> {
        let base = self.cfg.url.as_deref().unwrap_or(DEFAULT_URL);
        let headers: Vec<(String, String)> = self
            .cfg
            .token_env
            .as_deref()
            .and_then(|v| std::env::var(v).ok())
            .filter(|t| !t.is_empty())
            .map(|t| vec![("Authorization".to_string(), format!("Bearer {t}"))])
            .unwrap_or_default();
        let mut urls: Vec<String> =
            days_to_fetch(ctx.now, ctx.last_success, self.cfg.max_catch_up_days)
                .into_iter()
                .map(|d| with_date(base, d))
                .collect();
        urls.dedup();
        urls.into_iter()
            .map(|url| Request {
                url,
                headers: headers.clone(),
            })
            .collect()
    }
    fn parse(&self, body: &Body<'_>) -> Result<Parsed, String> {
        let v: Value = serde_json::from_slice(body.bytes).map_err(|e| format!("not JSON: {e}"))?;
        let list = match &v {
            Value::Array(a) => a,
            Value::Object(o) if o.get("error").is_some() => {
                return Err(format!("Hugging Face API error: {}", o["error"]))
            }
            _ => return Err("expected a JSON array of daily papers".into()),
        };
        let entries = list
            .iter()
            .enumerate()
            .filter_map(|(i, e)| paper_entry(e, i))
            .collect();
        Ok(Parsed {
            entries,
            ..Default::default()
        })
    }
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(Value::as_str)
        .map(clean_inline)
        .filter(|s| !s.is_empty())
}

fn n(v: &Value, k: &str) -> Option<u32> {
    v.get(k)
        .and_then(Value::as_u64)
        .map(|x| x.min(u32::MAX as u64) as u32)
}

/// One element of the daily list: `{paper: {id, title, summary, authors, upvotes, …}, numComments, …}`.
pub(crate) fn paper_entry(e: &Value, index: usize) -> Option<Entry> {
    let p = e.get("paper").unwrap_or(e);
    let raw_id = s(p, "id")?;
    let (id, version) = parse_arxiv_id(&raw_id)?;
    let authors = p
        .get("authors")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| s(x, "name").or_else(|| x.as_str().map(clean_inline)))
                .collect()
        })
        .unwrap_or_default();
    let published = s(p, "publishedAt")
        .or_else(|| s(e, "publishedAt"))
        .and_then(|d| DateTime::parse_from_rfc3339(&d).ok())
        .map(|d| d.with_timezone(&Utc));
    let keywords = p
        .get("ai_keywords")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|k| k.as_str().map(clean_inline))
                .collect()
        })
        .unwrap_or_default();
    Some(Entry {
        title: s(p, "title").or_else(|| s(e, "title")).unwrap_or_default(),
        url: Some(format!("https://huggingface.co/papers/{id}")),
        guid: None,
        arxiv_id: Some(id),
        doi: None,
        authors,
        abstract_text: s(p, "summary")
            .or_else(|| s(e, "summary"))
            .unwrap_or_default(),
        published,
        categories: Vec::new(),
        links: Vec::new(),
        kind: Some(ItemKind::Paper),
        signals: Signals {
            upvotes: n(p, "upvotes"),
            comments: n(e, "numComments"),
            github_repo: s(p, "githubRepo"),
            github_stars: n(p, "githubStars"),
            ai_summary: s(p, "ai_summary"),
            ai_keywords: keywords,
            project_page: s(p, "projectPage"),
            version,
            rank: Some(index as u32 + 1),
            ..Default::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_up_days_are_bounded() {
        let now = DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(days_to_fetch(now, None, 7).len(), 2);
        assert_eq!(days_to_fetch(now, Some(now), 7).len(), 1);
        assert_eq!(
            days_to_fetch(now, Some(now - Duration::days(30)), 7).len(),
            8
        );
    }

    #[test]
    fn date_is_appended_to_the_endpoint() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(
            with_date(DEFAULT_URL, d),
            "https://huggingface.co/api/daily_papers?date=2026-11-22"
        );
        assert_eq!(
            with_date("http://127.0.0.1:1/x.json?date=1&a=b", d),
            "http://127.0.0.1:1/x.json?a=b&date=2026-11-22"
        );
    }

    #[test]
    fn optional_fields_are_optional() {
        let src = HuggingFace::new(HuggingfaceSource {
            name: "hf".into(),
            ..Default::default()
        });
        let body = br#"[{"paper":{"id":"2604.00001","title":"T","upvotes":5,"githubStars":1200}},{"paper":{"title":"no id"}},{"numComments":3}]"#;
        let p = src
            .parse(&Body {
                bytes: body,
                content_type: None,
                url: "x",
            })
            .unwrap();
        assert_eq!(p.entries.len(), 1);
        assert_eq!(p.entries[0].signals.upvotes, Some(5));
        assert_eq!(p.entries[0].signals.github_stars, Some(1200));
        assert!(src
            .parse(&Body {
                bytes: b"{\"error\":\"rate limited\"}",
                content_type: None,
                url: "x"
            })
            .is_err());
    }
}
