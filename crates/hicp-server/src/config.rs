//! What an operator can choose about a running server.

use std::net::SocketAddr;

use time::Duration;

/// Settings of one server instance. [`ServerConfig::default`] is what `hicp serve` uses
/// without flags.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    /// The server sits behind a TLS-terminating proxy that sets `X-Forwarded-Proto`: cookies
    /// are then marked `Secure` when the proxy says the request came over HTTPS.
    pub behind_proxy: bool,
    /// A session unused for this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub session_lifetime: Duration,
    /// The largest JSON or form body a request may carry.
    pub max_body_bytes: usize,
    /// The largest evidence upload.
    pub max_upload_bytes: usize,
    /// How long one request may take before it is answered 503.
    pub request_timeout: std::time::Duration,
    /// Failed sign-ins tolerated per account and per client address within
    /// [`ServerConfig::throttle_window`] before further attempts are refused.
    pub throttle_failures: u32,
    pub throttle_window: Duration,
    /// How long a setup link stays usable.
    pub setup_link_lifetime: Duration,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            behind_proxy: false,
            session_idle: Duration::hours(2),
            session_lifetime: Duration::hours(12),
            max_body_bytes: 1024 * 1024,
            // Evidence is held in memory while it is hashed and stored; keep one upload modest.
            max_upload_bytes: 32 * 1024 * 1024,
            request_timeout: std::time::Duration::from_secs(60),
            throttle_failures: 5,
            throttle_window: Duration::minutes(15),
            setup_link_lifetime: Duration::hours(1),
        }
    }
}
