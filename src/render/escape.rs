//! Making feed text safe to show: cleaning, markup stripping, defanging, and per-format escaping.
//!
//! Titles, summaries and authors come from feeds written by anyone. Every renderer runs each such text
//! through [`plain`] first (one line, no control or bidi characters, no markup, no attribute-looking
//! `name=` sequences) and then through the escaping of its own format.

use std::sync::LazyLock;

use regex::Regex;

/// Characters that are removed everywhere: C0/C1 controls, zero-width characters, bidi embeddings,
/// overrides and isolates (they can make a title read backwards or hide a link's real text).
fn is_stripped(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// One line of text: stripped characters removed, every whitespace run (CR, LF, U+2028…) one space.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        // A control character counts as a separator so that "a\rb" does not become "ab".
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if is_stripped(c) {
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

static SCRIPT_STYLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->")
        .expect("valid regex")
});
static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"</?([A-Za-z][A-Za-z0-9:-]*)(?:\s[^<>]*)?/?>").expect("valid regex")
});
// Attribute-looking sequences: harmless once escaped, but they are what an injection needs (and what
// scanners flag), and nothing a reader loses when `=` becomes its full-width twin. `onerror` and
// `href` count even inside a word, since a scanner does not look for word boundaries.
static ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(onerror|href|(?:^|[^a-z])(?:on[a-z]+|src|srcdoc|srcset|formaction|action|xlink:href))(\s*)=")
        .expect("valid regex")
});

/// Inline elements whose removal must not split a word (`<b>Dif</b>fusion`).
fn is_inline(tag: &str) -> bool {
    matches!(
        tag.to_ascii_lowercase().as_str(),
        "a" | "b"
            | "i"
            | "em"
            | "strong"
            | "code"
            | "sub"
            | "sup"
            | "span"
            | "small"
            | "u"
            | "s"
            | "mark"
            | "abbr"
    )
}

/// Feed text made plain: one line, markup removed, attribute-looking `name=` sequences defanged.
pub fn plain(s: &str) -> String {
    let s = one_line(s);
    if !s.contains('<') && !s.contains('=') {
        return s;
    }
    let s = SCRIPT_STYLE.replace_all(&s, " ");
    let s = TAG.replace_all(
        &s,
        |c: &regex::Captures| if is_inline(&c[1]) { "" } else { " " },
    );
    let s = ATTR.replace_all(&s, "${1}${2}\u{FF1D}");
    one_line(&s)
}

/// Attribute-looking `name=` sequences defanged (as [`plain`] does), markup otherwise left as it is:
/// for texts whose angle brackets mean something, such as an error message quoting a tag.
pub fn defang(s: &str) -> String {
    if s.contains('=') {
        ATTR.replace_all(s, "${1}${2}\u{FF1D}").into_owned()
    } else {
        s.to_string()
    }
}

/// Text for the plain-text part: [`plain`], and a `<` that could open a tag becomes `‹`, so that a
/// client that guesses HTML in a text part (or a reader pasting it) never meets markup.
pub fn plain_text(s: &str) -> String {
    no_open_tag(&plain(s))
}

/// `<` before a letter, `/`, `!` or `?` becomes `‹`; for text that is already [`plain`].
pub fn no_open_tag(s: &str) -> String {
    static OPEN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<([A-Za-z/!?])").expect("valid regex"));
    if s.contains('<') {
        OPEN.replace_all(s, "\u{2039}$1").into_owned()
    } else {
        s.to_string()
    }
}

/// HTML text and attribute escaping: `& < > " '` become entities.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Slack mrkdwn escaping: only `&`, `<` and `>` are control characters there.
pub fn slack(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_slack(&mut out, c);
    }
    out
}

pub(crate) fn push_slack(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        c => out.push(c),
    }
}

/// The URL when it is a well-formed http(s) URL with a host, normalized by the URL parser (which
/// percent-encodes quotes, spaces and angle brackets and drops tabs and newlines); otherwise `None`.
pub fn safe_url(u: Option<&str>) -> Option<String> {
    let raw = u?.trim();
    if raw.is_empty() || raw.chars().any(|c| c.is_control() || is_stripped(c)) {
        return None;
    }
    let parsed = url::Url::parse(raw).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return None;
    }
    // `|` is legal in a URL but ends the URL part of a Slack link; encoding it keeps one form for all.
    // An attribute-looking query (`?onerror=…`) gets its `=` encoded for the same reason as in text.
    let u = parsed.as_str().replace('|', "%7C");
    Some(ATTR.replace_all(&u, "${1}${2}%3D").into_owned())
}

/// `s` cut to at most `max` characters, ending in "…" when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_strips_controls_and_bidi() {
        assert_eq!(
            one_line("a\r\nBcc: x\u{202E}y\u{2066}z\u{0007}w"),
            "a Bcc: xyz w"
        );
        assert_eq!(one_line("  lead\u{2028}trail  "), "lead trail");
    }

    #[test]
    fn plain_removes_markup_and_defangs() {
        assert_eq!(
            plain("<script>alert(1)</script>Diffusion models"),
            "Diffusion models"
        );
        assert_eq!(plain("<b>Dif</b>fusion <p>models</p>"), "Diffusion models");
        assert_eq!(plain("<img src=x onerror=alert(2)>hi"), "hi");
        assert_eq!(plain("x onerror = alert(2)"), "x onerror \u{FF1D} alert(2)");
        assert_eq!(
            plain("HREF=javascript:alert(1)"),
            "HREF\u{FF1D}javascript:alert(1)"
        );
        assert_eq!(
            plain("x2onerror=1 xhref=data:"),
            "x2onerror\u{FF1D}1 xhref\u{FF1D}data:"
        );
        assert_eq!(plain("condition=1 section = 2"), "condition=1 section = 2");
        // Ordinary text keeps its `=` and comparison signs.
        assert_eq!(
            plain("loss = 0.3 when a < b and c > d, p<0.05"),
            "loss = 0.3 when a < b and c > d, p<0.05"
        );
        assert_eq!(plain("a < b"), "a < b");
    }

    #[test]
    fn plain_text_never_opens_a_tag() {
        assert_eq!(
            plain_text("<scr\u{202E}ipt unterminated"),
            "\u{2039}script unterminated"
        );
        assert_eq!(plain_text("1 < 2"), "1 < 2");
    }

    #[test]
    fn html_escapes_all_five() {
        assert_eq!(
            html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn safe_url_only_http() {
        assert_eq!(
            safe_url(Some("https://example.org/a?b=1&c=2")).as_deref(),
            Some("https://example.org/a?b=1&c=2")
        );
        assert_eq!(
            safe_url(Some("HTTP://Example.ORG")).as_deref(),
            Some("http://example.org/")
        );
        for bad in [
            "javascript:alert(1)",
            " data:text/html;base64,PHNjcmlwdD4=",
            "ftp://x/",
            "//x.org/",
            "https://",
            "",
        ] {
            assert_eq!(safe_url(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_url(Some("https://x.org/\u{202E}")), None);
        let q = safe_url(Some("https://x.org/\"onmouseover=\"x|y")).unwrap();
        assert!(!q.contains('"') && !q.contains('|'), "{q}");
        assert_eq!(
            safe_url(Some(
                "https://x.org/?condition=1&onerror=2&href=javascript:3"
            ))
            .as_deref(),
            Some("https://x.org/?condition=1&onerror%3D2&href%3Djavascript:3")
        );
    }

    #[test]
    fn shorten_marks_the_cut() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
