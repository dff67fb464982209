//! The merged table read into `Config` without serde's detour for `[[source]]`.
//!
//! `SourceConfig` is tagged by its `kind` key, and serde reads a tagged enum by first copying each
//! table into a buffer of its own: for a config of a thousand feeds that copy cost more than reading
//! the file. Here `kind` is taken out first and each table is read straight into its kind's struct;
//! a plain feed (name, url, label, enabled) is built without serde. Anything unusual gives `None`,
//! and the caller takes serde's road, which words the error.

use super::schema::*;
use toml::{Table, Value};

/// The config `merged` holds, or `None` when serde must read it (to accept it or to say why not).
pub(super) fn config(mut merged: Table) -> Option<Config> {
    let sources = match merged.remove("source") {
        None => Vec::new(),
        Some(Value::Array(list)) => list.into_iter().map(source).collect::<Option<Vec<_>>>()?,
        Some(_) => return None,
    };
    let mut config: Config = Value::Table(merged).try_into().ok()?;
    config.sources = sources;
    Some(config)
}

fn source(v: Value) -> Option<SourceConfig> {
    let Value::Table(mut t) = v else { return None };
    let Some(Value::String(kind)) = t.remove("kind") else {
        return None;
    };
    if kind == "feed" {
        if let Some(f) = plain_feed(&t) {
            return Some(SourceConfig::Feed(f));
        }
    }
    let rest = Value::Table(t);
    Some(match kind.as_str() {
        "arxiv" => SourceConfig::Arxiv(rest.try_into().ok()?),
        "huggingface" => SourceConfig::Huggingface(rest.try_into().ok()?),
        "paperswithcode" => SourceConfig::Paperswithcode(rest.try_into().ok()?),
        "feed" => SourceConfig::Feed(rest.try_into().ok()?),
        "deadlines" => SourceConfig::Deadlines(rest.try_into().ok()?),
        _ => return None,
    })
}

/// A feed of string `name` and `url`, and perhaps a string `label` and a boolean `enabled`; the
/// defaults are serde's (`FeedSource`'s attributes). Any other key or type: `None`.
fn plain_feed(t: &Table) -> Option<FeedSource> {
    let (mut name, mut url, mut label, mut enabled) = (None, None, None, true);
    for (k, v) in t {
        match (k.as_str(), v) {
            ("name", Value::String(s)) => name = Some(s.clone()),
            ("url", Value::String(s)) => url = Some(s.clone()),
            ("label", Value::String(s)) => label = Some(s.clone()),
            ("enabled", Value::Boolean(b)) => enabled = *b,
            _ => return None,
        }
    }
    Some(FeedSource {
        name: name?,
        label,
        url: url?,
        enabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text over the built-in config, merged as `parse_str` merges it.
    fn merged(text: &str) -> Table {
        super::super::merged_table(text, "test").unwrap()
    }

    fn by_serde(text: &str) -> Result<Config, String> {
        Value::Table(merged(text))
            .try_into()
            .map_err(|e: toml::de::Error| e.to_string())
    }

    fn direct(text: &str) -> Option<Config> {
        config(merged(text))
    }

    #[test]
    fn reads_every_kind_as_serde_does() {
        for text in [
            "",
            "[[source]]\nkind = \"feed\"\nname = \"a\"\nurl = \"file:///a.xml\"\n",
            "[[source]]\nkind = \"feed\"\nname = \"a\"\nurl = \"https://x/f\"\nlabel = \"X\"\nenabled = false\n",
            "[[source]]\nkind = \"arxiv\"\nname = \"ax\"\ncategories = [\"cs.LG\"]\ncross_lists = false\n\
             [[source]]\nkind = \"huggingface\"\nname = \"hf\"\nmax_catch_up_days = 3\n\
             [[source]]\nkind = \"paperswithcode\"\nname = \"pwc\"\n\
             [[source]]\nkind = \"deadlines\"\nname = \"dl\"\ntags = [\"ML\"]\n\
             [[source]]\nkind = \"feed\"\nname = \"b\"\nurl = \"file:///b.xml\"\n",
        ] {
            let want = by_serde(text).unwrap();
            let got = direct(text).unwrap_or_else(|| panic!("not read directly: {text}"));
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{text}");
        }
    }

    #[test]
    fn leaves_what_serde_would_refuse_to_serde() {
        for text in [
            "[[source]]\nkind = \"feed\"\nname = \"a\"\n",
            "[[source]]\nkind = \"feed\"\nname = \"a\"\nurl = \"file:///a\"\nurll = \"x\"\n",
            "[[source]]\nkind = \"feed\"\nname = \"a\"\nurl = 5\n",
            "[[source]]\nkind = \"podcast\"\nname = \"a\"\nurl = \"file:///a\"\n",
            "[[source]]\nname = \"a\"\nurl = \"file:///a\"\n",
            "[[source]]\nkind = \"arxiv\"\nname = \"a\"\nbogus = 1\n",
            "source = 3\n",
            "[digest]\nminutes = \"ten\"\n",
        ] {
            assert!(by_serde(text).is_err(), "serde accepts {text}");
            assert!(direct(text).is_none(), "read directly: {text}");
        }
    }
}
