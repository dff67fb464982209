use super::{Body, Parsed, PlanContext, Request, Source};
use crate::config::ArxivSource;

pub struct Arxiv {
    cfg: ArxivSource,
}

impl Arxiv {
    pub fn new(cfg: ArxivSource) -> Self {
        Arxiv { cfg }
    }
}

impl Source for Arxiv {
    fn name(&self) -> &str {
        &self.cfg.name
    }
    fn kind(&self) -> &'static str {
        "arxiv"
    }
    fn plan(&self, _ctx: &PlanContext) -> Vec<Request> {
        self.cfg.url.iter().map(|u| Request::get(u.clone())).collect()
    }
    fn parse(&self, _body: &Body<'_>) -> Result<Parsed, String> {
        Ok(Parsed::default())
    }
}
