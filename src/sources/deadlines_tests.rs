use super::*;

const FILE: &str = r#"
- title: NeurIPS
  year: 2027
  id: neurips27
  link: https://neurips.cc/
  deadlines:
    - type: abstract
      label: Abstract registration deadline
      date: '2027-05-11 23:59:59'
      timezone: AoE
    - type: paper
      label: Paper submission deadline
      date: '2027-05-14 23:59:59'
      timezone: UTC-7
    - type: camera_ready
      label: Camera-ready deadline
      date: 'sometime in October'
      timezone: AoE
  tags:
  - machine-learning
- title: ALT
  year: 2027
  link: https://algorithmiclearningtheory.org/alt2027/
  deadline: '2026-10-01 09:59:59'
  abstract_deadline: TBA
  timezone: GMT+02
  tags: [machine-learning]
- title: ECCV
  year: 2026
  deadlines:
    - type: paper
      label: Paper deadline
      date: '2026-03-05 23:59'
      timezone: Europe/London
    - type: rebuttal
      label: Rebuttal
      date: '2026-05-01 12:00:00'
      timezone: Mars/Olympus
  tags:
  - computer-vision
- title: [not, a, title]
  year: 2027
"#;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn both_layouts_read_with_their_zones_and_bad_entries_named() {
    let (list, skipped) = parse_yaml(FILE.as_bytes(), "conf.yml").unwrap();
    let find = |t: &str, l: &str| {
        list.iter()
            .find(|d| d.title == t && d.label.starts_with(l))
            .unwrap_or_else(|| panic!("{t} {l} missing from {list:?}"))
    };
    // AoE is UTC−12: 23:59:59 on the 11th there is 11:59:59 UTC on the 12th.
    assert_eq!(
        find("NeurIPS 2027", "Abstract").deadline,
        utc("2027-05-12T11:59:59Z")
    );
    assert_eq!(
        find("NeurIPS 2027", "Paper").deadline,
        utc("2027-05-15T06:59:59Z")
    );
    let alt = find("ALT 2027", "Paper");
    assert_eq!(alt.deadline, utc("2026-10-01T07:59:59Z"));
    assert_eq!(alt.tags, vec!["machine-learning"]);
    assert_eq!(
        alt.url.as_deref(),
        Some("https://algorithmiclearningtheory.org/alt2027/")
    );
    // London is on GMT in March.
    assert_eq!(
        find("ECCV 2026", "Paper").deadline,
        utc("2026-03-05T23:59:00Z")
    );
    // "TBA" is not announced yet, not malformed.
    assert!(!list
        .iter()
        .any(|d| d.title == "ALT 2027" && d.kind == "abstract"));
    assert_eq!(list.len(), 4, "{list:?}");
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(skipped
        .iter()
        .any(|s| s.contains("NeurIPS 2027 Camera-ready") && s.contains("sometime")));
    assert!(skipped.iter().any(|s| s.contains("Mars/Olympus")));
    assert!(skipped.iter().any(|s| s.contains("conf.yml entry 4")));
}

#[test]
fn zones_as_the_files_write_them() {
    let t = |z: &str| to_utc("2026-06-01 12:00:00", z).unwrap();
    assert_eq!(t("AoE"), utc("2026-06-02T00:00:00Z"));
    assert_eq!(t("UTC"), utc("2026-06-01T12:00:00Z"));
    assert_eq!(t("UTC  "), utc("2026-06-01T12:00:00Z"));
    assert_eq!(t("UTC+0"), utc("2026-06-01T12:00:00Z"));
    assert_eq!(t("UTC-7"), utc("2026-06-01T19:00:00Z"));
    assert_eq!(t("GMT+02"), utc("2026-06-01T10:00:00Z"));
    assert_eq!(t("UTC+05:30"), utc("2026-06-01T06:30:00Z"));
    assert_eq!(t("PST"), utc("2026-06-01T20:00:00Z"));
    // An IANA zone follows its DST: Los Angeles is UTC−7 in June.
    assert_eq!(t("America/Los_Angeles"), utc("2026-06-01T19:00:00Z"));
    assert!(to_utc("2026-06-01 12:00:00", "UTC+99").is_err());
    assert!(to_utc("2026-13-01 12:00:00", "UTC").is_err());
    assert_eq!(
        to_utc("2026-06-01", "UTC").unwrap(),
        utc("2026-06-01T23:59:59Z")
    );
}

#[test]
fn not_yaml_is_an_error_for_that_file() {
    let e = parse_yaml(b"- title: [unclosed", "x.yml").unwrap_err();
    assert!(e.starts_with("x.yml: not YAML"), "{e}");
    assert!(parse_yaml(b"title: alone", "y.yml").is_err());
    assert_eq!(parse_yaml(b"", "z.yml").unwrap().0.len(), 0);
}

fn body<'a>(bytes: &'a [u8], ct: Option<&'a str>, url: &'a str) -> Body<'a> {
    Body {
        bytes,
        content_type: ct,
        url,
    }
}

#[test]
fn indexes_name_their_yaml_files() {
    let html = br#"<html><body><ul><li><a href="aaai.yml">aaai.yml</a></li>
        <li><a href='sub/icml.yaml'>icml</a></li><li><a href="../">up</a></li>
        <li><a href="README.md">readme</a></li></ul></body></html>"#;
    let got = index(&body(html, Some("text/html"), "http://127.0.0.1:9/conf/")).unwrap();
    assert_eq!(
        got,
        vec![
            "http://127.0.0.1:9/conf/aaai.yml",
            "http://127.0.0.1:9/conf/sub/icml.yaml"
        ]
    );
    let list = b"file:///data/conf/b.yml\nfile:///data/conf/a.yml\nfile:///data/conf/LICENSE\n";
    let got = index(&body(list, Some("text/uri-list"), "file:///data/conf")).unwrap();
    assert_eq!(
        got,
        vec!["file:///data/conf/a.yml", "file:///data/conf/b.yml"]
    );
    let gh =
        br#"[{"name":"aaai.yml","type":"file","download_url":"https://raw.example.org/c/aaai.yml"},
                  {"name":"x","type":"dir","download_url":null}]"#;
    let got = index(&body(
        gh,
        Some("application/json; charset=utf-8"),
        DEFAULT_URL,
    ))
    .unwrap();
    assert_eq!(got, vec!["https://raw.example.org/c/aaai.yml"]);
    // A YAML file is not an index.
    assert!(index(&body(FILE.as_bytes(), None, "file:///c/conf.yml")).is_none());
}

#[test]
fn parse_follows_an_index_and_notes_what_it_skipped() {
    let src = Deadlines::new(DeadlinesSource {
        name: "deadlines".into(),
        ..Default::default()
    });
    let p = src
        .parse(&body(
            b"file:///c/a.yml\n",
            Some("text/uri-list"),
            "file:///c",
        ))
        .unwrap();
    assert_eq!(p.follow, vec!["file:///c/a.yml"]);
    assert!(p.deadlines.is_none());
    let p = src
        .parse(&body(FILE.as_bytes(), None, "file:///c/conf.yml"))
        .unwrap();
    assert_eq!(p.deadlines.as_ref().unwrap().len(), 4);
    let note = p.note.unwrap();
    assert!(
        note.starts_with("skipped 3 malformed deadline entries: conf.yml"),
        "{note}"
    );
}

#[test]
fn tags_filter() {
    let (list, _) = parse_yaml(FILE.as_bytes(), "conf.yml").unwrap();
    let ml = vec!["Machine-Learning".to_string()];
    assert_eq!(list.iter().filter(|d| wanted(d, &ml)).count(), 3);
    assert_eq!(list.iter().filter(|d| wanted(d, &[])).count(), 4);
}
