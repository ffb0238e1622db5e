//! Getting started: a new organization from its name and a short questionnaire about its size
//! and exposure, the tier the engine recommends with its reasons, the choice to override it,
//! and the first assessment. Everything travels in one form (hidden fields carry the
//! questionnaire to the tier step), so nothing is created until the person confirms.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Form, Router};
use hicp_catalog::Tier;
use hicp_engine::{Exposure, Methodology, Organization, Sizing, recommend_tier};
use hicp_store::Role;
use serde::Deserialize;

use crate::access::OrgScope;
use crate::api::assessments::start_assessment;
use crate::api::organizations::create_organization;
use crate::caller::Caller;
use crate::pages::forms::sentence;
use crate::pages::frame::{Frame, PageResult, Signed};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/orgs/new", get(questions).post(answered))
}

/// The questionnaire as typed: kept as text so a page can show it again with what was wrong.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Answers {
    /// `recommend` (show the tier), `edit` (back to the questions) or `create`.
    step: String,
    name: String,
    providers: String,
    beds: String,
    workforce: String,
    it_staff: String,
    security_staff: String,
    endpoints: String,
    sites: String,
    connected_medical_devices: String,
    remote_access: String,
    patient_portal: String,
    on_premises_ehr: String,
    phi_records: String,
    email_per_day: String,
    prior_incidents: String,
    portable_devices_with_phi: String,
    provides_acute_care: String,
    /// `recommended`, or a tier's name to use instead.
    tier: String,
    tier_reason: String,
}

/// One question of the form, as the template shows it.
struct Question {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
    error: Option<String>,
}

/// A yes/no question; "don't know" leaves it out of the profile.
struct YesNo {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "getting_started/questions.html")]
struct QuestionsPage {
    frame: Frame,
    may_create: bool,
    name: String,
    name_error: Option<String>,
    sizing: Vec<Question>,
    counts: Vec<Question>,
    yes_no: Vec<YesNo>,
    error: Option<String>,
}

/// A field the tier page carries on unchanged.
struct Carried {
    name: &'static str,
    value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "getting_started/tier.html")]
struct TierPage {
    frame: Frame,
    name: String,
    recommended: &'static str,
    reasons: Vec<String>,
    choice: String,
    tier_reason: String,
    carried: Vec<Carried>,
    error: Option<String>,
}

/// What a number field says: nothing, a number, or why it is not one.
fn count<T: std::str::FromStr>(text: &str) -> Result<Option<T>, String> {
    let text = text.trim().replace([',', ' '], "");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| "Write a whole number, like 12, or leave it empty.".to_string())
}

fn yes_no(text: &str) -> Option<bool> {
    match text {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// The profile the answers describe, or the questions to ask again with what was wrong.
struct Parsed {
    sizing: Sizing,
    exposure: Exposure,
}

impl Answers {
    fn numbers(&self) -> [(&'static str, &'static str, &'static str, &String); 10] {
        [
            (
                "providers",
                "Doctors and other providers who bill for care",
                "Physicians, nurse practitioners, physician assistants, therapists.",
                &self.providers,
            ),
            (
                "beds",
                "Inpatient beds",
                "Beds where patients stay overnight. A clinic without beds writes 0.",
                &self.beds,
            ),
            (
                "workforce",
                "People with a computer account",
                "Employees, contractors and volunteers who sign in to anything you run.",
                &self.workforce,
            ),
            (
                "it_staff",
                "Staff whose job is IT",
                "Count full-time equivalents: two half-time people are 1. Write 0 if nobody does IT as their job.",
                &self.it_staff,
            ),
            (
                "security_staff",
                "Staff whose job is security",
                "People who work on cybersecurity as their job (full-time equivalents).",
                &self.security_staff,
            ),
            (
                "endpoints",
                "Computers, servers, tablets and phones",
                "Every device that holds or reaches patient information. A rough count is fine.",
                &self.endpoints,
            ),
            (
                "sites",
                "Locations",
                "Clinics, hospitals and offices where you work.",
                &self.sites,
            ),
            (
                "connected_medical_devices",
                "Medical devices on your network",
                "Infusion pumps, imaging, monitors and the like that connect to your network. Write 0 if none.",
                &self.connected_medical_devices,
            ),
            (
                "phi_records",
                "Patient records you keep (roughly)",
                "An estimate is enough: the number of patients in your records system.",
                &self.phi_records,
            ),
            (
                "email_per_day",
                "Emails received per day (roughly)",
                "Across the whole organization.",
                &self.email_per_day,
            ),
        ]
    }

    fn parse(&self) -> Result<Parsed, QuestionsPageParts> {
        let mut errors = std::collections::BTreeMap::new();
        let mut number = |name: &'static str, text: &str| -> Option<u32> {
            count::<u32>(text)
                .map_err(|error| errors.insert(name, error))
                .ok()
                .flatten()
        };
        let sizing = Sizing {
            providers: number("providers", &self.providers),
            beds: number("beds", &self.beds),
            workforce: number("workforce", &self.workforce),
            it_staff: number("it_staff", &self.it_staff),
            security_staff: number("security_staff", &self.security_staff),
            endpoints: number("endpoints", &self.endpoints),
            sites: number("sites", &self.sites),
        };
        let connected_medical_devices =
            number("connected_medical_devices", &self.connected_medical_devices);
        let email_per_day = number("email_per_day", &self.email_per_day);
        let prior_incidents = number("prior_incidents", &self.prior_incidents);
        let phi_records = count::<u64>(&self.phi_records)
            .map_err(|error| errors.insert("phi_records", error))
            .ok()
            .flatten();
        let exposure = Exposure {
            connected_medical_devices,
            remote_access: yes_no(&self.remote_access),
            patient_portal: yes_no(&self.patient_portal),
            on_premises_ehr: yes_no(&self.on_premises_ehr),
            phi_records,
            email_per_day,
            prior_incidents,
            portable_devices_with_phi: yes_no(&self.portable_devices_with_phi),
            provides_acute_care: yes_no(&self.provides_acute_care),
        };
        let name_error = self
            .name
            .trim()
            .is_empty()
            .then(|| "Give the organization a name.".to_string());
        if errors.is_empty() && name_error.is_none() {
            Ok(Parsed { sizing, exposure })
        } else {
            Err(QuestionsPageParts { errors, name_error })
        }
    }

    fn questions_page(
        &self,
        frame: Frame,
        may_create: bool,
        parts: QuestionsPageParts,
    ) -> QuestionsPage {
        let question =
            |(name, label, hint, value): (&'static str, &'static str, &'static str, &String)| {
                Question {
                    name,
                    label,
                    hint,
                    value: value.clone(),
                    error: parts.errors.get(name).cloned(),
                }
            };
        let mut numbers: Vec<Question> = self.numbers().into_iter().map(question).collect();
        let mut counts = numbers.split_off(7);
        counts.push(question((
            "prior_incidents",
            "Security incidents in the last two years",
            "Ransomware, a stolen laptop, an account taken over, a misdirected record. Write 0 if none.",
            &self.prior_incidents,
        )));
        let yes_no = |name, label, hint, value: &String| YesNo {
            name,
            label,
            hint,
            value: value.clone(),
        };
        QuestionsPage {
            frame,
            may_create,
            name: self.name.clone(),
            name_error: parts.name_error,
            sizing: numbers,
            counts,
            yes_no: vec![
                yes_no(
                    "remote_access",
                    "Can staff or vendors reach your systems from outside?",
                    "For example through a VPN or remote desktop.",
                    &self.remote_access,
                ),
                yes_no(
                    "patient_portal",
                    "Do patients sign in to a portal you run or sponsor?",
                    "",
                    &self.patient_portal,
                ),
                yes_no(
                    "on_premises_ehr",
                    "Does your health record system run on your own servers?",
                    "Answer no if a vendor hosts it for you (in the cloud).",
                    &self.on_premises_ehr,
                ),
                yes_no(
                    "portable_devices_with_phi",
                    "Do laptops, phones or USB drives with patient data leave the building?",
                    "",
                    &self.portable_devices_with_phi,
                ),
                yes_no(
                    "provides_acute_care",
                    "Does care stop or get diverted when your systems are down?",
                    "For example emergency care, surgery or inpatient care.",
                    &self.provides_acute_care,
                ),
            ],
            error: None,
        }
    }

    fn carried(&self) -> Vec<Carried> {
        let mut carried: Vec<Carried> = self
            .numbers()
            .into_iter()
            .map(|(name, _, _, value)| Carried {
                name,
                value: value.clone(),
            })
            .collect();
        for (name, value) in [
            ("name", &self.name),
            ("prior_incidents", &self.prior_incidents),
            ("remote_access", &self.remote_access),
            ("patient_portal", &self.patient_portal),
            ("on_premises_ehr", &self.on_premises_ehr),
            ("portable_devices_with_phi", &self.portable_devices_with_phi),
            ("provides_acute_care", &self.provides_acute_care),
        ] {
            carried.push(Carried {
                name,
                value: value.clone(),
            });
        }
        carried
    }
}

#[derive(Default)]
struct QuestionsPageParts {
    errors: std::collections::BTreeMap<&'static str, String>,
    name_error: Option<String>,
}

const TITLE: &str = "Start an organization";

async fn questions(Signed(caller): Signed<Caller>) -> QuestionsPage {
    Answers::default().questions_page(
        Frame::for_caller(&caller, TITLE),
        caller.user.is_admin,
        QuestionsPageParts::default(),
    )
}

async fn answered(
    State(state): State<AppState>,
    Signed(caller): Signed<Caller>,
    Form(answers): Form<Answers>,
) -> PageResult {
    let frame = Frame::for_caller(&caller, TITLE);
    let parsed = match answers.parse() {
        Ok(parsed) if answers.step != "edit" => parsed,
        Ok(_) => {
            let page = answers.questions_page(frame, caller.user.is_admin, Default::default());
            return Ok(page.into_response());
        }
        Err(parts) => {
            let page = answers.questions_page(frame, caller.user.is_admin, parts);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let methodology = Methodology::default();
    let (recommended, reasons) = recommend_tier(&parsed.sizing, &methodology.tier);
    let tier_page = |error: Option<String>| TierPage {
        frame: Frame::for_caller(&caller, "Your recommended tier"),
        name: answers.name.trim().to_string(),
        recommended: recommended.as_str(),
        reasons: reasons.clone(),
        choice: if answers.tier.is_empty() {
            "recommended".to_string()
        } else {
            answers.tier.clone()
        },
        tier_reason: answers.tier_reason.clone(),
        carried: answers.carried(),
        error,
    };
    if answers.step != "create" {
        return Ok(tier_page(None).into_response());
    }
    let tier = match answers.tier.as_str() {
        "" | "recommended" => None,
        other => match other.parse::<Tier>() {
            Ok(tier) => Some(tier),
            Err(error) => {
                return Ok(
                    (StatusCode::UNPROCESSABLE_ENTITY, tier_page(Some(error))).into_response()
                );
            }
        },
    };
    let tier_reason = Some(answers.tier_reason.trim().to_string())
        .filter(|reason| !reason.is_empty() && tier.is_some_and(|tier| tier != recommended));
    let organization = Organization {
        name: answers.name.clone(),
        tier,
        tier_reason,
        sizing: parsed.sizing,
        exposure: parsed.exposure,
    };
    let record = match create_organization(&state, &caller, organization).await {
        Ok(record) => record,
        Err(problem) if problem.status().is_client_error() => {
            let status = problem.status();
            let detail = sentence(problem.detail());
            return Ok((status, tier_page(Some(detail))).into_response());
        }
        Err(problem) => return Err(problem.into()),
    };
    let scope = OrgScope {
        caller,
        organization: record,
        role: Role::Admin,
    };
    let title = format!("{} self-assessment", state.today().year());
    let assessment = start_assessment(&state, &scope, &title, None).await?;
    Ok(Redirect::to(&format!(
        "/orgs/{}/assessments/{}",
        scope.id(),
        assessment.id
    ))
    .into_response())
}
