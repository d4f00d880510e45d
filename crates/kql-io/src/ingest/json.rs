//! JSON exports, in either shape:
//!
//! - an array of row objects (`az monitor log-analytics query -o json`,
//!   whose values are all strings and which adds a `TableName` key);
//! - a sequence of row objects, one per line (JSON lines, as Log Analytics
//!   data export writes its `PT1H.json` blobs); objects spread over several
//!   lines work too.
//!
//! arrow-json's reader would need every value of a column in one JSON type
//! and cannot say on which line a record starts, so records are parsed with
//! serde_json one at a time and typed by [`super::typing`].

use super::{Row, Visitor, read_all};
use crate::error::IoError;
use serde_json::Value;
use std::path::Path;

const HELP: &str = "the file is not valid JSON: an array of objects, or one object per line";

/// Reads `path` (possibly gzip-compressed), giving `v` each record.
pub(crate) fn read(path: &Path, v: &mut dyn Visitor) -> Result<(), IoError> {
    let bytes = read_all(path)?;
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let mut cur = Cursor { text, pos: 0, line: 1, counted: 0 };
    cur.skip_ws();
    if cur.peek() == Some(b'[') {
        cur.pos += 1;
        array(path, &mut cur, v)
    } else {
        lines(path, &mut cur, v)
    }
}

/// A position in the text and its line number.
struct Cursor<'a> {
    text: &'a [u8],
    pos: usize,
    /// The line of `counted`.
    line: u64,
    counted: usize,
}

impl Cursor<'_> {
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    /// The line `pos` is on.
    fn line(&mut self) -> u64 {
        if self.pos < self.counted {
            self.counted = 0;
            self.line = 1;
        }
        let newlines = self.text[self.counted..self.pos].iter().filter(|&&b| b == b'\n').count();
        self.line += newlines as u64;
        self.counted = self.pos;
        self.line
    }

    /// Parses the JSON value at `pos` and moves past it.
    fn value(&mut self) -> Result<Top, serde_json::Error> {
        let mut stream = serde_json::Deserializer::from_slice(&self.text[self.pos..]).into_iter::<Top>();
        match stream.next() {
            Some(Ok(v)) => {
                self.pos += stream.byte_offset();
                Ok(v)
            }
            Some(Err(e)) => Err(e),
            None => Err(serde::de::Error::custom("expected a value")),
        }
    }
}

/// A serde_json error at the value starting on line `start`.
fn syntax(path: &Path, start: u64, e: &serde_json::Error) -> IoError {
    let message = e.to_string();
    let reason = message.split(" at line ").next().unwrap_or(&message).to_string();
    let line = start + e.line().saturating_sub(1) as u64;
    let reason = if e.is_eof() { format!("the JSON ends early ({reason}); the file may be truncated") } else { reason };
    IoError::Malformed { path: path.to_path_buf(), line, reason, help: HELP.into() }
}

/// A top-level JSON value: a row object with its keys in the file's order
/// (serde_json's `Map` sorts them), or what else it is.
enum Top {
    Object(Vec<(String, Value)>),
    Other(&'static str),
}

impl<'de> serde::Deserialize<'de> for Top {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Top, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> serde::de::Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut entries: Vec<(String, Value)> = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            // A repeated key: the last value wins, as in serde_json's Map.
            match entries.iter_mut().find(|(e, _)| *e == k) {
                Some(e) => e.1 = v,
                None => entries.push((k, v)),
            }
        }
        Ok(Top::Object(entries))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Top::Other("an array"))
    }

    fn visit_unit<E>(self) -> Result<Top, E> {
        Ok(Top::Other("null"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Top, E> {
        Ok(Top::Other("a bool"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Top, E> {
        Ok(Top::Other("a string"))
    }
}

fn not_an_object(path: &Path, line: u64, kind: &str) -> IoError {
    IoError::Malformed {
        path: path.to_path_buf(),
        line,
        reason: format!("a row must be a JSON object, not {kind}"),
        help: HELP.into(),
    }
}

fn array(path: &Path, cur: &mut Cursor<'_>, v: &mut dyn Visitor) -> Result<(), IoError> {
    cur.skip_ws();
    if cur.peek() == Some(b']') {
        cur.pos += 1;
    } else {
        loop {
            cur.skip_ws();
            let line = cur.line();
            let value = cur.value().map_err(|e| syntax(path, line, &e))?;
            match &value {
                Top::Object(entries) => v.row(line, Row::Json(entries))?,
                Top::Other(kind) => v.broken(not_an_object(path, line, kind))?,
            }
            cur.skip_ws();
            match cur.peek() {
                Some(b',') => cur.pos += 1,
                Some(b']') => {
                    cur.pos += 1;
                    break;
                }
                found => {
                    let line = cur.line();
                    let reason = match found {
                        None => "the JSON array is not closed; the file may be truncated".to_string(),
                        Some(b) => format!("expected `,` or `]` after a row, found `{}`", char::from(b)),
                    };
                    return Err(IoError::Malformed { path: path.to_path_buf(), line, reason, help: HELP.into() });
                }
            }
        }
    }
    cur.skip_ws();
    if cur.pos < cur.text.len() {
        let line = cur.line();
        return Err(IoError::Malformed {
            path: path.to_path_buf(),
            line,
            reason: "text after the end of the JSON array".into(),
            help: HELP.into(),
        });
    }
    Ok(())
}

fn lines(path: &Path, cur: &mut Cursor<'_>, v: &mut dyn Visitor) -> Result<(), IoError> {
    loop {
        cur.skip_ws();
        if cur.pos >= cur.text.len() {
            return Ok(());
        }
        let line = cur.line();
        match cur.value() {
            Ok(Top::Object(entries)) => v.row(line, Row::Json(&entries))?,
            Ok(Top::Other(kind)) => v.broken(not_an_object(path, line, kind))?,
            Err(e) => {
                v.broken(syntax(path, line, &e))?;
                // --lenient: go on at the next line.
                match cur.text[cur.pos..].iter().position(|&b| b == b'\n') {
                    Some(k) => cur.pos += k + 1,
                    None => return Ok(()),
                }
            }
        }
    }
}
