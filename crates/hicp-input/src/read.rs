//! Reading a whole file that a user named, within a limit.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::bounded::{Bounded, LimitExceeded};
use crate::position::{Position, position_in_bytes};

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The I/O error is part of the message rather than a `source`, so that a caller that
    /// prints the whole chain does not print it twice.
    #[error("cannot read {what} {}: {error}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{what} {} is {}, more than the {} allowed; check that this is the right file",
        path.display(), size.map_or_else(|| "larger".to_string(), |s| format!("{s} bytes")), limit
    )]
    TooLarge {
        what: &'static str,
        path: PathBuf,
        /// The size the file system reported, when the check before reading caught it.
        size: Option<u64>,
        limit: u64,
    },
    #[error(
        "{}:{}:{}: {what} is not UTF-8 text (an invalid byte here); save it as UTF-8 and try again",
        path.display(), at.line, at.column
    )]
    NotUtf8 {
        what: &'static str,
        path: PathBuf,
        at: Position,
    },
}

/// Reads a whole file of at most `limit` bytes. The size is checked before reading (so a huge
/// file is refused without being read) and again while reading (so a file that grows, or a
/// device that reports no size, cannot pass the limit either). `what` names the file in
/// messages: "the assessment file", "the methodology file".
pub fn read_bytes(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    let io = |error| ReadError::Io {
        what,
        path: path.to_path_buf(),
        error,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limit {
        return Err(ReadError::TooLarge {
            what,
            path: path.to_path_buf(),
            size: Some(size),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    match Bounded::new(file, limit).read_to_end(&mut bytes) {
        Ok(_) => Ok(bytes),
        Err(error) if LimitExceeded::in_error(&error).is_some() => Err(ReadError::TooLarge {
            what,
            path: path.to_path_buf(),
            size: None,
            limit,
        }),
        Err(error) => Err(io(error)),
    }
}

/// [`read_bytes`], then UTF-8 (a leading byte-order mark is dropped).
pub fn read_text(path: &Path, limit: u64, what: &'static str) -> Result<String, ReadError> {
    let bytes = read_bytes(path, limit, what)?;
    utf8_text(bytes, path, what)
}

/// Bytes as UTF-8 text, or the line and column of the first byte that is not.
pub fn utf8_text(mut bytes: Vec<u8>, path: &Path, what: &'static str) -> Result<String, ReadError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        ReadError::NotUtf8 {
            what,
            path: path.to_path_buf(),
            at: position_in_bytes(error.as_bytes(), offset),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_limit_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        std::fs::write(&path, vec![b'a'; 101]).unwrap();
        let error = read_text(&path, 100, "the assessment file").unwrap_err();
        assert!(
            matches!(
                error,
                ReadError::TooLarge {
                    size: Some(101),
                    limit: 100,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("big.toml is 101 bytes"),
            "{error}"
        );
        assert_eq!(read_text(&path, 101, "x").unwrap().len(), 101);
    }

    #[test]
    fn a_device_without_a_size_is_bounded_while_reading() {
        // /dev/zero reports size 0 and never ends: only the bound while reading stops it.
        let error = read_bytes(Path::new("/dev/zero"), 4096, "the file").unwrap_err();
        assert!(
            matches!(error, ReadError::TooLarge { size: None, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn bad_utf8_is_placed_by_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.toml");
        std::fs::write(&path, b"a = 1\nname = \"Caf\xE9\"\n").unwrap();
        let error = read_text(&path, 1000, "the assessment file").unwrap_err();
        match &error {
            ReadError::NotUtf8 { at, .. } => assert_eq!(
                *at,
                Position {
                    line: 2,
                    column: 12
                }
            ),
            other => panic!("{other:?}"),
        }
        assert!(error.to_string().contains("latin1.toml:2:12"), "{error}");
    }

    #[test]
    fn a_byte_order_mark_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.toml");
        std::fs::write(&path, b"\xEF\xBB\xBFa = 1").unwrap();
        assert_eq!(read_text(&path, 100, "x").unwrap(), "a = 1");
    }

    #[test]
    fn a_missing_file_names_itself() {
        let error =
            read_text(Path::new("/nonexistent/x.toml"), 10, "the methodology file").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cannot read the methodology file /nonexistent/x.toml"),
            "{error}"
        );
    }
}
