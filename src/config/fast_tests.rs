use super::{parse, parse_split};

/// What the `toml` crate reads from `text` (None: an error).
fn full(text: &str) -> Option<toml::Table> {
    toml::from_str(text).ok()
}

/// The fast reader either gives up or agrees with the `toml` crate.
fn agrees(text: &str) -> bool {
    match parse(text) {
        None => true,
        Some(t) => full(text).as_ref() == Some(&t),
    }
}

#[test]
fn the_builtin_config_is_read_fast_and_alike() {
    let fast = parse(crate::config::BUILTIN).expect("the built-in config is plain TOML");
    assert_eq!(Some(fast), full(crate::config::BUILTIN));
}

#[test]
fn plain_documents_agree_with_the_toml_crate() {
    for text in [
        "",
        "\n\n# only a comment\n",
        "a = 1\nb = -2\nc = +3\nd = 0\n",
        "f = 1.5\ng = -0.25e3\nh = 1E-2\ni = 2e+10\n",
        "s = \"x\\ty\\n\\\"q\\\" \\\\ \\u00e9 \\U0001F600 \\b\\f\\r\"\nl = 'C:\\path'\ne = \"\"\nm = ''\n",
        "t = true\nf = false # trailing\n",
        "a = [1, 2, 3]\nb = []\nc = [ \"x\" , 'y', ]\nd = [[1, 2], [\"a\"]]\n",
        "a = [\n  1, # one\n  2,\n]\n",
        "[general]\nname = \"é ü 日本\"\n\n[http]\nconcurrency = 8\n",
        "[a.b]\nx = 1\n[a.c]\ny = 2\n[d]\nz = 3\n",
        "[ a . b ]\nx = 1\n",
        "[[source]]\nkind = \"feed\"\nname = \"f1\"\nurl = \"file:///x\"\n\n[[source]]\nname = \"f2\"\n",
        "[[a]]\n[[a]]\nx = 1\n[b]\n",
        "a = 1\r\nb = 2\r\n",
        "x=1\ny\t=\t\"t\"\t# c\n",
        "n = 9223372036854775807\nm = -9223372036854775808\n",
    ] {
        let fast = parse(text);
        assert!(fast.is_some(), "gave up on {text:?}");
        assert_eq!(fast, full(text), "{text:?}");
    }
}

#[test]
fn anything_else_is_left_to_the_toml_crate() {
    for text in [
        // errors
        "a = 1\na = 2\n",
        "[a]\n[a]\n",
        "[a]\nb = 1\n[a.b]\n",
        "a = [1]\n[[a]]\n",
        "a = \"\\q\"\n",
        "a = \"open\n",
        "a = 01\n",
        "a = 1.\n",
        "a = .5\n",
        "a = 1 2\n",
        "a = \n",
        "= 1\n",
        "[a\n",
        "a = 1\rb = 2\n",
        "a = \"\u{1}\"\n",
        "# \u{7f}\n",
        "n = 9223372036854775808\n",
        // legal TOML beyond the plain part
        "a.b = 1\n",
        "\"q\" = 1\n",
        "a = \"\"\"multi\nline\"\"\"\n",
        "a = '''lit'''\n",
        "a = { b = 1 }\n",
        "a = 1979-05-27\n",
        "a = 07:32:00\n",
        "a = 1_000\n",
        "a = 0x10\n",
        "a = inf\n",
        "a = nan\n",
        "a = -inf\n",
        "[[a]]\n[a.b]\n",
        "[a.b]\n[a]\n",
        "[[a]]\n[[a.b]]\n",
        "[\"q\"]\n",
        "\u{feff}a = 1\n",
        "a = truex\n",
        "a = 1e400\n",
    ] {
        assert!(agrees(text), "disagrees on {text:?}");
        assert!(parse(text).is_none(), "took {text:?}");
    }
}

#[test]
fn a_config_of_a_thousand_feeds_reads_alike() {
    let mut text = String::from("[http]\nconcurrency = 4\n\n");
    for i in 0..1000 {
        text.push_str(&format!(
            "[[source]]\nkind = \"feed\"\nname = \"f{i:04}\"\nurl = \"file:///srv/feeds/{i}.xml\"\n\n"
        ));
    }
    let fast = parse(&text).expect("plain TOML");
    assert_eq!(Some(fast), full(&text));
}

/// A list read apart, put back into the table, is the table the `toml` crate reads.
fn rejoined(text: &str) -> Option<toml::Table> {
    let (mut table, apart) = parse_split(text, Some("source"))?;
    if let Some(list) = apart {
        let list = list
            .into_iter()
            .map(|lines| {
                let t: toml::Table = lines.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                toml::Value::Table(t)
            })
            .collect();
        table.insert("source".into(), toml::Value::Array(list));
    }
    Some(table)
}

#[test]
fn a_list_read_apart_is_the_same_list() {
    for text in [
        "",
        "[general]\nx = 1\n",
        "[[source]]\n",
        "[[source]]\nkind = \"feed\"\nname = \"f1\"\nurl = \"file:///x\"\n\n[[source]]\nname = \"f2\"\n",
        "a = 1\n[[source]]\nk = [1, 2]\n[http]\nconcurrency = 2\n[[source]]\nk = 'x'\n",
        "[[sources]]\nx = 1\n[[source]]\ny = 2\n",
        "[[source]]\nx = 1\nsource = 3\n",
    ] {
        assert!(parse_split(text, Some("source")).is_some(), "gave up on {text:?}");
        assert_eq!(rejoined(text), full(text), "{text:?}");
    }
    let (_, apart) = parse_split("[general]\nx = 1\n", Some("source")).unwrap();
    assert!(apart.is_none(), "no [[source]], no list");
}

#[test]
fn any_other_use_of_the_list_name_is_left_to_the_toml_crate() {
    for text in [
        "source = 3\n[[source]]\nx = 1\n",
        "source = 3\n",
        "[source]\nx = 1\n",
        "[[source]]\nx = 1\n[source]\ny = 1\n",
        "[[source]]\nx = 1\n[source.sub]\ny = 1\n",
        "[[source.x]]\ny = 1\n",
        "[[source]]\nx = 1\nx = 2\n",
    ] {
        assert!(parse_split(text, Some("source")).is_none(), "took {text:?}");
    }
}
