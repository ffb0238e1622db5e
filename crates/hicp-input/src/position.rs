//! Byte offsets to lines and columns.

use serde::{Deserialize, Serialize};

/// A 1-based line and column (the column counts characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Where each line of a text starts, so that many offsets can be placed without rescanning.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of each line; the first is always 0.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The position of a byte offset; offsets past the end are placed at the end, and offsets
    /// inside a multi-byte character at that character.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let column = self.text.as_bytes()[start..offset]
            .iter()
            .filter(|&&b| !is_continuation(b))
            .count()
            + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.position(offset).line
    }
}

/// The position of a byte offset in bytes that may not be valid UTF-8 (for reporting where
/// a non-UTF-8 byte is): columns count the bytes that start a character.
pub fn position_in_bytes(bytes: &[u8], offset: usize) -> Position {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Position {
        line: before.iter().filter(|&&b| b == b'\n').count() + 1,
        column: before[line_start..]
            .iter()
            .filter(|&&b| !is_continuation(b))
            .count()
            + 1,
    }
}

fn is_continuation(byte: u8) -> bool {
    byte & 0b1100_0000 == 0b1000_0000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "ab\ncé d\n\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), Position { line: 1, column: 1 });
        assert_eq!(index.position(2), Position { line: 1, column: 3 });
        assert_eq!(index.position(3), Position { line: 2, column: 1 });
        // "é" is two bytes: the space after it is the third character.
        assert_eq!(index.position(6), Position { line: 2, column: 3 });
        assert_eq!(index.position(9), Position { line: 3, column: 1 });
        assert_eq!(index.position(10), Position { line: 4, column: 1 });
        assert_eq!(index.position(999), Position { line: 4, column: 2 });
    }

    #[test]
    fn byte_positions_match_text_positions() {
        let text = "ab\ncé d\n";
        let index = LineIndex::new(text);
        for offset in [0, 2, 3, 6, 8] {
            assert_eq!(
                position_in_bytes(text.as_bytes(), offset),
                index.position(offset)
            );
        }
    }
}
