//! The XML reader: a tolerant walk over any feed-like XML: every `item`/`entry` element (any namespace, any case, any
//! depth, not nested in another) is an entry, and its direct children named like a title, link, id,
//! summary, content, date, author or category fill it. Mismatched end tags are accepted; at the first
//! hard XML error the walk stops and keeps what it found.

use super::{dates, RawEntry, RawFeed};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::sync::LazyLock;
use url::Url;

/// What a direct child of an entry holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Title,
    Link,
    Id,
    Summary,
    Content,
    Published,
    Updated,
    Author,
    Category,
}

fn classify(local: &str) -> Option<Field> {
    Some(match local {
        "title" => Field::Title,
        "link" | "permalink" => Field::Link,
        "guid" | "id" => Field::Id,
        "description" | "summary" | "abstract" => Field::Summary,
        "encoded" | "content" | "body" | "fullitem" => Field::Content,
        "pubdate" | "published" | "issued" | "created" | "date" => Field::Published,
        "updated" | "modified" | "lastmod" => Field::Updated,
        "author" | "creator" | "contributor" => Field::Author,
        "category" | "subject" | "tag" | "keyword" => Field::Category,
        _ => return None,
    })
}

/// A field being read: its element depth and the text (or inner markup) so far.
struct Capture {
    field: Field,
    depth: usize,
    buf: String,
    /// For authors: the text of a nested `<name>`, which wins over the whole element's text.
    name: Option<String>,
    in_name: bool,
    /// Declared plain text (Atom `type="text"`): a `<` in it is a character, not a tag.
    plain: bool,
    /// Atom 0.3 `mode="base64"`, or an Atom 1.0 `type` that is neither text nor XML.
    base64: bool,
}

/// Decodes base64 (whitespace ignored); None when it is not base64.
fn base64_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(utf8(&out).into_owned())
}

/// Escapes text so that the HTML-to-text step gives it back unchanged.
fn escape_markup(s: &str) -> String {
    if !s.contains(['<', '&']) {
        return s.to_string();
    }
    s.replace('&', "&amp;").replace('<', "&lt;")
}

struct Open {
    depth: usize,
    entry: RawEntry,
    link_is_alternate: bool,
}

/// Walks the document; `Err` only when it is not a feed at all or breaks before yielding anything.
pub(super) fn parse(xml: &str, doc_base: Option<&Url>) -> Result<RawFeed, String> {
    let mut reader = Reader::from_str(xml);
    let cfg = reader.config_mut();
    cfg.check_end_names = false;
    cfg.allow_unmatched_ends = true;
    cfg.allow_dangling_amp = true;
    cfg.check_comments = false;

    let mut feed = RawFeed::default();
    let mut root: Option<String> = None;
    let mut depth = 0usize;
    let mut bases: Vec<(usize, Url)> = doc_base.map(|b| vec![(0, b.clone())]).unwrap_or_default();
    let mut open: Option<Open> = None;
    let mut cap: Option<Capture> = None;
    let mut feed_link_cap: Option<(usize, String)> = None;
    let mut error: Option<String> = None;
    let mut errors = 0;
    let mut open_names: Vec<String> = Vec::new();

    loop {
        let pos = reader.buffer_position();
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                // Keep reading past a damaged spot when the reader moved on; stop when it is stuck.
                error.get_or_insert_with(|| format!("XML error at byte {pos}: {e}"));
                errors += 1;
                if errors > 20 || reader.buffer_position() <= pos {
                    break;
                }
                continue;
            }
        };
        match ev {
            Event::Start(ref s) | Event::Empty(ref s) => {
                let empty = matches!(ev, Event::Empty(_));
                depth += 1;
                let local = text_of(xml, s.local_name().into_inner()).to_ascii_lowercase();
                if root.is_none() {
                    root = Some(local.clone());
                }
                if let Some(b) = xml_base(s, bases.last().map(|(_, u)| u)) {
                    bases.push((depth, b));
                }
                if let Some(c) = cap.as_mut() {
                    c.buf.push('<');
                    c.buf.push_str(&text_of(xml, s.as_ref()));
                    c.buf.push_str(if empty { "/>" } else { ">" });
                    if c.field == Field::Author && local == "name" && !empty {
                        c.in_name = true;
                        c.name = Some(String::new());
                    }
                } else if let Some(o) = open.as_mut().filter(|o| depth == o.depth + 1) {
                    if let Some(field) = classify(&local).filter(|_| !foreign_prefix(s)) {
                        let base = bases.last().map(|(_, u)| u.clone());
                        let taken = start_field(o, field, s, base, empty);
                        if !taken && !empty {
                            let ty = attr(s, "type").unwrap_or_default().to_ascii_lowercase();
                            let plain = ty == "text" || ty == "text/plain";
                            let base64 = attr(s, "mode")
                                .is_some_and(|m| m.eq_ignore_ascii_case("base64"))
                                || (ty.contains('/')
                                    && !ty.starts_with("text/")
                                    && !ty.contains("xml")
                                    && !ty.contains("html"));
                            cap = Some(Capture {
                                field,
                                depth,
                                buf: String::new(),
                                name: None,
                                in_name: false,
                                plain,
                                base64,
                            });
                        }
                    }
                } else if open.is_none() && (local == "item" || local == "entry") {
                    let mut o = Open {
                        depth,
                        entry: RawEntry::default(),
                        link_is_alternate: false,
                    };
                    // CDF puts an item's link and date in attributes.
                    if let Some(h) = attr(s, "href") {
                        o.entry.link = Some(h);
                        o.entry.base = bases.last().map(|(_, u)| u.clone());
                    }
                    o.entry.updated = attr(s, "lastmod").and_then(|d| dates::parse_date(&d));
                    if empty {
                        feed.entries.push(o.entry);
                    } else {
                        open = Some(o);
                    }
                } else if open.is_none() && local == "link" && feed.link.is_none() {
                    match attr(s, "href") {
                        Some(h)
                            if attr(s, "rel")
                                .is_none_or(|r| r.eq_ignore_ascii_case("alternate")) =>
                        {
                            feed.link = Some(h)
                        }
                        Some(_) => {}
                        None if !empty => feed_link_cap = Some((depth, String::new())),
                        None => {}
                    }
                } else if open.is_none() && local == "channel" && feed.link.is_none() {
                    feed.link = attr(s, "href");
                }
                if empty {
                    bases.retain(|(d, _)| *d < depth);
                    depth -= 1;
                } else {
                    open_names.push(local);
                }
            }
            Event::End(_) => {
                if depth == 0 {
                    continue;
                }
                if let Some(c) = cap.as_mut() {
                    if depth == c.depth {
                        let c = cap.take().expect("capture present");
                        if let Some(o) = open.as_mut() {
                            end_field(o, c);
                        }
                    } else {
                        c.buf.push_str("</");
                        c.buf
                            .push_str(open_names.last().map_or("x", String::as_str));
                        c.buf.push('>');
                        c.in_name = false;
                    }
                } else if open.as_ref().is_some_and(|o| o.depth == depth) {
                    feed.entries.push(open.take().expect("entry open").entry);
                } else if feed_link_cap.as_ref().is_some_and(|(d, _)| *d == depth) {
                    let (_, text) = feed_link_cap.take().expect("link capture");
                    let text = text.trim();
                    if !text.is_empty() {
                        feed.link = Some(text.to_string());
                    }
                }
                bases.retain(|(d, _)| *d < depth);
                open_names.pop();
                depth -= 1;
            }
            Event::Text(t) => push_text(&mut cap, &mut feed_link_cap, &text_of(xml, t.as_ref())),
            Event::CData(t) => push_text(&mut cap, &mut feed_link_cap, &text_of(xml, t.as_ref())),
            Event::GeneralRef(r) if cap.as_ref().is_some_and(|c| depth > c.depth) => {
                // Inside inline XHTML the reference stays a reference: `&lt;blink&gt;` is text there.
                push_text(
                    &mut cap,
                    &mut feed_link_cap,
                    &format!("&{};", utf8(r.as_ref())),
                );
            }
            Event::GeneralRef(r) => {
                let name = utf8(r.as_ref()).into_owned();
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => s.to_string(),
                        None => format!("&{name};"),
                    },
                };
                push_text(&mut cap, &mut feed_link_cap, &text);
            }
            Event::Eof => break,
            _ => {}
        }
    }

    // A document cut short still yields the entry it was in the middle of.
    if let Some(mut o) = open.take() {
        if let Some(c) = cap.take() {
            end_field(&mut o, c);
        }
        if !o.entry.is_empty() {
            feed.entries.push(o.entry);
        }
    }
    if !feed.entries.is_empty() {
        return Ok(feed);
    }
    let root = root.unwrap_or_default();
    if !matches!(
        root.as_str(),
        "rss" | "feed" | "rdf" | "channel" | "entry" | "item"
    ) {
        let found = if root.is_empty() {
            "no root element".to_string()
        } else {
            format!("root is <{root}>")
        };
        return Err(format!(
            "not a feed: no <rss>, <feed> or <rdf:RDF> root ({found})"
        ));
    }
    // An error once only the root is left open (`</rss` cut short) loses nothing.
    if let Some(e) = error.filter(|_| depth > 1) {
        return Err(e);
    }
    if depth > 1 {
        let inside = open_names.first().map_or("the root", String::as_str);
        return Err(format!("XML error at byte {}: document ends inside <{inside}> (truncated) and holds no entries", xml.len()));
    }
    Ok(feed)
}

fn push_text(cap: &mut Option<Capture>, feed_link: &mut Option<(usize, String)>, text: &str) {
    if let Some(c) = cap.as_mut() {
        c.buf.push_str(text);
        if c.in_name {
            c.name.get_or_insert_with(String::new).push_str(text);
        }
    } else if let Some((_, buf)) = feed_link.as_mut() {
        buf.push_str(text);
    }
}

/// Handles what a field's start tag alone says (Atom links and categories live in attributes);
/// returns true when the element needs no text capture.
fn start_field(o: &mut Open, field: Field, s: &BytesStart, base: Option<Url>, empty: bool) -> bool {
    match field {
        Field::Link => {
            let Some(href) = attr(s, "href").or_else(|| attr(s, "url")) else {
                return empty;
            };
            let rel = attr(s, "rel");
            let alternate = rel
                .as_deref()
                .is_none_or(|r| r.eq_ignore_ascii_case("alternate"));
            if o.entry.link.is_none() || (alternate && !o.link_is_alternate) {
                o.entry.link = Some(href);
                o.entry.base = base;
                o.link_is_alternate = alternate;
            }
            true
        }
        Field::Category => match attr(s, "term").or_else(|| attr(s, "label")) {
            Some(t) => {
                o.entry.categories.push(t);
                true
            }
            None => empty,
        },
        _ => {
            if empty {
                return true;
            }
            if matches!(field, Field::Title | Field::Summary | Field::Content)
                && o.entry.base.is_none()
            {
                o.entry.base = base;
            }
            false
        }
    }
}

fn end_field(o: &mut Open, c: Capture) {
    let text = if c.base64 {
        base64_decode(&c.buf).unwrap_or(c.buf)
    } else {
        c.buf
    };
    let text = if c.plain { escape_markup(&text) } else { text };
    if text.trim().is_empty() {
        return;
    }
    let e = &mut o.entry;
    match c.field {
        Field::Title => {
            e.title.get_or_insert(text);
        }
        Field::Link => {
            // RSS's text link is the item's own page; it beats an Atom link of another rel seen earlier.
            if e.link.is_none() || !o.link_is_alternate {
                e.link = Some(text.trim().to_string());
                o.link_is_alternate = true;
            }
        }
        Field::Id => {
            e.id.get_or_insert_with(|| text.trim().to_string());
        }
        Field::Summary => {
            e.summary.get_or_insert(text);
        }
        Field::Content => {
            e.content.get_or_insert(text);
        }
        Field::Published => {
            if e.published.is_none() {
                e.published = dates::parse_date(&text);
            }
        }
        Field::Updated => {
            if e.updated.is_none() {
                e.updated = dates::parse_date(&text);
            }
        }
        Field::Author => e
            .authors
            .push(c.name.filter(|n| !n.trim().is_empty()).unwrap_or(text)),
        Field::Category => e.categories.push(text),
    }
}

/// Extension namespaces whose `title`/`content`/`category` children describe media or podcasts,
/// not the entry itself.
fn foreign_prefix(s: &BytesStart) -> bool {
    let name = s.name();
    let Some(prefix) = name.prefix() else {
        return false;
    };
    let p = prefix.as_ref();
    [
        "media",
        "itunes",
        "georss",
        "gml",
        "psc",
        "slash",
        "wfw",
        "thr",
        "googleplay",
        "podcast",
    ]
    .iter()
    .any(|f| p.eq_ignore_ascii_case(f.as_bytes()))
}

/// Text of the repaired document (valid UTF-8 already): checked by the fast validator, which
/// `from_utf8_lossy` is not; the lossy decoding is only the fallback.
fn utf8(b: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// `b` as text when it is a slice of the document itself (the reader lends those out): cut from
/// `xml` by its offset, which needs no second UTF-8 check; anything else is checked.
fn text_of<'a>(xml: &'a str, b: &'a [u8]) -> std::borrow::Cow<'a, str> {
    let start = (b.as_ptr() as usize).wrapping_sub(xml.as_ptr() as usize);
    match xml.get(start..start.wrapping_add(b.len())) {
        Some(s) if s.as_ptr() == b.as_ptr() => std::borrow::Cow::Borrowed(s),
        _ => utf8(b),
    }
}

/// An attribute by local name, any case, entity-decoded; None when absent or blank.
fn attr(s: &BytesStart, name: &str) -> Option<String> {
    s.attributes().with_checks(false).flatten().find_map(|a| {
        let key = a.key.local_name();
        if !key.as_ref().eq_ignore_ascii_case(name.as_bytes())
            || a.key.as_ref().starts_with(b"xmlns")
        {
            return None;
        }
        let raw = utf8(&a.value);
        let v = crate::text::decode_entities(&raw).trim().to_string();
        (!v.is_empty()).then_some(v)
    })
}

/// The base a start tag's `xml:base` sets, resolved against the one in force.
fn xml_base(s: &BytesStart, current: Option<&Url>) -> Option<Url> {
    // Looked for in the tag's raw attribute text first: most tags have none, and walking the
    // attributes of every tag was a tenth of the walk.
    static KEY: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"xml:base"));
    KEY.find(s.attributes_raw())?;
    let raw = s
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == b"xml:base")?;
    let v = crate::text::decode_entities(utf8(&raw.value).trim());
    match Url::parse(&v) {
        Ok(u) => Some(u),
        Err(_) => current.and_then(|c| c.join(&v).ok()),
    }
}
