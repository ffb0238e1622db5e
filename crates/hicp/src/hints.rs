//! What to do next, worded for the command line. The libraries' errors say what went wrong in
//! neutral terms; only here do they meet the flags and commands that fix them.

use hicp_app::AppError;
use hicp_store::{Entity, StoreError};

/// A next step for the user, when the error is one the command line can help with.
pub fn hint(error: &anyhow::Error) -> Option<&'static str> {
    let store_error = error.chain().find_map(|cause| {
        cause
            .downcast_ref::<StoreError>()
            .or_else(|| match cause.downcast_ref::<AppError>() {
                Some(AppError::Store(inner)) => Some(inner),
                _ => None,
            })
    })?;
    match store_error {
        StoreError::NotFound {
            entity: Entity::Organization,
            ..
        } => Some("give the organization's id or exact name; `hicp org list` shows both"),
        StoreError::NotFound {
            entity: Entity::Assessment,
            ..
        } => Some("`hicp org show ORG` lists the organization's assessments and their ids"),
        StoreError::NotEmpty(_) => {
            Some("restore only into an empty database, or pass --force to replace everything in it")
        }
        StoreError::WrongPortableKind { .. } => Some(
            "a backup (from `hicp backup`) loads with `hicp restore`; an organization export (from `hicp org export`) loads with `hicp org import`",
        ),
        StoreError::AlreadyImported { .. } => {
            Some("nothing was counted twice; `hicp evidence metrics --org ORG` shows what is kept")
        }
        StoreError::DuplicateOrganizationName { .. } => {
            Some("choose another name under [organization] in the assessment file")
        }
        _ => None,
    }
}
