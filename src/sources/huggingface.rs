use super::{Body, Parsed, PlanContext, Request, Source};
use crate::config::HuggingfaceSource;

pub struct HuggingFace {
    cfg: HuggingfaceSource,
}

impl HuggingFace {
    pub fn new(cfg: HuggingfaceSource) -> Self {
        HuggingFace { cfg }
    }
}

impl Source for HuggingFace {
    fn name(&self) -> &str {
        &self.cfg.name
    }
    fn kind(&self) -> &'static str {
        "huggingface"
    }
    fn plan(&self, _ctx: &PlanContext) -> Vec<Request> {
        self.cfg.url.iter().map(|u| Request::get(u.clone())).collect()
    }
    fn parse(&self, _body: &Body<'_>) -> Result<Parsed, String> {
        Ok(Parsed::default())
    }
}
