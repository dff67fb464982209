//! Delivery channels and the exactly-once ledger (placeholder until the channels land).
use futures_util::future::BoxFuture;
pub struct Rendered { pub date: chrono::NaiveDate, pub subject: String, pub html: String, pub text: String, pub slack: serde_json::Value, pub json: String }
pub trait Channel: Send + Sync {
    fn name(&self) -> &str;
    fn targets(&self) -> Vec<String>;
    fn send<'a>(&'a self, target: &'a str, d: &'a Rendered) -> BoxFuture<'a, crate::Result<String>>;
}
pub fn build_channels(_cfg: &crate::config::Config, _state_dir: &std::path::Path, _http: &crate::http::HttpClient) -> crate::Result<Vec<Box<dyn Channel>>> { Ok(Vec::new()) }
#[derive(Debug, Default)]
pub struct DeliveryOutcome { pub delivered: Vec<String>, pub already_sent: Vec<String>, pub failed: Vec<(String, String)> }
pub async fn deliver(_store: &crate::store::Store, _rec: &mut crate::store::DigestRecord, _channels: &[Box<dyn Channel>], _rendered: &Rendered, _force: bool) -> DeliveryOutcome { DeliveryOutcome::default() }
