//! Turns a feed's bytes into UTF-8 text.
//!
//! Precedence: a byte-order mark (or the UTF-16/32 signature of `<`), then the HTTP `charset`
//! (RFC 3023: it overrides the document), then the XML declaration, then UTF-8. Two corrections
//! for what servers get wrong in practice: bytes that are valid UTF-8 with non-ASCII text are read as
//! UTF-8 even when a single-byte charset is claimed (the reverse accident is vanishingly rare), and
//! bytes that are not valid UTF-8 with no usable label are read as windows-1252 (a superset of
//! ISO-8859-1, the usual undeclared encoding).

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// Which rule chose the encoding (for tests and diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Bom,
    Http,
    Declaration,
    Default,
    Fallback,
}

/// The document as UTF-8 text (BOM removed), the encoding used and why.
/// UTF-8 text comes back borrowed, not copied: most feeds are UTF-8, and the copy was a pass over
/// every body.
pub fn decode<'b>(
    bytes: &'b [u8],
    content_type: Option<&str>,
) -> (Cow<'b, str>, &'static str, Why) {
    if let Some((text, name)) = decode_utf32(bytes) {
        return (Cow::Owned(text), name, Why::Bom);
    }
    let (bom_enc, rest) = match Encoding::for_bom(bytes) {
        Some((enc, len)) => (Some(enc), &bytes[len..]),
        None => (sniff_utf16(bytes), bytes),
    };
    if let Some(enc) = bom_enc {
        let (text, _) = enc.decode_without_bom_handling(rest);
        return (text, enc.name(), Why::Bom);
    }
    let http = content_type.and_then(http_charset).and_then(usable);
    let declared = declared_encoding(bytes).and_then(usable);
    let (chosen, why) = match (http, declared) {
        (Some(e), _) => (e, Why::Http),
        (None, Some(e)) => (e, Why::Declaration),
        (None, None) => (UTF_8, Why::Default),
    };
    let utf8 = std::str::from_utf8(bytes).ok();
    if let Some(s) = utf8 {
        if chosen == UTF_8 || (chosen.is_single_byte() && !s.is_ascii()) {
            return (
                Cow::Borrowed(s),
                UTF_8.name(),
                if chosen == UTF_8 { why } else { Why::Fallback },
            );
        }
    }
    if chosen == UTF_8 {
        let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
        return (text, WINDOWS_1252.name(), Why::Fallback);
    }
    let (text, _) = chosen.decode_without_bom_handling(bytes);
    (text, chosen.name(), why)
}

/// A label only counts when it names an ASCII-compatible encoding: a declaration read as ASCII that
/// claims UTF-16 is wrong about itself (the bytes would not have read as ASCII).
fn usable(enc: &'static Encoding) -> Option<&'static Encoding> {
    enc.is_ascii_compatible().then_some(enc)
}

/// The `charset` parameter of a Content-Type header (`charset = "us-ascii"`, `charset='gb2312'`).
pub fn http_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once(['=', ':'])?;
        if !k.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        Encoding::for_label(v.as_bytes())
    })
}

/// The `encoding` pseudo-attribute of an XML declaration at the start of the document.
pub fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(512)];
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &head[start..];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = &head[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")? + 8;
    let rest = &decl[at..];
    let eq = rest.iter().position(|&b| b == b'=')?;
    let rest = &rest[eq + 1..];
    let q = rest.iter().position(|&b| b == b'"' || b == b'\'')?;
    let quote = rest[q];
    let val = &rest[q + 1..];
    let close = val.iter().position(|&b| b == quote)?;
    Encoding::for_label(val[..close].trim_ascii())
}

/// UTF-16 without a BOM, recognised by the zero bytes around the first `<`.
fn sniff_utf16(b: &[u8]) -> Option<&'static Encoding> {
    if b.len() < 4 {
        return None;
    }
    match (b[0], b[1], b[2], b[3]) {
        (0, x, 0, y) if x != 0 && y != 0 => Some(UTF_16BE),
        (x, 0, y, 0) if x != 0 && y != 0 => Some(UTF_16LE),
        _ => None,
    }
}

/// UTF-32 (with or without a BOM), which encoding_rs does not cover.
fn decode_utf32(b: &[u8]) -> Option<(String, &'static str)> {
    if b.len() < 4 {
        return None;
    }
    let (be, skip) = match (b[0], b[1], b[2], b[3]) {
        (0, 0, 0xFE, 0xFF) => (true, 4),
        (0xFF, 0xFE, 0, 0) => (false, 4),
        (0, 0, 0, x) if x != 0 => (true, 0),
        (x, 0, 0, 0) if x != 0 => (false, 0),
        _ => return None,
    };
    let text = b[skip..]
        .chunks_exact(4)
        .map(|c| {
            let n = if be {
                u32::from_be_bytes([c[0], c[1], c[2], c[3]])
            } else {
                u32::from_le_bytes([c[0], c[1], c[2], c[3]])
            };
            char::from_u32(n).unwrap_or('\u{FFFD}')
        })
        .collect();
    Some((text, if be { "UTF-32BE" } else { "UTF-32LE" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_wins_over_everything() {
        let mut b = vec![0xFF, 0xFE];
        for u in "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss>é</rss>".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        let (t, enc, why) = decode(&b, Some("text/xml; charset=windows-1251"));
        assert_eq!((enc, why), ("UTF-16LE", Why::Bom));
        assert!(t.starts_with("<?xml") && t.contains("<rss>é</rss>"));
        let (t, _, why) = decode(
            b"\xEF\xBB\xBF<rss>caf\xC3\xA9</rss>",
            Some("text/xml; charset=iso-8859-1"),
        );
        assert_eq!((t.as_ref(), why), ("<rss>café</rss>", Why::Bom));
    }

    #[test]
    fn utf16_and_utf32_without_bom() {
        let be: Vec<u8> = "<rss>ж</rss>"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(decode(&be, None).0, "<rss>ж</rss>");
        let u32le: Vec<u8> = "<rss>ж</rss>"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        assert_eq!(decode(&u32le, None).0, "<rss>ж</rss>");
    }

    #[test]
    fn http_charset_overrides_declaration() {
        let doc = b"<?xml version='1.0' encoding='iso-8859-1'?><rss>\xE6\xF0</rss>";
        let (t, enc, why) = decode(doc, Some("application/rss+xml; charset = \"windows-1251\""));
        assert_eq!((enc, why), ("windows-1251", Why::Http));
        assert!(t.contains("жр"), "{t}");
        let (t, enc, why) = decode(doc, None);
        assert_eq!((enc, why), ("windows-1252", Why::Declaration));
        assert!(t.contains("æð"), "{t}");
        assert_eq!(
            http_charset("text/xml;charset= 'gb2312'").map(|e| e.name()),
            Some("GBK")
        );
        assert_eq!(http_charset("text/xml; qs=0.9"), None);
    }

    #[test]
    fn undeclared_latin1_and_misdeclared_utf8() {
        let (t, enc, why) = decode(b"<rss>Caf\xE9 cr\xE8me</rss>", None);
        assert_eq!(
            (t.as_ref(), enc, why),
            ("<rss>Café crème</rss>", "windows-1252", Why::Fallback)
        );
        let (t, enc, _) = decode(
            "<?xml version='1.0' encoding='ISO-8859-1'?><rss>Café</rss>".as_bytes(),
            None,
        );
        assert_eq!(enc, "UTF-8");
        assert!(t.ends_with("<rss>Café</rss>"));
        // A bogus label is ignored rather than fatal.
        assert_eq!(
            decode(b"<?xml version='1.0' encoding='bogus'?><rss/>", None).1,
            "UTF-8"
        );
        // A declaration that claims UTF-16 over ASCII bytes is wrong about itself.
        assert_eq!(
            decode(b"<?xml version='1.0' encoding='utf-16'?><rss/>", None).1,
            "UTF-8"
        );
    }
}
