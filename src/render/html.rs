//! The HTML email. Layout lives in inline styles (mail clients drop or rewrite `<style>`); the one
//! `<style>` block tightens padding on narrow screens and holds the dark-mode colours (`dark`). Long
//! words wrap (`overflow-wrap:anywhere`) and the content table is fixed-layout, so a 10,000-character
//! word cannot widen the page.

use std::fmt::Write as _;

use super::dark::{self, Role, CARD, HEAD, LINE, LINK, MUTED, PAGE, SMALL, TEXT, WARN};
use super::entry;
use super::escape::{self, html as esc};
use crate::compose::{Digest, DigestEntry};

const FONT: &str =
    "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;\
                    overflow-wrap:anywhere;word-wrap:break-word;word-break:break-word;";
const PAD: &str = "padding:16px 24px 0;";

/// ` class="…" style="…"`: the roles' classes (for dark mode) and their light colours inline after
/// `layout`.
fn attrs(roles: &[&Role], layout: &str) -> String {
    let classes: Vec<&str> = roles.iter().map(|r| r.class).collect();
    let colours: String = roles.iter().map(|r| r.inline()).collect();
    format!(
        " class=\"{}\" style=\"{layout}{colours}\"",
        classes.join(" ")
    )
}

pub(super) fn render(
    d: &Digest,
    links: &dyn Fn(&DigestEntry) -> Option<super::FeedbackLinks>,
) -> String {
    let mut h = String::with_capacity(8_192 + d.item_count() * 1_536);
    head(&mut h, d);
    if d.sections.iter().all(|s| s.items.is_empty()) {
        let _ = writeln!(
            h,
            "<tr><td class=\"pad\" style=\"{PAD}{FONT}\"><p{}>{}</p></td></tr>",
            attrs(
                &[&TEXT],
                "margin:8px 0 16px;font-size:16px;line-height:1.5;"
            ),
            esc(super::NOTHING_NEW)
        );
    }
    super::trend::html(&mut h, d, PAD, FONT);
    for section in d.sections.iter().filter(|s| !s.items.is_empty()) {
        let _ = write!(
            h,
            "<tr><td class=\"pad\" style=\"{PAD}{FONT}\">\n<h2{}>{} <span{}>· {}</span></h2>\n",
            attrs(
                &[&HEAD, &LINE],
                "margin:8px 0 14px;padding:0 0 6px;border-bottom:2px solid;font-size:18px;line-height:1.3;"
            ),
            esc(&escape::plain(&section.title)),
            attrs(&[&SMALL], "font-size:13px;font-weight:400;"),
            esc(&entry::new_line(section.new_since_yesterday)),
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
         <meta name=\"x-apple-disable-message-reformatting\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"supported-color-schemes\" content=\"light dark\">\n<title>{title}</title>\n\
         <style>@media only screen and (max-width:480px){{.pad{{padding-left:14px !important;padding-right:14px !important}}}}{dark}</style>\n\
         </head>\n<body{body}>\n\
         <div style=\"display:none;max-height:0;overflow:hidden;\">{pre}</div>\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"{page}>\n\
         <tr><td align=\"center\" style=\"padding:16px 8px;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"{card}>\n\
         <tr><td class=\"pad\" style=\"padding:24px 24px 4px;{FONT}\">\n\
         <p{brand}>trendd</p>\n\
         <h1{h1}>Your research digest</h1>\n\
         <p{sub}>{reading}</p>\n</td></tr>\n",
        title = esc(&super::subject(d)),
        dark = dark::css(),
        body = attrs(&[&PAGE], "margin:0;padding:0;"),
        page = attrs(&[&PAGE], "width:100%;"),
        card = attrs(
            &[&CARD, &LINE],
            "width:100%;max-width:600px;table-layout:fixed;border:1px solid;border-radius:8px;"
        ),
        brand = attrs(
            &[&SMALL],
            "margin:0;font-size:12px;letter-spacing:0.06em;text-transform:uppercase;"
        ),
        h1 = attrs(&[&HEAD], "margin:4px 0 0;font-size:22px;line-height:1.3;"),
        sub = attrs(&[&MUTED], "margin:6px 0 0;font-size:14px;line-height:1.4;"),
        pre = esc(&preheader),
        reading = esc(&super::reading_line(d)),
    );
}

fn entry(h: &mut String, e: &DigestEntry, links: Option<super::FeedbackLinks>) {
    let title = esc(&super::title_of(e));
    let _ = write!(
        h,
        "<div style=\"margin:0 0 20px;\">\n<p{}>",
        attrs(
            &[&HEAD],
            "margin:0;font-size:16px;font-weight:600;line-height:1.35;"
        )
    );
    match escape::safe_url(e.url.as_deref()) {
        Some(url) => {
            let _ = write!(
                h,
                "<a href=\"{}\"{}>{title}</a>",
                esc(&url),
                attrs(&[&LINK], "text-decoration:none;")
            );
        }
        None => h.push_str(&title),
    }
    h.push_str("</p>\n");
    let authors = super::authors_of(e);
    if !authors.is_empty() {
        let _ = writeln!(
            h,
            "<p{}>{}</p>",
            attrs(&[&MUTED], "margin:2px 0 0;font-size:13px;line-height:1.4;"),
            esc(&authors)
        );
    }
    let summary = escape::plain(&e.summary);
    if !summary.is_empty() {
        let _ = writeln!(
            h,
            "<p{}>{}</p>",
            attrs(&[&TEXT], "margin:6px 0 0;font-size:15px;line-height:1.5;"),
            esc(&summary)
        );
        if let Some(c) = crate::summarize::credit(&e.summary_by) {
            let _ = writeln!(
                h,
                "<p style=\"margin:2px 0 0;font-size:11px;line-height:1.4;color:#9ca3af;\">{}</p>",
                esc(&c)
            );
        }
    }
    // The date and the links: "29 Apr 2026 · abstract · PDF · code".
    let mut parts: Vec<String> = Vec::new();
    let date = entry::date(e);
    if !date.is_empty() {
        parts.push(esc(&date));
    }
    for (label, url) in entry::links(e) {
        parts.push(format!(
            "<a href=\"{}\"{}>{}</a>",
            esc(&url),
            attrs(&[&LINK], "text-decoration:underline;"),
            esc(&label)
        ));
    }
    if !parts.is_empty() {
        let _ = writeln!(
            h,
            "<p{}>{}</p>",
            attrs(&[&SMALL], "margin:6px 0 0;font-size:13px;line-height:1.6;"),
            parts.join(" · ")
        );
    }
    let meta = entry::meta_line(e);
    if !meta.is_empty() {
        let _ = writeln!(
            h,
            "<p{}>{}</p>",
            attrs(&[&SMALL], "margin:2px 0 0;font-size:13px;line-height:1.4;"),
            esc(&meta)
        );
    }
    if let Some(l) = links {
        feedback(h, &l);
    }
    h.push_str("</div>\n");
}

/// The 👍/👎 line, inside the entry's block (the links come from `learn::token`, never from a feed).
/// The reader's current rating, when known (the web face), is the button drawn in the link colour.
fn feedback(h: &mut String, l: &super::FeedbackLinks) {
    use crate::learn::Vote;
    let button = |v: Vote| {
        let layout = "display:inline-block;margin:0 8px 0 0;padding:6px 12px;border:1px solid;border-radius:6px;text-decoration:none;";
        if l.rated == Some(v) {
            attrs(&[&LINK], &format!("{layout}font-weight:600;"))
        } else {
            attrs(&[&HEAD, &LINE], layout)
        }
    };
    let mark = |v: Vote| if l.rated == Some(v) { " ✓" } else { "" };
    let _ = writeln!(
        h,
        "<p style=\"margin:8px 0 0;font-size:14px;line-height:1.4;\"><a href=\"{}\"{} aria-label=\"More like this\">👍 More like this{}</a><a href=\"{}\"{} aria-label=\"Less like this\">👎 Less{}</a></p>",
        esc(&l.up),
        button(Vote::Up),
        mark(Vote::Up),
        esc(&l.down),
        button(Vote::Down),
        mark(Vote::Down),
    );
}

fn footer(h: &mut String, d: &Digest) {
    let p = format!(
        "<p{}>",
        attrs(&[&SMALL], "margin:0 0 8px;font-size:12px;line-height:1.5;")
    );
    let _ = writeln!(
        h,
        "<tr><td{}>",
        attrs(
            &[&LINE],
            &format!("padding:12px 24px 20px;border-top:1px solid;{FONT}")
        )
        .replacen(" class=\"", " class=\"pad ", 1)
    );
    let failing: Vec<String> = super::failing(d).map(super::health_line).collect();
    if !failing.is_empty() {
        let _ = write!(
            h,
            "{p}<strong{}>Sources not answering:</strong></p>\n<ul{}>\n",
            attrs(&[&WARN], ""),
            attrs(
                &[&SMALL],
                "margin:0 0 8px;padding-left:18px;font-size:12px;line-height:1.5;"
            )
        );
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
    for note in [&d.summary_note, &d.taste_note].into_iter().flatten() {
        let _ = writeln!(h, "{p}{}</p>", esc(&escape::plain(note)));
    }
    let _ = writeln!(h, "{p}{}</p>\n</td></tr>", esc(&super::settings_hint(d)));
}
