//! The one way commands print. Everything goes through here so that
//! - a closed pipe (`trendd status | head`) ends the command quietly with exit 0 (`Error::OutputClosed`),
//! - any other write error (a full disk, `> /dev/full`) is an error with exit 1, never a panic and
//!   never a silent success (`println!` panics on both; a `BufWriter` dropped unflushed hides them),
//! - text that came from outside (feed titles, a server's error text, a receipt) cannot drive the
//!   terminal: control characters are removed from all of it (ESC sequences can retitle a terminal,
//!   CR and backspace can forge a line, bidi overrides can reorder it).
//!
//! Our own output never holds such characters, so cleaning the whole text is safe; JSON output keeps
//! them escaped (`\u001b`), which is inert.

use crate::error::{Error, Result};
use std::borrow::Cow;
use std::io::Write;

/// True for characters that must not reach a terminal: C0 and C1 controls (but newline and tab), DEL,
/// and the Unicode bidi controls.
fn hostile(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` without control characters (newline and tab kept).
pub fn printable(s: &str) -> Cow<'_, str> {
    // ASCII text (most of it) holds no bidi control: only its control bytes need a look, and both
    // tests compile to vector code.
    let clean = if s.is_ascii() {
        s.bytes().fold(false, |seen, b| {
            seen | ((b < 0x20) & (b != b'\n') & (b != b'\t') | (b == 0x7f))
        }) == false
    } else {
        !s.chars().any(hostile)
    };
    if clean {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().filter(|c| !hostile(*c)).collect())
}

/// `s` on one line: control characters removed and newlines and tabs turned into spaces, for a
/// value from outside shown inside one line of our own.
pub fn one_line(s: &str) -> String {
    printable(s)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect()
}

fn write_error(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Error::OutputClosed
    } else {
        Error::io("writing to standard output", e)
    }
}

/// Writes `text` to stdout, cleaned, and flushes.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(printable(text).as_bytes())
        .and_then(|()| out.flush())
        .map_err(write_error)
}

/// `print` with a newline.
pub fn println(text: &str) -> Result<()> {
    let mut s = String::with_capacity(text.len() + 1);
    s.push_str(text);
    s.push('\n');
    print(&s)
}

/// Writes a line to stderr, cleaned. Errors are dropped: there is nowhere left to report them.
pub fn eprintln(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", printable(text));
}

/// A buffered stdout for long listings, line by line; `finish` flushes (and reports what the last
/// writes hit).
pub struct Lines {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
}

impl Lines {
    pub fn new() -> Lines {
        Lines {
            out: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock()),
        }
    }

    pub fn line(&mut self, text: &str) -> Result<()> {
        self.out
            .write_all(printable(text).as_bytes())
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(write_error)
    }

    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(write_error)
    }
}

impl Default for Lines {
    fn default() -> Self {
        Lines::new()
    }
}

/// Text built before it is printed in one write (`writeln!` into a `String` cannot fail).
#[derive(Default)]
pub struct Page(pub String);

impl Page {
    pub fn line(&mut self, text: impl AsRef<str>) {
        self.0.push_str(text.as_ref());
        self.0.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let hostile = "ok\x1b]0;pwned\x07 \x1b[2J\rFAKE\u{8}\u{9b}31m\u{202e}txt\nnext\tcol";
        let clean = printable(hostile);
        assert_eq!(clean, "ok]0;pwned [2JFAKE31mtxt\nnext\tcol");
        assert_eq!(one_line("a\nb\tc\x1b"), "a b c");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
    }
}
