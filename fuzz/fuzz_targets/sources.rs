//! The arXiv, Hugging Face and Papers with Code parsers, through the `Source` trait as the fetch job
//! calls them, on arbitrary bytes. The first byte picks the source.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trendd::config::{ArxivSource, HuggingfaceSource, PwcSource, SourceConfig};
use trendd::sources::{build, Body};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let cfg = match pick % 3 {
        0 => SourceConfig::Arxiv(ArxivSource { name: "arxiv".into(), cross_lists: true, replacements: true, enabled: true, ..Default::default() }),
        1 => SourceConfig::Huggingface(HuggingfaceSource { name: "hf".into(), max_catch_up_days: 1, enabled: true, ..Default::default() }),
        _ => SourceConfig::Paperswithcode(PwcSource { name: "pwc".into(), max_pages: 1, enabled: true, url: None }),
    };
    let _ = build(&cfg).parse(&Body { bytes, content_type: None, url: "https://example.org/x" });
});
