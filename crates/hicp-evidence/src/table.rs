//! What the CSV readers share: csv 1.4 over a [`Tracked`] stream, the delimiter sniffed, the
//! header row found by name (some exports put title lines above it), columns looked up by any
//! of their spellings, and every problem placed at its line.

use std::io::{BufRead, Read};

use hicp_input::{Position, Problem};

use crate::source::{Limits, StreamError, Tracked};

/// How many rows above the header an export may carry (Qualys VMDR writes three).
const MAX_ROWS_BEFORE_HEADER: usize = 20;

pub(crate) struct Table<'p, R> {
    reader: csv::Reader<Tracked<'p, R>>,
    file: String,
    limits: Limits,
    header: Vec<String>,
    header_line: usize,
    record: csv::StringRecord,
    line: usize,
}

impl<'p, R: Read> Table<'p, R> {
    /// Opens the table and reads up to its header: the first row for which `is_header` says
    /// yes. `what` names the export in problems ("a Tenable CSV export"). On failure the problem
    /// comes back with the stream.
    pub(crate) fn open(
        mut source: Tracked<'p, R>,
        file: &str,
        limits: Limits,
        what: &str,
        expected: &str,
        is_header: impl Fn(&[String]) -> bool,
    ) -> Result<Table<'p, R>, Box<(Problem, Tracked<'p, R>)>> {
        let delimiter = match source.fill_buf() {
            Ok(head) => sniff_delimiter(head),
            Err(error) => return Err(Box::new((StreamError::problem(file, &error), source))),
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(source);
        let mut table = Table {
            reader,
            file: file.to_string(),
            limits,
            header: Vec::new(),
            header_line: 1,
            record: csv::StringRecord::new(),
            line: 1,
        };
        for row_number in 0..MAX_ROWS_BEFORE_HEADER {
            match table.next_raw() {
                Ok(true) => {}
                Ok(false) if row_number == 0 => {
                    let problem = table.problem_at(
                        None,
                        format!(
                            "the file is empty: {what} has a header row and one row per result"
                        ),
                    );
                    return Err(Box::new((*problem, table.into_source())));
                }
                Ok(false) => break,
                Err(problem) => return Err(Box::new((*problem, table.into_source()))),
            }
            let row: Vec<String> = table.record.iter().map(|f| f.trim().to_string()).collect();
            if is_header(&row) {
                table.header = row;
                table.header_line = table.line;
                return Ok(table);
            }
        }
        let problem = table.problem_at(
            Some(Position { line: 1, column: 1 }),
            format!(
                "no header row naming {expected} in the first {MAX_ROWS_BEFORE_HEADER} rows: \
                 this is not {what}"
            ),
        );
        Err(Box::new((*problem, table.into_source())))
    }

    pub(crate) fn into_source(self) -> Tracked<'p, R> {
        self.reader.into_inner()
    }

    pub(crate) fn header(&self) -> &[String] {
        &self.header
    }

    /// The index of the first column named any of `names` (compared trimmed, ignoring case),
    /// trying the names in order so the preferred spelling wins where an export has both.
    pub(crate) fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| {
            self.header
                .iter()
                .position(|h| !h.is_empty() && h.eq_ignore_ascii_case(name))
        })
    }

    /// The row last read by [`Table::next_row`].
    pub(crate) fn record(&self) -> &csv::StringRecord {
        &self.record
    }

    /// Reads the next data row into [`Table::record`]; `Ok(false)` at the end. Blank rows (every cell empty, as
    /// Tenable writes at the end of some exports) are skipped. A row with more or fewer cells
    /// than the header is refused: it is what a truncated or hand-edited file looks like.
    pub(crate) fn next_row(&mut self) -> Result<bool, Box<Problem>> {
        loop {
            if !self.next_raw()? {
                return Ok(false);
            }
            if self.record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if self.record.len() != self.header.len() {
                return Err(self.problem(format!(
                    "this row has {} cells but the header has {}: the file looks truncated \
                     or edited by hand. Export it again",
                    self.record.len(),
                    self.header.len()
                )));
            }
            if let Some(long) = self
                .record
                .iter()
                .position(|f| f.len() > self.limits.max_field_bytes)
            {
                return Err(self.field_problem(
                    long,
                    format!(
                        "the cell is longer than the limit of {} bytes",
                        self.limits.max_field_bytes
                    ),
                ));
            }
            return Ok(true);
        }
    }

    fn next_raw(&mut self) -> Result<bool, Box<Problem>> {
        let more = match self.reader.read_record(&mut self.record) {
            Ok(more) => more,
            Err(error) => return Err(self.csv_problem(error)),
        };
        if let Some(position) = self.record.position() {
            self.line = position.line() as usize;
        }
        Ok(more)
    }

    /// A problem at the start of the current row.
    pub(crate) fn problem(&self, message: impl Into<String>) -> Box<Problem> {
        self.problem_at(
            Some(Position {
                line: self.line,
                column: 1,
            }),
            message,
        )
    }

    /// A problem with the header row, about the column `key` of a mapping.
    pub(crate) fn header_problem(&self, key: String, message: String) -> Problem {
        Problem::at(
            self.file.clone(),
            Some(Position {
                line: self.header_line,
                column: 1,
            }),
            key,
            message,
        )
    }

    /// A problem with one cell of the current row, named by its header.
    pub(crate) fn field_problem(&self, index: usize, message: impl Into<String>) -> Box<Problem> {
        let key = self.header.get(index).cloned().unwrap_or_default();
        Box::new(Problem::at(
            self.file.clone(),
            Some(Position {
                line: self.line,
                column: 1,
            }),
            key,
            message,
        ))
    }

    fn problem_at(&self, at: Option<Position>, message: impl Into<String>) -> Box<Problem> {
        let at = at.or(Some(Position { line: 1, column: 1 }));
        Box::new(Problem::at(self.file.clone(), at, "", message))
    }

    fn csv_problem(&self, error: csv::Error) -> Box<Problem> {
        let line = error
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or(self.line);
        match error.into_kind() {
            csv::ErrorKind::Io(io) => Box::new(StreamError::problem(&self.file, &io)),
            other => self.problem_at(
                Some(Position { line, column: 1 }),
                format!("not a readable CSV file: {other:?}"),
            ),
        }
    }
}

/// `;` or a tab when the first line has more of them than commas (Tenable.io writes `;`).
fn sniff_delimiter(head: &[u8]) -> u8 {
    let first_line = head
        .split(|&b| b == b'\n' || b == b'\r')
        .next()
        .unwrap_or_default();
    let count = |c: u8| first_line.iter().filter(|&&b| b == c).count();
    let (commas, semicolons, tabs) = (count(b','), count(b';'), count(b'\t'));
    if semicolons > commas && semicolons >= tabs {
        b';'
    } else if tabs > commas {
        b'\t'
    } else {
        b','
    }
}

/// A cell, trimmed, or `None` when it is empty or the column is absent.
pub(crate) fn cell(record: &csv::StringRecord, index: Option<usize>) -> Option<&str> {
    index
        .and_then(|i| record.get(i))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_sniffed_from_the_first_line() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,2;3"), b';');
        assert_eq!(sniff_delimiter(b"a,b,\"c;d\"\n"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b""), b',');
    }
}
