//! The HTML digest's colours, light and dark. Mail clients keep inline styles and may drop `<style>`,
//! so the light colours are inline; a client that asks for dark (`prefers-color-scheme: dark`: Apple
//! Mail, Outlook on the web and phones, a browser) gets the dark ones from the one `<style>` block,
//! by class, with `!important` over the inline values. Every text colour keeps a contrast of at least
//! 4.5:1 (WCAG AA) on the card in both schemes; the tests below compute it.

/// One colour role: the class that carries it, the CSS property, and its light and dark values.
pub(super) struct Role {
    pub class: &'static str,
    pub prop: &'static str,
    pub light: &'static str,
    pub dark: &'static str,
}

const fn role(
    class: &'static str,
    prop: &'static str,
    light: &'static str,
    dark: &'static str,
) -> Role {
    Role {
        class,
        prop,
        light,
        dark,
    }
}

pub(super) const PAGE: Role = role("tp-page", "background-color", "#f3f4f6", "#030712");
pub(super) const CARD: Role = role("tp-card", "background-color", "#ffffff", "#111827");
pub(super) const LINE: Role = role("tp-line", "border-color", "#e5e7eb", "#374151");
pub(super) const HEAD: Role = role("tp-head", "color", "#111827", "#f9fafb");
pub(super) const TEXT: Role = role("tp-text", "color", "#1f2937", "#e5e7eb");
pub(super) const MUTED: Role = role("tp-muted", "color", "#4b5563", "#d1d5db");
pub(super) const SMALL: Role = role("tp-small", "color", "#6b7280", "#9ca3af");
pub(super) const LINK: Role = role("tp-link", "color", "#1d4ed8", "#93c5fd");
pub(super) const WARN: Role = role("tp-warn", "color", "#b45309", "#fbbf24");

const ALL: [&Role; 9] = [
    &PAGE, &CARD, &LINE, &HEAD, &TEXT, &MUTED, &SMALL, &LINK, &WARN,
];
/// The roles that colour text; each is read on the card.
#[cfg(test)]
const TEXT_ROLES: [&Role; 6] = [&HEAD, &TEXT, &MUTED, &SMALL, &LINK, &WARN];

impl Role {
    /// The inline light declaration, e.g. `color:#1f2937;` (the class carries the dark one).
    pub fn inline(&self) -> String {
        format!("{}:{};", self.prop, self.light)
    }
}

/// The `<style>` rules for dark mode (and `color-scheme`, so form controls and scrollbars follow).
pub(super) fn css() -> String {
    let mut s = String::from(":root{color-scheme:light dark;supported-color-schemes:light dark}");
    s.push_str("@media (prefers-color-scheme:dark){");
    for r in ALL {
        s.push_str(&format!(".{}{{{}:{} !important}}", r.class, r.prop, r.dark));
    }
    s.push('}');
    s
}

/// WCAG 2 contrast ratio of two `#rrggbb` colours.
#[cfg(test)]
fn contrast(a: &str, b: &str) -> f64 {
    fn lum(hex: &str) -> f64 {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).expect("#rrggbb");
        let ch = |shift: u32| {
            let c = ((v >> shift) & 0xff) as f64 / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(16) + 0.7152 * ch(8) + 0.0722 * ch(0)
    }
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_known_values() {
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((contrast("#777777", "#ffffff") - 4.48).abs() < 0.01);
    }

    #[test]
    fn every_text_colour_reads_at_4_5_to_1_in_both_schemes() {
        for r in TEXT_ROLES {
            for (scheme, fg, bg) in [("light", r.light, CARD.light), ("dark", r.dark, CARD.dark)] {
                let c = contrast(fg, bg);
                assert!(
                    c >= 4.5,
                    "{} in {scheme}: {fg} on {bg} is {c:.2}:1",
                    r.class
                );
            }
        }
    }

    #[test]
    fn the_dark_rules_cover_every_role() {
        let css = css();
        assert!(css.contains("@media (prefers-color-scheme:dark)"));
        for r in ALL {
            assert!(
                css.contains(&format!(".{}{{{}:{} !important}}", r.class, r.prop, r.dark)),
                "{}",
                r.class
            );
        }
    }
}
