//! The catalog's types: what HICP says, with where each fact came from.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Organization size, and the tier a sub-practice is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Small,
    Medium,
    Large,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Small, Tier::Medium, Tier::Large];

    /// The letter used in sub-practice ids (`S`, `M`, `L`).
    pub fn code(self) -> char {
        match self {
            Tier::Small => 'S',
            Tier::Medium => 'M',
            Tier::Large => 'L',
        }
    }

    pub fn from_code(code: char) -> Option<Tier> {
        match code {
            'S' => Some(Tier::Small),
            'M' => Some(Tier::Medium),
            'L' => Some(Tier::Large),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Small => "small",
            Tier::Medium => "medium",
            Tier::Large => "large",
        }
    }

    /// Whether an organization of size `self` is expected to do a sub-practice written for `written_for`.
    /// HICP's rule: small does S; medium does M; large does M and L.
    pub fn requires(self, written_for: Tier) -> bool {
        match self {
            Tier::Small => written_for == Tier::Small,
            Tier::Medium => written_for == Tier::Medium,
            Tier::Large => matches!(written_for, Tier::Medium | Tier::Large),
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "small" | "s" => Ok(Tier::Small),
            "medium" | "m" => Ok(Tier::Medium),
            "large" | "l" => Ok(Tier::Large),
            other => Err(format!(
                "unknown tier `{other}`: use small, medium or large"
            )),
        }
    }
}

/// A sub-practice id such as `7.M.D`: practice number, tier letter, sub-practice letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubPracticeId {
    practice: u8,
    tier: Tier,
    letter: char,
}

impl SubPracticeId {
    pub fn new(practice: u8, tier: Tier, letter: char) -> Option<Self> {
        ((1..=10).contains(&practice) && letter.is_ascii_uppercase()).then_some(Self {
            practice,
            tier,
            letter,
        })
    }
    pub fn practice(&self) -> u8 {
        self.practice
    }
    pub fn tier(&self) -> Tier {
        self.tier
    }
    pub fn letter(&self) -> char {
        self.letter
    }
}

/// Why a text is not a sub-practice id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a sub-practice id: expected PRACTICE.TIER.LETTER such as `7.M.D` (practice 1-10, tier S, M or L, letter A-Z)"
)]
pub struct BadSubPracticeId(pub String);

impl FromStr for SubPracticeId {
    type Err = BadSubPracticeId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadSubPracticeId(s.to_string());
        let mut parts = s.split('.');
        let (Some(p), Some(t), Some(l), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        // `^(10|[1-9])$`: no leading zeros, no signs.
        if p.is_empty() || p.starts_with('0') || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let practice: u8 = p.parse().map_err(|_| bad())?;
        let mut tier_chars = t.chars();
        let (Some(tc), None) = (tier_chars.next(), tier_chars.next()) else {
            return Err(bad());
        };
        let mut letter_chars = l.chars();
        let (Some(letter), None) = (letter_chars.next(), letter_chars.next()) else {
            return Err(bad());
        };
        let tier = Tier::from_code(tc).ok_or_else(bad)?;
        SubPracticeId::new(practice, tier, letter).ok_or_else(bad)
    }
}

impl fmt::Display for SubPracticeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.practice, self.tier.code(), self.letter)
    }
}

impl Ord for SubPracticeId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.practice, self.tier, self.letter).cmp(&(other.practice, other.tier, other.letter))
    }
}

impl PartialOrd for SubPracticeId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for SubPracticeId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SubPracticeId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Threat number, 1 to 5.
pub type ThreatId = u8;
/// Practice number, 1 to 10.
pub type PracticeId = u8;

/// A coarse band for cost (money) or effort (staff time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Low,
    Medium,
    High,
}

impl Band {
    pub const ALL: [Band; 3] = [Band::Low, Band::Medium, Band::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
        }
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a fact is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Stated in a published source that was read.
    Published,
    /// Remembered from a publication; no source at hand confirmed it.
    Recalled,
    /// Reasoned from structure or topic, not stated anywhere.
    Inferred,
    /// Computed from other facts (e.g. through a crosswalk).
    Derived,
}

impl Confidence {
    pub const ALL: [Confidence; 4] = [
        Confidence::Published,
        Confidence::Recalled,
        Confidence::Inferred,
        Confidence::Derived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Published => "published",
            Confidence::Recalled => "recalled",
            Confidence::Inferred => "inferred",
            Confidence::Derived => "derived",
        }
    }
}

/// Where an entry's facts came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub source: String,
    pub confidence: Confidence,
    pub edition: String,
    /// False where the id or title has not been confirmed against the edition the catalog claims.
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How the wording of a name (of a threat, practice or sub-practice) is known. Names have their
/// own scale because a name can be a stand-in written by hicp, which no other fact can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NameConfidence {
    /// Printed in a source that was read.
    Published,
    /// Remembered from a publication; no source at hand printed it.
    Recalled,
    /// Reasoned from descriptions of the section, not printed anywhere.
    Inferred,
    /// A stand-in written by hicp because the real name is unknown.
    Provisional,
}

impl NameConfidence {
    pub const ALL: [NameConfidence; 4] = [
        NameConfidence::Published,
        NameConfidence::Recalled,
        NameConfidence::Inferred,
        NameConfidence::Provisional,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NameConfidence::Published => "published",
            NameConfidence::Recalled => "recalled",
            NameConfidence::Inferred => "inferred",
            NameConfidence::Provisional => "provisional",
        }
    }
}

/// Where the wording of one name comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameSource {
    /// The HICP edition whose wording this is: `2018`, `2023`, or `2018/2023` when both use it.
    pub edition: String,
    /// A short citation for labels, e.g. `2018 Vol 2`; the full source is in `source`.
    pub cite: String,
    pub source: String,
    pub confidence: NameConfidence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl NameSource {
    /// How sure the name is, in a few words for anyone printing it next to the name:
    /// `published, <cite>` (e.g. `published, 2018 Vol 2`), `recalled, unverified`,
    /// `inferred, unverified` or `provisional`.
    pub fn label(&self) -> String {
        match self.confidence {
            NameConfidence::Published => format!("published, {}", self.cite),
            NameConfidence::Recalled => "recalled, unverified".to_string(),
            NameConfidence::Inferred => "inferred, unverified".to_string(),
            NameConfidence::Provisional => "provisional".to_string(),
        }
    }

    /// Whether a reader should be told the name may be reworded once checked.
    pub fn is_unverified(&self) -> bool {
        self.confidence != NameConfidence::Published
    }
}

/// Another name an entry is known by, with the edition that uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alias {
    pub text: String,
    /// `2018`, `2023`, `2018/2023`, or what is known (e.g. `2023, unconfirmed`).
    pub edition: String,
    /// Where it appears or how sure it is, e.g. "2018 Vol 2 summary chart".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Alias {
    /// `text (edition)`, or `text (edition; note)`.
    pub fn describe(&self) -> String {
        match &self.note {
            Some(note) => format!("{} ({}; {note})", self.text, self.edition),
            None => format!("{} ({})", self.text, self.edition),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edition {
    pub id: String,
    pub name: String,
    pub hicp_edition: String,
    pub catalog_version: String,
    pub published: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threat {
    pub number: ThreatId,
    pub name: String,
    /// Where `name` comes from; `aliases` are the other editions' names.
    pub name_source: NameSource,
    pub aliases: Vec<Alias>,
    pub summary: String,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Practice {
    pub number: PracticeId,
    pub title: String,
    /// Where `title` comes from; `aliases` are other titles and the editions that use them.
    pub title_source: NameSource,
    pub aliases: Vec<Alias>,
    pub summary: String,
    pub threats: Vec<ThreatId>,
    pub metrics: Vec<String>,
    pub provenance: Provenance,
}

/// One assessment question; answered on the same status scale as the sub-practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub key: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubPractice {
    pub id: SubPracticeId,
    pub practice: PracticeId,
    pub tier: Tier,
    pub title: String,
    /// Where `title` comes from (`provenance` covers the id and the CSF references).
    pub title_source: NameSource,
    pub title_aliases: Vec<Alias>,
    pub summary: String,
    pub good_looks_like: String,
    pub owner_role: String,
    pub threats: Vec<ThreatId>,
    pub cost: Band,
    pub effort: Band,
    pub prerequisites: Vec<SubPracticeId>,
    /// NIST CSF 1.1 references as published with the sub-practice.
    pub csf11: Vec<String>,
    /// NIST CSF 2.0 ids derived from `csf11` through the CSF 1.1 → 2.0 mapping.
    pub csf2: Vec<String>,
    /// HPH Cybersecurity Performance Goal ids, linked by topic (inferred).
    pub cpg: Vec<String>,
    /// HIPAA Security Rule citations derived through CSF 2.0 (derived, never official).
    pub hipaa: Vec<String>,
    pub metrics: Vec<String>,
    pub questions: Vec<Question>,
    pub provenance: Provenance,
}

/// A NIST CSF 2.0 function, category or subcategory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Csf2Entry {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A HIPAA Security Rule standard and the CSF 2.0 ids NIST maps it to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HipaaStandard {
    pub citation: String,
    pub name: String,
    pub csf2: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CpgKind {
    Essential,
    Enhanced,
}

impl CpgKind {
    pub const ALL: [CpgKind; 2] = [CpgKind::Essential, CpgKind::Enhanced];

    pub fn as_str(self) -> &'static str {
        match self {
            CpgKind::Essential => "essential",
            CpgKind::Enhanced => "enhanced",
        }
    }
}

/// An HHS HPH Cybersecurity Performance Goal (ids are hicp's numbering).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpgGoal {
    pub id: String,
    pub kind: CpgKind,
    pub title: String,
    pub confidence_note: String,
}

/// One row of NIST's CSF 1.1 → CSF 2.0 mapping: the table `csf2` ids are derived through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsfMapping {
    pub csf11: String,
    pub csf2: Vec<String>,
}

/// The publication a crosswalk table was taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSource {
    pub name: String,
    pub confidence: Confidence,
}

/// Sources of the four crosswalk tables, where the catalog names them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSources {
    pub csf11_to_csf2: Option<TableSource>,
    pub csf2: Option<TableSource>,
    pub hipaa: Option<TableSource>,
    pub cpg: Option<TableSource>,
}

impl Threat {
    /// [`NameSource::label`] of the threat's name, e.g. `published, 2023 (3 sources)`.
    pub fn name_label(&self) -> String {
        self.name_source.label()
    }
}

impl Practice {
    /// [`NameSource::label`] of the practice's title, e.g. `published, 2018 Vol 2`.
    pub fn title_label(&self) -> String {
        self.title_source.label()
    }
}

impl SubPractice {
    /// [`NameSource::label`] of the sub-practice's title, e.g. `recalled, unverified`.
    pub fn title_label(&self) -> String {
        self.title_source.label()
    }
}
