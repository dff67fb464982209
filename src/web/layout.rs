//! The frame of every page that is not a digest: a small, phone-first layout with inline CSS (the
//! CSP allows inline styles and nothing else).

use maud::{html, Markup, DOCTYPE};

const CSS: &str = "body{margin:0;background:#f3f4f6;color:#111827;\
font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;\
overflow-wrap:anywhere;line-height:1.5}\
main{max-width:640px;margin:0 auto;padding:16px;background:#fff;min-height:100vh;box-sizing:border-box}\
nav{font-size:14px;margin:0 0 12px}nav a{margin-right:14px}\
a{color:#1d4ed8}h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:20px 0 8px}\
.muted{color:#6b7280;font-size:13px}.hit{margin:0 0 16px}\
form.inline{display:inline}\
button{font-size:16px;padding:10px 16px;border:1px solid #9ca3af;border-radius:8px;background:#f9fafb;cursor:pointer}\
button.small{font-size:13px;padding:3px 8px}\
input[type=search]{font-size:16px;padding:8px;width:100%;box-sizing:border-box;border:1px solid #9ca3af;border-radius:6px}\
table{border-collapse:collapse;width:100%}td{padding:6px 4px;border-top:1px solid #e5e7eb;vertical-align:top}\
ul.days{padding-left:18px}";

/// A full page: `title`, the site's navigation, then `body`.
pub fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · trendd" }
                link rel="alternate" type="application/atom+xml" title="trendd digests" href="/feed.atom";
                style { (maud::PreEscaped(CSS)) }
            }
            body {
                main {
                    nav {
                        a href="/" { "Digests" }
                        a href="/items" { "Search" }
                        a href="/feed.atom" { "Atom feed" }
                    }
                    (body)
                }
            }
        }
    }
}
