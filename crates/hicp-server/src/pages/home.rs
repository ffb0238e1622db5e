//! The front door: sign in, or the organizations you belong to and the way to start one.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hicp_store::Affiliation;

use crate::caller::Caller;
use crate::pages::frame::{Frame, PageResult};
use crate::problem::Problem;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(front_door))
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    frame: Frame,
    affiliations: Vec<Affiliation>,
}

async fn front_door(
    State(state): State<AppState>,
    caller: Result<Caller, Problem>,
) -> PageResult<Response> {
    let caller = match caller {
        Ok(caller) => caller,
        Err(problem) if problem.status() == StatusCode::UNAUTHORIZED => {
            return Ok(Redirect::to("/sign-in").into_response());
        }
        Err(problem) => return Err(problem.into()),
    };
    let affiliations = state.store().affiliations(caller.user.id).await?;
    Ok(HomePage {
        frame: Frame::for_caller(&caller, "Your organizations"),
        affiliations,
    }
    .into_response())
}
