//! Collecting every problem in a catalog, each pointing at a file, line and field.
//!
//! Decoding records the line of every value it visits, keyed by file and field path, so that
//! checks made later, across files (an unknown prerequisite, a cycle), can still name the line.

use std::collections::HashMap;
use std::rc::Rc;

use crate::error::ValidationError;

/// Where a decoded entry came from: its file and its field path within that file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    pub file: Rc<str>,
    pub path: String,
}

/// A decoded entry and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Located<T> {
    pub item: T,
    pub origin: Origin,
}

#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    errors: Vec<ValidationError>,
    lines: HashMap<Rc<str>, HashMap<String, usize>>,
}

impl Diagnostics {
    pub fn record_line(&mut self, file: &Rc<str>, path: &str, line: usize) {
        self.lines
            .entry(Rc::clone(file))
            .or_default()
            .insert(path.to_string(), line);
    }

    pub fn push(&mut self, file: &str, line: Option<usize>, field: &str, message: String) {
        self.errors.push(ValidationError {
            file: file.to_string(),
            line,
            field: field.to_string(),
            message,
        });
    }

    /// An error about `field` (relative to the entry, e.g. `prerequisites[0]`; empty for the
    /// entry itself), on the nearest line recorded for it or for an enclosing field.
    pub fn at(&mut self, origin: &Origin, field: &str, message: String) {
        let path = join(&origin.path, field);
        let line = self.line_of(&origin.file, &path);
        self.push(&origin.file, line, &path, message);
    }

    fn line_of(&self, file: &str, path: &str) -> Option<usize> {
        let lines = self.lines.get(file)?;
        let mut path = path;
        loop {
            if let Some(&line) = lines.get(path) {
                return Some(line);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Every error, in file and line order, each once.
    pub fn into_errors(self) -> Vec<ValidationError> {
        let mut errors = self.errors;
        errors.sort();
        errors.dedup();
        errors
    }
}

/// Joins a field path and a relative one: `a` + `b` → `a.b`, `a` + `[0]` → `a[0]`.
pub(crate) fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else if field.is_empty() {
        path.to_string()
    } else if field.starts_with('[') {
        format!("{path}{field}")
    } else {
        format!("{path}.{field}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_like_field_accessors() {
        assert_eq!(join("", "threats"), "threats");
        assert_eq!(join("threats", "[2]"), "threats[2]");
        assert_eq!(join("sub_practices[1]", "title"), "sub_practices[1].title");
        assert_eq!(join("x", ""), "x");
    }

    #[test]
    fn errors_fall_back_to_the_nearest_recorded_line() {
        let file: Rc<str> = Rc::from("practices/01.toml");
        let mut diagnostics = Diagnostics::default();
        diagnostics.record_line(&file, "sub_practices[1]", 40);
        diagnostics.record_line(&file, "sub_practices[1].prerequisites[0]", 47);
        let origin = Origin {
            file: Rc::clone(&file),
            path: "sub_practices[1]".into(),
        };
        diagnostics.at(&origin, "prerequisites[0]", "a".into());
        diagnostics.at(&origin, "cpg[3]", "b".into());
        let errors = diagnostics.into_errors();
        assert_eq!(errors[0].line, Some(40));
        assert_eq!(errors[0].field, "sub_practices[1].cpg[3]");
        assert_eq!(errors[1].line, Some(47));
    }
}
