//! Small helpers for reading events' fields.

use serde_json::{Map, Value};

/// A field as a signed integer.
pub fn get_i64(ev: &Map<String, Value>, k: &str) -> Option<i64> {
    ev.get(k).and_then(Value::as_i64)
}

/// A field as an unsigned integer.
pub fn get_u64(ev: &Map<String, Value>, k: &str) -> Option<u64> {
    ev.get(k).and_then(Value::as_u64)
}

/// A field as text.
pub fn get_str<'a>(ev: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    ev.get(k).and_then(Value::as_str)
}

/// A field as text whatever its JSON kind (numbers as written; null and absent as `None`).
pub fn get_text(ev: &Map<String, Value>, k: &str) -> Option<String> {
    match ev.get(k)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// `s` cut to at most `max` bytes (on a character boundary), with `…` when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// A value cut for display: long strings clipped, long arrays and objects shortened, depth bounded.
pub fn shorten(v: &Value, depth: usize) -> Value {
    match v {
        Value::String(s) => Value::String(clip(s, 300)),
        Value::Array(a) if depth < 4 => {
            let mut out: Vec<Value> = a.iter().take(20).map(|x| shorten(x, depth + 1)).collect();
            if a.len() > 20 {
                out.push(Value::String(format!("… {} more", a.len() - 20)));
            }
            Value::Array(out)
        }
        Value::Object(o) if depth < 4 => Value::Object(
            o.iter()
                .take(40)
                .map(|(k, x)| (k.clone(), shorten(x, depth + 1)))
                .collect(),
        ),
        Value::Array(_) | Value::Object(_) => Value::String(clip(&v.to_string(), 300)),
        other => other.clone(),
    }
}

/// Unquotes a path argument as strace renders it (`"/etc/fstab"`); `None` for anything else
/// (a pointer, a string that was cut).
pub fn strace_path(arg: &str) -> Option<String> {
    let inner = arg.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut it = inner.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'x' => {
                let h: String = it.by_ref().take(2).collect();
                let b = u8::from_str_radix(&h, 16).ok()?;
                out.push(char::from(b));
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strace_paths_unquote() {
        assert_eq!(strace_path("\"/etc/fstab\"").as_deref(), Some("/etc/fstab"));
        assert_eq!(strace_path("\"a\\\"b\"").as_deref(), Some("a\"b"));
        assert_eq!(strace_path("0x7ffe1234"), None);
        assert_eq!(strace_path("\"abc\"..."), None);
    }

    #[test]
    fn clip_keeps_characters_whole() {
        assert_eq!(clip("héllo", 2), "h…");
        assert_eq!(clip("abc", 5), "abc");
    }
}
