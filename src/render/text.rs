//! The plain-text alternative: no markup, wrapped at 76 columns, URLs on their own unbroken lines.

use super::entry as part;
use super::escape;
use crate::compose::{Digest, DigestEntry};

const WIDTH: usize = 76;
const INDENT: &str = "   ";

pub(super) fn render(d: &Digest) -> String {
    let mut t = String::with_capacity(2_048 + d.item_count() * 512);
    t.push_str("trendd: your research digest\n");
    t.push_str(&super::reading_line(d));
    t.push('\n');
    if d.item_count() == 0 {
        t.push('\n');
        t.push_str(super::NOTHING_NEW);
        t.push('\n');
    }
    super::trend::text(&mut t, d);
    for section in d.sections.iter().filter(|s| !s.items.is_empty()) {
        let title = escape::shorten(&escape::plain_text(&section.title).to_uppercase(), WIDTH);
        t.push('\n');
        t.push_str(&title);
        t.push('\n');
        t.push_str(&"=".repeat(title.chars().count()));
        t.push('\n');
        t.push_str(&part::new_line(section.new_since_yesterday));
        t.push_str("\n\n");
        for (i, e) in section.items.iter().enumerate() {
            entry(&mut t, i + 1, e);
            rate(&mut t, d.feedback_links.get(&e.key));
        }
    }
    footer(&mut t, d);
    t
}

fn entry(t: &mut String, n: usize, e: &DigestEntry) {
    let title = escape::no_open_tag(&super::title_of(e));
    let num = format!("{n}. ");
    let hang = " ".repeat(num.chars().count().max(INDENT.len()));
    let first = format!("{num:<w$}", w = hang.len());
    for (i, line) in wrap(&title, WIDTH - hang.len()).iter().enumerate() {
        t.push_str(if i == 0 { &first } else { &hang });
        t.push_str(line);
        t.push('\n');
    }
    if let Some(url) = escape::safe_url(e.url.as_deref()) {
        // Never wrapped: a URL broken over two lines is no longer a link in a mail client.
        t.push_str(&hang);
        t.push_str(&url);
        t.push('\n');
    }
    block(t, &hang, &escape::no_open_tag(&super::authors_of(e)));
    let summary = escape::plain_text(&e.summary);
    if !summary.is_empty() {
        t.push('\n');
        block(t, &hang, &summary);
        if let Some(c) = crate::summarize::credit(&e.summary_by) {
            block(t, &hang, &format!("({c})"));
        }
    }
    let date = part::date(e);
    let why = escape::plain_text(&e.why);
    let src = escape::plain_text(&part::sources(e));
    // A link the title line already shows is not repeated.
    let title_url = escape::safe_url(e.url.as_deref());
    let links: Vec<(String, String)> = part::links(e)
        .into_iter()
        .filter(|(_, u)| Some(u) != title_url.as_ref())
        .collect();
    if !date.is_empty() || !why.is_empty() || !src.is_empty() || !links.is_empty() {
        t.push('\n');
    }
    if !date.is_empty() {
        block(t, &hang, &format!("Date: {date}"));
    }
    if !why.is_empty() {
        block(t, &hang, &format!("Why: {why}"));
    }
    if !src.is_empty() {
        block(t, &hang, &format!("Sources: {src}"));
    }
    for (label, url) in &links {
        // The URL is never wrapped, as above.
        t.push_str(&hang);
        t.push_str(&escape::plain_text(label));
        t.push_str(": ");
        t.push_str(url);
        t.push('\n');
    }
    t.push('\n');
}

/// The entry's 👍/👎 links, one a line and never wrapped (a broken URL is no link).
fn rate(t: &mut String, links: Option<&crate::learn::links::FeedbackLinks>) {
    let Some(l) = links else { return };
    if let (Some(up), Some(down)) = (
        escape::safe_url(Some(&l.up)),
        escape::safe_url(Some(&l.down)),
    ) {
        t.pop(); // the entry's closing blank line comes after the links
        t.push_str(&format!(
            "{INDENT}👍 more like this: {up}\n{INDENT}👎 less like this: {down}\n\n"
        ));
    }
}

/// Appends `s` wrapped and indented, nothing when it is empty.
fn block(t: &mut String, indent: &str, s: &str) {
    for line in wrap(s, WIDTH - indent.len()) {
        t.push_str(indent);
        t.push_str(&line);
        t.push('\n');
    }
}

fn footer(t: &mut String, d: &Digest) {
    t.push_str(&"-".repeat(WIDTH));
    t.push('\n');
    let failing: Vec<String> = super::failing(d)
        .map(|h| escape::no_open_tag(&super::health_line(h)))
        .collect();
    if !failing.is_empty() {
        t.push_str("Sources not answering:\n");
        for line in &failing {
            for (i, l) in wrap(line, WIDTH - 4).iter().enumerate() {
                t.push_str(if i == 0 { "  - " } else { "    " });
                t.push_str(l);
                t.push('\n');
            }
        }
    } else if let Some(ok) = super::all_ok_line(d) {
        t.push_str(&ok);
        t.push('\n');
    }
    if let Some(note) = d
        .arxiv_note
        .as_deref()
        .map(escape::plain_text)
        .filter(|n| !n.is_empty())
    {
        block(t, "", &note);
    }
    for note in [&d.summary_note, &d.taste_note].into_iter().flatten() {
        block(t, "", &escape::plain_text(note));
    }
    block(t, "", &escape::no_open_tag(&super::settings_hint(d)));
}

/// Greedy word wrap by characters. A word longer than the width is cut into width-sized pieces, so
/// one 10,000-character "word" becomes lines of `width`, never one line a reader must scroll.
pub(super) fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in s.split_whitespace() {
        let mut w: Vec<char> = word.chars().collect();
        while !w.is_empty() {
            let wl = w.len();
            let sep = usize::from(len > 0);
            if len + sep + wl <= width {
                if sep == 1 {
                    line.push(' ');
                }
                line.extend(w.drain(..));
                len += sep + wl;
            } else if wl > width {
                // Fill the current line only when a useful piece fits; else start a fresh line.
                let room = width.saturating_sub(len + sep);
                if len > 0 && room < 12 {
                    lines.push(std::mem::take(&mut line));
                    len = 0;
                    continue;
                }
                if sep == 1 {
                    line.push(' ');
                }
                let take = if len > 0 { room } else { width };
                line.extend(w.drain(..take));
                lines.push(std::mem::take(&mut line));
                len = 0;
            } else {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_respects_width_and_keeps_words() {
        let s = "the quick brown fox jumps over the lazy dog ".repeat(20);
        let lines = wrap(&s, 30);
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert_eq!(lines.join(" "), s.trim_end());
    }

    #[test]
    fn wrap_cuts_giant_words() {
        let long = "a".repeat(10_000);
        let lines = wrap(&format!("short {long} end"), 76);
        assert!(lines.iter().all(|l| l.chars().count() <= 76));
        assert_eq!(
            lines.concat().replace(' ', "").len(),
            10_000 + "shortend".len()
        );
        assert!(lines.len() >= 10_000 / 76);
    }

    #[test]
    fn wrap_empty_is_nothing() {
        assert!(wrap("", 76).is_empty());
        assert!(wrap("   ", 76).is_empty());
    }
}
