//! A reader for the plain part of TOML that config files are written in: `[table]` and `[[array]]`
//! headers of bare keys, `key = value` lines with bare keys, and values that are basic or literal
//! strings, decimal integers and floats, booleans and arrays of these, with comments anywhere a line
//! may end. It gives the same table as the `toml` crate, about ten times faster: a config of a
//! thousand feeds took the `toml` crate longer to read than a whole fetch of local files.
//!
//! Anything outside that part, or anything that might be an error (a key or table given twice, an
//! unknown escape, a number TOML spells differently), makes it give up with `None`; the caller then
//! reads the text with the `toml` crate, which accepts all of TOML and words every error.

use toml::{Table, Value};

/// One element of a `[[list]]` kept apart (`parse_split`): its `key = value` lines in order.
pub type Entries<'a> = Vec<(&'a str, Value)>;

/// The table `text` holds, or `None` when it is not plain TOML as described above.
pub fn parse(text: &str) -> Option<Table> {
    parse_split(text, None).map(|(table, _)| table)
}

/// Like `parse`, with the top-level array of tables `list` (`[[list]]` headers) given apart, as
/// the lines of each element, instead of inside the table: a config of a thousand feeds spent most
/// of its reading building a map of four keys for each feed. `None` for the list when the text has
/// no `[[list]]`; any other use of the name (`[list]`, `list = …`, `[list.x]`) gives up.
pub fn parse_split<'a>(
    text: &'a str,
    list: Option<&str>,
) -> Option<(Table, Option<Vec<Entries<'a>>>)> {
    let mut p = Parser {
        t: text,
        s: text.as_bytes(),
        i: 0,
    };
    let mut root = Table::new();
    let mut apart: Option<Vec<Entries<'a>>> = None;
    // The header in force: its path, whether it names an array of tables, or the list kept apart.
    let mut path: Vec<String> = Vec::new();
    let mut in_array = false;
    let mut in_list = false;
    // Arrays made by `[[…]]` headers, by dotted path: only those take more elements.
    let mut arrays: Vec<String> = Vec::new();
    loop {
        p.skip_ws();
        match p.peek() {
            None => return Some((root, apart)),
            Some(b'\n') | Some(b'\r') | Some(b'#') => p.end_of_line()?,
            Some(b'[') => {
                p.i += 1;
                let double = p.eat(b'[');
                let keys = p.header_keys()?;
                p.expect(b']')?;
                if double {
                    p.expect(b']')?;
                }
                p.end_of_line()?;
                in_list = false;
                if list.is_some_and(|l| keys[0] == l) {
                    if !(double && keys.len() == 1) || root.contains_key(keys[0]) {
                        return None;
                    }
                    // Room for a feed's lines (kind, name, url, label, enabled) at once.
                    apart
                        .get_or_insert_with(Vec::new)
                        .push(Entries::with_capacity(5));
                    in_list = true;
                    continue;
                }
                let keys: Vec<String> = keys.into_iter().map(str::to_string).collect();
                let dotted = keys.join(".");
                open_header(&mut root, &keys, double, &dotted, &arrays)?;
                if double && !arrays.contains(&dotted) {
                    arrays.push(dotted);
                }
                path = keys;
                in_array = double;
            }
            Some(_) => {
                let key = p.bare_key()?;
                p.skip_ws();
                p.expect(b'=')?;
                p.skip_ws();
                let value = p.value(0)?;
                p.end_of_line()?;
                if in_list {
                    let entries = apart.as_mut()?.last_mut()?;
                    if entries.iter().any(|(k, _)| *k == key) {
                        return None;
                    }
                    entries.push((key, value));
                    continue;
                }
                if path.is_empty() && list == Some(key) {
                    return None;
                }
                let table = current(&mut root, &path, in_array)?;
                if table.contains_key(key) {
                    return None;
                }
                table.insert(key.to_string(), value);
            }
        }
    }
}

/// Makes the table a header names, checking that TOML allows it here.
fn open_header(
    root: &mut Table,
    keys: &[String],
    double: bool,
    dotted: &str,
    arrays: &[String],
) -> Option<()> {
    let (last, parents) = keys.split_last()?;
    let mut t = root;
    for k in parents {
        t = match t
            .entry(k.clone())
            .or_insert_with(|| Value::Table(Table::new()))
        {
            Value::Table(inner) => inner,
            // Into an array's last element: legal TOML, left to the full reader.
            _ => return None,
        };
    }
    match (t.get_mut(last.as_str()), double) {
        (None, false) => {
            t.insert(last.clone(), Value::Table(Table::new()));
        }
        (None, true) => {
            t.insert(last.clone(), Value::Array(vec![Value::Table(Table::new())]));
        }
        (Some(Value::Array(a)), true) if arrays.iter().any(|d| d == dotted) => {
            a.push(Value::Table(Table::new()));
        }
        // A table defined again, or a header over a key: an error, or a subtlety of TOML.
        _ => return None,
    }
    Some(())
}

/// The table key/value lines go into under the header in force.
fn current<'t>(root: &'t mut Table, path: &[String], in_array: bool) -> Option<&'t mut Table> {
    let mut t = root;
    let n = path.len();
    for (i, k) in path.iter().enumerate() {
        t = match t.get_mut(k.as_str())? {
            Value::Table(inner) => inner,
            Value::Array(a) if in_array && i + 1 == n => match a.last_mut()? {
                Value::Table(inner) => inner,
                _ => return None,
            },
            _ => return None,
        };
    }
    Some(t)
}

/// Control characters other than tab: not allowed in a string or a comment.
fn illegal(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') | (b == 0x7f)
}

/// Whether `run` holds an `illegal` byte, in a form the compiler vectorizes.
fn any_illegal(run: &[u8]) -> bool {
    run.iter().fold(false, |seen, &b| seen | illegal(b))
}

struct Parser<'a> {
    t: &'a str,
    s: &'a [u8],
    i: usize,
}

/// Arrays nested deeper than this are left to the full reader.
const MAX_DEPTH: usize = 8;

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.i += hit as usize;
        hit
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        self.eat(b).then_some(())
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    /// Optional blanks and comment, then a newline or the end of the text.
    fn end_of_line(&mut self) -> Option<()> {
        self.skip_ws();
        if self.eat(b'#') {
            let rest = &self.s[self.i..];
            let stop = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
            if any_illegal(&rest[..stop]) {
                return None;
            }
            self.i += stop;
        }
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.i += 1;
                Some(())
            }
            Some(b'\r') if self.s.get(self.i + 1) == Some(&b'\n') => {
                self.i += 2;
                Some(())
            }
            _ => None,
        }
    }

    fn bare_key(&mut self) -> Option<&'a str> {
        let start = self.i;
        while matches!(
            self.peek(),
            Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-')
        ) {
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        self.t.get(start..self.i)
    }

    /// `a.b.c` inside a header, blanks allowed around each key.
    fn header_keys(&mut self) -> Option<Vec<&'a str>> {
        let mut keys = Vec::new();
        loop {
            self.skip_ws();
            keys.push(self.bare_key()?);
            self.skip_ws();
            if !self.eat(b'.') {
                return Some(keys);
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        match self.peek()? {
            b'"' => self.basic_string().map(Value::String),
            b'\'' => self.literal_string().map(Value::String),
            b'[' if depth < MAX_DEPTH => self.array(depth + 1),
            b't' | b'f' => self.boolean(),
            b'0'..=b'9' | b'+' | b'-' => self.number(),
            _ => None,
        }
    }

    fn basic_string(&mut self) -> Option<String> {
        self.i += 1;
        if self.s[self.i..].starts_with(b"\"\"") {
            return None; // `"""`: a multi-line string
        }
        let mut out = String::new();
        loop {
            // The run up to the closing quote or an escape, taken whole.
            let stop = self.i + memchr::memchr2(b'"', b'\\', &self.s[self.i..])?;
            if any_illegal(&self.s[self.i..stop]) {
                return None;
            }
            if out.is_empty() && self.s[stop] == b'"' {
                // No escape (most strings): one allocation of the right size.
                let whole = self.t.get(self.i..stop)?.to_string();
                self.i = stop + 1;
                return Some(whole);
            }
            out.push_str(self.t.get(self.i..stop)?);
            self.i = stop + 1;
            if self.s[stop] == b'"' {
                return Some(out);
            }
            let c = match self.peek()? {
                b'u' => self.hex_escape(4)?,
                b'U' => self.hex_escape(8)?,
                simple => {
                    self.i += 1;
                    match simple {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        _ => return None,
                    }
                }
            };
            out.push(c);
        }
    }

    /// `\uXXXX` or `\UXXXXXXXX` with `self.i` on the `u`; leaves `self.i` after the digits.
    fn hex_escape(&mut self, n: usize) -> Option<char> {
        let digits = self.s.get(self.i + 1..self.i + 1 + n)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let code = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
        self.i += 1 + n;
        char::from_u32(code)
    }

    fn literal_string(&mut self) -> Option<String> {
        self.i += 1;
        if self.s[self.i..].starts_with(b"''") {
            return None; // `'''`: a multi-line string
        }
        let stop = self.i + memchr::memchr(b'\'', &self.s[self.i..])?;
        if any_illegal(&self.s[self.i..stop]) {
            return None;
        }
        let s = self.t.get(self.i..stop)?.to_string();
        self.i = stop + 1;
        Some(s)
    }

    fn boolean(&mut self) -> Option<Value> {
        for (word, v) in [(&b"true"[..], true), (&b"false"[..], false)] {
            if self.s[self.i..].starts_with(word) {
                self.i += word.len();
                return self.delimited().then_some(Value::Boolean(v));
            }
        }
        None
    }

    /// Whether what follows a scalar can end it (else it is something longer, e.g. a date).
    fn delimited(&self) -> bool {
        matches!(
            self.peek(),
            None | Some(b' ' | b'\t' | b'\n' | b'\r' | b'#' | b',' | b']')
        )
    }

    /// A decimal integer or float as TOML writes them without `_`; anything else gives up.
    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        if matches!(self.peek(), Some(b'+' | b'-')) {
            self.i += 1;
        }
        let int_start = self.i;
        self.digits();
        let int = &self.s[int_start..self.i];
        // No leading zeros (`01`), and at least one digit (not `inf` or `nan`).
        if int.is_empty() || int.len() > 1 && int[0] == b'0' {
            return None;
        }
        let mut float = false;
        if self.eat(b'.') {
            float = true;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            float = true;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        if !self.delimited() {
            return None;
        }
        let text = self.t.get(start..self.i)?;
        if float {
            text.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::Float)
        } else {
            text.parse::<i64>().ok().map(Value::Integer)
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    /// Blanks, newlines and comments between the elements of an array.
    fn skip_array_space(&mut self) -> Option<()> {
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'\n' | b'\r' | b'#') => self.end_of_line()?,
                _ => return Some(()),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.skip_array_space()?;
            if self.eat(b']') {
                return Some(Value::Array(items));
            }
            items.push(self.value(depth)?);
            self.skip_array_space()?;
            if !self.eat(b',') {
                self.skip_array_space()?;
                self.expect(b']')?;
                return Some(Value::Array(items));
            }
        }
    }
}

#[cfg(test)]
#[path = "fast_tests.rs"]
mod tests;
