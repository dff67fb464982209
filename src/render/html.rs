//! The HTML email. Layout lives in inline styles (mail clients drop or rewrite `<style>`); the one
//! `<style>` block only tightens padding on narrow screens. Long words wrap (`overflow-wrap:anywhere`)
//! and the content table is fixed-layout, so a 10,000-character word cannot widen the page.

use std::fmt::Write as _;

use super::escape::{self, html as esc};
use crate::compose::{Digest, DigestEntry};

const FONT: &str =
    "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;\
                    overflow-wrap:anywhere;word-wrap:break-word;word-break:break-word;";
const PAD: &str = "padding:16px 24px 0;";

pub(super) fn render(
    d: &Digest,
    links: &dyn Fn(&DigestEntry) -> Option<super::FeedbackLinks>,
) -> String {
    let mut h = String::with_capacity(8_192 + d.item_count() * 1_024);
    head(&mut h, d);
    if d.sections.iter().all(|s| s.items.is_empty()) {
        let _ = writeln!(
            h,
            "<tr><td class=\"pad\" style=\"{PAD}{FONT}\"><p style=\"margin:8px 0 16px;font-size:16px;line-height:1.5;color:#1f2937;\">{}</p></td></tr>",
            esc(super::NOTHING_NEW)
        );
    }
    for section in d.sections.iter().filter(|s| !s.items.is_empty()) {
        let _ = write!(
            h,
            "<tr><td class=\"pad\" style=\"{PAD}{FONT}\">\n<h2 style=\"margin:8px 0 14px;padding:0 0 6px;border-bottom:2px solid #e5e7eb;font-size:18px;line-height:1.3;color:#111827;\">{}</h2>\n",
            esc(&escape::plain(&section.title))
        );
        for e in &section.items {
            entry(&mut h, e, links(e));
        }
        h.push_str("</td></tr>\n");
    }
    footer(&mut h, d);
    h.push_str("</table>\n</td></tr>\n</table>\n</body>\n</html>\n");
    h
}

fn head(h: &mut String, d: &Digest) {
    let preheader = if d.item_count() == 0 {
        super::NOTHING_NEW.to_string()
    } else {
        format!("{} · about {} min", super::counts(d), super::minutes(d))
    };
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"x-apple-disable-message-reformatting\">\n<title>{title}</title>\n\
         <style>@media only screen and (max-width:480px){{.pad{{padding-left:14px !important;padding-right:14px !important}}}}</style>\n\
         </head>\n<body style=\"margin:0;padding:0;background-color:#f3f4f6;\">\n\
         <div style=\"display:none;max-height:0;overflow:hidden;\">{pre}</div>\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;background-color:#f3f4f6;\">\n\
         <tr><td align=\"center\" style=\"padding:16px 8px;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;max-width:600px;table-layout:fixed;background-color:#ffffff;border:1px solid #e5e7eb;border-radius:8px;\">\n\
         <tr><td class=\"pad\" style=\"padding:24px 24px 4px;{FONT}\">\n\
         <p style=\"margin:0;font-size:12px;letter-spacing:0.06em;text-transform:uppercase;color:#6b7280;\">trendd</p>\n\
         <h1 style=\"margin:4px 0 0;font-size:22px;line-height:1.3;color:#111827;\">Your research digest</h1>\n\
         <p style=\"margin:6px 0 0;font-size:14px;line-height:1.4;color:#4b5563;\">{reading}</p>\n</td></tr>\n",
        title = esc(&super::subject(d)),
        pre = esc(&preheader),
        reading = esc(&super::reading_line(d)),
    );
}

fn entry(h: &mut String, e: &DigestEntry, links: Option<super::FeedbackLinks>) {
    let title = esc(&super::title_of(e));
    h.push_str("<div style=\"margin:0 0 20px;\">\n<p style=\"margin:0;font-size:16px;font-weight:600;line-height:1.35;color:#111827;\">");
    match escape::safe_url(e.url.as_deref()) {
        Some(url) => {
            let _ = write!(
                h,
                "<a href=\"{}\" style=\"color:#1d4ed8;text-decoration:none;\">{title}</a>",
                esc(&url)
            );
        }
        None => h.push_str(&title),
    }
    h.push_str("</p>\n");
    let authors = super::authors_of(e);
    if !authors.is_empty() {
        let _ = writeln!(
            h,
            "<p style=\"margin:2px 0 0;font-size:13px;line-height:1.4;color:#4b5563;\">{}</p>",
            esc(&authors)
        );
    }
    let summary = escape::plain(&e.summary);
    if !summary.is_empty() {
        let _ = writeln!(
            h,
            "<p style=\"margin:6px 0 0;font-size:15px;line-height:1.5;color:#1f2937;\">{}</p>",
            esc(&summary)
        );
    }
    let meta = meta_line(e);
    if !meta.is_empty() {
        let _ = writeln!(
            h,
            "<p style=\"margin:6px 0 0;font-size:13px;line-height:1.4;color:#6b7280;\">{}</p>",
            esc(&meta)
        );
    }
    if let Some(l) = links {
        feedback(h, &l);
    }
    h.push_str("</div>\n");
}

/// The 👍/👎 line, inside the entry's block (the links come from `learn::token`, never from a feed).
fn feedback(h: &mut String, l: &super::FeedbackLinks) {
    use crate::learn::Vote;
    let style = |v: Vote| {
        let (border, bg) = if l.rated == Some(v) {
            ("#1d4ed8", "#dbeafe")
        } else {
            ("#d1d5db", "#ffffff")
        };
        format!("display:inline-block;margin:0 8px 0 0;padding:6px 12px;border:1px solid {border};background-color:{bg};border-radius:6px;color:#111827;text-decoration:none;")
    };
    let mark = |v: Vote| if l.rated == Some(v) { " ✓" } else { "" };
    let _ = writeln!(
        h,
        "<p style=\"margin:8px 0 0;font-size:14px;line-height:1.4;\"><a href=\"{}\" style=\"{}\" aria-label=\"More like this\">👍 More like this{}</a><a href=\"{}\" style=\"{}\" aria-label=\"Less like this\">👎 Less{}</a></p>",
        esc(&l.up),
        style(Vote::Up),
        mark(Vote::Up),
        esc(&l.down),
        style(Vote::Down),
        mark(Vote::Down),
    );
}

/// "why · via arXiv, Hugging Face", plain text.
pub(super) fn meta_line(e: &DigestEntry) -> String {
    let why = escape::shorten(&escape::plain(&e.why), 300);
    let sources = escape::shorten(&sources(e), 300);
    match (why.is_empty(), sources.is_empty()) {
        (true, true) => String::new(),
        (false, true) => why,
        (true, false) => format!("via {sources}"),
        (false, false) => format!("{why} · via {sources}"),
    }
}

pub(super) fn sources(e: &DigestEntry) -> String {
    let names: Vec<String> = e
        .sources
        .iter()
        .map(|s| escape::plain(s))
        .filter(|s| !s.is_empty())
        .collect();
    names.join(", ")
}

fn footer(h: &mut String, d: &Digest) {
    let p = "<p style=\"margin:0 0 8px;font-size:12px;line-height:1.5;color:#6b7280;\">";
    let _ = writeln!(h, "<tr><td class=\"pad\" style=\"padding:12px 24px 20px;border-top:1px solid #e5e7eb;{FONT}\">");
    let failing: Vec<String> = super::failing(d).map(super::health_line).collect();
    if !failing.is_empty() {
        let _ = write!(h, "{p}<strong style=\"color:#b45309;\">Sources not answering:</strong></p>\n<ul style=\"margin:0 0 8px;padding-left:18px;font-size:12px;line-height:1.5;color:#6b7280;\">\n");
        for line in &failing {
            let _ = writeln!(h, "<li>{}</li>", esc(line));
        }
        h.push_str("</ul>\n");
    } else if let Some(ok) = super::all_ok_line(d) {
        let _ = writeln!(h, "{p}{}</p>", esc(&ok));
    }
    if let Some(note) = d
        .arxiv_note
        .as_deref()
        .map(escape::plain)
        .filter(|n| !n.is_empty())
    {
        let _ = writeln!(h, "{p}{}</p>", esc(&note));
    }
    let _ = writeln!(h, "{p}{}</p>\n</td></tr>", esc(super::HOW_TO_CHANGE));
}
