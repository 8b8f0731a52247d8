//! Alerts (intrusion-detection findings) and events published by modules loaded from libraries.

use serde::Serialize;
use serde::ser::SerializeMap;

/// A value in a module-defined event.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// No value.
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// Text.
    Str(String),
}

impl Serialize for FieldValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FieldValue::Null => s.serialize_none(),
            FieldValue::Bool(b) => s.serialize_bool(*b),
            FieldValue::Int(i) => s.serialize_i64(*i),
            FieldValue::UInt(u) => s.serialize_u64(*u),
            FieldValue::Str(t) => s.serialize_str(t),
        }
    }
}

/// An event defined by a module: its own `type` and named fields (alerts, derived events).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomEvent {
    /// Nanoseconds since tracing started.
    pub ts: u64,
    /// The journal's `type` (`alert`, or the module's own name for the event).
    pub kind: String,
    /// The module that published it.
    pub module: String,
    /// The fields, in order.
    pub fields: Vec<(String, FieldValue)>,
}

impl Serialize for CustomEvent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.fields.len() + 2))?;
        m.serialize_entry("ts", &self.ts)?;
        m.serialize_entry("module", &self.module)?;
        for (k, v) in &self.fields {
            if !matches!(k.as_str(), "ts" | "module" | "type") {
                m.serialize_entry(k, v)?;
            }
        }
        m.end()
    }
}
