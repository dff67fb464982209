use super::{Body, Parsed, PlanContext, Request, Source};
use crate::config::PwcSource;

pub struct PapersWithCode {
    cfg: PwcSource,
}

impl PapersWithCode {
    pub fn new(cfg: PwcSource) -> Self {
        PapersWithCode { cfg }
    }
}

impl Source for PapersWithCode {
    fn name(&self) -> &str {
        &self.cfg.name
    }
    fn kind(&self) -> &'static str {
        "paperswithcode"
    }
    fn plan(&self, _ctx: &PlanContext) -> Vec<Request> {
        self.cfg.url.iter().map(|u| Request::get(u.clone())).collect()
    }
    fn parse(&self, _body: &Body<'_>) -> Result<Parsed, String> {
        Ok(Parsed::default())
    }
}
