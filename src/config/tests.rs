use super::*;

#[test]
fn builtin_parses_and_validates() {
    let c = parse_str("", "empty").unwrap();
    assert_eq!(c.digest.minutes, 10);
    assert_eq!(c.digest.words_per_minute, 230);
    assert!(c.sources.len() >= 15);
    assert_eq!(c.delivers.len(), 1);
}

#[test]
fn unknown_key_is_an_error_with_a_line() {
    let e = parse_str("[digest]\nminutes = 5\nbogus_key = 1\n", "t.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("t.toml"), "{e}");
    assert!(e.contains("bogus_key"), "{e}");
    assert!(e.contains("line 3"), "{e}");
}

#[test]
fn wrong_type_is_an_error_with_a_line() {
    let e = parse_str("[digest]\nminutes = \"ten\"\n", "t.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2"), "{e}");
}

#[test]
fn unknown_key_in_a_source_is_an_error() {
    let e = parse_str(
        "[[source]]\nkind = \"feed\"\nname = \"a\"\nurl = \"file:///x\"\ncolor = 1\n",
        "t.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("color"), "{e}");
}

#[test]
fn lists_replace_and_scalars_merge() {
    let c = parse_str(
        "[digest]\nminutes = 5\n[[source]]\nkind = \"feed\"\nname = \"a\"\nurl = \"file:///x\"\n",
        "t",
    )
    .unwrap();
    assert_eq!(c.digest.minutes, 5);
    assert_eq!(c.digest.words_per_minute, 230);
    assert_eq!(c.sources.len(), 1);
    assert_eq!(c.delivers.len(), 1, "deliver list kept from the defaults");
}

#[test]
fn bad_timezone_and_cron_name_their_key() {
    let e = parse_str("[general]\ntimezone = \"Mars/Olympus\"\n", "t")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("general.timezone") && e.contains("line 2"),
        "{e}"
    );
    let e = parse_str("[schedule]\ndigest = \"61 * * * *\"\n", "t")
        .unwrap_err()
        .to_string();
    assert!(e.contains("schedule.digest"), "{e}");
}

#[test]
fn every_builtin_key_is_documented_in_the_file() {
    // The struct serialized back must not hold keys the shipped file lacks (one copy of the defaults).
    let c = parse_str("", "t").unwrap();
    let back = toml::to_string(&c).unwrap();
    let builtin: toml::Table = toml::from_str(BUILTIN).unwrap();
    let back: toml::Table = toml::from_str(&back).unwrap();
    for (section, v) in back {
        if let toml::Value::Table(t) = v {
            let b = builtin
                .get(&section)
                .and_then(|b| b.as_table())
                .unwrap_or_else(|| panic!("[{section}] missing"));
            for k in t.keys() {
                assert!(
                    b.contains_key(k),
                    "{section}.{k} is not in config/trendd.toml"
                );
            }
        }
    }
}

#[test]
fn store_keep_days_defaults_to_180_is_validated_and_never_below_the_digest_window() {
    let c = parse_str("", "t").unwrap();
    assert_eq!(c.store.keep_days, 180);
    for bad in ["0", "6", "36501"] {
        let e = parse_str(&format!("[store]\nkeep_days = {bad}\n"), "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("store.keep_days"), "{bad}: {e}");
    }
    let e = parse_str("[store]\nkeep = 3\n", "t")
        .unwrap_err()
        .to_string();
    assert!(e.contains("keep"), "{e}");
    let c = parse_str(
        "[store]\nkeep_days = 30\n[digest]\nmax_age_days = 90\n",
        "t",
    )
    .unwrap();
    assert_eq!(c.retention_days(), 90);
}
