//! How sure the catalog is of every name a report prints. Some HICP sub-practice titles are
//! remembered or reasoned rather than read in a source, and one is a stand-in written by hicp; a
//! reader must be able to tell them apart from published wording in every format. Every renderer
//! prints names through [`Title`] and states [`LEGEND`] once, so the marks mean the same
//! everywhere.

use std::fmt;

use hicp_catalog::{Catalog, NameConfidence, NameSource, PracticeId, SubPracticeId, ThreatId};
use serde::{Serialize, Serializer};

/// Printed after a name that was recalled or inferred, not read in a source.
pub const UNVERIFIED_MARK: &str = "†";
/// Printed after a name hicp wrote because the real one is not known.
pub const STAND_IN_MARK: &str = "‡";

/// The sentence that explains the marks; every format that prints marked names carries it.
pub const LEGEND: &str = "Names without a mark are worded as a source the catalog cites publishes them; \
† marks a name recalled or inferred from the publication and not yet checked against a source; \
‡ marks a stand-in written by hicp because the real name is not known. \
The command hicp catalog show ID gives the source of each name.";

/// A threat, practice or sub-practice name as a report prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Title {
    pub text: String,
    /// `None` only for a name the catalog does not hold, which no renderer can vouch for.
    #[serde(serialize_with = "confidence_word")]
    pub confidence: Option<NameConfidence>,
    /// [`mark`] of the confidence, empty for published names; serialized for the PDF template.
    pub mark: &'static str,
}

impl Title {
    pub fn new(text: impl Into<String>, confidence: Option<NameConfidence>) -> Title {
        Title {
            text: text.into(),
            confidence,
            mark: mark(confidence),
        }
    }

    fn sourced(text: &str, source: Option<&NameSource>) -> Title {
        Title::new(text, source.map(|s| s.confidence))
    }

    /// A sub-practice's title from the catalog; `fallback` where the catalog lacks the id.
    pub fn sub_practice(catalog: &Catalog, id: &SubPracticeId, fallback: &str) -> Title {
        match catalog.sub_practice(id) {
            Some(entry) => Title::sourced(&entry.title, Some(&entry.title_source)),
            None => Title::sourced(fallback, None),
        }
    }

    pub fn practice(catalog: &Catalog, id: PracticeId, fallback: &str) -> Title {
        match catalog.practice(id) {
            Some(entry) => Title::sourced(&entry.title, Some(&entry.title_source)),
            None => Title::sourced(fallback, None),
        }
    }

    pub fn threat(catalog: &Catalog, id: ThreatId, fallback: &str) -> Title {
        match catalog.threat(id) {
            Some(entry) => Title::sourced(&entry.name, Some(&entry.name_source)),
            None => Title::sourced(fallback, None),
        }
    }

    /// The confidence in one word, for a column or property of its own.
    pub fn confidence_word(&self) -> &'static str {
        self.confidence
            .map_or("not in catalog", NameConfidence::as_str)
    }

    /// The name in lower case for running prose, mark kept.
    pub fn lowercase(&self) -> String {
        Title::new(self.text.to_lowercase(), self.confidence).to_string()
    }
}

/// The name followed by its mark, if any: `Inventory †` (with a no-break space).
impl fmt::Display for Title {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mark.is_empty() {
            f.write_str(&self.text)
        } else {
            // A no-break space keeps the mark on the line of the name it qualifies.
            write!(f, "{}\u{a0}{}", self.text, self.mark)
        }
    }
}

/// The mark for a confidence: none for a published name.
pub fn mark(confidence: Option<NameConfidence>) -> &'static str {
    match confidence {
        Some(NameConfidence::Published) => "",
        Some(NameConfidence::Recalled | NameConfidence::Inferred) => UNVERIFIED_MARK,
        Some(NameConfidence::Provisional) | None => STAND_IN_MARK,
    }
}

fn confidence_word<S: Serializer>(
    confidence: &Option<NameConfidence>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(confidence.map_or("not in catalog", NameConfidence::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_published_names_go_unmarked() {
        let cases = [
            (Some(NameConfidence::Published), "Inventory"),
            (Some(NameConfidence::Recalled), "Inventory\u{a0}†"),
            (Some(NameConfidence::Inferred), "Inventory\u{a0}†"),
            (Some(NameConfidence::Provisional), "Inventory\u{a0}‡"),
            (None, "Inventory\u{a0}‡"),
        ];
        for (confidence, printed) in cases {
            assert_eq!(
                Title::new("Inventory", confidence).to_string(),
                printed,
                "{confidence:?}"
            );
        }
    }

    #[test]
    fn the_legend_explains_both_marks() {
        assert!(LEGEND.contains(UNVERIFIED_MARK));
        assert!(LEGEND.contains(STAND_IN_MARK));
    }

    #[test]
    fn lowercase_keeps_the_mark() {
        let title = Title::new("Policies", Some(NameConfidence::Recalled));
        assert_eq!(title.lowercase(), "policies\u{a0}†");
        assert_eq!(title.confidence_word(), "recalled");
    }
}
