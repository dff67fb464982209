//! A small flat reader for XML listings (arXiv RSS and Atom): each record element (`item`, `entry`)
//! becomes the list of elements inside it, with local names, attributes and text. Namespaced
//! elements such as `arxiv:announce_type`, which feed-rs ignores, come through by local name.

use quick_xml::events::Event;
use quick_xml::Reader;

/// One element inside a record.
#[derive(Debug, Clone, Default)]
pub struct Field {
    /// Local name (`announce_type` for `arxiv:announce_type`).
    pub name: String,
    /// Prefix as written (`arxiv`, `dc`, or empty).
    pub prefix: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
}

impl Field {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub type Record = Vec<Field>;

/// The document's root element local name and its records (elements named one of `record_tags`).
pub fn records(bytes: &[u8], record_tags: &[&str]) -> Result<(String, Vec<Record>), String> {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut root = String::new();
    let mut out = Vec::new();
    let mut current: Option<Record> = None;
    // Indices into `current` of the open fields, innermost last.
    let mut open: Vec<usize> = Vec::new();
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                let qname = e.name();
                let local = String::from_utf8_lossy(qname.local_name().as_ref()).into_owned();
                let prefix = qname
                    .prefix()
                    .map(|p| String::from_utf8_lossy(p.as_ref()).into_owned())
                    .unwrap_or_default();
                if root.is_empty() {
                    root = local.clone();
                }
                if current.is_none() {
                    if record_tags.contains(&local.as_str()) && !empty {
                        current = Some(Vec::new());
                    }
                    continue;
                }
                let rec = current.as_mut().expect("inside a record");
                let attrs = e
                    .attributes()
                    .flatten()
                    .map(|a| {
                        let k = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
                        let v = a
                            .unescape_value()
                            .map(|v| v.into_owned())
                            .unwrap_or_else(|_| String::from_utf8_lossy(&a.value).into_owned());
                        (k, v)
                    })
                    .collect();
                rec.push(Field {
                    name: local,
                    prefix,
                    attrs,
                    text: String::new(),
                });
                if !empty {
                    open.push(rec.len() - 1);
                }
            }
            Event::End(ref e) => {
                let local = e.name();
                let local = local.local_name();
                if open.is_empty() {
                    if let Some(rec) = current.take() {
                        if record_tags.iter().any(|t| t.as_bytes() == local.as_ref()) {
                            out.push(rec);
                        } else {
                            current = Some(rec);
                        }
                    }
                } else {
                    open.pop();
                }
            }
            Event::Text(ref t) => push_text(&mut current, &open, &t.decode().unwrap_or_default()),
            Event::CData(ref t) => push_text(&mut current, &open, &String::from_utf8_lossy(t)),
            Event::GeneralRef(ref r) => {
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = r.decode().unwrap_or_default();
                        match name.as_ref() {
                            "amp" => "&".into(),
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "quot" => "\"".into(),
                            "apos" => "'".into(),
                            other => format!("&{other};"),
                        }
                    }
                };
                push_text(&mut current, &open, &s);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if root.is_empty() {
        return Err("not XML: no root element".into());
    }
    Ok((root, out))
}

fn push_text(current: &mut Option<Record>, open: &[usize], s: &str) {
    if let (Some(rec), Some(&i)) = (current.as_mut(), open.last()) {
        rec[i].text.push_str(s);
    }
}

/// Text of the first field named `name` (trimmed), if present and not empty.
pub fn text<'a>(rec: &'a Record, name: &str) -> Option<&'a str> {
    rec.iter()
        .find(|f| f.name == name)
        .map(|f| f.text.trim())
        .filter(|t| !t.is_empty())
}
