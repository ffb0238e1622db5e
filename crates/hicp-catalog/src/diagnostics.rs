//! Collecting every problem in a catalog, each pointing at a file, line, column and field.
//!
//! Decoding records the position of every value it visits, keyed by file and field path, so that
//! checks made later, across files (an unknown prerequisite, a cycle), can still name the place.

use std::collections::HashMap;
use std::rc::Rc;

use hicp_input::{Position, Problem};

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
    problems: Vec<Problem>,
    positions: HashMap<Rc<str>, HashMap<String, Position>>,
}

impl Diagnostics {
    pub fn record_position(&mut self, file: &Rc<str>, path: &str, position: Position) {
        self.positions
            .entry(Rc::clone(file))
            .or_default()
            .insert(path.to_string(), position);
    }

    pub fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// A problem about `field` (relative to the entry, e.g. `prerequisites[0]`; empty for the
    /// entry itself), at the nearest position recorded for it or for an enclosing field.
    pub fn at(&mut self, origin: &Origin, field: &str, message: String) {
        let path = join(&origin.path, field);
        let position = self.position_of(&origin.file, &path);
        self.push(Problem::at(&*origin.file, position, path, message));
    }

    fn position_of(&self, file: &str, path: &str) -> Option<Position> {
        let positions = self.positions.get(file)?;
        let mut path = path;
        loop {
            if let Some(&position) = positions.get(path) {
                return Some(position);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }

    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
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
    fn problems_fall_back_to_the_nearest_recorded_position() {
        let file: Rc<str> = Rc::from("practices/01.toml");
        let mut diagnostics = Diagnostics::default();
        let at = |line, column| Position { line, column };
        diagnostics.record_position(&file, "sub_practices[1]", at(40, 1));
        diagnostics.record_position(&file, "sub_practices[1].prerequisites[0]", at(47, 18));
        let origin = Origin {
            file: Rc::clone(&file),
            path: "sub_practices[1]".into(),
        };
        diagnostics.at(&origin, "prerequisites[0]", "a".into());
        diagnostics.at(&origin, "cpg[3]", "b".into());
        let problems = hicp_input::Problems::new("x", diagnostics.into_problems()).problems;
        assert_eq!((problems[0].line, problems[0].column), (Some(40), Some(1)));
        assert_eq!(problems[0].key, "sub_practices[1].cpg[3]");
        assert_eq!((problems[1].line, problems[1].column), (Some(47), Some(18)));
    }
}
