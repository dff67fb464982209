//! Text cleaning shared by the sources: HTML to plain text, whitespace and control characters.
//!
//! `html_to_text` runs for every summary of every feed, so it is a single linear scan rather than a
//! full HTML5 parse: tags are dropped, the content of script/style-like elements is skipped, comments
//! are dropped, CDATA is kept as text, and character references are decoded with the HTML5 table.

/// Elements whose content is never text a reader should see.
const SKIP_CONTENT: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "noembed", "noframes", "title",
];

/// Elements that do not break a line; every other tag becomes a space so that `<p>a</p><p>b</p>`
/// reads "a b" and not "ab".
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
    "tt", "strike", "big", "ins", "del",
];

/// Turns an HTML fragment into clean plain text (tags dropped, entities decoded, script/style removed).
pub fn html_to_text(html: &str) -> String {
    if memchr::memchr2(b'<', b'&', html.as_bytes()).is_none() {
        return clean_inline(html);
    }
    let b = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    while i < b.len() {
        let run_end = memchr::memchr2(b'<', b'&', &b[i..]).map_or(b.len(), |p| i + p);
        out.push_str(&html[i..run_end]);
        i = run_end;
        if i >= b.len() {
            break;
        }
        if b[i] == b'&' {
            let (decoded, next) = decode_entity_at(html, i);
            match decoded {
                Some(d) => d.push_to(&mut out),
                None => out.push('&'),
            }
            i = next;
            continue;
        }
        // b[i] == b'<'
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = find(b, i + 4, b"-->").map_or(b.len(), |p| p + 3);
        } else if rest.starts_with(b"<![CDATA[") {
            let end = find(b, i + 9, b"]]>").unwrap_or(b.len());
            out.push_str(&html[i + 9..end]);
            i = (end + 3).min(b.len());
        } else if rest.len() > 1 && (rest[1] == b'!' || rest[1] == b'?') {
            i = find(b, i + 2, b">").map_or(b.len(), |p| p + 1);
        } else if rest.len() > 2 && rest[1] == b'/' && rest[2].is_ascii_alphabetic() {
            let (name_end, end) = (name_end(b, i + 2), tag_end(b, i + 2));
            if !is_inline(&b[i + 2..name_end]) {
                out.push(' ');
            }
            i = end;
        } else if rest.len() > 1 && rest[1].is_ascii_alphabetic() {
            let ne = name_end(b, i + 1);
            let name = &b[i + 1..ne];
            let end = tag_end(b, ne);
            let self_closing = end >= 2 && b[end - 2] == b'/';
            if !self_closing
                && SKIP_CONTENT
                    .iter()
                    .any(|s| s.as_bytes().eq_ignore_ascii_case(name))
            {
                i = skip_until_close(b, end, name);
            } else {
                i = end;
            }
            if !is_inline(name) {
                out.push(' ');
            }
        } else {
            out.push('<');
            i += 1;
        }
    }
    clean_inline(&out)
}

/// At most this many hrefs are returned (a bound on the work a hostile fragment causes).
const MAX_HREFS: usize = 500;

/// Every `href` attribute value in an HTML fragment, entity-decoded, in document order (duplicates
/// removed, at most `MAX_HREFS`). Relative values are returned as found; the caller resolves them.
pub fn html_hrefs(html: &str) -> Vec<String> {
    let b = html.as_bytes();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &b[i..]).map(|p| i + p) {
        i = p + 1;
        if b.get(i).is_none_or(|c| !c.is_ascii_alphabetic()) {
            if b[i..].starts_with(b"!--") {
                i = find(b, i + 3, b"-->").map_or(b.len(), |p| p + 3);
            }
            continue;
        }
        let ne = name_end(b, i);
        let end = tag_end(b, ne);
        let name = &b[i..ne];
        if SKIP_CONTENT
            .iter()
            .any(|s| s.as_bytes().eq_ignore_ascii_case(name))
        {
            i = skip_until_close(b, end, name);
            continue;
        }
        // Most tags hold no href: their attributes are not worth splitting.
        let span = &b[ne..end];
        let has_href = memchr::memchr2_iter(b'h', b'H', span).any(|p| {
            span.get(p..p + 4)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"href"))
        });
        if !has_href {
            i = end;
            continue;
        }
        for (k, v) in attributes(&html[ne..end]) {
            if k.eq_ignore_ascii_case("href") {
                let v = decode_entities(v.trim());
                if !v.is_empty() && out.len() < MAX_HREFS && !out.contains(&v) {
                    out.push(v);
                }
            }
        }
        i = end;
    }
    out
}

/// Decodes HTML character references (named, decimal, hex) in text that holds no markup.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let b = s.as_bytes();
    while let Some(p) = memchr::memchr(b'&', &b[i..]).map(|p| i + p) {
        out.push_str(&s[i..p]);
        let (decoded, next) = decode_entity_at(s, p);
        match decoded {
            Some(d) => d.push_to(&mut out),
            None => out.push('&'),
        }
        i = next;
    }
    out.push_str(&s[i..]);
    out
}

/// One line of clean text: control characters and bidi overrides removed, whitespace collapsed.
pub fn clean_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    // ASCII, the common case, byte by byte: white space and controls are the bytes up to the space
    // and DEL, and none of the invisible characters below is ASCII.
    if s.is_ascii() {
        for &b in s.as_bytes() {
            if b <= b' ' || b == 0x7f {
                space = !out.is_empty();
                continue;
            }
            if space {
                out.push(' ');
                space = false;
            }
            out.push(b as char);
        }
        return out;
    }
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{AD}')
        {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// What a character reference stands for: one or two characters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Decoded(pub char, pub Option<char>);

impl Decoded {
    fn push_to(self, out: &mut String) {
        out.push(self.0);
        if let Some(c) = self.1 {
            out.push(c);
        }
    }
}

/// The HTML5 named character reference `name` (without `&`, with or without the `;`).
pub(crate) fn named_entity(name: &str) -> Option<Decoded> {
    let &(a, b) = web_atoms::NAMED_ENTITIES.get(name)?;
    // The table also maps every prefix of a name to (0, 0) for the HTML tokenizer's benefit.
    let a = char::from_u32(a).filter(|&c| c != '\0')?;
    Some(Decoded(a, char::from_u32(b).filter(|&c| c != '\0')))
}

/// The numeric character reference (`&#233;`, `&#xE9`) at `s[i] == '&'`: its character and the index
/// just past it, or None when no digits follow.
pub(crate) fn numeric_ref_at(s: &str, i: usize) -> Option<(char, usize)> {
    let b = s.as_bytes();
    let mut j = i + 2;
    let hex = matches!(b.get(j), Some(b'x' | b'X'));
    if hex {
        j += 1;
    }
    let start = j;
    while j < b.len()
        && j - start < 8
        && (if hex {
            b[j].is_ascii_hexdigit()
        } else {
            b[j].is_ascii_digit()
        })
    {
        j += 1;
    }
    if j == start {
        return None;
    }
    let n = u32::from_str_radix(&s[start..j], if hex { 16 } else { 10 }).unwrap_or(0xFFFD);
    if b.get(j) == Some(&b';') {
        j += 1;
    }
    Some((numeric_char(n), j))
}

/// A numeric character reference's code point, mapped the way browsers do (C1 controls read as
/// windows-1252, invalid values as U+FFFD).
pub(crate) fn numeric_char(n: u32) -> char {
    const W1252: [u16; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    match n {
        0 => '\u{FFFD}',
        0x80..=0x9F => char::from_u32(W1252[(n - 0x80) as usize] as u32).unwrap_or('\u{FFFD}'),
        _ => char::from_u32(n).unwrap_or('\u{FFFD}'),
    }
}

/// Decodes the reference starting at `s[i] == '&'`; returns what it stands for (None: a literal `&`)
/// and the index just past what was consumed.
pub(crate) fn decode_entity_at(s: &str, i: usize) -> (Option<Decoded>, usize) {
    let b = s.as_bytes();
    let mut j = i + 1;
    if b.get(j) == Some(&b'#') {
        return match numeric_ref_at(s, i) {
            Some((c, next)) => (Some(Decoded(c, None)), next),
            None => (None, i + 1),
        };
    }
    let start = j;
    while j < b.len() && j - start < 32 && b[j].is_ascii_alphanumeric() {
        j += 1;
    }
    if j == start {
        return (None, i + 1);
    }
    if b.get(j) == Some(&b';') {
        if let Some(d) = named_entity(&s[start..=j]) {
            return (Some(d), j + 1);
        }
    }
    // Legacy references without `;` (`&amp`, `&copy`): longest known prefix.
    for end in (start + 1..=j).rev() {
        if let Some(d) = named_entity(&s[start..end]) {
            return (Some(d), end);
        }
    }
    (None, i + 1)
}

fn is_inline(name: &[u8]) -> bool {
    INLINE
        .iter()
        .any(|s| s.as_bytes().eq_ignore_ascii_case(name))
}

/// Index of the first `needle` in `hay` at or after `from`. The needles are a few bytes (`-->`,
/// `]]>`, `</`): a scan for the first byte beats `memmem`, whose searcher is built anew per call.
pub(crate) fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut i = from;
    while i < hay.len() {
        let at = i + memchr::memchr(first, &hay[i..])?;
        if hay[at + 1..].starts_with(rest) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// End of a tag name starting at `i`.
fn name_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
        i += 1;
    }
    i
}

/// Index just past the `>` closing a tag whose attributes start at `i`; quotes count only as
/// attribute-value delimiters (right after `=`), so a stray apostrophe cannot swallow the document.
fn tag_end(b: &[u8], mut i: usize) -> usize {
    // Jumps from quote to quote: a byte-by-byte walk was a tenth of a feed's parse. `from` is where
    // an `=` could last have been seen, past the previous value or stray quote.
    let mut from = i;
    while let Some(p) = memchr::memchr3(b'>', b'"', b'\'', &b[i..]).map(|p| i + p) {
        if b[p] == b'>' {
            return p + 1;
        }
        let last = b[from..p].iter().rev().find(|c| !c.is_ascii_whitespace());
        i = if last == Some(&b'=') {
            match memchr::memchr(b[p], &b[p + 1..]) {
                Some(k) => p + 1 + k + 1,
                None => return b.len(),
            }
        } else {
            p + 1
        };
        from = i;
    }
    b.len()
}

/// Index just past `</name ...>` (case-insensitive) at or after `i`, or the end of the input.
fn skip_until_close(b: &[u8], mut i: usize, name: &[u8]) -> usize {
    while let Some(p) = find(b, i, b"</") {
        let n = p + 2;
        if b.len() >= n + name.len() && b[n..n + name.len()].eq_ignore_ascii_case(name) {
            let after = b.get(n + name.len()).copied().unwrap_or(b'>');
            if after == b'>' || after.is_ascii_whitespace() || after == b'/' {
                return tag_end(b, n + name.len());
            }
        }
        i = n;
    }
    b.len()
}

/// `name=value` pairs of the inside of a start tag (after its name).
fn attributes(s: &str) -> Vec<(&str, &str)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/' || b[i] == b'>') {
            i += 1;
        }
        let ks = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let key = &s[ks..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            if key.is_empty() {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let vs = i + 1;
                let ve = b[vs..]
                    .iter()
                    .position(|&c| c == q)
                    .map_or(b.len(), |p| vs + p);
                i = (ve + 1).min(b.len());
                &s[vs..ve]
            }
            _ => {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                &s[vs..i]
            }
        };
        out.push((key, value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_gives_the_first_whole_needle_at_or_after_from() {
        let hay = b"a--b-->c-->";
        assert_eq!(find(hay, 0, b"-->"), Some(4));
        assert_eq!(find(hay, 5, b"-->"), Some(8));
        assert_eq!(find(hay, 9, b"-->"), None);
        assert_eq!(find(hay, 99, b"-->"), None);
        assert_eq!(find(b"--", 0, b"-->"), None, "a prefix at the end");
        assert_eq!(find(b"x>", 0, b">"), Some(1));
        assert_eq!(find(b"abc", 0, b""), None);
    }

    #[test]
    fn drops_script_style_and_comments() {
        let html = "<style>p{color:red}</style><p>Hello <b>world</b></p><script>alert('x')</script><!-- c -->!";
        assert_eq!(html_to_text(html), "Hello world !");
        assert_eq!(html_to_text("<SCRIPT type=x>a<b>c</SCRIPT >d"), "d");
        assert_eq!(html_to_text("a<style>never closed"), "a");
    }

    #[test]
    fn decodes_entities() {
        assert_eq!(
            html_to_text("caf&eacute; &amp; &#233;&#xE9; &phi;&nbsp;x"),
            "café & éé φ x"
        );
        assert_eq!(html_to_text("AT&T &unknown; &#150;"), "AT&T &unknown; –");
        assert_eq!(html_to_text("&copy 2004"), "© 2004");
        assert_eq!(decode_entities("a&lt;b&gt;"), "a<b>");
    }

    #[test]
    fn paragraphs_become_spaces_and_literal_lt_survives() {
        assert_eq!(
            html_to_text("<p>one</p><p>two</p><br/>three"),
            "one two three"
        );
        assert_eq!(html_to_text("1 < 2 and x<3"), "1 < 2 and x<3");
        assert_eq!(
            html_to_text("<a href=\"x'y\" title='>'>link</a> after"),
            "link after"
        );
        assert_eq!(html_to_text("<![CDATA[raw <b>]]>"), "raw <b>");
    }

    #[test]
    fn hrefs_are_found_and_decoded() {
        let html = r#"<p><a href="https://arxiv.org/abs/2401.00001?a=1&amp;b=2">paper</a> <A HREF='/rel'>r</A>
            <script>var a = '<a href="https://evil">';</script><a href=https://x.org/y>y</a></p>"#;
        assert_eq!(
            html_hrefs(html),
            vec![
                "https://arxiv.org/abs/2401.00001?a=1&b=2",
                "/rel",
                "https://x.org/y"
            ]
        );
    }

    #[test]
    fn clean_inline_removes_controls_and_bidi() {
        assert_eq!(clean_inline("  a\u{202E}b\u{0007}\n\tc  "), "ab c");
    }
}
