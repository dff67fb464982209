use super::*;

fn parse(doc: &str) -> Vec<Entry> {
    parse_feed(doc.as_bytes(), None, "https://blog.example.org/feed.xml").expect("parses")
}

#[test]
fn rss2_basics_are_clean() {
    let doc = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>B</title><link>https://blog.example.org/</link>
        <item><title>Caf&eacute; &amp; &lt;b&gt;bold&lt;/b&gt;  news&nbsp;today</title><link>/posts/1</link>
        <guid isPermaLink="false">post-1</guid>
        <description><![CDATA[<style>.x{color:red}</style><p>First para.</p><p>See <a href="https://arxiv.org/abs/2401.01234v2">the paper</a>.</p>]]></description>
        <pubDate>Thurs, 3 Sep 2015 10:00:00 GMT</pubDate><dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Ada</dc:creator>
        <category>ml</category></item></channel></rss>"#;
    let e = &parse(doc)[0];
    assert_eq!(e.title, "Café & bold news today");
    assert_eq!(e.url.as_deref(), Some("https://blog.example.org/posts/1"));
    assert_eq!(e.guid.as_deref(), Some("post-1"));
    assert_eq!(e.abstract_text, "First para. See the paper.");
    assert_eq!(e.links, vec!["https://arxiv.org/abs/2401.01234v2"]);
    assert_eq!(
        e.published.map(|d| d.to_rfc3339()),
        Some("2015-09-03T10:00:00+00:00".into())
    );
    assert_eq!(e.authors, vec!["Ada"]);
    assert_eq!(e.categories, vec!["ml"]);
    assert_eq!(e.kind, Some(ItemKind::Post));
}

#[test]
fn dangerous_schemes_are_dropped() {
    let doc = r#"<rss version="2.0"><channel><item><title>a</title><link>javascript:alert(1)</link>
        <description>&lt;a href="data:text/html;base64,xx"&gt;x&lt;/a&gt; &lt;a href="JaVaScRiPt:evil()"&gt;y&lt;/a&gt;</description></item>
        <item><title>b</title><link>data:text/html,hi</link></item>
        <item><title>c</title><link>ftp://x.org/f</link></item></channel></rss>"#;
    let es = parse(doc);
    assert_eq!(es.len(), 3);
    assert!(
        es.iter().all(|e| e.url.is_none() && e.links.is_empty()),
        "{es:?}"
    );
}

#[test]
fn relative_links_resolve_against_xml_base_then_feed_link() {
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/dir/">
        <entry><title>t</title><id>tag:a,1</id><link href="post.html"/></entry></feed>"#;
    assert_eq!(
        parse(atom)[0].url.as_deref(),
        Some("https://a.example/dir/post.html")
    );
    // From a file:// document the feed's own link is the base.
    let rss = r#"<rss version="2.0"><channel><link>https://site.example/blog/</link>
        <item><title>t</title><link>2024/01/x</link></item></channel></rss>"#;
    let es = parse_feed(rss.as_bytes(), None, "file:///tmp/feed.xml").unwrap();
    assert_eq!(
        es[0].url.as_deref(),
        Some("https://site.example/blog/2024/01/x")
    );
    // Nothing to resolve against: no link rather than a wrong one.
    let bare = r#"<rss version="2.0"><channel><item><title>t</title><link>x.html</link></item></channel></rss>"#;
    assert_eq!(
        parse_feed(bare.as_bytes(), None, "file:///tmp/f.xml").unwrap()[0].url,
        None
    );
}

#[test]
fn content_links_resolve_against_the_post_and_skip_anchors() {
    let doc = r##"<rss version="2.0"><channel><link>https://site.example/</link><item><title>t</title>
        <link>https://site.example/blog/post/</link>
        <description>&lt;a href="#sec"&gt;s&lt;/a&gt; &lt;a href="fig.png"&gt;f&lt;/a&gt; &lt;a href="//arxiv.org/abs/2401.00001"&gt;p&lt;/a&gt;</description>
        </item></channel></rss>"##;
    let es = parse_feed(doc.as_bytes(), None, "file:///x.xml").unwrap();
    assert_eq!(
        es[0].links,
        vec![
            "https://site.example/blog/post/fig.png",
            "https://arxiv.org/abs/2401.00001"
        ]
    );
}

#[test]
fn entries_without_id_or_link_get_no_invented_guid() {
    let doc = r#"<rss version="2.0"><channel><item><title>Only a title</title><description>d</description></item></channel></rss>"#;
    let a = parse(doc);
    let b = parse(doc);
    assert_eq!(a, b, "two parses of the same document must agree");
    assert_eq!(a[0].guid, None);
    let atom =
        r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title></entry></feed>"#;
    assert_eq!(parse(atom), parse(atom));
    assert_eq!(parse(atom)[0].guid, None);
}

#[test]
fn html_entities_and_undeclared_latin1_survive() {
    let doc = b"<rss version=\"2.0\"><channel><item><title>Caf\xE9 &phi; &hellip;</title><link>http://x.org/a?b=1&c=2</link></item></channel></rss>";
    let e = &parse_feed(doc, None, "").unwrap()[0];
    assert_eq!(e.title, "Café φ …");
    assert_eq!(e.url.as_deref(), Some("http://x.org/a?b=1&c=2"));
}

#[test]
fn http_charset_is_applied() {
    let doc = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><item><title>\xCF\xF0\xE8\xE2\xE5\xF2</title></item></channel></rss>";
    let e = &parse_feed(doc, Some("text/xml; charset=windows-1251"), "").unwrap()[0];
    assert_eq!(e.title, "Привет");
}

#[test]
fn dialects_feed_rs_does_not_know_fall_back() {
    let atom03 = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><title>Old atom</title>
        <link rel="alternate" href="http://o.example/1"/><id>o1</id><issued>2004-01-01T00:00:00Z</issued>
        <content type="text/html" mode="escaped">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>"#;
    let e = &parse(atom03)[0];
    assert_eq!(
        (
            e.title.as_str(),
            e.url.as_deref(),
            e.guid.as_deref(),
            e.abstract_text.as_str()
        ),
        ("Old atom", Some("http://o.example/1"), Some("o1"), "Body")
    );
    assert!(e.published.is_some());
    let cdf = r#"<CHANNEL HREF="http://c.example/"><ITEM HREF="http://c.example/i" LASTMOD="2004-04-06T23:05:43-05:00"><TITLE>CDF</TITLE><ABSTRACT>abs</ABSTRACT></ITEM></CHANNEL>"#;
    let e = &parse(cdf)[0];
    assert_eq!(
        (e.title.as_str(), e.url.as_deref(), e.abstract_text.as_str()),
        ("CDF", Some("http://c.example/i"), "abs")
    );
    assert_eq!(
        e.published.map(|d| d.to_rfc3339()),
        Some("2004-04-07T04:05:43+00:00".into())
    );
    let unversioned = "<rss><channel><item><title>&copy; x</title></item></channel></rss>";
    assert_eq!(parse(unversioned)[0].title, "© x");
}

#[test]
fn json_feed() {
    let doc = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","home_page_url":"https://j.example/",
        "items":[{"id":"1","url":"https://j.example/1","title":"One","content_html":"<p>Hi <script>x()</script><a href='https://arxiv.org/abs/1234.5678'>p</a></p>","date_published":"2020-01-02T03:04:05Z"}]}"#;
    let e = &parse(doc)[0];
    assert_eq!(
        (
            e.title.as_str(),
            e.url.as_deref(),
            e.guid.as_deref(),
            e.abstract_text.as_str()
        ),
        ("One", Some("https://j.example/1"), Some("1"), "Hi p")
    );
    assert_eq!(e.links, vec!["https://arxiv.org/abs/1234.5678"]);
}

#[test]
fn lenient_json_feed() {
    // feed-rs refuses this one (numeric id, no version, no title); the lenient reader does not.
    let doc = r#"{"items":[{"id":42,"url":"https://j.example/42","content_text":"a <b> c","date_modified":"2021-02-03"}]}"#;
    let e = &parse(doc)[0];
    assert_eq!(
        (
            e.guid.as_deref(),
            e.url.as_deref(),
            e.abstract_text.as_str()
        ),
        (Some("42"), Some("https://j.example/42"), "a <b> c")
    );
    assert!(e.published.is_some());
    assert_eq!(
        parse_feed(br#"{"hello": 1}"#, None, "").unwrap_err(),
        "not a feed: JSON without a JSON Feed \"items\" list"
    );
    assert!(parse_feed(b"{\"items\": [", None, "")
        .unwrap_err()
        .starts_with("JSON error at line 1"));
}

#[test]
fn a_panic_inside_is_an_error_not_a_crash() {
    let r: Result<(), String> = via_feedrs::guarded(|| panic!("boom"));
    assert_eq!(r.unwrap_err(), "feed parser failed internally: boom");
}

#[test]
fn not_feeds_and_broken_feeds_are_clear_errors() {
    let err = parse_feed(b"<html><body>hi</body></html>", None, "").unwrap_err();
    assert!(
        err.starts_with("not a feed: no <rss>, <feed> or <rdf:RDF> root"),
        "{err}"
    );
    assert_eq!(parse_feed(b"  ", None, "").unwrap_err(), "empty document");
    let err = parse_feed(b"<rss version=\"2.0\"><channel><title>t</title>", None, "").unwrap_err();
    assert!(err.starts_with("XML error at byte"), "{err}");
    // A cut-off document still yields the entries before the cut.
    let es = parse_feed(
        b"<rss version=\"2.0\"><channel><item><title>a</title></item><item><title>b</ti",
        None,
        "",
    )
    .unwrap();
    assert_eq!(
        es.iter().map(|e| e.title.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    // A valid feed with no entries is not an error.
    assert!(parse_feed(
        b"<rss version=\"2.0\"><channel><title>t</title></channel></rss>",
        None,
        ""
    )
    .unwrap()
    .is_empty());
}

#[test]
fn hostile_bytes_never_panic() {
    let samples: [&[u8]; 8] = [
        b"<", b"<rss", b"<rss version='2.0'><channel><item><title>&#xD800;&#99999999;</title></item>", b"\xFF\xFE<\0r\0",
        b"{\"items\": 5}", b"<feed xmlns='http://www.w3.org/2005/Atom' xml:base='http://[::1'><entry><link href='x'/></entry></feed>",
        b"<!DOCTYPE x [<!ENTITY a \"&a;&a;\">]><rss><channel><item><title>&a;</title></item></channel></rss>", b"\x00\x00\x00\x00",
    ];
    for s in samples {
        let _ = parse_feed(s, None, "not a url");
    }
}
