//! A small JSON reader (RFC 8259) that keeps the position of every value.
//!
//! serde_json reports positions only for syntax errors; the catalog loader also needs them for
//! values that parse but do not make sense (an unknown prerequisite in the 40th sub-practice).

use std::collections::HashSet;

use super::{Entry, Node, SyntaxError, Value};

/// Deeper nesting than any catalog needs; guards the recursion against hostile input.
const MAX_DEPTH: usize = 64;

pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    parser.skip_whitespace();
    let node = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("unexpected text after the JSON document"));
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError {
            offset: self.pos,
            message: message.to_string(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, message: &str) -> Result<(), SyntaxError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error("JSON nested too deeply"));
        }
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected a JSON value")),
            None => return Err(self.error("unexpected end of the JSON document")),
        };
        Ok(Node {
            span: start..self.pos,
            value,
        })
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, SyntaxError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.pos += 1;
        let mut entries: Vec<Entry> = Vec::new();
        // A set beside the list, so an object with many keys costs one lookup per key.
        let mut keys: HashSet<String> = HashSet::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Table(entries));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a quoted key"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = key_start..self.pos;
            if !keys.insert(key.clone()) {
                return Err(SyntaxError {
                    offset: key_start,
                    message: format!("duplicate key `{key}`"),
                });
            }
            self.skip_whitespace();
            self.expect(b':', "expected `:` after the key")?;
            self.skip_whitespace();
            let node = self.value(depth + 1)?;
            entries.push(Entry {
                key,
                key_span,
                node,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Table(entries));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The run ends before an ASCII byte, so it is a whole UTF-8 sequence.
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.error("control character in a string: escape it")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let Some(b) = self.peek() else {
            return Err(self.error("unterminated string"));
        };
        self.pos += 1;
        match b {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let first = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&first) {
                    if !self.bytes[self.pos..].starts_with(b"\\u") {
                        return Err(self.error("unpaired surrogate in a \\u escape"));
                    }
                    self.pos += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(self.error("unpaired surrogate in a \\u escape"));
                    }
                    char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
                } else {
                    char::from_u32(first)
                };
                out.push(c.ok_or_else(|| self.error("invalid \\u escape"))?);
            }
            _ => return Err(self.error("invalid escape in a string")),
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("expected four hex digits after \\u"))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16)
            .map_err(|_| self.error("expected four hex digits after \\u"))
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit")),
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit after `.`"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integral = false;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit in the exponent"));
            }
            self.digits();
        }
        let text = &self.text[start..self.pos];
        let as_float = || Value::Float(text.parse().unwrap_or(f64::NAN));
        Ok(if integral {
            text.parse().map_or_else(|_| as_float(), Value::Integer)
        } else {
            as_float()
        })
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Value {
        parse(text).expect("valid JSON").value
    }

    #[test]
    fn reads_every_kind_of_value() {
        let Value::Table(entries) =
            value(r#"{"a": [1, -2.5e1, true, false, null], "b": "x\u00e9\ud83d\ude00\n"}"#)
        else {
            panic!("an object")
        };
        assert_eq!(
            entries[0].node.value,
            Value::Array(vec![
                Node {
                    span: 7..8,
                    value: Value::Integer(1)
                },
                Node {
                    span: 10..16,
                    value: Value::Float(-25.0)
                },
                Node {
                    span: 18..22,
                    value: Value::Bool(true)
                },
                Node {
                    span: 24..29,
                    value: Value::Bool(false)
                },
                Node {
                    span: 31..35,
                    value: Value::Null
                },
            ])
        );
        assert_eq!(entries[1].node.value, Value::String("xé😀\n".to_string()));
    }

    #[test]
    fn spans_cover_nested_values() {
        let text = "{\n  \"list\": [\n    \"one\",\n    \"two\"\n  ]\n}";
        let Value::Table(entries) = value(text) else {
            panic!("an object")
        };
        let Value::Array(items) = &entries[0].node.value else {
            panic!("an array")
        };
        assert_eq!(&text[items[1].span.clone()], "\"two\"");
    }

    #[test]
    fn rejects_malformed_documents_with_a_position() {
        for (text, offset) in [
            ("{\"a\": 1,}", 8),
            ("[1 2]", 3),
            ("{\"a\": 1, \"a\": 2}", 9),
            ("\"abc", 4),
            ("01", 1),
            ("{} x", 3),
            ("\"\\ud800\"", 7),
            ("", 0),
        ] {
            let error = parse(text).expect_err(text);
            assert_eq!(error.offset, offset, "{text}: {}", error.message);
        }
    }

    /// An object with `count` keys `k0`, `k1`, …, and then `last` as the final key.
    fn wide_object(count: usize, last: &str) -> String {
        let mut text = String::from("{");
        for i in 0..count {
            text.push_str(&format!("\"k{i}\": {i}, "));
        }
        text.push_str(&format!("\"{last}\": true}}"));
        text
    }

    #[test]
    fn a_very_wide_object_is_read_whole() {
        let Value::Table(entries) = value(&wide_object(200_000, "end")) else {
            panic!("an object")
        };
        assert_eq!(entries.len(), 200_001);
        assert_eq!(entries[199_999].key, "k199999");
    }

    #[test]
    fn a_duplicate_at_the_end_of_a_very_wide_object_is_found() {
        let text = wide_object(200_000, "k17");
        let error = parse(&text).expect_err("duplicate key");
        assert_eq!(error.message, "duplicate key `k17`");
        assert_eq!(error.offset, text.rfind("\"k17\"").expect("last key"));
    }

    #[test]
    fn refuses_runaway_nesting() {
        let deep = "[".repeat(MAX_DEPTH + 2);
        assert!(parse(&deep).is_err());
    }
}
