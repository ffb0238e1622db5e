//! `hicp serve --demo`: the three example organizations (a family practice, a community
//! hospital, a health system) with their assessments, history and plans, and one demo account
//! per role in each, so a newcomer sees real data at once.

use hicp_catalog::Catalog;
use hicp_store::{Actor, Role, Store};
use time::Date;

use crate::password;

const EXAMPLES: [(&str, &str, &str); 3] = [
    (
        "family-practice.toml",
        include_str!("../../../examples/family-practice.toml"),
        "2026 self-assessment",
    ),
    (
        "community-hospital.toml",
        include_str!("../../../examples/community-hospital.toml"),
        "2026 annual assessment",
    ),
    (
        "health-system.toml",
        include_str!("../../../examples/health-system.toml"),
        "2026 system-wide assessment",
    ),
];

/// The demo accounts: one per role, each a member of every example organization.
pub const DEMO_ACCOUNTS: [(&str, Role); 5] = [
    ("admin@demo.hicp.invalid", Role::Admin),
    ("assessor@demo.hicp.invalid", Role::Assessor),
    ("contributor@demo.hicp.invalid", Role::Contributor),
    ("viewer@demo.hicp.invalid", Role::Viewer),
    ("auditor@demo.hicp.invalid", Role::Auditor),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("loading the demo data: {0}")]
    App(#[from] hicp_app::AppError),
    #[error("loading the demo data: {0}")]
    Store(#[from] hicp_store::StoreError),
    #[error("making the demo password: {0}")]
    Password(String),
}

/// What was loaded, for printing.
#[derive(Debug, Clone)]
pub struct Demo {
    pub organizations: Vec<String>,
    /// The one password of every demo account, made fresh for this database.
    pub password: String,
}

/// Loads the examples and the demo accounts into an empty `store`.
pub async fn load(store: &Store, catalog: &Catalog, today: Date) -> Result<Demo, DemoError> {
    let actor = Actor::System { component: "demo" };
    let mut organizations = Vec::new();
    for (file, text, title) in EXAMPLES {
        let created = hicp_app::organizations::create_from_text(
            store, &actor, text, file, title, catalog, today,
        )
        .await?;
        organizations.push(created.organization);
    }
    let mut random = [0u8; 9];
    getrandom::fill(&mut random).map_err(|e| DemoError::Password(e.to_string()))?;
    let password: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
    let password = format!("demo-{password}");
    // One hash for every account: each costs tens of milliseconds.
    let hash = password::hash(password.clone())
        .await
        .map_err(|e| DemoError::Password(e.to_string()))?;
    for (email, role) in DEMO_ACCOUNTS {
        let name = format!("Demo {role}");
        let user = store.create_user(&actor, email, &name, Some(&hash)).await?;
        if role == Role::Admin {
            store.set_user_admin(&actor, user.id, true).await?;
        }
        for organization in &organizations {
            store
                .set_membership(&actor, organization.id, user.id, role)
                .await?;
        }
    }
    Ok(Demo {
        organizations: organizations.into_iter().map(|o| o.name).collect(),
        password,
    })
}
