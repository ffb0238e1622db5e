//! The application layer: everything hicp *does*, written once, for every face over it — the
//! command line today, `hicp serve` next. A face parses its input (arguments, a request),
//! calls one function here, and presents the result (prints it, renders a page).
//!
//! - [`inputs`]: the catalog, the methodology and assessment files, read within their limits.
//! - [`planning`]: the planning choices (date, budget, periods) that become evaluation options.
//! - [`evaluation`]: an assessment evaluated, from a file or from the store.
//! - [`comparison`]: two evaluated assessments side by side.
//! - [`organizations`]: organizations kept in the store: create from a file, an overview.
//! - [`reports`]: every report format, rendered to bytes.
//! - [`evidence`]: scanner, KEV and inventory files summarized, or kept for an organization.
//!
//! Nothing here prints, reads the clock or the environment: "today" and the acting user are
//! passed in, so the CLI and the server behave the same and tests are deterministic.

pub mod comparison;
mod error;
pub mod evaluation;
pub mod evidence;
pub mod inputs;
pub mod organizations;
pub mod planning;
pub mod reports;

pub use error::{AppError, AppResult};
pub use evaluation::Evaluated;
pub use planning::Planning;
