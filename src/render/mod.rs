//! Rendering a composed digest (placeholder until the renderer lands).
use crate::compose::Digest;
pub fn html(d: &Digest) -> String { format!("<html><body>{} items</body></html>", d.item_count()) }
pub fn text(d: &Digest) -> String { d.sections.iter().flat_map(|s| s.items.iter().map(|e| format!("{}\n{}\n", e.title, e.summary))).collect() }
pub fn slack(d: &Digest) -> serde_json::Value { serde_json::json!({"text": format!("{} items", d.item_count()), "blocks": []}) }
pub fn json(d: &Digest) -> String { serde_json::to_string_pretty(d).expect("digest serializes") }
pub fn subject(d: &Digest) -> String { format!("trendd digest {}", d.date) }
