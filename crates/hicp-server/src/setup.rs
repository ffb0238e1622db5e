//! The first administrator. On an empty database the server makes a one-time setup token and
//! prints a link with it; whoever opens the link first creates the first account. The token
//! lives in this process only (it is printed by it), is used once, and expires.

use std::sync::Mutex;

use hicp_store::{SECRET_PREFIX, UserRecord};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::password;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// The hash of the live setup token and when it expires.
#[derive(Default)]
pub struct SetupToken {
    live: Mutex<Option<(Vec<u8>, OffsetDateTime)>>,
}

impl SetupToken {
    /// Makes a new token (replacing any earlier one) and returns its secret.
    pub fn issue(&self, lifetime: time::Duration) -> Result<String, getrandom::Error> {
        let mut random = [0u8; 32];
        getrandom::fill(&mut random)?;
        let secret: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
        let secret = format!("{SECRET_PREFIX}setup_{secret}");
        *self.lock() = Some((digest(&secret), OffsetDateTime::now_utc() + lifetime));
        Ok(secret)
    }

    /// Uses the token up if `secret` is it and it has not expired.
    fn take(&self, secret: &str) -> bool {
        let mut live = self.lock();
        let matches = live.as_ref().is_some_and(|(hash, expires)| {
            constant_time_eq(hash, &digest(secret)) && OffsetDateTime::now_utc() < *expires
        });
        if matches {
            *live = None;
        }
        matches
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Vec<u8>, OffsetDateTime)>> {
        self.live
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Creates the first account with the setup token. Refused once any account exists, so a
/// leaked link is worthless after setup.
pub async fn create_first_account(
    state: &AppState,
    token: &str,
    email: &str,
    display_name: &str,
    password: String,
) -> ApiResult<UserRecord> {
    let store = state.store();
    if store.count_users().await? > 0 || !state.setup_token().take(token) {
        return Err(Problem::not_found("setup link"));
    }
    let hash = password::hash(password)
        .await
        .map_err(|e| Problem::invalid(e.to_string()))?;
    let display_name = match display_name.trim() {
        "" => email.trim(),
        name => name,
    };
    let actor = hicp_store::Actor::System { component: "setup" };
    // The store refuses a second first administrator, even from another instance racing us.
    Ok(store
        .create_first_admin(&actor, email, display_name, &hash)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setup_token_works_once() {
        let token = SetupToken::default();
        let secret = token.issue(time::Duration::hours(1)).unwrap();
        assert!(!token.take("hicp_setup_wrong"));
        assert!(token.take(&secret));
        assert!(!token.take(&secret));
    }

    #[test]
    fn an_expired_setup_token_is_refused() {
        let token = SetupToken::default();
        let secret = token.issue(time::Duration::seconds(-1)).unwrap();
        assert!(!token.take(&secret));
    }
}
