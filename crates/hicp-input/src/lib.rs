//! The one kit every hicp reader uses for input it does not trust: the catalog, assessment and
//! methodology files, portable files, and scanner exports.
//!
//! - [`Problem`] and [`Problems`]: one located problem (file, line, column, key path, message,
//!   hint) and the error that carries every problem a reader found in one pass.
//! - [`read_text`] / [`read_bytes`]: a file read whose size is checked *before* reading and
//!   bounded *while* reading, so a file that grows or lies about its size still cannot exceed
//!   the limit; text must be UTF-8, and the first bad byte is named by line and column.
//! - [`Bounded`]: the same bound for any [`std::io::Read`] (a zip entry, an upload, a stream).
//! - [`LineIndex`]: byte offset → line and column, built once per text.
//! - [`did_you_mean`]: the nearest allowed name to a misspelt one.

mod bounded;
mod position;
mod problem;
mod read;
mod suggest;

pub use bounded::{Bounded, LimitExceeded};
pub use position::{LineIndex, Position};
pub use problem::{Problem, Problems};
pub use read::{ReadError, read_bytes, read_text, utf8_text};
pub use suggest::{did_you_mean, edit_distance};
