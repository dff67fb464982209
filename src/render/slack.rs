//! Slack Block Kit. Limits that shape this file: at most 50 blocks per message, 3000 characters per
//! text object, 150 for a header. Each block is also kept within 3200 bytes of JSON as Python's
//! `json.dumps` writes it (ASCII-escaped, so one emoji costs 12 bytes): what a webhook receiver or the
//! project's checks measure.

use serde_json::{json, Value};

use super::entry::{self as part, meta_line};
use super::escape::{self, plain, shorten, slack as esc};
use crate::compose::{Digest, DigestEntry};

pub(crate) const MAX_BLOCKS: usize = 50;
pub(crate) const MAX_TEXT: usize = 3000;
pub(crate) const MAX_HEADER: usize = 150;
pub(crate) const MAX_BLOCK_JSON: usize = 3200;

pub(super) fn render(d: &Digest) -> Value {
    let mut blocks = vec![
        header(&format!(
            "Your research digest · {}",
            d.date.format("%A %-d %B %Y")
        )),
        context(&esc(&if d.item_count() == 0 {
            super::reading_line(d)
        } else {
            format!("{} · {}", super::reading_line(d), super::counts(d))
        })),
    ];
    let sections: Vec<_> = d.sections.iter().filter(|s| !s.items.is_empty()).collect();
    if sections.is_empty() {
        blocks.push(section(&esc(super::NOTHING_NEW)));
    }
    // Two blocks close the message (divider + health footer); everything else shares what is left.
    let footer_blocks = 2;
    let wanted: usize = sections
        .iter()
        .enumerate()
        .map(|(i, s)| usize::from(i > 0) + 2 + s.items.len())
        .sum();
    let fits_all = blocks.len() + wanted + footer_blocks <= MAX_BLOCKS;
    let mut room = MAX_BLOCKS - blocks.len() - footer_blocks - usize::from(!fits_all);
    let mut left_out = 0;
    for (i, s) in sections.iter().enumerate() {
        let overhead = usize::from(i > 0) + 2;
        if room < overhead + 1 {
            left_out += s.items.len();
            continue;
        }
        if i > 0 {
            blocks.push(json!({"type": "divider"}));
        }
        blocks.push(header(&plain(&s.title)));
        blocks.push(context(&esc(&part::new_line(s.new_since_yesterday))));
        room -= overhead;
        let shown = s.items.len().min(room);
        for e in &s.items[..shown] {
            blocks.push(entry(e));
        }
        room -= shown;
        left_out += s.items.len() - shown;
    }
    if left_out > 0 {
        blocks.push(section(&format!(
            "…and {left_out} more in the email/file digest"
        )));
    }
    blocks.push(json!({"type": "divider"}));
    blocks.push(footer(d));
    json!({"text": super::subject(d), "blocks": blocks})
}

fn header(s: &str) -> Value {
    json!({"type": "header", "text": {"type": "plain_text", "text": shorten(s, MAX_HEADER), "emoji": true}})
}

/// A context block holding one mrkdwn text that is already escaped and within limits.
fn context(text: &str) -> Value {
    json!({"type": "context", "elements": [{"type": "mrkdwn", "text": text}]})
}

fn section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

fn entry(e: &DigestEntry) -> Value {
    let title = super::title_of(e);
    // A URL is markup here, not shortened text: a long one drops the link rather than break it.
    let url = escape::safe_url(e.url.as_deref())
        .map(|u| esc(&u))
        .filter(|u| py_str_cost(u) <= 1_000);
    let title = match url {
        Some(url) => Part::new(
            format!("*<{url}|"),
            title.replace('|', "\u{00A6}"),
            ">*",
            usize::MAX,
        ),
        None => Part::new("*", title, "*", usize::MAX),
    };
    let parts = [
        title,
        Part::new("\n", super::authors_of(e), "", usize::MAX),
        Part::new("\n", plain(&e.summary), "", usize::MAX),
        Part::markup("\n", links_line(e)),
        Part::new("\n_", meta_line(e), "_", 600),
    ];
    // The title, the date and links, and the why-line are kept first; the summary takes what is left.
    section(&fit(&parts, &[0, 3, 4, 1, 2], &section("")))
}

/// "29 Apr 2026 · <url|abstract> · <url|PDF>" as finished mrkdwn (links whose markup would be too
/// long are left out rather than broken).
fn links_line(e: &DigestEntry) -> String {
    let mut parts: Vec<String> = Vec::new();
    let date = part::date(e);
    if !date.is_empty() {
        parts.push(esc(&date));
    }
    for (label, url) in part::links(e) {
        let url = esc(&url);
        if py_str_cost(&url) <= 500 {
            parts.push(format!("<{url}|{}>", esc(&label).replace('|', "\u{00A6}")));
        }
    }
    parts.join(" · ")
}

fn footer(d: &Digest) -> Value {
    let mut lines: Vec<String> = Vec::new();
    let failing: Vec<String> = super::failing(d).map(super::health_line).collect();
    if !failing.is_empty() {
        lines.push("Sources not answering:".into());
        lines.extend(failing.iter().map(|l| format!("• {}", shorten(l, 500))));
    } else if let Some(ok) = super::all_ok_line(d) {
        lines.push(ok);
    }
    if let Some(note) = d.arxiv_note.as_deref().map(plain).filter(|n| !n.is_empty()) {
        lines.push(shorten(&note, 500));
    }
    let body = lines.join("\n");
    let sep = if body.is_empty() { "" } else { "\n" };
    let parts = [
        Part::new("", body, "", usize::MAX),
        Part::new(sep, super::settings_hint(d), "", usize::MAX),
    ];
    context(&fit(&parts, &[1, 0], &context("")))
}

/// One piece of a mrkdwn text: `open` and `close` are markup (already escaped), `raw` is plain
/// text that is escaped here and shortened to at most `cap` characters. An empty `raw` leaves the
/// whole part out. A `whole` part's `raw` is finished markup, taken as it is or not at all.
struct Part {
    open: String,
    raw: String,
    close: String,
    cap: usize,
    whole: bool,
}

impl Part {
    fn new(open: impl Into<String>, raw: String, close: &str, cap: usize) -> Part {
        Part {
            open: open.into(),
            raw,
            close: close.into(),
            cap,
            whole: false,
        }
    }

    fn markup(open: &str, mrkdwn: String) -> Part {
        Part {
            whole: true,
            ..Part::new(open, mrkdwn, "", usize::MAX)
        }
    }
}

/// Joins `parts` in their order, filling them in `priority` order, each shortened ("…") so that the
/// text has at most [`MAX_TEXT`] UTF-16 units and `empty_block` holding it stays within
/// [`MAX_BLOCK_JSON`] bytes of `json.dumps`. A part whose markup no longer fits is left out.
fn fit(parts: &[Part], priority: &[usize], empty_block: &Value) -> String {
    let mut room_chars = MAX_TEXT;
    let mut room_py = MAX_BLOCK_JSON.saturating_sub(py_json_len(empty_block));
    let mut done = vec![String::new(); parts.len()];
    let ell_chars = 1;
    let ell_py = py_char_cost('\u{2026}');
    for &i in priority {
        let p = &parts[i];
        if p.raw.is_empty() {
            continue;
        }
        if p.whole {
            let out = format!("{}{}{}", p.open, p.raw, p.close);
            let (c, py) = (utf16(&out), py_str_cost(&out));
            if c <= room_chars && py <= room_py {
                room_chars -= c;
                room_py -= py;
                done[i] = out;
            }
            continue;
        }
        let fixed_chars = utf16(&p.open) + utf16(&p.close);
        let fixed_py = py_str_cost(&p.open) + py_str_cost(&p.close);
        if fixed_chars + ell_chars + 1 > room_chars || fixed_py + ell_py + 12 > room_py {
            continue;
        }
        let (max_chars, max_py) = (room_chars - fixed_chars, room_py - fixed_py);
        let mut out = p.open.clone();
        let (mut used_chars, mut used_py, mut taken) = (0, 0, 0);
        let mut last_fit = out.len();
        let mut cut = false;
        let mut buf = String::with_capacity(5);
        for c in p.raw.chars() {
            buf.clear();
            escape::push_slack(&mut buf, c);
            let (bc, bp) = (utf16(&buf), py_str_cost(&buf));
            if taken == p.cap || used_chars + bc > max_chars || used_py + bp > max_py {
                cut = true;
                break;
            }
            out.push_str(&buf);
            used_chars += bc;
            used_py += bp;
            taken += 1;
            if used_chars + ell_chars <= max_chars && used_py + ell_py <= max_py {
                last_fit = out.len();
            }
        }
        if cut {
            // Back to the last point where the ellipsis fits; the cost is recounted from the text.
            out.truncate(last_fit);
            out.push('\u{2026}');
        }
        out.push_str(&p.close);
        room_chars -= utf16(&out);
        room_py -= py_str_cost(&out);
        done[i] = out;
    }
    done.concat().trim().to_string()
}

fn utf16(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Length of `json.dumps(v)` in Python (default separators `", "` and `": "`, ASCII-escaped).
pub(crate) fn py_json_len(v: &Value) -> usize {
    match v {
        Value::Null => 4,
        Value::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        Value::Number(n) => n.to_string().len(),
        Value::String(s) => 2 + py_str_cost(s),
        Value::Array(a) => {
            2 + a.iter().map(py_json_len).sum::<usize>() + 2 * a.len().saturating_sub(1)
        }
        Value::Object(o) => {
            2 + o
                .iter()
                .map(|(k, v)| 2 + py_str_cost(k) + 2 + py_json_len(v))
                .sum::<usize>()
                + 2 * o.len().saturating_sub(1)
        }
    }
}

fn py_str_cost(s: &str) -> usize {
    s.chars().map(py_char_cost).sum()
}

fn py_char_cost(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        c if (c as u32) < 0x20 => 6,
        c if c.is_ascii() => 1,
        c if (c as u32) > 0xFFFF => 12,
        _ => 6,
    }
}
