//! `hicp serve`: the server a team shares. Accounts, per-organization roles, sessions and API
//! tokens, and a JSON API under `/api/v1` over the same application layer the command line
//! uses (`hicp-app`) — so no rule of scoring, planning or validation is written here.
//!
//! How a request travels (see `docs/server.md`):
//!
//! 1. [`security`] layers: request id, body limit, timeout, security headers, and the
//!    cross-origin check that refuses a state-changing request another site started.
//! 2. [`caller::Caller`]: who is asking — a session cookie (with its CSRF token on writes) or a
//!    personal API token; nobody else gets past it.
//! 3. [`access::OrgScope`]: the one authorization check. Every route under
//!    `/api/v1/organizations/{org}` takes it; it answers 404 to anyone who is not a member, and
//!    every id below the organization (assessment, answer, action item, evidence) is looked up
//!    through it, so an id from another organization is never found.
//! 4. A handler in [`api`]: parse, call `hicp-app` or the store, answer JSON or a problem
//!    ([`problem::Problem`], RFC 9457).

pub mod access;
pub mod api;
mod cache;
pub mod caller;
pub mod config;
pub mod demo;
pub mod openapi;
mod pages;
pub mod password;
pub mod problem;
pub mod security;
pub mod serve;
pub mod setup;
pub mod state;
pub mod throttle;

pub use config::ServerConfig;
pub use serve::{Running, router, start};
pub use state::AppState;
