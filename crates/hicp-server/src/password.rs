//! Passwords: Argon2id with the library's defaults, hashed and checked off the async executor
//! (one hash costs tens of milliseconds of CPU).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Shorter passwords are refused: length is what makes a password hard to guess.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer ones are refused too, so nobody can make the server hash megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error(
        "a password needs at least {MIN_PASSWORD_CHARS} characters; a few unrelated words make a good one"
    )]
    TooShort,
    #[error("a password may have at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("the password could not be hashed: {0}")]
    Hashing(String),
}

/// Checks the policy, then hashes. The result is a PHC string (`$argon2id$v=19$…`).
pub async fn hash(password: String) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong);
    }
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| PasswordError::Hashing(e.to_string()))
    })
    .await
    .map_err(|e| PasswordError::Hashing(e.to_string()))?
}

/// Whether `password` matches `stored`. An account without a password (or no account at all,
/// `None`) is checked against a throwaway hash, so a wrong email costs as long as a wrong
/// password and the answer time does not tell which accounts exist.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    tokio::task::spawn_blocking(move || {
        let (stored, real) = match stored {
            Some(stored) => (stored, true),
            None => (decoy_hash().to_string(), false),
        };
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        matches && real
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, made once per process.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let mut random = [0u8; 24];
        // Without randomness the decoy is still a valid hash; it only has to cost the same.
        let _ = getrandom::fill(&mut random);
        Argon2::default()
            .hash_password(&random)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let stored = hash("correct horse battery".to_string()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".to_string(), Some(stored.clone())).await);
        assert!(!verify("correct horse batterY".to_string(), Some(stored)).await);
        assert!(!verify("correct horse battery".to_string(), None).await);
    }

    #[tokio::test]
    async fn the_policy_refuses_short_and_huge_passwords() {
        assert!(matches!(
            hash("short".to_string()).await,
            Err(PasswordError::TooShort)
        ));
        assert!(matches!(
            hash("x".repeat(MAX_PASSWORD_BYTES + 1)).await,
            Err(PasswordError::TooLong)
        ));
    }
}
