//! The merged table read into `Config` without serde's detour for `[[source]]`.
//!
//! `SourceConfig` is tagged by its `kind` key, and serde reads a tagged enum by first copying each
//! table into a buffer of its own: for a config of a thousand feeds that copy cost more than reading
//! the file. Here `kind` is taken out first and each table is read straight into its kind's struct;
//! a plain feed (name, url, label, enabled) is built without serde. Anything unusual gives `None`,
//! and the caller takes serde's road, which words the error.

use super::fast::Entries;
use super::schema::*;
use toml::{Table, Value};

/// The config `merged` holds, with `apart` (the user's `[[source]]` tables, when the fast reader
/// kept them out of `merged`) as its sources; `None` when serde must read it (to accept it or to
/// say why not).
pub(super) fn config(mut merged: Table, apart: Option<Vec<Entries<'_>>>) -> Option<Config> {
    let sources = match (apart, merged.remove("source")) {
        (Some(list), _) => {
            // Sized first: collected through `Option`, the list grew by doubling.
            let mut sources = Vec::with_capacity(list.len());
            for lines in list {
                sources.push(source_lines(lines)?);
            }
            sources
        }
        (None, None) => Vec::new(),
        (None, Some(Value::Array(list))) => {
            list.into_iter().map(source).collect::<Option<Vec<_>>>()?
        }
        (None, Some(_)) => return None,
    };
    let mut config: Config = Value::Table(merged).try_into().ok()?;
    config.sources = sources;
    Some(config)
}

/// One `[[source]]` as its lines (the fast reader's), `kind` among them.
fn source_lines(mut lines: Entries<'_>) -> Option<SourceConfig> {
    let at = lines.iter().position(|(k, _)| *k == "kind")?;
    let (_, Value::String(kind)) = lines.swap_remove(at) else {
        return None;
    };
    source_of(&kind, lines)
}

/// One `[[source]]` as a table.
fn source(v: Value) -> Option<SourceConfig> {
    let Value::Table(mut t) = v else { return None };
    let Some(Value::String(kind)) = t.remove("kind") else {
        return None;
    };
    source_of(&kind, t.into_iter().collect())
}

/// A source of `kind` from its other keys: a plain feed built from them as they are (its strings
/// moved, not copied), any other source read by serde from the table they make.
fn source_of<K: AsRef<str> + Into<String>>(
    kind: &str,
    lines: Vec<(K, Value)>,
) -> Option<SourceConfig> {
    let lines = match kind {
        "feed" => match plain_feed(lines) {
            Ok(f) => return Some(SourceConfig::Feed(f)),
            Err(lines) => lines,
        },
        _ => lines,
    };
    let rest = Value::Table(lines.into_iter().map(|(k, v)| (k.into(), v)).collect());
    Some(match kind {
        "arxiv" => SourceConfig::Arxiv(rest.try_into().ok()?),
        "huggingface" => SourceConfig::Huggingface(rest.try_into().ok()?),
        "paperswithcode" => SourceConfig::Paperswithcode(rest.try_into().ok()?),
        "feed" => SourceConfig::Feed(rest.try_into().ok()?),
        "deadlines" => SourceConfig::Deadlines(rest.try_into().ok()?),
        _ => return None,
    })
}

/// A feed of string `name` and `url`, and perhaps a string `label` and a boolean `enabled`; the
/// defaults are serde's (`FeedSource`'s attributes). Any other key or type: the lines back.
fn plain_feed<K: AsRef<str>>(lines: Vec<(K, Value)>) -> Result<FeedSource, Vec<(K, Value)>> {
    let plain = lines.iter().all(|(k, v)| {
        matches!(
            (k.as_ref(), v),
            ("name" | "url" | "label", Value::String(_)) | ("enabled", Value::Boolean(_))
        )
    });
    let has = |key: &str| lines.iter().any(|(k, _)| k.as_ref() == key);
    if !plain || !has("name") || !has("url") {
        return Err(lines);
    }
    let (mut name, mut url, mut label, mut enabled) = (String::new(), String::new(), None, true);
    for (k, v) in lines {
        match (k.as_ref(), v) {
            ("name", Value::String(s)) => name = s,
            ("url", Value::String(s)) => url = s,
            ("label", Value::String(s)) => label = Some(s),
            ("enabled", Value::Boolean(b)) => enabled = b,
            _ => {}
        }
    }
    Ok(FeedSource {
        name,
        label,
        url,
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
        let (table, apart) = super::super::merged_split(text, "test").unwrap();
        config(table, apart)
    }

    fn direct_from_table(text: &str) -> Option<Config> {
        config(merged(text), None)
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
            for read in [direct, direct_from_table] {
                let got = read(text).unwrap_or_else(|| panic!("not read directly: {text}"));
                assert_eq!(format!("{got:?}"), format!("{want:?}"), "{text}");
            }
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
            assert!(direct_from_table(text).is_none(), "read directly: {text}");
        }
    }
}
