//! A parsed source document as a tree of values that remember where they were written.
//!
//! TOML and JSON sources are both turned into this one shape, so a single decoder can read either
//! and point every error at a real line. serde alone cannot: it stops at the first error and JSON
//! carries no positions.

pub(crate) mod json;

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// A value and the byte range of the source text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub span: Range<usize>,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Table(Vec<Entry>),
    Array(Vec<Node>),
    String(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    /// A TOML date or time, kept as written; the catalog has no field of this type.
    Datetime(String),
    /// JSON `null`; treated like an absent key.
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub node: Node,
}

impl Value {
    /// The kind of value, phrased for error messages ("expected a string, found an integer").
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Table(_) => "a table",
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a decimal number",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date/time",
            Value::Null => "null",
        }
    }
}

/// A syntax error: where in the text, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

/// Parses a TOML document. Only the first syntax error is reported: the parser's recovery
/// produces follow-on errors that describe the same mistake.
pub(crate) fn parse_toml(text: &str) -> Result<Node, SyntaxError> {
    match DeTable::parse(text) {
        Ok(table) => {
            let span = table.span();
            Ok(from_toml(DeValue::Table(table.into_inner()), span))
        }
        Err(error) => Err(SyntaxError {
            offset: error.span().map_or(0, |span| span.start),
            message: error.message().trim().to_string(),
        }),
    }
}

fn from_toml(value: DeValue<'_>, span: Range<usize>) -> Node {
    let value = match value {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            match i64::from_str_radix(&digits, i.radix()) {
                Ok(n) => Value::Integer(n),
                // Out of i64 range: keep it as a number so the decoder reports it as out of range.
                Err(_) => Value::Float(f64::INFINITY),
            }
        }
        DeValue::Float(f) => Value::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| {
                    let span = item.span();
                    from_toml(item.into_inner(), span)
                })
                .collect(),
        ),
        DeValue::Table(table) => {
            let mut entries: Vec<Entry> = table
                .into_iter()
                .map(|(key, value)| {
                    let key_span = key.span();
                    let span = value.span();
                    Entry {
                        key: key.into_inner().into_owned(),
                        key_span,
                        node: from_toml(value.into_inner(), span),
                    }
                })
                .collect();
            // The parser's map is sorted by key; source order reads better in messages.
            entries.sort_by_key(|e| e.key_span.start);
            Value::Table(entries)
        }
    };
    Node { span, value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hicp_input::LineIndex;

    #[test]
    fn toml_tables_keep_source_order_and_spans() {
        let text = "zeta = 1\nalpha = [\"x\", 2]\n";
        let node = parse_toml(text).expect("valid TOML");
        let Value::Table(entries) = node.value else {
            panic!("root is a table")
        };
        assert_eq!(entries[0].key, "zeta");
        assert_eq!(entries[1].key, "alpha");
        let index = LineIndex::new(text);
        assert_eq!(index.line(entries[1].node.span.start), 2);
        let Value::Array(items) = &entries[1].node.value else {
            panic!("alpha is an array")
        };
        assert_eq!(items[1].value, Value::Integer(2));
    }

    #[test]
    fn toml_syntax_error_has_an_offset() {
        let error = parse_toml("a = 1\nb = \n").expect_err("missing value");
        assert_eq!(LineIndex::new("a = 1\nb = \n").line(error.offset), 2);
    }

    #[test]
    fn toml_duplicate_keys_are_syntax_errors() {
        assert!(parse_toml("a = 1\na = 2\n").is_err());
    }
}
