//! Authorization, written once. A role grants permissions ([`Permission::granted_to`]); an
//! [`OrgScope`] is the caller's membership in the organization the URL names, and every record
//! below that organization is reached through it, so a handler cannot act on another
//! organization's id: it is simply not found there.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use hicp_store::{
    ActionItemRecord, AnswerRecord, AssessmentRecord, EvidenceRecord, OrganizationRecord, Role,
};
use uuid::Uuid;

use crate::caller::Caller;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// Who owns a record a contributor wants to change: a user, or someone named in text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Owner<'a> {
    pub user: Option<Uuid>,
    pub name: Option<&'a str>,
}

impl<'a> Owner<'a> {
    pub fn named(name: Option<&'a str>) -> Owner<'a> {
        Owner { user: None, name }
    }

    pub fn of_item(item: &'a ActionItemRecord) -> Owner<'a> {
        Owner {
            user: item.owner_user_id,
            name: item.owner.as_deref(),
        }
    }
}

/// What a request may want to do in an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See the organization, its assessments, answers, plan and results.
    Read,
    /// Change any answer, create and move assessments.
    Assess,
    /// Change any action item of the plan.
    Plan,
    /// Change the answers and action items assigned to oneself.
    ContributeAssigned,
    /// Download reports and evidence in bulk, read the audit trail.
    Audit,
    /// Manage members and the organization itself.
    Administer,
}

impl Permission {
    pub fn granted_to(self, role: Role) -> bool {
        use Permission::*;
        match role {
            Role::Admin => true,
            Role::Assessor => matches!(self, Read | Assess | Plan | ContributeAssigned | Audit),
            Role::Contributor => matches!(self, Read | ContributeAssigned),
            Role::Viewer => matches!(self, Read),
            Role::Auditor => matches!(self, Read | Audit),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Permission::Read => "reading it",
            Permission::Assess => "changing assessments and answers",
            Permission::Plan => "changing the action plan",
            Permission::ContributeAssigned => "changing the items assigned to you",
            Permission::Audit => "exports and the audit trail",
            Permission::Administer => "administering the organization",
        }
    }
}

/// A caller's standing in the organization of the URL's `{org}`.
#[derive(Debug, Clone)]
pub struct OrgScope {
    pub caller: Caller,
    pub organization: OrganizationRecord,
    pub role: Role,
}

impl FromRequestParts<AppState> for OrgScope {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<OrgScope, Problem> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| Problem::not_found("organization"))?;
        let organization_id = params
            .get("org")
            .and_then(|text| Uuid::parse_str(text).ok())
            .ok_or_else(|| Problem::not_found("organization"))?;
        let store = state.store();
        // Not a member and no such organization answer alike.
        let (role, organization) = store
            .membership_in(organization_id, caller.user.id)
            .await?
            .ok_or_else(|| Problem::not_found("organization"))?;
        Ok(OrgScope {
            caller,
            organization,
            role,
        })
    }
}

impl OrgScope {
    pub fn id(&self) -> Uuid {
        self.organization.id
    }

    pub fn require(&self, permission: Permission) -> ApiResult<()> {
        if permission.granted_to(self.role) {
            Ok(())
        } else {
            Err(Problem::forbidden(permission.describe()))
        }
    }

    /// Whether the caller may change a record owned by `owner`: anyone with `full`, a
    /// contributor only where they are the owner (as a user, or named by their email).
    pub fn may_change(&self, full: Permission, owner: Owner<'_>) -> ApiResult<()> {
        if full.granted_to(self.role) {
            return Ok(());
        }
        self.require(Permission::ContributeAssigned)?;
        let user = &self.caller.user;
        let assigned = owner.user == Some(user.id)
            || owner.name.is_some_and(|name| {
                let name = name.trim();
                name.eq_ignore_ascii_case(&user.email) || name == user.id.to_string()
            });
        if assigned {
            Ok(())
        } else {
            Err(Problem::forbidden(
                "changing items not assigned to you (a contributor changes only their own)",
            ))
        }
    }

    /// Whether the caller may put work into the plan, and under whose name: as planned for
    /// those who run the plan; a contributor takes it on (named by their email), since they
    /// work only their own items.
    pub fn owner_of_new_item(&self) -> ApiResult<Option<String>> {
        if Permission::Plan.granted_to(self.role) {
            return Ok(None);
        }
        self.require(Permission::ContributeAssigned)?;
        Ok(Some(self.caller.user.email.clone()))
    }

    pub async fn assessment(&self, state: &AppState, id: Uuid) -> ApiResult<AssessmentRecord> {
        state
            .store()
            .list_assessments(self.id())
            .await?
            .into_iter()
            .find(|assessment| assessment.id == id)
            .ok_or_else(|| Problem::not_found("assessment"))
    }

    /// The answer to `sub_practice` in an assessment of this organization.
    pub async fn answer(
        &self,
        state: &AppState,
        assessment: Uuid,
        sub_practice: &str,
    ) -> ApiResult<AnswerRecord> {
        let assessment = self.assessment(state, assessment).await?;
        state
            .store()
            .answers(assessment.id)
            .await?
            .into_iter()
            .find(|answer| answer.sub_practice.to_string() == sub_practice)
            .ok_or_else(|| Problem::not_found("answer"))
    }

    pub async fn action_item(&self, state: &AppState, id: Uuid) -> ApiResult<ActionItemRecord> {
        state
            .store()
            .action_item(self.id(), id)
            .await?
            .ok_or_else(|| Problem::not_found("action item"))
    }

    pub async fn evidence(
        &self,
        state: &AppState,
        id: Uuid,
    ) -> ApiResult<(EvidenceRecord, Vec<u8>)> {
        match state.store().read_evidence(id).await {
            Ok((record, bytes)) if record.organization_id == self.id() => Ok((record, bytes)),
            Ok(_) | Err(hicp_store::StoreError::NotFound { .. }) => {
                Err(Problem::not_found("evidence"))
            }
            Err(other) => Err(other.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_what_the_issue_says() {
        use Permission::*;
        let all = [Read, Assess, Plan, ContributeAssigned, Audit, Administer];
        let granted =
            |role| -> Vec<Permission> { all.into_iter().filter(|p| p.granted_to(role)).collect() };
        assert_eq!(granted(Role::Admin), all.to_vec());
        assert_eq!(
            granted(Role::Assessor),
            vec![Read, Assess, Plan, ContributeAssigned, Audit]
        );
        assert_eq!(granted(Role::Contributor), vec![Read, ContributeAssigned]);
        assert_eq!(granted(Role::Viewer), vec![Read]);
        assert_eq!(granted(Role::Auditor), vec![Read, Audit]);
    }
}
