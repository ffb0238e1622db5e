//! The assessment file: TOML in, [`Assessment`] out, and back ([`to_toml`]).
//!
//! Reading walks the parsed document by hand rather than through serde so that every problem in
//! the file is found in one pass and reported as a [`hicp_input::Problem`] with its line, column,
//! key and, for a typo, a hint (`docs/assessment-format.md` describes every key and limit).

use std::collections::BTreeMap;
use std::ops::Range;

use hicp_catalog::{Catalog, SubPracticeId, Tier};
use hicp_input::{Problems, did_you_mean};
use time::Date;
use toml::de::{DeTable, DeValue};

use crate::methodology::Methodology;
use crate::model::{
    Answer, Assessment, Exposure, HistoryEntry, Organization, Sizing, Status, Warning,
};
use crate::reading::{Findings, Value, backticked, key_segment};
use crate::rollup::roll_up;

/// The largest assessment file read: far above any real one (the largest example is a few
/// kilobytes), small enough that a wrong or hostile file is refused before it is parsed.
pub const MAX_ASSESSMENT_BYTES: u64 = 8 * 1024 * 1024;

/// How an assessment file is named in the headline of its problems.
const WHAT: &str = "the assessment file";

/// A parsed assessment and what the user should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAssessment {
    pub assessment: Assessment,
    /// Answers outside the tier (kept as "going further"), and the like.
    pub warnings: Vec<Warning>,
}

/// An assessment read from its file, or every problem that stops it being used (each with
/// file, line, column, key path, message and, where there is one, a hint).
pub type AssessmentResult = Result<ParsedAssessment, Problems>;

/// Reads an assessment file with the default methodology's tier thresholds.
pub fn parse_assessment(text: &str, source_name: &str, catalog: &Catalog) -> AssessmentResult {
    parse_assessment_with(text, source_name, catalog, &Methodology::default())
}

/// Reads an assessment file; `methodology` decides the tier used to tell "going further"
/// answers. A text over [`MAX_ASSESSMENT_BYTES`] is refused unparsed.
pub fn parse_assessment_with(
    text: &str,
    source_name: &str,
    catalog: &Catalog,
    methodology: &Methodology,
) -> AssessmentResult {
    let mut reader = Reader {
        findings: Findings::new(text, source_name),
    };
    let Some(document) = reader
        .findings
        .parse(text, MAX_ASSESSMENT_BYTES, "the file")
    else {
        return Err(reader.into_error());
    };
    let root = document.get_ref();
    reader.check_keys(root, "", &["organization", "answers", "history"]);
    let organization = match root.get("organization") {
        Some(value) => reader.organization(value),
        None => {
            reader.findings.push(
                None,
                "organization",
                "missing [organization]: add the table with at least `name = \"...\"`",
                None,
            );
            Organization::default()
        }
    };
    let mut assessment = Assessment {
        organization,
        ..Assessment::default()
    };
    let mut answer_spans = BTreeMap::new();
    if let Some(table) = root.get("answers").and_then(|v| reader.table(v, "answers")) {
        for (key, value) in table.iter() {
            let path = format!("answers.\"{}\"", key.get_ref());
            let Some(id) = reader.sub_practice_id(key.get_ref(), key.span(), &path, catalog) else {
                continue;
            };
            if let Some(answer) = reader.answer(value, &path, &id, catalog, methodology) {
                answer_spans.insert(id.clone(), key.span());
                assessment.answers.insert(id, answer);
            }
        }
    }
    if let Some(value) = root.get("history") {
        assessment.history = reader.history(value, catalog);
    }
    if !reader.findings.is_empty() {
        return Err(reader.into_error());
    }
    let tier = assessment.organization.tier.unwrap_or_else(|| {
        crate::tier::recommend(&assessment.organization.sizing, &methodology.tier).0
    });
    let warnings = answer_spans
        .into_iter()
        .filter(|(id, _)| !tier.requires(id.tier()))
        .map(|(id, span)| {
            let at = reader.findings.position(span.start);
            Warning {
                message: format!(
                    "{source_name}:{}:{}: answers.\"{id}\": {id} is written for {} organizations and your tier is {tier}; it is kept as going further (it adds to threat coverage, not to your tier's score).",
                    at.line,
                    at.column,
                    id.tier(),
                ),
                id: Some(id),
            }
        })
        .collect();
    Ok(ParsedAssessment {
        assessment,
        warnings,
    })
}

struct Reader<'t> {
    findings: Findings<'t>,
}

impl Reader<'_> {
    fn problem(&mut self, span: Range<usize>, key: &str, message: impl Into<String>) {
        self.findings.push(Some(span), key, message, None);
    }

    fn into_error(self) -> Problems {
        self.findings.into_problems(WHAT)
    }

    fn check_keys(&mut self, table: &DeTable<'_>, path: &str, allowed: &[&str]) {
        self.findings.unknown_keys(table, path, allowed);
    }

    fn table<'v, 'i>(&mut self, value: &'v Value<'i>, path: &str) -> Option<&'v DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            other => {
                self.problem(
                    value.span(),
                    path,
                    format!(
                        "expected a table, found {}; write it as [{path}]",
                        other.type_str()
                    ),
                );
                None
            }
        }
    }

    fn string(&mut self, value: &Value<'_>, path: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(text) => Some(text.to_string()),
            other => {
                self.problem(
                    value.span(),
                    path,
                    format!("expected text in quotes, found {}", other.type_str()),
                );
                None
            }
        }
    }

    fn count(&mut self, value: &Value<'_>, path: &str, max: u64) -> Option<u64> {
        let parsed = match value.get_ref() {
            DeValue::Integer(n) => i64::from_str_radix(n.as_str(), n.radix())
                .ok()
                .and_then(|n| u64::try_from(n).ok())
                .filter(|n| *n <= max),
            _ => None,
        };
        if parsed.is_none() {
            self.problem(
                value.span(),
                path,
                format!("expected a whole number from 0 to {max}, without quotes"),
            );
        }
        parsed
    }

    fn flag(&mut self, value: &Value<'_>, path: &str) -> Option<bool> {
        let parsed = value.get_ref().as_bool();
        if parsed.is_none() {
            self.problem(value.span(), path, "expected true or false, without quotes");
        }
        parsed
    }

    fn date(&mut self, value: &Value<'_>, path: &str) -> Option<Date> {
        let parsed = match value.get_ref() {
            DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                dt.date.and_then(|d| {
                    let month = time::Month::try_from(d.month).ok()?;
                    Date::from_calendar_date(i32::from(d.year), month, d.day).ok()
                })
            }
            DeValue::String(text) => parse_date(text),
            _ => None,
        };
        if parsed.is_none() {
            self.problem(
                value.span(),
                path,
                "expected a calendar date such as 2025-03-01 (year-month-day, no time of day)",
            );
        }
        parsed
    }

    fn status(&mut self, value: &Value<'_>, path: &str) -> Option<Status> {
        let text = self.string(value, path)?;
        match text.parse::<Status>() {
            Ok(status) => Some(status),
            Err(message) => {
                self.problem(value.span(), path, message);
                None
            }
        }
    }

    fn sub_practice_id(
        &mut self,
        text: &str,
        span: Range<usize>,
        path: &str,
        catalog: &Catalog,
    ) -> Option<SubPracticeId> {
        let known = text
            .parse::<SubPracticeId>()
            .ok()
            .filter(|id| catalog.sub_practice(id).is_some());
        if known.is_none() {
            // Ids differ from each other by one character, so an edit distance would suggest
            // an arbitrary neighbour; only a difference of case or spacing is a sure typo.
            let hint = catalog
                .sub_practices
                .iter()
                .find(|s| s.id.to_string().eq_ignore_ascii_case(text.trim()))
                .map(|s| format!("did you mean `{}`?", s.id));
            self.findings.push(
                Some(span),
                path,
                format!(
                    "`{text}` is not a sub-practice id in catalog edition {}; run `hicp catalog list` to see the ids",
                    catalog.edition.id
                ),
                hint,
            );
        }
        known
    }

    fn organization(&mut self, value: &Value<'_>) -> Organization {
        let mut organization = Organization::default();
        let Some(table) = self.table(value, "organization") else {
            return organization;
        };
        self.check_keys(
            table,
            "organization",
            &["name", "tier", "tier_reason", "sizing", "exposure"],
        );
        match table.get("name") {
            Some(v) => {
                if let Some(name) = self.string(v, "organization.name") {
                    if name.trim().is_empty() {
                        self.problem(
                            v.span(),
                            "organization.name",
                            "the name is empty; give the organization's name",
                        );
                    }
                    organization.name = name;
                }
            }
            None => self.problem(
                value.span(),
                "organization.name",
                "missing: add `name = \"...\"` to [organization]",
            ),
        }
        if let Some(v) = table.get("tier")
            && let Some(text) = self.string(v, "organization.tier")
        {
            match text.parse::<Tier>() {
                Ok(tier) => organization.tier = Some(tier),
                Err(message) => self.problem(v.span(), "organization.tier", message),
            }
        }
        if let Some(v) = table.get("tier_reason") {
            organization.tier_reason = self.string(v, "organization.tier_reason");
        }
        if let Some(v) = table.get("sizing") {
            organization.sizing = self.sizing(v);
        }
        if let Some(v) = table.get("exposure") {
            organization.exposure = self.exposure(v);
        }
        organization
    }

    fn sizing(&mut self, value: &Value<'_>) -> Sizing {
        let mut sizing = Sizing::default();
        let Some(table) = self.table(value, "organization.sizing") else {
            return sizing;
        };
        let fields: [(&str, &mut Option<u32>); 7] = [
            ("providers", &mut sizing.providers),
            ("beds", &mut sizing.beds),
            ("workforce", &mut sizing.workforce),
            ("it_staff", &mut sizing.it_staff),
            ("security_staff", &mut sizing.security_staff),
            ("endpoints", &mut sizing.endpoints),
            ("sites", &mut sizing.sites),
        ];
        let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
        self.check_keys(table, "organization.sizing", &names);
        for (name, slot) in fields {
            if let Some(v) = table.get(name) {
                let path = format!("organization.sizing.{name}");
                *slot = self
                    .count(v, &path, u64::from(u32::MAX))
                    .and_then(|n| u32::try_from(n).ok());
            }
        }
        sizing
    }

    fn exposure(&mut self, value: &Value<'_>) -> Exposure {
        let mut exposure = Exposure::default();
        let Some(table) = self.table(value, "organization.exposure") else {
            return exposure;
        };
        self.check_keys(
            table,
            "organization.exposure",
            &[
                "connected_medical_devices",
                "remote_access",
                "patient_portal",
                "on_premises_ehr",
                "phi_records",
                "email_per_day",
                "prior_incidents",
                "portable_devices_with_phi",
                "provides_acute_care",
            ],
        );
        let path = |name: &str| format!("organization.exposure.{name}");
        let small = u64::from(u32::MAX);
        if let Some(v) = table.get("connected_medical_devices") {
            exposure.connected_medical_devices = self
                .count(v, &path("connected_medical_devices"), small)
                .and_then(|n| u32::try_from(n).ok());
        }
        if let Some(v) = table.get("email_per_day") {
            exposure.email_per_day = self
                .count(v, &path("email_per_day"), small)
                .and_then(|n| u32::try_from(n).ok());
        }
        if let Some(v) = table.get("prior_incidents") {
            exposure.prior_incidents = self
                .count(v, &path("prior_incidents"), small)
                .and_then(|n| u32::try_from(n).ok());
        }
        if let Some(v) = table.get("phi_records") {
            exposure.phi_records = self.count(v, &path("phi_records"), i64::MAX as u64);
        }
        let flags: [(&str, &mut Option<bool>); 5] = [
            ("remote_access", &mut exposure.remote_access),
            ("patient_portal", &mut exposure.patient_portal),
            ("on_premises_ehr", &mut exposure.on_premises_ehr),
            (
                "portable_devices_with_phi",
                &mut exposure.portable_devices_with_phi,
            ),
            ("provides_acute_care", &mut exposure.provides_acute_care),
        ];
        for (name, slot) in flags {
            if let Some(v) = table.get(name) {
                *slot = self.flag(v, &path(name));
            }
        }
        exposure
    }

    fn answer(
        &mut self,
        value: &Value<'_>,
        path: &str,
        id: &SubPracticeId,
        catalog: &Catalog,
        methodology: &Methodology,
    ) -> Option<Answer> {
        let table = self.table(value, path)?;
        self.check_keys(
            table,
            path,
            &[
                "status",
                "owner",
                "note",
                "since",
                "evidence",
                "justification",
                "questions",
            ],
        );
        let sub = catalog.sub_practice(id)?;
        let mut answer = Answer::with_status(Status::Unknown);
        let status_given = table.get("status");
        let mut usable = true;
        if let Some(v) = status_given {
            match self.status(v, &format!("{path}.status")) {
                Some(status) => answer.status = status,
                None => usable = false,
            }
        }
        for (name, slot) in [
            ("owner", &mut answer.owner),
            ("note", &mut answer.note),
            ("justification", &mut answer.justification),
        ] {
            if let Some(v) = table.get(name) {
                *slot = self.string(v, &format!("{path}.{name}"));
            }
        }
        if let Some(v) = table.get("since") {
            answer.since = self.date(v, &format!("{path}.since"));
        }
        if let Some(v) = table.get("evidence") {
            let key = format!("{path}.evidence");
            match v.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        if let Some(text) = self.string(item, &key) {
                            answer.evidence.push(text);
                        }
                    }
                }
                other => self.problem(
                    v.span(),
                    &key,
                    format!(
                        "expected a list of references such as [\"policy.pdf\"], found {}",
                        other.type_str()
                    ),
                ),
            }
        }
        if let Some(v) = table.get("questions") {
            let questions_path = format!("{path}.questions");
            if let Some(questions) = self.table(v, &questions_path) {
                let keys: Vec<&str> = sub.questions.iter().map(|q| q.key.as_str()).collect();
                for (key, value) in questions.iter() {
                    let name = key.get_ref().as_ref();
                    let key_path = format!("{questions_path}.{name}");
                    if !keys.contains(&name) {
                        let hint = did_you_mean(name, keys.iter().copied())
                            .map(|near| format!("did you mean `{near}`?"));
                        self.findings.push(
                            Some(key.span()),
                            &key_path,
                            format!(
                                "{id} has no question `{name}`; its questions are {} (see `hicp catalog show {id}`)",
                                backticked(&keys)
                            ),
                            hint,
                        );
                        continue;
                    }
                    if let Some(status) = self.status(value, &key_path) {
                        answer.questions.insert(name.to_string(), status);
                    }
                }
            }
        }
        if status_given.is_none() && answer.questions.is_empty() {
            self.problem(
                value.span(),
                path,
                format!(
                    "no status: add `status = \"...\"` (one of {}) or answer its questions under [{path}.questions]",
                    Status::ALL.map(Status::as_str).join(", ")
                ),
            );
        }
        let rolled_up = answer.status == Status::Unknown && !answer.questions.is_empty();
        let effective = if rolled_up {
            roll_up(&answer.questions, sub, &methodology.status_values)
        } else {
            answer.status
        };
        if usable
            && effective == Status::NotApplicable
            && answer
                .justification
                .as_deref()
                .is_none_or(|j| j.trim().is_empty())
        {
            self.problem(
                value.span(),
                &format!("{path}.justification"),
                format!(
                    "{id} is{} not applicable, which needs a justification: add `justification = \"why it does not apply\"`",
                    if rolled_up { " (through its questions)" } else { "" }
                ),
            );
        }
        usable.then_some(answer)
    }

    fn history(&mut self, value: &Value<'_>, catalog: &Catalog) -> Vec<HistoryEntry> {
        let DeValue::Array(entries) = value.get_ref() else {
            self.problem(
                value.span(),
                "history",
                "expected a list of [[history]] tables, each with id, status and date",
            );
            return Vec::new();
        };
        let mut history = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let path = format!("history[{i}]");
            let Some(table) = self.table(entry, &path) else {
                continue;
            };
            self.check_keys(table, &path, &["id", "status", "date"]);
            let mut get = |name: &str| {
                let found = table.get(name);
                if found.is_none() {
                    self.problem(
                        entry.span(),
                        &format!("{path}.{name}"),
                        format!(
                            "missing `{name}`: each [[history]] entry needs id, status and date"
                        ),
                    );
                }
                found
            };
            let (id, status, date) = (get("id"), get("status"), get("date"));
            let id = id.and_then(|v| {
                let text = self.string(v, &format!("{path}.id"))?;
                self.sub_practice_id(&text, v.span(), &format!("{path}.id"), catalog)
            });
            let status = status.and_then(|v| self.status(v, &format!("{path}.status")));
            let date = date.and_then(|v| self.date(v, &format!("{path}.date")));
            if let (Some(id), Some(status), Some(date)) = (id, status, date) {
                history.push(HistoryEntry { id, status, date });
            }
        }
        history
    }
}

fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

// ----------------------------------------------------------------------------------------------
// Writing

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn date_literal(date: Date) -> String {
    if (0..=9999).contains(&date.year()) {
        format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )
    } else {
        quoted(&date.to_string())
    }
}

/// Writes an assessment file that [`parse_assessment`] reads back equal (for an assessment that
/// is valid against the catalog).
pub fn to_toml(assessment: &Assessment) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let org = &assessment.organization;
    // Writing to a String cannot fail.
    let _ = writeln!(out, "[organization]\nname = {}", quoted(&org.name));
    if let Some(tier) = org.tier {
        let _ = writeln!(out, "tier = {}", quoted(tier.as_str()));
    }
    if let Some(reason) = &org.tier_reason {
        let _ = writeln!(out, "tier_reason = {}", quoted(reason));
    }
    let s = &org.sizing;
    let sizing = [
        ("providers", s.providers),
        ("beds", s.beds),
        ("workforce", s.workforce),
        ("it_staff", s.it_staff),
        ("security_staff", s.security_staff),
        ("endpoints", s.endpoints),
        ("sites", s.sites),
    ];
    if sizing.iter().any(|(_, v)| v.is_some()) {
        out.push_str("\n[organization.sizing]\n");
        for (name, value) in sizing {
            if let Some(n) = value {
                let _ = writeln!(out, "{name} = {n}");
            }
        }
    }
    let e = &org.exposure;
    let counts = [
        (
            "connected_medical_devices",
            e.connected_medical_devices.map(u64::from),
        ),
        ("phi_records", e.phi_records),
        ("email_per_day", e.email_per_day.map(u64::from)),
        ("prior_incidents", e.prior_incidents.map(u64::from)),
    ];
    let flags = [
        ("remote_access", e.remote_access),
        ("patient_portal", e.patient_portal),
        ("on_premises_ehr", e.on_premises_ehr),
        ("portable_devices_with_phi", e.portable_devices_with_phi),
        ("provides_acute_care", e.provides_acute_care),
    ];
    if counts.iter().any(|(_, v)| v.is_some()) || flags.iter().any(|(_, v)| v.is_some()) {
        out.push_str("\n[organization.exposure]\n");
        for (name, value) in counts {
            if let Some(n) = value {
                let _ = writeln!(out, "{name} = {n}");
            }
        }
        for (name, value) in flags {
            if let Some(b) = value {
                let _ = writeln!(out, "{name} = {b}");
            }
        }
    }
    for (id, answer) in &assessment.answers {
        let _ = writeln!(out, "\n[answers.\"{id}\"]");
        if answer.status != Status::Unknown || answer.questions.is_empty() {
            let _ = writeln!(out, "status = {}", quoted(answer.status.as_str()));
        }
        for (name, value) in [
            ("owner", &answer.owner),
            ("note", &answer.note),
            ("justification", &answer.justification),
        ] {
            if let Some(text) = value {
                let _ = writeln!(out, "{name} = {}", quoted(text));
            }
        }
        if let Some(since) = answer.since {
            let _ = writeln!(out, "since = {}", date_literal(since));
        }
        if !answer.evidence.is_empty() {
            let items: Vec<String> = answer.evidence.iter().map(|e| quoted(e)).collect();
            let _ = writeln!(out, "evidence = [{}]", items.join(", "));
        }
        if !answer.questions.is_empty() {
            let _ = writeln!(out, "\n[answers.\"{id}\".questions]");
            for (key, status) in &answer.questions {
                let _ = writeln!(out, "{} = {}", key_segment(key), quoted(status.as_str()));
            }
        }
    }
    for entry in &assessment.history {
        let _ = writeln!(
            out,
            "\n[[history]]\nid = {}\nstatus = {}\ndate = {}",
            quoted(&entry.id.to_string()),
            quoted(entry.status.as_str()),
            date_literal(entry.date)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_from_text_too() {
        assert_eq!(
            parse_date("2025-03-01"),
            Some(time::macros::date!(2025 - 03 - 01))
        );
        assert_eq!(parse_date("2025-13-01"), None);
        assert_eq!(parse_date("March 2025"), None);
    }
}
