//! The trend parts at the top of a digest, before the sections: what is rising this week, today's
//! pick with its whole abstract, and the deadlines ahead. Each is left out when it has nothing to say.

use std::fmt::Write as _;

use super::escape::{self, html as esc, plain, plain_text, safe_url, shorten};
use super::text::wrap;
use crate::compose::Digest;
use crate::trend::{upcoming, RisingPhrase};

const WIDTH: usize = 76;
/// No real abstract is longer; a feed that sends one should not fill the message.
pub(super) const MAX_ABSTRACT: usize = 4_000;

/// "0.4%" under 10%, "18%" above.
pub(super) fn pct(x: f64) -> String {
    let p = x * 100.0;
    if p > 0.0 && p < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// "spectral token routing — 19 papers this week (0.4% → 18%)", plain.
pub(super) fn rising_line(p: &RisingPhrase) -> (String, String) {
    let papers = if p.count == 1 { "paper" } else { "papers" };
    (
        shorten(&plain(&p.phrase), 80),
        format!(
            " — {} {papers} this week ({} → {})",
            p.count,
            pct(p.baseline_share),
            pct(p.share)
        ),
    )
}

pub(super) fn text(t: &mut String, d: &Digest) {
    let tr = &d.trend;
    if !tr.rising.is_empty() || tr.rising_note.is_some() {
        heading(t, "RISING THIS WEEK");
        for p in &tr.rising {
            let (phrase, rest) = rising_line(p);
            block(t, "", &format!("Rising: *{phrase}*{rest}"));
            for paper in &p.papers {
                block(t, "   - ", &shorten(&plain_text(&paper.title), 300));
                if let Some(u) = safe_url(paper.url.as_deref()) {
                    t.push_str("     ");
                    t.push_str(&u);
                    t.push('\n');
                }
            }
        }
        if let Some(note) = &tr.rising_note {
            block(t, "", &format!("Rising: {}.", plain_text(note)));
        }
    }
    if let Some(p) = &tr.pick {
        heading(t, "TODAY'S PICK");
        block(
            t,
            "",
            &escape::no_open_tag(&shorten(&plain_text(&p.title), 300)),
        );
        if let Some(u) = safe_url(p.url.as_deref()) {
            t.push_str(&u);
            t.push('\n');
        }
        t.push('\n');
        block(t, "", &shorten(&plain_text(&p.abstract_text), MAX_ABSTRACT));
        let why = plain_text(&p.why);
        if !why.is_empty() {
            t.push('\n');
            block(t, "", &format!("Why: {why}"));
        }
    }
    if !tr.deadlines.is_empty() {
        heading(t, "DEADLINES AHEAD");
        for dl in &tr.deadlines {
            block(t, "- ", &plain_text(&upcoming::line(dl)));
        }
    }
}

fn heading(t: &mut String, title: &str) {
    t.push('\n');
    t.push_str(title);
    t.push('\n');
    t.push_str(&"=".repeat(title.chars().count()));
    t.push_str("\n\n");
}

/// `s` wrapped; the first line after `lead`, the others under it.
fn block(t: &mut String, lead: &str, s: &str) {
    let hang = " ".repeat(lead.chars().count());
    for (i, line) in wrap(s, WIDTH - hang.len()).iter().enumerate() {
        t.push_str(if i == 0 { lead } else { &hang });
        t.push_str(line);
        t.push('\n');
    }
}

pub(super) fn html(h: &mut String, d: &Digest, pad: &str, font: &str) {
    let tr = &d.trend;
    let h2 = "margin:8px 0 14px;padding:0 0 6px;border-bottom:2px solid #e5e7eb;font-size:18px;line-height:1.3;color:#111827;";
    let p = "margin:0 0 6px;font-size:15px;line-height:1.5;color:#1f2937;";
    let small = "margin:0 0 10px 16px;font-size:13px;line-height:1.4;color:#4b5563;";
    if !tr.rising.is_empty() || tr.rising_note.is_some() {
        let _ = writeln!(h, "<tr><td class=\"pad\" style=\"{pad}{font}\">\n<h2 style=\"{h2}\">Rising this week</h2>");
        for r in &tr.rising {
            let (phrase, rest) = rising_line(r);
            let _ = writeln!(
                h,
                "<p style=\"{p}\">Rising: <strong><em>{}</em></strong>{}</p>",
                esc(&phrase),
                esc(&rest)
            );
            for paper in &r.papers {
                let title = esc(&shorten(&plain(&paper.title), 300));
                let _ = match safe_url(paper.url.as_deref()) {
                    Some(u) => writeln!(
                        h,
                        "<p style=\"{small}\"><a href=\"{}\" style=\"color:#1d4ed8;text-decoration:none;\">{title}</a></p>",
                        esc(&u)
                    ),
                    None => writeln!(h, "<p style=\"{small}\">{title}</p>"),
                };
            }
        }
        if let Some(note) = &tr.rising_note {
            let _ = writeln!(h, "<p style=\"{p}\">Rising: {}.</p>", esc(&plain(note)));
        }
        h.push_str("</td></tr>\n");
    }
    if let Some(pk) = &tr.pick {
        let _ = writeln!(
            h,
            "<tr><td class=\"pad\" style=\"{pad}{font}\">\n<h2 style=\"{h2}\">Today's pick</h2>"
        );
        let title = esc(&shorten(&plain(&pk.title), 300));
        let _ = match safe_url(pk.url.as_deref()) {
            Some(u) => writeln!(
                h,
                "<p style=\"margin:0;font-size:16px;font-weight:600;line-height:1.35;\"><a href=\"{}\" style=\"color:#1d4ed8;text-decoration:none;\">{title}</a></p>",
                esc(&u)
            ),
            None => writeln!(
                h,
                "<p style=\"margin:0;font-size:16px;font-weight:600;line-height:1.35;color:#111827;\">{title}</p>"
            ),
        };
        let _ = writeln!(
            h,
            "<p style=\"margin:8px 0 6px;font-size:15px;line-height:1.6;color:#1f2937;\">{}</p>",
            esc(&shorten(&plain(&pk.abstract_text), MAX_ABSTRACT))
        );
        let why = plain(&pk.why);
        if !why.is_empty() {
            let _ = writeln!(
                h,
                "<p style=\"margin:0 0 16px;font-size:13px;line-height:1.4;color:#6b7280;\">{}</p>",
                esc(&shorten(&why, 300))
            );
        }
        h.push_str("</td></tr>\n");
    }
    if !tr.deadlines.is_empty() {
        let _ = writeln!(h, "<tr><td class=\"pad\" style=\"{pad}{font}\">\n<h2 style=\"{h2}\">Deadlines ahead</h2>\n<ul style=\"margin:0 0 12px;padding-left:18px;font-size:14px;line-height:1.5;color:#1f2937;\">");
        for dl in &tr.deadlines {
            let line = esc(&plain(&upcoming::line(dl)));
            let _ = match safe_url(dl.url.as_deref()) {
                Some(u) => writeln!(
                    h,
                    "<li><a href=\"{}\" style=\"color:#1d4ed8;text-decoration:none;\">{line}</a></li>",
                    esc(&u)
                ),
                None => writeln!(h, "<li>{line}</li>"),
            };
        }
        h.push_str("</ul>\n</td></tr>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::super::slack::{py_json_len, MAX_BLOCK_JSON, MAX_TEXT};
    use crate::compose::Digest;
    use crate::trend::rising::PaperRef;
    use crate::trend::{DeadlineEntry, Pick, RisingPhrase, TrendParts};
    use chrono::{NaiveDate, TimeZone, Utc};

    const EVIL: &str = "<script>alert(1)</script><img src=x onerror=alert(2)> *bold* <!here>";

    fn digest(trend: TrendParts) -> Digest {
        Digest {
            date: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            budget_seconds: 600,
            estimated_seconds: 0,
            sections: vec![],
            source_health: vec![],
            arxiv_note: None,
            settings_hint: String::new(),
            generated_at: Utc.with_ymd_and_hms(2026, 12, 2, 6, 0, 0).unwrap(),
            trend,
            ..Default::default()
        }
    }

    fn parts(text: &str, abstract_text: &str) -> TrendParts {
        TrendParts {
            rising: vec![RisingPhrase {
                phrase: format!("spectral token routing {text}"),
                count: 19,
                share: 0.18,
                baseline_share: 0.004,
                keys: vec!["arxiv:2611.00001".into()],
                papers: vec![PaperRef {
                    key: "arxiv:2611.00001".into(),
                    title: format!("Routing tokens {text}"),
                    url: Some("javascript:alert(3)".into()),
                }],
                score: 6.9,
            }],
            rising_note: None,
            pick: Some(Pick {
                key: "arxiv:2611.00002".into(),
                title: format!("The pick {text}"),
                url: Some("https://arxiv.org/abs/2611.00002".into()),
                abstract_text: abstract_text.into(),
                why: text.into(),
            }),
            deadlines: vec![DeadlineEntry {
                title: format!("NeurIPS 2027 {text}"),
                label: "Paper submission deadline".into(),
                deadline: Utc.with_ymd_and_hms(2027, 5, 15, 11, 59, 59).unwrap(),
                days_left: 12,
                url: Some("data:text/html,x".into()),
                local: "Sat 15 May, 13:59".into(),
            }],
        }
    }

    #[test]
    fn shown_first_with_the_numbers_the_reader_reads() {
        let d = digest(parts("", &"word ".repeat(120)));
        let t = super::super::text(&d);
        assert!(
            t.contains("Rising: *spectral token routing* — 19 papers this week (0.4% → 18%)"),
            "{t}"
        );
        assert!(t.find("RISING THIS WEEK").unwrap() < t.find("TODAY'S PICK").unwrap());
        assert!(t.split_whitespace().collect::<Vec<_>>().join(" ").contains(
            "NeurIPS 2027 paper submission deadline: Sat 15 May, 13:59 your time — 12 days"
        ));
        let h = super::super::html(&d);
        assert!(h.contains("Rising: <strong><em>spectral token routing</em></strong> — 19 papers this week (0.4% → 18%)"));
        assert!(h.contains("href=\"https://arxiv.org/abs/2611.00002\""));
        assert_eq!(super::pct(0.0), "0%");
        assert_eq!(super::pct(0.19047), "19%");
        assert_eq!(super::pct(0.00476), "0.5%");
    }

    #[test]
    fn hostile_text_is_inert_and_slack_within_limits() {
        let d = digest(parts(EVIL, &format!("{EVIL} {}", "x".repeat(50_000))));
        let h = super::super::html(&d);
        assert!(!h.to_lowercase().contains("<script"), "{h}");
        assert!(!h.contains("<img"));
        assert!(!h.contains("javascript:") && !h.contains("data:text"));
        let t = super::super::text(&d);
        assert!(!t.contains("<script"));
        assert!(!t.contains("javascript:"));
        let s = super::super::slack(&d);
        for b in s["blocks"].as_array().unwrap() {
            assert!(py_json_len(b) <= MAX_BLOCK_JSON, "{b}");
            if let Some(text) = b["text"]["text"].as_str() {
                assert!(text.encode_utf16().count() <= MAX_TEXT);
                assert!(
                    !text.contains("<!here>") && !text.contains("<script"),
                    "{text}"
                );
            }
        }
        let all = s.to_string();
        assert!(all.contains("Today's pick"));
        assert!(all.contains("Deadlines ahead"));
    }
}
