//! The JSON API under `/api/v1`. Each module is one area; every route that names an
//! organization takes an [`OrgScope`](crate::access::OrgScope).

pub mod account;
pub mod assessments;
pub mod evidence;
pub mod organizations;
pub mod plan;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post, put};

use crate::config::ServerConfig;
use crate::state::AppState;

pub fn routes(config: &ServerConfig) -> Router<AppState> {
    let organization = "/organizations/{org}";
    let assessment = "/organizations/{org}/assessments/{assessment}";
    Router::new()
        .route("/setup", post(account::finish_setup))
        .route("/session", post(account::sign_in).delete(account::sign_out))
        .route("/me", get(account::me))
        .route("/me/password", put(account::change_password))
        .route(
            "/me/tokens",
            get(account::list_tokens).post(account::create_token),
        )
        .route("/me/tokens/{token}", delete(account::revoke_token))
        .route(
            "/organizations",
            get(organizations::list).post(organizations::create),
        )
        .route(
            organization,
            get(organizations::overview).delete(organizations::delete),
        )
        .route(
            &format!("{organization}/members"),
            get(organizations::members).put(organizations::set_member),
        )
        .route(
            &format!("{organization}/members/{{user}}"),
            delete(organizations::remove_member),
        )
        .route(
            &format!("{organization}/assessments"),
            get(assessments::list).post(assessments::create),
        )
        .route(assessment, get(assessments::show))
        .route(
            &format!("{assessment}/status"),
            put(assessments::set_status),
        )
        .route(&format!("{assessment}/answers"), get(assessments::answers))
        .route(
            &format!("{assessment}/answers/{{sub_practice}}"),
            put(assessments::put_answer),
        )
        .route(
            &format!("{assessment}/evaluation"),
            get(assessments::evaluation),
        )
        .route(
            &format!("{assessment}/reports/{{format}}"),
            get(assessments::report),
        )
        .route(
            &format!("{organization}/action-items"),
            get(plan::list).post(plan::create),
        )
        .route(
            &format!("{organization}/action-items/{{item}}"),
            patch(plan::edit),
        )
        .route(
            &format!("{organization}/action-items/{{item}}/status"),
            put(plan::set_status),
        )
        .route(
            &format!("{organization}/action-items/{{item}}/milestones/{{milestone}}"),
            put(plan::set_milestone),
        )
        .route(
            &format!("{organization}/action-items/{{item}}/history"),
            get(plan::history),
        )
        .route(
            &format!("{organization}/evidence"),
            post(evidence::upload).layer(DefaultBodyLimit::max(config.max_upload_bytes)),
        )
        .route(
            &format!("{organization}/evidence/{{evidence}}"),
            get(evidence::download),
        )
        .route(
            &format!("{organization}/imports"),
            get(evidence::metrics)
                .post(evidence::import)
                .layer(DefaultBodyLimit::max(config.max_upload_bytes)),
        )
        .route(
            &format!("{organization}/assessments/{{assessment}}/suggestions"),
            get(evidence::suggestions),
        )
        .route(
            &format!("{organization}/assessments/{{assessment}}/suggestions/{{sub_practice}}"),
            post(evidence::decide),
        )
        .route(&format!("{organization}/audit"), get(organizations::audit))
}
