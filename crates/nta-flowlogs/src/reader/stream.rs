//! Streaming a blob's `records` array: serde visitors over a buffered
//! reader hand each record's raw JSON text to a callback, so a blob of any
//! size is read with the memory of one record.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::io::Read;
use std::rc::Rc;

/// What the record callback says.
pub(crate) enum Control {
    Continue,
    /// Stop reading this file: its first record is not a flow-log record.
    NotFlowLog,
    /// Stop reading this file with an error.
    Abort,
}

/// How reading a blob's records ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The whole array was read.
    Complete,
    /// Not a flow-log blob (not an object with a `records` array of flow-log records).
    NotFlowLog,
    /// The callback aborted.
    Aborted,
    /// The input ended inside the records array (records before it were read).
    Cut { offset: u64, record: usize },
    /// Broken JSON (not an early end) at `offset`.
    Broken { offset: u64, record: usize, reason: String },
}

/// A reader that counts the bytes taken from it: serde_json reads byte by
/// byte, so the count is the parser's position in the file.
pub(crate) struct Counting<'p, R> {
    inner: R,
    pos: Rc<Cell<u64>>,
    /// Called with the bytes consumed since its last call, every ~1 MiB.
    progress: &'p mut dyn FnMut(u64),
    reported: u64,
}

const REPORT_EVERY: u64 = 1 << 20;

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let pos = self.pos.get() + n as u64;
        self.pos.set(pos);
        if pos - self.reported >= REPORT_EVERY || n == 0 {
            (self.progress)(pos - self.reported);
            self.reported = pos;
        }
        Ok(n)
    }
}

/// The record callback: (index, byte offset, raw JSON) → what next.
type OnRecord<'f> = &'f mut dyn FnMut(usize, u64, &str) -> Control;

struct State<'f> {
    pos: Rc<Cell<u64>>,
    on_record: RefCell<OnRecord<'f>>,
    records: Cell<usize>,
    saw_records: Cell<bool>,
    stop: Cell<Option<Ending>>,
}

/// Reads the records of the blob in `input` (a buffered reader), calling
/// `on_record(index, byte offset, raw JSON)` for each; `progress` gets the
/// bytes read as they go.
pub(crate) fn records<R: Read>(
    input: R,
    progress: &mut dyn FnMut(u64),
    on_record: &mut dyn FnMut(usize, u64, &str) -> Control,
) -> Ending {
    let pos = Rc::new(Cell::new(0));
    let reader = Counting { inner: input, pos: pos.clone(), progress, reported: 0 };
    let state = State {
        pos: pos.clone(),
        on_record: RefCell::new(on_record),
        records: Cell::new(0),
        saw_records: Cell::new(false),
        stop: Cell::new(None),
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = de::Deserializer::deserialize_any(&mut de, Top(&state)).and_then(|()| de.end());
    if let Some(ending) = state.stop.take() {
        return ending;
    }
    match result {
        Ok(()) if state.saw_records.get() => Ending::Complete,
        Ok(()) => Ending::NotFlowLog,
        // Not JSON, or broken before any `records` array.
        Err(_) if !state.saw_records.get() => Ending::NotFlowLog,
        Err(e) if e.is_eof() => Ending::Cut { offset: pos.get(), record: state.records.get() },
        Err(e) => Ending::Broken { offset: pos.get(), record: state.records.get(), reason: e.to_string() },
    }
}

struct Top<'s, 'f>(&'s State<'f>);

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with a `records` array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "records" && !self.0.saw_records.get() {
                self.0.saw_records.set(true);
                map.next_value_seed(Records(self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<(), A::Error> {
        self.0.stop.set(Some(Ending::NotFlowLog));
        Err(de::Error::custom("not a flow-log blob"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

struct Records<'s, 'f>(&'s State<'f>);

impl<'de> DeserializeSeed<'de> for Records<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let s = self.0;
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            let text = raw.get();
            let index = s.records.get();
            // The record's text ends where the parser is now.
            let offset = s.pos.get().saturating_sub(text.len() as u64);
            let control = (s.on_record.borrow_mut())(index, offset, text);
            s.records.set(index + 1);
            match control {
                Control::Continue => {}
                Control::NotFlowLog => {
                    s.stop.set(Some(Ending::NotFlowLog));
                    return Err(de::Error::custom("not a flow-log blob"));
                }
                Control::Abort => {
                    s.stop.set(Some(Ending::Aborted));
                    return Err(de::Error::custom("stopped"));
                }
            }
        }
        Ok(())
    }

    // `records` that is not an array: not a flow-log blob.
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<(), A::Error> {
        self.0.stop.set(Some(Ending::NotFlowLog));
        Err(de::Error::custom("not a flow-log blob"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.0.stop.set(Some(Ending::NotFlowLog));
        Err(E::custom("not a flow-log blob"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.0.stop.set(Some(Ending::NotFlowLog));
        Err(E::custom("not a flow-log blob"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.0.stop.set(Some(Ending::NotFlowLog));
        Err(E::custom("not a flow-log blob"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.stop.set(Some(Ending::NotFlowLog));
        Err(E::custom("not a flow-log blob"))
    }
}
