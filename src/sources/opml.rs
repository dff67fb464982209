//! OPML import and export of blog feeds (placeholder until the feed work lands).
#[derive(Debug, Clone, PartialEq)]
pub struct OpmlFeed { pub title: String, pub xml_url: String, pub html_url: Option<String> }
pub fn parse_opml(_text: &str) -> Result<Vec<OpmlFeed>, String> { Ok(Vec::new()) }
pub fn export_opml(_feeds: &[OpmlFeed]) -> String { String::new() }
