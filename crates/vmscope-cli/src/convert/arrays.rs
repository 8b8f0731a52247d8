//! JSON values to Arrow arrays of an inferred type (see `shape.rs`), column by column.
//!
//! A value that does not fit its column's type (the inference saw every value, so only a value of
//! another kind merged into text can) is written as text or as null, never as a panic.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, StringBuilder};
use arrow_array::{
    ArrayRef, Decimal128Array, Float64Array, Int64Array, ListArray, StructArray, UInt64Array,
};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{ArrowError, DataType, Fields};
use serde_json::Value;

/// Builds the array of type `dt` from one value per row (`None`: the member is absent).
pub fn build(dt: &DataType, vals: &[Option<&Value>]) -> Result<ArrayRef, ArrowError> {
    Ok(match dt {
        DataType::Boolean => {
            let mut b = BooleanBuilder::with_capacity(vals.len());
            for v in vals {
                b.append_option(present(v).and_then(Value::as_bool));
            }
            Arc::new(b.finish())
        }
        DataType::Int64 => Arc::new(
            vals.iter()
                .map(|v| present(v).and_then(Value::as_i64))
                .collect::<Int64Array>(),
        ),
        DataType::UInt64 => Arc::new(
            vals.iter()
                .map(|v| present(v).and_then(Value::as_u64))
                .collect::<UInt64Array>(),
        ),
        DataType::Decimal128(p, s) => Arc::new(
            vals.iter()
                .map(|v| {
                    let v = present(v)?;
                    v.as_i64()
                        .map(i128::from)
                        .or_else(|| v.as_u64().map(i128::from))
                })
                .collect::<Decimal128Array>()
                .with_precision_and_scale(*p, *s)?,
        ),
        DataType::Float64 => Arc::new(
            vals.iter()
                .map(|v| present(v).and_then(Value::as_f64))
                .collect::<Float64Array>(),
        ),
        DataType::List(field) => {
            let mut lengths = Vec::with_capacity(vals.len());
            let mut valid = Vec::with_capacity(vals.len());
            let mut children: Vec<Option<&Value>> = Vec::new();
            for v in vals {
                match present(v) {
                    Some(Value::Array(a)) => {
                        lengths.push(a.len());
                        valid.push(true);
                        children.extend(a.iter().map(Some));
                    }
                    _ => {
                        lengths.push(0);
                        valid.push(false);
                    }
                }
            }
            let child = build(field.data_type(), &children)?;
            Arc::new(ListArray::try_new(
                field.clone(),
                OffsetBuffer::from_lengths(lengths),
                child,
                nulls(valid),
            )?)
        }
        DataType::Struct(fields) => {
            let objs: Vec<Option<&serde_json::Map<String, Value>>> = vals
                .iter()
                .map(|v| present(v).and_then(Value::as_object))
                .collect();
            let mut columns = Vec::with_capacity(fields.len());
            for (f, member) in fields.iter().zip(scatter(&objs, fields)) {
                columns.push(build(f.data_type(), &member)?);
            }
            let valid = objs.iter().map(Option::is_some).collect();
            Arc::new(StructArray::try_new(fields.clone(), columns, nulls(valid))?)
        }
        // Utf8, and anything else: text.
        _ => {
            let mut b = StringBuilder::with_capacity(vals.len(), vals.len() * 16);
            for v in vals {
                match present(v) {
                    None => b.append_null(),
                    Some(Value::String(s)) => b.append_value(s),
                    Some(other) => b.append_value(other.to_string()),
                }
            }
            Arc::new(b.finish())
        }
    })
}

/// The members of each object, column by column (`None` where an object lacks one). Each object
/// is walked once in its own order: objects of one type mostly list their members in the schema's
/// order, so the next column is guessed before the name is looked up.
pub fn scatter<'a>(
    objs: &[Option<&'a serde_json::Map<String, Value>>],
    fields: &Fields,
) -> Vec<Vec<Option<&'a Value>>> {
    let index: HashMap<&str, usize> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name().as_str(), i))
        .collect();
    let mut cols: Vec<Vec<Option<&Value>>> = vec![vec![None; objs.len()]; fields.len()];
    for (r, o) in objs.iter().enumerate() {
        let Some(o) = o else {
            continue;
        };
        let mut guess = 0;
        for (k, v) in o.iter() {
            let i = match fields.get(guess) {
                Some(f) if f.name() == k => guess,
                _ => match index.get(k.as_str()) {
                    Some(&i) => i,
                    None => continue,
                },
            };
            cols[i][r] = Some(v);
            guess = i + 1;
        }
    }
    cols
}

/// The value when present and not null.
fn present<'a>(v: &Option<&'a Value>) -> Option<&'a Value> {
    v.filter(|v| !v.is_null())
}

fn nulls(valid: Vec<bool>) -> Option<NullBuffer> {
    if valid.iter().all(|v| *v) {
        None
    } else {
        Some(NullBuffer::from(valid))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use crate::convert::shape::{Shape, data_type, merge_value};
    use arrow_array::Array;
    use serde_json::json;

    #[test]
    fn nested_values_round_trip_into_arrays() {
        let rows = [
            json!({"args": ["\"/etc\"", "O_RDONLY"], "raw": [1, 18446744073709551516u64], "p": [{"pid": 1, "ops": ["a", "b"]}]}),
            json!({"args": [], "raw": null}),
            json!({"p": [{"pid": 2}], "odd": 3}),
        ];
        let mut s = Shape::Null;
        for r in &rows {
            merge_value(&mut s, r, 0);
        }
        let dt = data_type("row", &s);
        let vals: Vec<Option<&Value>> = rows.iter().map(Some).collect();
        let a = build(&dt, &vals).unwrap();
        assert_eq!(a.len(), 3);
        let st = a.as_any().downcast_ref::<StructArray>().unwrap();
        let raw = st.column_by_name("raw").unwrap();
        assert!(raw.is_null(1) && raw.is_null(2));
        let args = st
            .column_by_name("args")
            .unwrap()
            .as_any()
            .downcast_ref::<ListArray>()
            .unwrap();
        assert_eq!(args.value_length(0), 2);
        assert_eq!(args.value_length(1), 0);
        assert!(!args.is_null(1) && args.is_null(2));
    }
}
