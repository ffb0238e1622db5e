//! What the two TOML readers (the assessment file and the methodology override) share: the size
//! check, the syntax pass, unknown keys with "did you mean", and turning byte spans into
//! located [`Problem`]s. The engine does no I/O: these work on text a caller has already read
//! within the same limit (`hicp_input::read_text`).

use std::ops::Range;

use hicp_input::{LineIndex, Position, Problem, Problems, did_you_mean};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// Syntax problems reported from one text; the rest are counted.
const MAX_SYNTAX_PROBLEMS: usize = 50;

/// How far past the first syntax error the text is searched for more.
const RECOVERY_WINDOW_BYTES: usize = 64 * 1024;

/// The offset just after the end of the line holding `offset` (or the end of the text).
fn line_end(text: &str, offset: usize) -> usize {
    let from = offset.min(text.len());
    text.as_bytes()[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| from + i + 1)
}

/// Every problem found in one text, each placed by line and column.
pub(crate) struct Findings<'t> {
    file: &'t str,
    lines: LineIndex<'t>,
    problems: Vec<Problem>,
}

impl<'t> Findings<'t> {
    pub fn new(text: &'t str, file: &'t str) -> Findings<'t> {
        Findings {
            file,
            lines: LineIndex::new(text),
            problems: Vec::new(),
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(offset)
    }

    /// A problem at the start of `span` (`None`: about the text as a whole).
    pub fn push(
        &mut self,
        span: Option<Range<usize>>,
        key: &str,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let position = span.map(|span| self.lines.position(span.start));
        self.problems
            .push(Problem::at(self.file, position, key, message).with_hint(hint));
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// Every problem, sorted top to bottom, under the headline `what` ("the assessment file").
    pub fn into_problems(self, what: &str) -> Problems {
        Problems::new(format!("{what} {}", self.file), self.problems)
    }

    /// The document, after the size check and the syntax pass; `None` when either failed (the
    /// problems are recorded). TOML nesting is bounded by the parser itself, so a deeply nested
    /// hostile value is a syntax problem, not a stack overflow.
    pub fn parse(&mut self, text: &'t str, limit: u64, what: &str) -> Option<Spanned<DeTable<'t>>> {
        if u64::try_from(text.len()).map_or(true, |len| len > limit) {
            self.push(
                None,
                "",
                format!(
                    "{what} is {} bytes, more than the {limit} allowed; check that this is the right file",
                    text.len()
                ),
                None,
            );
            return None;
        }
        let first = match DeTable::parse(text) {
            Ok(document) => return Some(document),
            Err(error) => error,
        };
        // The strict parse stops at the first error. To list more, the recovering parser runs
        // again, but only up to a window past the first error: it keeps every error it meets,
        // and a file of garbage has one on every line (an 8 MiB one would take hundreds of
        // megabytes). Errors on the window's last line may be the cut itself, so they are
        // dropped.
        let first_at = first.span().map_or(0, |span| span.start);
        let window = &text[..line_end(text, first_at.saturating_add(RECOVERY_WINDOW_BYTES))];
        let cut = window.len() < text.len();
        let last_line = window
            .trim_end_matches('\n')
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let (document, mut errors) = DeTable::parse_recoverable(window);
        if cut {
            errors.retain(|error| error.span().is_none_or(|span| span.start < last_line));
        }
        if errors.is_empty() {
            errors.push(first);
        }
        errors.sort_by_key(|error| error.span().map_or(0, |span| span.start));
        let keys = KeyIndex::new(document.get_ref());
        let count = errors.len();
        for error in errors.into_iter().take(MAX_SYNTAX_PROBLEMS) {
            let span = error.span().unwrap_or(0..0);
            self.push(
                Some(span.clone()),
                keys.key_of(&span),
                format!("{}; fix the TOML syntax here", error.message().trim_end()),
                None,
            );
        }
        let unshown = count.saturating_sub(MAX_SYNTAX_PROBLEMS);
        let more = match (unshown, cut) {
            (0, false) => None,
            (0, true) => Some(format!(
                "more syntax problems may follow line {}, where the search for them stopped",
                self.lines.line(last_line)
            )),
            (n, false) => Some(format!("{n} more syntax problems are not shown")),
            (n, true) => Some(format!(
                "{n} more syntax problems are not shown, and more may follow line {}",
                self.lines.line(last_line)
            )),
        };
        if let Some(more) = more {
            self.push(
                None,
                "",
                format!("{more}; fix the ones above first (is this a TOML file?)"),
                None,
            );
        }
        None
    }

    /// Reports each key of `table` that is not in `allowed`, with the nearest allowed key as
    /// a hint and the full list in the message.
    pub fn unknown_keys(&mut self, table: &DeTable<'_>, path: &str, allowed: &[&str]) {
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            if allowed.contains(&name) {
                continue;
            }
            let hint = did_you_mean(name, allowed.iter().copied())
                .map(|near| format!("did you mean `{near}`?"));
            self.push(
                Some(key.span()),
                &join_path(path, name),
                format!(
                    "unknown key `{name}`; the keys allowed here are {}",
                    backticked(allowed)
                ),
                hint,
            );
        }
    }
}

/// `a`, `b` and `c` as "`a`, `b`, `c`".
pub(crate) fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `path.key`, or `key` at the top; a key that is not bare in TOML is quoted, as in
/// `answers."1.S.A"`.
pub(crate) fn join_path(path: &str, key: &str) -> String {
    let key = key_segment(key);
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// A key as TOML writes it: bare when it can be, quoted otherwise.
pub(crate) fn key_segment(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        key.to_string()
    } else {
        toml::Value::String(key.to_string()).to_string()
    }
}

/// The span of the value at a key path such as `cost.dollars.small.high` or
/// `threats[2].likelihood`, or of the nearest enclosing key that the text has (a value left at
/// its default has no place in the text; its table may). `None` when nothing on the path is in
/// the text.
pub(crate) fn span_of(root: &DeTable<'_>, path: &str) -> Option<Range<usize>> {
    let mut table = root;
    let mut found = None;
    for segment in path.split('.') {
        let (name, indexes) = match segment.find('[') {
            Some(cut) => (&segment[..cut], &segment[cut..]),
            None => (segment, ""),
        };
        let Some((key, mut value)) = table.get_key_value(name) else {
            return found;
        };
        found = Some(key.span());
        for index in indexes
            .split(['[', ']'])
            .filter(|part| !part.is_empty())
            .map(str::parse::<usize>)
        {
            let item = match (value.get_ref(), index) {
                (DeValue::Array(items), Ok(i)) => items.get(i),
                _ => None,
            };
            let Some(item) = item else {
                return found;
            };
            value = item;
            found = Some(item.span());
        }
        match value.get_ref() {
            DeValue::Table(inner) => table = inner,
            DeValue::Array(_) => return found,
            // A number or text: point at the value itself, the thing to change.
            _ => return Some(value.span()),
        }
    }
    found
}

/// Every key of a document and the array items under them, by where they start, so that an
/// error's offset can be named by the key it falls under (a table's span covers only its
/// header, so containment cannot be used). Built once per document, searched per error.
pub(crate) struct KeyIndex {
    /// (start offset, key path), sorted by offset.
    starts: Vec<(usize, String)>,
}

impl KeyIndex {
    pub fn new(root: &DeTable<'_>) -> KeyIndex {
        let mut starts = Vec::new();
        index_table(root, "", &mut starts);
        starts.sort_by_key(|(start, _)| *start);
        KeyIndex { starts }
    }

    /// The path of the key a span is about: the last key that starts before the span ends
    /// (so a table header's span names the table, and a value's span its key), or empty.
    pub fn key_of(&self, span: &Range<usize>) -> &str {
        self.key_at(span.end.saturating_sub(1).max(span.start))
    }

    /// The path of the last key that starts at or before `offset`, or empty.
    pub fn key_at(&self, offset: usize) -> &str {
        let after = self.starts.partition_point(|(start, _)| *start <= offset);
        after
            .checked_sub(1)
            .map_or("", |i| self.starts[i].1.as_str())
    }
}

fn index_table(table: &DeTable<'_>, path: &str, starts: &mut Vec<(usize, String)>) {
    for (key, value) in table.iter() {
        let inner = join_path(path, key.get_ref());
        index_value(value, &inner, starts);
        starts.push((key.span().start, inner));
    }
}

fn index_value(value: &Value<'_>, path: &str, starts: &mut Vec<(usize, String)>) {
    match value.get_ref() {
        DeValue::Table(table) => index_table(table, path, starts),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let inner = format!("{path}[{i}]");
                index_value(item, &inner, starts);
                starts.push((item.span().start, inner));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[risk]\nmin_level = 1.0\n\n[[threats]]\nthreat = 1\n\n[[threats]]\nthreat = 2\nimpact = 9\n";

    #[test]
    fn a_path_finds_its_value_or_the_nearest_enclosing_key() {
        let document = DeTable::parse(TEXT).expect("valid");
        let lines = LineIndex::new(TEXT);
        let line = |path| span_of(document.get_ref(), path).map(|s| lines.line(s.start));
        assert_eq!(line("risk.min_level"), Some(2));
        assert_eq!(line("threats[1].impact"), Some(9));
        // Left out of the text: placed at what encloses it.
        assert_eq!(line("risk.max_level"), Some(1));
        assert_eq!(line("threats[1].likelihood"), Some(7));
        assert_eq!(line("plan.periods"), None);
    }

    #[test]
    fn an_offset_is_named_by_its_key_path() {
        let document = DeTable::parse(TEXT).expect("valid");
        let index = KeyIndex::new(document.get_ref());
        let offset = TEXT.find("impact").expect("present") + 9;
        assert_eq!(index.key_at(offset), "threats[1].impact");
        let header = TEXT.rfind("[[threats]]").expect("present");
        assert_eq!(index.key_at(header), "threats[1]");
        assert_eq!(
            index.key_at(TEXT.find("1.0").expect("present")),
            "risk.min_level"
        );
        assert_eq!(index.key_at(0), "");
    }
}
