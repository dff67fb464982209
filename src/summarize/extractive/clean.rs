//! Cleaning: one pass over the bytes; all markup (LaTeX, URLs) is ASCII, so UTF-8 passes through intact.

/// Commands whose argument is a reference, not prose.
const DROP_WITH_ARG: &str = "cite|citep|citet|citealp|ref|eqref|url|footnote|label|autoref";
/// Commands that only style their argument, which stays.
const FORMAT_CMDS: &str = concat!(
    "emph|textbf|textit|texttt|textsc|textrm|text|mathbf|mathcal|mathrm|mathbb|mathit|mathsf|bm|",
    "boldsymbol|operatorname|underline|href"
);

pub(super) fn clean(s: &str) -> String {
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let word_start = i == 0 || b[i - 1].is_ascii_whitespace() || b[i - 1] == b'(';
        if b[i].is_ascii_alphanumeric() && !word_start {
            out.push(b[i]); // the common case, kept cheap
            i += 1;
            continue;
        }
        if word_start && is_url(&b[i..]) {
            let end = b[i..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(b.len(), |p| i + p);
            // Sentence punctuation glued to the URL still belongs to the prose.
            let keep = b[i..end]
                .iter()
                .rev()
                .take_while(|x| b".,;:)".contains(x))
                .count();
            i = end - keep;
            continue;
        }
        let c = b[i];
        i += 1;
        match c {
            b'$' | b'{' | b'}' => {}
            b'`' | b'\'' if b.get(i) == Some(&c) => {
                emit(&mut out, b'"'); // TeX quotes ``...''
                i += 1;
            }
            b'`' => emit(&mut out, b'\''),
            b'~' => emit(&mut out, b' '),
            b'\\' => {
                let len = b[i..]
                    .iter()
                    .take_while(|x| x.is_ascii_alphabetic())
                    .count();
                let name = &s[i..i + len];
                i += len;
                if name.is_empty() {
                    // \% and \& keep the symbol; a TeX line break "\\" becomes a space.
                    match b.get(i) {
                        Some(&p) if p.is_ascii_punctuation() => {
                            emit(&mut out, if p == b'\\' { b' ' } else { p });
                            i += 1;
                        }
                        _ => emit(&mut out, b' '),
                    }
                } else if DROP_WITH_ARG.split('|').any(|c| c == name) {
                    i = skip_group(b, i);
                } else if !FORMAT_CMDS.split('|').any(|c| c == name) {
                    // Greek letters and operators read fine as words (\alpha -> alpha).
                    if out.last().is_some_and(u8::is_ascii_alphanumeric) {
                        emit(&mut out, b' ');
                    }
                    out.extend_from_slice(name.as_bytes());
                }
            }
            _ => emit(&mut out, if c.is_ascii_whitespace() { b' ' } else { c }),
        }
    }
    String::from_utf8_lossy(&out).trim_end().to_string()
}

/// Appends one byte, collapsing spaces, dropping brackets left empty and re-attaching
/// punctuation stranded by a removed URL or citation.
fn emit(out: &mut Vec<u8>, c: u8) {
    let last = out.last().copied();
    match c {
        b' ' if last.is_none_or(|l| l == b' ') => {}
        b')' | b']' if last == Some(if c == b')' { b'(' } else { b'[' }) => {
            out.pop();
            if out.last() == Some(&b' ') {
                out.pop();
            }
        }
        b'.' | b',' | b';' | b':' | b')' | b']' if last == Some(b' ') => {
            out.pop();
            emit(out, c);
        }
        _ => out.push(c),
    }
}

fn is_url(b: &[u8]) -> bool {
    ["http://", "https://", "www.", "github.com/", "ftp://"]
        .iter()
        .any(|p| b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
}

/// Skip an optional `[..]` and a `{..}` argument, as in `\cite[p.~3]{key}`. An argument still
/// open after 300 bytes is malformed: keep the text rather than lose the rest of the abstract.
fn skip_group(b: &[u8], start: usize) -> usize {
    let mut j = start;
    for (open, close) in [(b'[', b']'), (b'{', b'}')] {
        let mut depth = 0i32;
        while j < b.len().min(start + 300) && (depth > 0 || b[j] == open) {
            depth += (b[j] == open) as i32 - (b[j] == close) as i32;
            j += 1;
        }
        if depth > 0 {
            return start;
        }
    }
    j
}
