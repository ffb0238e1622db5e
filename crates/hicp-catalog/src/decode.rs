//! Reading catalog entries out of a located value tree, one field at a time.
//!
//! Every field is checked where it is read: its type, that text is not blank, that an enum value
//! is one of the allowed words, that an id is well formed, and that a table holds no field the
//! catalog does not know (a misspelt key must not be silently dropped). A bad field records an
//! error and yields a placeholder, so decoding goes on and every error in a file is reported;
//! the catalog is rejected as a whole if any error was recorded.

use std::cell::RefCell;
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::rc::Rc;

use hicp_input::{LineIndex, Problem, did_you_mean};

use crate::diagnostics::{Diagnostics, Located, Origin, join};
use crate::model::*;
use crate::tree::{Entry, Node, SyntaxError, Value};

/// The fields a table may hold, and fields that belong elsewhere with the reason.
pub(crate) struct Shape {
    pub fields: &'static [&'static str],
    pub misplaced: &'static [(&'static str, &'static str)],
}

impl Shape {
    pub const fn of(fields: &'static [&'static str]) -> Shape {
        Shape {
            fields,
            misplaced: &[],
        }
    }
}

/// Whether a list may be left out or empty.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// May be absent or empty.
    Optional,
    /// Must be present; may be empty.
    Present,
    /// Must be present with at least one item; the text says why.
    AtLeastOne(&'static str),
}

/// Decodes the values of one source file.
pub(crate) struct Decoder<'a> {
    file: Rc<str>,
    text: &'a str,
    index: LineIndex<'a>,
    diagnostics: &'a RefCell<Diagnostics>,
}

impl<'a> Decoder<'a> {
    pub fn new(file: &str, text: &'a str, diagnostics: &'a RefCell<Diagnostics>) -> Decoder<'a> {
        Decoder {
            file: Rc::from(file),
            text,
            index: LineIndex::new(text),
            diagnostics,
        }
    }

    pub fn origin(&self, path: &str) -> Origin {
        Origin {
            file: Rc::clone(&self.file),
            path: path.to_string(),
        }
    }

    pub fn syntax_error(&self, error: &SyntaxError, language: &str) {
        self.error(
            "",
            error.offset,
            format!("{language} syntax: {}", error.message),
        );
    }

    fn error(&self, path: &str, offset: usize, message: String) {
        self.error_with_hint(path, offset, message, None);
    }

    fn error_with_hint(&self, path: &str, offset: usize, message: String, hint: Option<String>) {
        let position = Some(self.index.position(offset));
        self.diagnostics
            .borrow_mut()
            .push(Problem::at(&*self.file, position, path, message).with_hint(hint));
    }

    fn record(&self, path: &str, node: &Node) {
        self.diagnostics.borrow_mut().record_position(
            &self.file,
            path,
            self.index.position(node.span.start),
        );
    }

    /// "an integer `42`": what was found, quoted from the source where that is short.
    fn found(&self, node: &Node) -> String {
        match node.value {
            Value::Table(_) | Value::Array(_) | Value::Null => node.value.kind().to_string(),
            _ => {
                let raw = self.text.get(node.span.clone()).unwrap_or_default();
                let mut quoted: String = raw.chars().take(40).collect();
                if quoted.len() < raw.len() {
                    quoted.push('…');
                }
                format!("{} {}", node.value.kind(), quoted.replace('\n', " "))
            }
        }
    }

    /// Reads `node` as a table of the given shape; reports unknown fields.
    pub fn table<'n>(&'a self, node: &'n Node, path: &str, shape: &Shape) -> Option<Table<'n, 'a>> {
        self.record(path, node);
        let Value::Table(entries) = &node.value else {
            self.error(
                path,
                node.span.start,
                format!("expected a table, found {}", self.found(node)),
            );
            return None;
        };
        for entry in entries {
            if !shape.fields.contains(&entry.key.as_str()) {
                let (message, hint) = unknown_field(&entry.key, shape);
                self.error_with_hint(&join(path, &entry.key), entry.key_span.start, message, hint);
            }
        }
        Some(Table {
            decoder: self,
            node,
            entries,
            path: path.to_string(),
        })
    }

    fn string(&self, path: &str, node: &Node) -> Option<String> {
        self.record(path, node);
        match &node.value {
            Value::String(s) if s.trim().is_empty() => {
                self.error(path, node.span.start, "must not be empty".into());
                None
            }
            Value::String(s) => Some(s.clone()),
            _ => {
                self.error(
                    path,
                    node.span.start,
                    format!("expected a string, found {}", self.found(node)),
                );
                None
            }
        }
    }

    fn integer(&self, path: &str, node: &Node, range: &RangeInclusive<i64>) -> Option<i64> {
        self.record(path, node);
        match node.value {
            Value::Integer(n) if range.contains(&n) => Some(n),
            _ => {
                self.error(
                    path,
                    node.span.start,
                    format!(
                        "expected an integer from {} to {}, found {}",
                        range.start(),
                        range.end(),
                        self.found(node)
                    ),
                );
                None
            }
        }
    }

    fn sub_practice_id(&self, path: &str, node: &Node) -> Option<SubPracticeId> {
        let text = self.string(path, node)?;
        match text.parse() {
            Ok(id) => Some(id),
            Err(e) => {
                self.error(path, node.span.start, format!("{e}"));
                None
            }
        }
    }
}

/// "unknown field `titel`" with the hint "did you mean `title`?", or the list of fields when
/// nothing is close.
fn unknown_field(key: &str, shape: &Shape) -> (String, Option<String>) {
    if let Some((_, why)) = shape.misplaced.iter().find(|(name, _)| *name == key) {
        return (format!("`{key}` cannot be set here: {why}"), None);
    }
    match did_you_mean(key, shape.fields.iter().copied()) {
        Some(field) => (
            format!("unknown field `{key}`"),
            Some(format!("did you mean `{field}`?")),
        ),
        None => (
            format!(
                "unknown field `{key}`: expected one of {}",
                shape
                    .fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
        ),
    }
}

/// A table being decoded: field accessors that check and report as they read.
pub(crate) struct Table<'n, 'a> {
    decoder: &'a Decoder<'a>,
    node: &'n Node,
    entries: &'n [Entry],
    path: String,
}

impl<'n, 'a> Table<'n, 'a> {
    pub fn origin(&self) -> Origin {
        self.decoder.origin(&self.path)
    }

    fn field(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// A present, non-null value.
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.node)
            .filter(|node| node.value != Value::Null)
    }

    fn required(&self, key: &str) -> Option<&'n Node> {
        let node = self.get(key);
        if node.is_none() {
            self.decoder.error(
                &self.field(key),
                self.node.span.start,
                format!("missing field `{key}`"),
            );
        }
        node
    }

    /// An error about a field of this table, at the field's line.
    pub fn error_at(&self, key: &str, message: String) {
        let offset = self.get(key).map_or(self.node.span.start, |n| n.span.start);
        self.decoder.error(&self.field(key), offset, message);
    }

    /// Required, non-blank text; an empty placeholder when it is not.
    pub fn text(&self, key: &str) -> String {
        self.required(key)
            .and_then(|node| self.decoder.string(&self.field(key), node))
            .unwrap_or_default()
    }

    /// Text that may be left out, but not blank.
    pub fn optional_text(&self, key: &str) -> Option<String> {
        self.get(key)
            .and_then(|node| self.decoder.string(&self.field(key), node))
    }

    pub fn integer(&self, key: &str, range: RangeInclusive<i64>) -> Option<i64> {
        self.required(key)
            .and_then(|node| self.decoder.integer(&self.field(key), node, &range))
    }

    pub fn boolean(&self, key: &str) -> Option<bool> {
        let node = self.required(key)?;
        self.decoder.record(&self.field(key), node);
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.error_at(
                    key,
                    format!("expected true or false, found {}", self.decoder.found(node)),
                );
                None
            }
        }
    }

    /// One of a fixed set of words, e.g. a cost band.
    pub fn choice<T: Copy>(&self, key: &str, all: &[T], word: fn(T) -> &'static str) -> Option<T> {
        let node = self.required(key)?;
        let text = self.decoder.string(&self.field(key), node)?;
        let found = all.iter().copied().find(|v| word(*v) == text);
        if found.is_none() {
            let words: Vec<String> = all.iter().map(|v| format!("`{}`", word(*v))).collect();
            self.error_at(
                key,
                format!("`{text}` is not allowed: use one of {}", words.join(", ")),
            );
        }
        found
    }

    pub fn sub_practice_id(&self, key: &str) -> Option<SubPracticeId> {
        self.required(key)
            .and_then(|node| self.decoder.sub_practice_id(&self.field(key), node))
    }

    pub fn table(&self, key: &str, shape: &Shape) -> Option<Table<'n, 'a>> {
        self.required(key)
            .and_then(|node| self.decoder.table(node, &self.field(key), shape))
    }

    pub fn optional_table(&self, key: &str, shape: &Shape) -> Option<Table<'n, 'a>> {
        self.get(key)
            .and_then(|node| self.decoder.table(node, &self.field(key), shape))
    }

    /// The items of an array field, each with its path; reports a missing or empty list if needed.
    fn items(&self, key: &str, need: Need) -> Vec<(String, &'n Node)> {
        let node = match (self.get(key), need) {
            (Some(node), _) => node,
            (None, Need::Optional) => return Vec::new(),
            (None, Need::Present | Need::AtLeastOne(_)) => {
                self.required(key);
                return Vec::new();
            }
        };
        let path = self.field(key);
        self.decoder.record(&path, node);
        let Value::Array(items) = &node.value else {
            self.error_at(
                key,
                format!("expected an array, found {}", self.decoder.found(node)),
            );
            return Vec::new();
        };
        if let (true, Need::AtLeastOne(why)) = (items.is_empty(), need) {
            self.error_at(key, format!("must not be empty: {why}"));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| (join(&path, &format!("[{i}]")), item))
            .collect()
    }

    /// Reads a list of scalars with `read`, reporting any value listed twice.
    fn scalars<T: PartialEq + Display>(
        &self,
        key: &str,
        need: Need,
        read: impl Fn(&str, &Node) -> Option<T>,
    ) -> Vec<T> {
        let mut out: Vec<T> = Vec::new();
        for (path, node) in self.items(key, need) {
            let Some(value) = read(&path, node) else {
                continue;
            };
            if out.contains(&value) {
                self.decoder
                    .error(&path, node.span.start, format!("`{value}` is listed twice"));
            } else {
                out.push(value);
            }
        }
        out
    }

    pub fn texts(&self, key: &str, need: Need) -> Vec<String> {
        self.scalars(key, need, |path, node| self.decoder.string(path, node))
    }

    pub fn integers(&self, key: &str, need: Need, range: RangeInclusive<i64>) -> Vec<i64> {
        self.scalars(key, need, |path, node| {
            self.decoder.integer(path, node, &range)
        })
    }

    pub fn sub_practice_ids(&self, key: &str, need: Need) -> Vec<SubPracticeId> {
        self.scalars(key, need, |path, node| {
            self.decoder.sub_practice_id(path, node)
        })
    }

    /// An array of tables, each of the given shape.
    pub fn tables(&self, key: &str, need: Need, shape: &Shape) -> Vec<Table<'n, 'a>> {
        self.items(key, need)
            .into_iter()
            .filter_map(|(path, node)| self.decoder.table(node, &path, shape))
            .collect()
    }
}

// ---- entries shared by the TOML and JSON layouts ------------------------------------------------

pub(crate) const EDITION: Shape = Shape::of(&[
    "id",
    "name",
    "hicp_edition",
    "catalog_version",
    "published",
    "note",
]);

pub(crate) fn edition(t: &Table) -> Edition {
    let published = t.text("published");
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if !published.is_empty() && time::Date::parse(&published, date_format).is_err() {
        t.error_at(
            "published",
            format!("`{published}` is not a date: write it as YYYY-MM-DD"),
        );
    }
    Edition {
        id: t.text("id"),
        name: t.text("name"),
        hicp_edition: t.text("hicp_edition"),
        catalog_version: t.text("catalog_version"),
        published,
        note: t.text("note"),
    }
}

const PROVENANCE: Shape = Shape::of(&["source", "confidence", "edition", "verified", "note"]);

fn provenance(t: &Table) -> Provenance {
    let Some(p) = t.table("provenance", &PROVENANCE) else {
        return placeholder_provenance();
    };
    Provenance {
        source: p.text("source"),
        confidence: p
            .choice("confidence", &Confidence::ALL, Confidence::as_str)
            .unwrap_or(Confidence::Published),
        edition: p.text("edition"),
        verified: p.boolean("verified").unwrap_or(false),
        note: p.optional_text("note"),
    }
}

/// Stands in for a provenance that failed to decode (its error is already recorded).
fn placeholder_provenance() -> Provenance {
    Provenance {
        source: String::new(),
        confidence: Confidence::Published,
        edition: String::new(),
        verified: false,
        note: None,
    }
}

/// How a layout writes names: with their sources (every layout today), or as JSON schema 1 did,
/// with plain-text aliases and no source of their own.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Names {
    Sourced,
    Schema1,
}

const NAME_SOURCE: Shape = Shape::of(&["edition", "cite", "source", "confidence", "note"]);
const ALIAS: Shape = Shape::of(&["text", "edition", "note"]);

/// Said of every alias read from a schema 1 export, which did not record editions.
const SCHEMA_1_ALIAS_EDITION: &str = "not stated (schema 1 export)";

/// The source of the name in `key` (`name_source`, `title_source`). A schema 1 export has none:
/// the entry's provenance stood for its name, so it is carried over, marked as such.
fn name_source(t: &Table, key: &str, names: Names, provenance: &Provenance) -> NameSource {
    if names == Names::Schema1 {
        return NameSource {
            edition: provenance.edition.clone(),
            cite: "schema 1 export".to_string(),
            source: provenance.source.clone(),
            confidence: match provenance.confidence {
                Confidence::Published => NameConfidence::Published,
                Confidence::Recalled => NameConfidence::Recalled,
                Confidence::Inferred | Confidence::Derived => NameConfidence::Inferred,
            },
            note: provenance.note.clone(),
        };
    }
    let Some(n) = t.table(key, &NAME_SOURCE) else {
        return NameSource {
            edition: String::new(),
            cite: String::new(),
            source: String::new(),
            confidence: NameConfidence::Provisional,
            note: None,
        };
    };
    NameSource {
        edition: n.text("edition"),
        cite: n.text("cite"),
        source: n.text("source"),
        confidence: n
            .choice("confidence", &NameConfidence::ALL, NameConfidence::as_str)
            .unwrap_or(NameConfidence::Provisional),
        note: n.optional_text("note"),
    }
}

/// The other names in `key`, each with its edition; a name listed twice is an error.
fn aliases(t: &Table, key: &str, names: Names) -> Vec<Alias> {
    if names == Names::Schema1 {
        return t
            .texts(key, Need::Optional)
            .into_iter()
            .map(|text| Alias {
                text,
                edition: SCHEMA_1_ALIAS_EDITION.to_string(),
                note: None,
            })
            .collect();
    }
    let mut out: Vec<Alias> = Vec::new();
    for a in t.tables(key, Need::Optional, &ALIAS) {
        let alias = Alias {
            text: a.text("text"),
            edition: a.text("edition"),
            note: a.optional_text("note"),
        };
        if out.iter().any(|other| other.text == alias.text) {
            a.error_at("text", format!("`{}` is listed twice", alias.text));
        } else {
            out.push(alias);
        }
    }
    out
}

pub(crate) const THREAT: Shape = Shape::of(&[
    "number",
    "name",
    "name_source",
    "aliases",
    "summary",
    "provenance",
]);
const THREAT_NUMBERS: RangeInclusive<i64> = 1..=5;
const PRACTICE_NUMBERS: RangeInclusive<i64> = 1..=10;

pub(crate) fn threat(t: &Table, names: Names) -> Option<Located<Threat>> {
    let number = t.integer("number", THREAT_NUMBERS);
    let name = t.text("name");
    let summary = t.text("summary");
    let provenance = provenance(t);
    let name_source = name_source(t, "name_source", names, &provenance);
    let aliases = aliases(t, "aliases", names);
    Some(Located {
        item: Threat {
            number: u8::try_from(number?).ok()?,
            name,
            name_source,
            aliases,
            summary,
            provenance,
        },
        origin: t.origin(),
    })
}

/// The fields a practice has in both layouts (a practice file adds its sub-practices).
pub(crate) const PRACTICE_FIELDS: [&str; 8] = [
    "number",
    "title",
    "title_source",
    "aliases",
    "summary",
    "threats",
    "metrics",
    "provenance",
];

pub(crate) fn practice(t: &Table, names: Names) -> Option<Located<Practice>> {
    let number = t.integer("number", PRACTICE_NUMBERS);
    let title = t.text("title");
    let summary = t.text("summary");
    let threats = threat_list(t);
    let metrics = t.texts("metrics", Need::Optional);
    let provenance = provenance(t);
    let title_source = name_source(t, "title_source", names, &provenance);
    let aliases = aliases(t, "aliases", names);
    Some(Located {
        item: Practice {
            number: u8::try_from(number?).ok()?,
            title,
            title_source,
            aliases,
            summary,
            threats,
            metrics,
            provenance,
        },
        origin: t.origin(),
    })
}

fn threat_list(t: &Table) -> Vec<ThreatId> {
    t.integers(
        "threats",
        Need::AtLeastOne("it must mitigate at least one of the five threats"),
        THREAT_NUMBERS,
    )
    .into_iter()
    .filter_map(|n| u8::try_from(n).ok())
    .collect()
}

/// Sub-practice fields written in a practice file; the JSON layout adds the derived ones.
pub(crate) const SUB_PRACTICE_FIELDS: [&str; 16] = [
    "id",
    "title",
    "title_source",
    "title_aliases",
    "summary",
    "good_looks_like",
    "owner_role",
    "threats",
    "cost",
    "effort",
    "prerequisites",
    "csf11",
    "cpg",
    "metrics",
    "questions",
    "provenance",
];

/// How the layout states the practice a sub-practice belongs to.
pub(crate) enum PracticeOf {
    /// Practice files: the file's `number` (if it could be read), which the id must agree with.
    File(Option<PracticeId>),
    /// JSON: the sub-practice's own `practice` and `tier` fields, which must agree with the id.
    Fields,
}

pub(crate) fn sub_practice(
    t: &Table,
    practice_of: PracticeOf,
    names: Names,
) -> Option<Located<SubPractice>> {
    let id = t.sub_practice_id("id");
    if let (Some(id), PracticeOf::File(Some(number))) = (&id, &practice_of)
        && id.practice() != *number
    {
        t.error_at(
            "id",
            format!(
                "`{id}` belongs to practice {}, but this file is practice {number}: move it to practice {}'s file or correct the id",
                id.practice(),
                id.practice()
            ),
        );
    }
    if let (Some(id), PracticeOf::Fields) = (&id, &practice_of) {
        check_matches_id(t, id);
    }
    let (csf2, hipaa) = match practice_of {
        PracticeOf::File(_) => (Vec::new(), Vec::new()),
        PracticeOf::Fields => (
            t.texts("csf2", Need::Present),
            t.texts("hipaa", Need::Present),
        ),
    };
    let title = t.text("title");
    let summary = t.text("summary");
    let good_looks_like = t.text("good_looks_like");
    let owner_role = t.text("owner_role");
    let threats = threat_list(t);
    let cost = t.choice("cost", &Band::ALL, Band::as_str);
    let effort = t.choice("effort", &Band::ALL, Band::as_str);
    let prerequisites = t.sub_practice_ids("prerequisites", Need::Optional);
    let csf11 = t.texts("csf11", Need::Optional);
    let cpg = t.texts("cpg", Need::Optional);
    let metrics = t.texts("metrics", Need::Optional);
    let questions = questions(t);
    let provenance = provenance(t);
    let title_source = name_source(t, "title_source", names, &provenance);
    let title_aliases = aliases(t, "title_aliases", names);
    let id = id?;
    Some(Located {
        item: SubPractice {
            practice: id.practice(),
            tier: id.tier(),
            id,
            title,
            title_source,
            title_aliases,
            summary,
            good_looks_like,
            owner_role,
            threats,
            cost: cost.unwrap_or(Band::Low),
            effort: effort.unwrap_or(Band::Low),
            prerequisites,
            csf11,
            csf2,
            cpg,
            hipaa,
            metrics,
            questions,
            provenance,
        },
        origin: t.origin(),
    })
}

/// JSON repeats the practice and tier that the id encodes; they must agree.
fn check_matches_id(t: &Table, id: &SubPracticeId) {
    if let Some(practice) = t.integer("practice", PRACTICE_NUMBERS)
        && practice != i64::from(id.practice())
    {
        t.error_at(
            "practice",
            format!("practice {practice} does not match the id `{id}`"),
        );
    }
    if let Some(tier) = t.choice("tier", &Tier::ALL, Tier::as_str)
        && tier != id.tier()
    {
        t.error_at(
            "tier",
            format!("tier `{tier}` does not match the id `{id}`"),
        );
    }
}

const QUESTION: Shape = Shape::of(&["key", "text"]);

fn questions(t: &Table) -> Vec<Question> {
    let mut out: Vec<Question> = Vec::new();
    let tables = t.tables(
        "questions",
        Need::AtLeastOne("a sub-practice needs at least one assessment question"),
        &QUESTION,
    );
    for q in tables {
        let key = q.text("key");
        let question = Question {
            text: q.text("text"),
            key: key.clone(),
        };
        if key.is_empty() {
            continue;
        }
        if !is_question_key(&key) {
            q.error_at(
                "key",
                format!(
                    "`{key}` is not a question key: use lowercase letters and digits separated by single hyphens, e.g. `regular-scan`"
                ),
            );
        } else if out.iter().any(|other| other.key == key) {
            q.error_at(
                "key",
                format!("question key `{key}` is used twice in this sub-practice"),
            );
        } else {
            out.push(question);
        }
    }
    out
}

/// Question keys appear in assessment files, so they are kept to `^[a-z0-9]+(-[a-z0-9]+)*$`.
fn is_question_key(key: &str) -> bool {
    key.split('-').all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

// ---- crosswalk tables ---------------------------------------------------------------------------

/// Decoded crosswalk tables, each entry with its origin.
#[derive(Default)]
pub(crate) struct Crosswalks {
    pub csf11_to_csf2: Vec<Located<CsfMapping>>,
    pub csf2: Vec<Located<Csf2Entry>>,
    pub hipaa: Vec<Located<HipaaStandard>>,
    pub cpg_goals: Vec<Located<CpgGoal>>,
    pub sources: TableSources,
}

const TABLE_SOURCE: Shape = Shape::of(&["name", "confidence"]);

fn table_source(t: &Table) -> Option<TableSource> {
    let s = t.optional_table("source", &TABLE_SOURCE)?;
    Some(TableSource {
        name: s.text("name"),
        confidence: s
            .choice("confidence", &Confidence::ALL, Confidence::as_str)
            .unwrap_or(Confidence::Published),
    })
}

pub(crate) const CSF_MAP_TABLE: Shape = Shape::of(&["source", "map"]);
const CSF_MAP_ROW: Shape = Shape::of(&["csf11", "csf2"]);

pub(crate) fn csf_map_table(t: &Table, into: &mut Crosswalks) {
    into.sources.csf11_to_csf2 = table_source(t);
    for row in t.tables(
        "map",
        Need::AtLeastOne("the CSF 1.1 to 2.0 map has no rows"),
        &CSF_MAP_ROW,
    ) {
        into.csf11_to_csf2.push(Located {
            item: CsfMapping {
                csf11: row.text("csf11"),
                csf2: row.texts(
                    "csf2",
                    Need::AtLeastOne("a row maps to at least one CSF 2.0 id"),
                ),
            },
            origin: row.origin(),
        });
    }
}

pub(crate) const CSF2_TABLE: Shape = Shape::of(&["source", "ids"]);
const CSF2_ENTRY: Shape = Shape::of(&["id", "name"]);

pub(crate) fn csf2_table(t: &Table, into: &mut Crosswalks) {
    into.sources.csf2 = table_source(t);
    for entry in t.tables(
        "ids",
        Need::AtLeastOne("the CSF 2.0 list is empty"),
        &CSF2_ENTRY,
    ) {
        into.csf2.push(Located {
            item: Csf2Entry {
                id: entry.text("id"),
                name: entry.optional_text("name"),
            },
            origin: entry.origin(),
        });
    }
}

pub(crate) const HIPAA_TABLE: Shape = Shape::of(&["source", "standards"]);
const HIPAA_STANDARD: Shape = Shape::of(&["citation", "name", "csf2"]);

pub(crate) fn hipaa_table(t: &Table, into: &mut Crosswalks) {
    into.sources.hipaa = table_source(t);
    for s in t.tables("standards", Need::Optional, &HIPAA_STANDARD) {
        into.hipaa.push(Located {
            item: HipaaStandard {
                citation: s.text("citation"),
                name: s.text("name"),
                csf2: s.texts(
                    "csf2",
                    Need::AtLeastOne("a standard maps to at least one CSF 2.0 id"),
                ),
            },
            origin: s.origin(),
        });
    }
}

pub(crate) const CPG_TABLE: Shape = Shape::of(&["source", "goals"]);
const CPG_GOAL: Shape = Shape::of(&["id", "kind", "title", "confidence_note"]);

pub(crate) fn cpg_table(t: &Table, into: &mut Crosswalks) {
    into.sources.cpg = table_source(t);
    for g in t.tables("goals", Need::Optional, &CPG_GOAL) {
        into.cpg_goals.push(Located {
            item: CpgGoal {
                id: g.text("id"),
                kind: g
                    .choice("kind", &CpgKind::ALL, CpgKind::as_str)
                    .unwrap_or(CpgKind::Essential),
                title: g.text("title"),
                confidence_note: g.text("confidence_note"),
            },
            origin: g.origin(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::parse_toml;

    fn decode<T>(text: &str, shape: &Shape, read: impl Fn(&Table) -> T) -> (T, Vec<String>) {
        let diagnostics = RefCell::new(Diagnostics::default());
        let node = parse_toml(text).expect("valid TOML");
        let decoder = Decoder::new("f.toml", text, &diagnostics);
        let table = decoder.table(&node, "", shape).expect("a table");
        let value = read(&table);
        let errors = hicp_input::Problems::new("f.toml", diagnostics.into_inner().into_problems())
            .iter()
            .map(ToString::to_string)
            .collect();
        (value, errors)
    }

    #[test]
    fn misspelt_fields_get_a_suggestion() {
        let (_, errors) = decode(
            "nmae = \"x\"\nname = \"y\"\n",
            &Shape::of(&["name", "note"]),
            |_| (),
        );
        assert_eq!(
            errors,
            ["f.toml:1:1: nmae: unknown field `nmae` (did you mean `name`?)"]
        );
    }

    #[test]
    fn unrelated_fields_list_what_is_allowed() {
        let (_, errors) = decode("colour = 1\n", &Shape::of(&["name", "note"]), |_| ());
        assert_eq!(
            errors,
            ["f.toml:1:1: colour: unknown field `colour`: expected one of `name`, `note`"]
        );
    }

    #[test]
    fn every_bad_field_is_reported() {
        let text = "a = \"  \"\nb = [1, 1, 9]\nc = \"huge\"\n";
        let shape = Shape::of(&["a", "b", "c", "d"]);
        let (_, errors) = decode(text, &shape, |t| {
            t.text("a");
            t.integers("b", Need::Optional, 1..=5);
            t.choice("c", &Band::ALL, Band::as_str);
            t.texts("d", Need::AtLeastOne("needed"));
        });
        assert_eq!(
            errors,
            [
                "f.toml:1:1: d: missing field `d`",
                "f.toml:1:5: a: must not be empty",
                "f.toml:2:9: b[1]: `1` is listed twice",
                "f.toml:2:12: b[2]: expected an integer from 1 to 5, found an integer 9",
                "f.toml:3:5: c: `huge` is not allowed: use one of `low`, `medium`, `high`",
            ]
        );
    }

    #[test]
    fn question_keys_are_kebab_case() {
        assert!(is_question_key("regular-scan"));
        assert!(is_question_key("mfa2"));
        assert!(!is_question_key("Regular-scan"));
        assert!(!is_question_key("a--b"));
        assert!(!is_question_key("-a"));
        assert!(!is_question_key("a b"));
    }
}
