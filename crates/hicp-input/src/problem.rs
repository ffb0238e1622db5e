//! One located problem in an input, and the error that carries all of them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One problem in an input, located as precisely as the input allows.
///
/// Ordering is by file, then line, then column, so a sorted list reads top to bottom.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Problem {
    /// The file as the user named it (or a name such as `upload` for data without a file).
    pub file: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column in characters, where known.
    pub column: Option<usize>,
    /// Path of the key or field at fault, e.g. `answers."1.S.A".status` or
    /// `sub_practices[3].prerequisites[0]`; empty when the problem is about the input as a whole.
    pub key: String,
    /// What is wrong, and what to do about it.
    pub message: String,
    /// A suggestion such as "did you mean `status`?", kept apart so a page can show it apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Problem {
    /// A problem about the input as a whole (no line, no key).
    pub fn whole(file: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            file: file.into(),
            line: None,
            column: None,
            key: String::new(),
            message: message.into(),
            hint: None,
        }
    }

    /// A problem at a position in the file.
    pub fn at(
        file: impl Into<String>,
        position: Option<crate::Position>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            file: file.into(),
            line: position.map(|p| p.line),
            column: position.map(|p| p.column),
            key: key.into(),
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: Option<String>) -> Problem {
        self.hint = hint;
        self
    }
}

impl fmt::Display for Problem {
    /// `file:line:column: key: message (hint)`, leaving out what is not known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        f.write_str(": ")?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// An input that cannot be used, with every problem found in it, in file and line order.
/// Serializable, so a server can send the list as it is (e.g. inside `application/problem+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct Problems {
    /// What was being read, for the headline: "the assessment file", "the catalog".
    pub what: String,
    pub problems: Vec<Problem>,
}

impl Problems {
    /// Sorts and de-duplicates `problems` so each is reported once, top to bottom.
    pub fn new(what: impl Into<String>, mut problems: Vec<Problem>) -> Problems {
        problems.sort();
        problems.dedup();
        Problems {
            what: what.into(),
            problems,
        }
    }

    pub fn one(what: impl Into<String>, problem: Problem) -> Problems {
        Problems::new(what, vec![problem])
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn len(&self) -> usize {
        self.problems.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.problems.iter()
    }
}

impl<'a> IntoIterator for &'a Problems {
    type Item = &'a Problem;
    type IntoIter = std::slice::Iter<'a, Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.problems.iter()
    }
}

impl fmt::Display for Problems {
    /// A headline, then one indented line per problem. No newline after the last, so that a
    /// caller printing it with `println!` (or in an error chain) adds no blank line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(
            f,
            "{} has {count} problem{}; nothing was used. Fix each one and try again:",
            self.what,
            if count == 1 { "" } else { "s" }
        )?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Position;

    #[test]
    fn display_leaves_out_what_is_unknown() {
        let whole = Problem::whole("a.toml", "empty");
        assert_eq!(whole.to_string(), "a.toml: empty");
        let placed = Problem::at(
            "a.toml",
            Some(Position { line: 3, column: 7 }),
            "answers.\"1.S.A\".stauts",
            "unknown key",
        )
        .with_hint(Some("did you mean `status`?".into()));
        assert_eq!(
            placed.to_string(),
            "a.toml:3:7: answers.\"1.S.A\".stauts: unknown key (did you mean `status`?)"
        );
    }

    #[test]
    fn problems_are_sorted_and_reported_once() {
        let at = |line| {
            Problem::at(
                "f",
                Some(Position { line, column: 1 }),
                "k",
                format!("line {line}"),
            )
        };
        let problems = Problems::new("the file f", vec![at(9), at(2), at(9)]);
        assert_eq!(problems.len(), 2);
        assert_eq!(problems.problems[0].line, Some(2));
        let text = problems.to_string();
        assert!(text.starts_with("the file f has 2 problems"), "{text}");
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(
            text.ends_with("line 9"),
            "no newline after the last: {text:?}"
        );
    }
}
