//! Text cleaning shared by the sources: HTML to plain text, whitespace and control characters.

/// Turns an HTML fragment into clean plain text (tags dropped, entities decoded, script/style removed).
pub fn html_to_text(html: &str) -> String {
    let frag = scraper::Html::parse_fragment(html);
    let mut out = String::new();
    for node in frag.root_element().descendants() {
        if let Some(t) = node.value().as_text() {
            let skip = node.ancestors().any(|a| {
                a.value().as_element().is_some_and(|e| matches!(e.name(), "script" | "style" | "noscript"))
            });
            if !skip {
                out.push_str(t);
                out.push(' ');
            }
        }
    }
    clean_inline(&out)
}

/// One line of clean text: control characters and bidi overrides removed, whitespace collapsed.
pub fn clean_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}') {
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
