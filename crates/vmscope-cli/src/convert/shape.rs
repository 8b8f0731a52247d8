//! The shape of one event type's values, inferred from the journal, and the Arrow type it becomes.
//!
//! Every value a field takes is merged into one shape: integers stay integers (unsigned when some
//! value needs 64 bits, a 20-digit decimal when values also go negative: raw registers do), numbers
//! with a fraction are floats, arrays are lists of their elements' merged shape, objects are structs
//! with the union of their members. Values that cannot share a type (a number here, a string there)
//! become text: strings as they are, other values as their JSON text, so nothing is lost.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields};
use serde_json::{Map, Value};

/// Objects with more members than this are kept as JSON text (a map, not a record).
const MAX_STRUCT_FIELDS: usize = 256;
/// Nesting deeper than this is kept as JSON text.
const MAX_DEPTH: usize = 16;

/// What the values of a field look like.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Only nulls (or nothing) seen.
    Null,
    /// true/false.
    Bool,
    /// Whole numbers: `neg` some are negative, `big` some exceed `i64::MAX`.
    Int {
        /// Some value is negative.
        neg: bool,
        /// Some value is above `i64::MAX`.
        big: bool,
    },
    /// Numbers with a fraction or an exponent.
    Float,
    /// Text (strings, or the JSON text of values of mixed kinds).
    Text,
    /// Arrays, of elements of this shape.
    List(Box<Shape>),
    /// Objects.
    Struct(Record),
}

/// The members of an object shape, in the order first seen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// Names and shapes, in order.
    pub fields: Vec<(String, Shape)>,
    index: HashMap<String, usize>,
}

impl Record {
    /// Merges an object's members into the record; `false` when it grew too wide.
    pub fn merge_object(&mut self, obj: &Map<String, Value>, depth: usize) -> bool {
        for (k, v) in obj {
            match self.index.get(k) {
                Some(&i) => merge_value(&mut self.fields[i].1, v, depth + 1),
                None => {
                    if self.fields.len() >= MAX_STRUCT_FIELDS {
                        return false;
                    }
                    let mut s = Shape::Null;
                    merge_value(&mut s, v, depth + 1);
                    self.index.insert(k.clone(), self.fields.len());
                    self.fields.push((k.clone(), s));
                }
            }
        }
        true
    }
}

/// Merges one value into a shape.
pub fn merge_value(shape: &mut Shape, v: &Value, depth: usize) {
    if depth > MAX_DEPTH && !matches!(v, Value::Null) {
        *shape = Shape::Text;
        return;
    }
    match (&mut *shape, v) {
        (_, Value::Null) => {}
        (Shape::Text, _) => {}
        (Shape::Null, Value::Bool(_)) => *shape = Shape::Bool,
        (Shape::Bool, Value::Bool(_)) => {}
        (Shape::Null, Value::Number(n)) => *shape = number_shape(n),
        (Shape::Int { neg, big }, Value::Number(n)) => match number_shape(n) {
            Shape::Int { neg: n2, big: b2 } => {
                *neg |= n2;
                *big |= b2;
            }
            _ => *shape = Shape::Float,
        },
        (Shape::Float, Value::Number(_)) => {}
        (Shape::Null, Value::String(_)) => *shape = Shape::Text,
        (Shape::Null, Value::Array(a)) => {
            let mut inner = Shape::Null;
            for x in a {
                merge_value(&mut inner, x, depth + 1);
            }
            *shape = Shape::List(Box::new(inner));
        }
        (Shape::List(inner), Value::Array(a)) => {
            for x in a {
                merge_value(inner, x, depth + 1);
            }
        }
        (Shape::Null, Value::Object(o)) => {
            let mut r = Record::default();
            *shape = if r.merge_object(o, depth) {
                Shape::Struct(r)
            } else {
                Shape::Text
            };
        }
        (Shape::Struct(r), Value::Object(o)) => {
            if !r.merge_object(o, depth) {
                *shape = Shape::Text;
            }
        }
        _ => *shape = Shape::Text,
    }
}

fn number_shape(n: &serde_json::Number) -> Shape {
    if let Some(i) = n.as_i64() {
        Shape::Int {
            neg: i < 0,
            big: false,
        }
    } else if n.as_u64().is_some() {
        Shape::Int {
            neg: false,
            big: true,
        }
    } else {
        Shape::Float
    }
}

/// Fields that hold addresses, registers or offsets: unsigned 64-bit whenever their values are not
/// negative, so every run's file has the same type for them (a run whose values all fit `i64` would
/// otherwise say `Int64`, and readers merging runs would meet two types).
const UNSIGNED: &[&str] = &[
    "raw",
    "start",
    "end",
    "base",
    "load_bias",
    "pc",
    "offset",
    "symbol_offset",
    "cr3",
    "addr",
    "address",
];

/// Whether a shape says nothing: only nulls, empty arrays, objects of such members. Such fields are
/// left out of the schema (a reader merging files fills them with nulls), so a field that was null
/// throughout one run does not get a type that conflicts with another run's.
pub fn is_empty(shape: &Shape) -> bool {
    match shape {
        Shape::Null => true,
        Shape::List(inner) => is_empty(inner),
        Shape::Struct(r) => r.fields.iter().all(|(_, s)| is_empty(s)),
        _ => false,
    }
}

/// The Arrow type a shape is written as (`name`: the field's name, for [`UNSIGNED`]).
pub fn data_type(name: &str, shape: &Shape) -> DataType {
    match shape {
        Shape::Null | Shape::Text => DataType::Utf8,
        Shape::Bool => DataType::Boolean,
        Shape::Int { neg: false, .. } if UNSIGNED.contains(&name) => DataType::UInt64,
        Shape::Int { big: false, .. } => DataType::Int64,
        Shape::Int {
            neg: false,
            big: true,
        } => DataType::UInt64,
        Shape::Int {
            neg: true,
            big: true,
        } => DataType::Decimal128(20, 0),
        Shape::Float => DataType::Float64,
        Shape::List(inner) => {
            DataType::List(Arc::new(Field::new("item", data_type(name, inner), true)))
        }
        Shape::Struct(r) if r.fields.iter().all(|(_, s)| is_empty(s)) => DataType::Utf8,
        Shape::Struct(r) => DataType::Struct(fields(r)),
    }
}

/// The Arrow fields of a record, without the empty ones.
pub fn fields(r: &Record) -> Fields {
    r.fields
        .iter()
        .filter(|(_, s)| !is_empty(s))
        .map(|(name, s)| Field::new(name, data_type(name, s), true))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use serde_json::json;

    fn shape_of(values: &[Value]) -> Shape {
        let mut s = Shape::Null;
        for v in values {
            merge_value(&mut s, v, 0);
        }
        s
    }

    fn dt(values: &[Value]) -> DataType {
        data_type("x", &shape_of(values))
    }

    #[test]
    fn numbers_widen_without_loss() {
        assert_eq!(dt(&[json!(1), json!(-2)]), DataType::Int64);
        assert_eq!(dt(&[json!(1), json!(u64::MAX)]), DataType::UInt64);
        assert_eq!(
            dt(&[json!(-1), json!(u64::MAX)]),
            DataType::Decimal128(20, 0)
        );
        assert_eq!(dt(&[json!(1), json!(1.5)]), DataType::Float64);
    }

    #[test]
    fn addresses_are_unsigned_in_every_run() {
        assert_eq!(
            data_type("raw", &shape_of(&[json!([1, 2, 3])])),
            DataType::List(Arc::new(Field::new("item", DataType::UInt64, true)))
        );
        assert_eq!(
            data_type("base", &shape_of(&[json!(4096)])),
            DataType::UInt64
        );
        assert_eq!(data_type("ret", &shape_of(&[json!(3)])), DataType::Int64);
    }

    #[test]
    fn fields_that_say_nothing_are_left_out() {
        let mut r = Record::default();
        r.merge_object(
            json!({"a": null, "b": [], "c": {"d": null}, "e": 1})
                .as_object()
                .unwrap(),
            0,
        );
        let f = fields(&r);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].name(), "e");
    }

    #[test]
    fn mixed_kinds_become_text_and_nesting_is_kept() {
        assert_eq!(dt(&[json!(1), json!("x")]), DataType::Utf8);
        assert_eq!(dt(&[json!(null)]), DataType::Utf8);
        let s = shape_of(&[
            json!({"pid": 1, "ops": ["a"]}),
            json!({"pid": 2, "threads": [{"tid": 3}]}),
        ]);
        let DataType::Struct(f) = data_type("x", &s) else {
            panic!("{s:?}")
        };
        let names: Vec<_> = f.iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["pid", "ops", "threads"]);
        assert!(matches!(f[1].data_type(), DataType::List(_)));
    }

    #[test]
    fn an_object_then_a_scalar_is_text() {
        assert_eq!(dt(&[json!({"a": 1}), json!(3)]), DataType::Utf8);
        assert_eq!(dt(&[json!({})]), DataType::Utf8);
    }
}
