//! Who made a change: the audit trail, the answer history and `updated_by` columns record this.

use std::fmt;

use uuid::Uuid;

/// The author of a write. Every write method takes one, so no change reaches the database
/// without a named author.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A signed-in account (the web server's callers).
    User { id: Uuid, email: String },
    /// A person at this machine's command line, named by their operating-system account.
    Local { os_user: String },
    /// Work no person did, e.g. the demo loader or a scheduled job.
    System { component: &'static str },
}

impl fmt::Display for Actor {
    /// The text stored with a change. `cli:<os_user>` is the form audit trails written before
    /// this type existed already hold, so old and new events read alike.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User { id, email } => write!(f, "user:{id} <{email}>"),
            Actor::Local { os_user } => write!(f, "cli:{os_user}"),
            Actor::System { component } => write!(f, "system:{component}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_read_as_the_audit_trail_records_them() {
        let id = Uuid::nil();
        let user = Actor::User {
            id,
            email: "dana@example.org".to_string(),
        };
        assert_eq!(
            user.to_string(),
            "user:00000000-0000-0000-0000-000000000000 <dana@example.org>"
        );
        let local = Actor::Local {
            os_user: "dana".to_string(),
        };
        assert_eq!(local.to_string(), "cli:dana");
        let system = Actor::System { component: "demo" };
        assert_eq!(system.to_string(), "system:demo");
    }
}

/// A stored author in words for a page: a user's email (`user:<id> <email>`), else the text
/// as stored (`cli:…`, `system:…`).
pub fn author_in_words(stored: &str) -> &str {
    stored
        .strip_prefix("user:")
        .and_then(|rest| rest.split_once(" <"))
        .and_then(|(_, email)| email.strip_suffix('>'))
        .unwrap_or(stored)
}

#[cfg(test)]
mod author_tests {
    use super::*;

    #[test]
    fn a_user_reads_as_their_email() {
        let user = Actor::User {
            id: uuid::Uuid::nil(),
            email: "lead@clinic.example".into(),
        };
        assert_eq!(author_in_words(&user.to_string()), "lead@clinic.example");
        assert_eq!(author_in_words("cli:maria"), "cli:maria");
        assert_eq!(author_in_words("system:demo"), "system:demo");
    }
}
