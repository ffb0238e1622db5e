//! A reader that refuses to yield more than a limit.

use std::io::{self, Read};

/// The error a [`Bounded`] reader returns (inside an [`io::Error`] of kind `InvalidData`) once
/// its source holds more than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("more than {limit} bytes")]
pub struct LimitExceeded {
    pub limit: u64,
}

impl LimitExceeded {
    /// Whether an I/O error is a [`Bounded`] reader's refusal, and of which limit.
    pub fn in_error(error: &io::Error) -> Option<LimitExceeded> {
        error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<LimitExceeded>())
            .copied()
    }
}

/// Wraps a reader so that reading past `limit` bytes is an error, not a silent truncation:
/// the read that would pass the limit fails, so a decompressor or parser never sees more.
#[derive(Debug)]
pub struct Bounded<R> {
    inner: R,
    limit: u64,
    remaining: u64,
}

impl<R: Read> Bounded<R> {
    pub fn new(inner: R, limit: u64) -> Bounded<R> {
        Bounded {
            inner,
            limit,
            remaining: limit,
        }
    }

    /// Bytes read so far.
    pub fn consumed(&self) -> u64 {
        self.limit - self.remaining
    }

    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            // At the limit: one more byte from the source means it is too large.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    LimitExceeded { limit: self.limit },
                )),
            };
        }
        let allowed = usize::try_from(self.remaining).unwrap_or(usize::MAX);
        let wanted = buf.len().min(allowed);
        let read = self.inner.read(&mut buf[..wanted])?;
        self.remaining -= read as u64;
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_the_limit_passes() {
        let mut out = Vec::new();
        Bounded::new(&b"12345"[..], 5)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"12345");
    }

    #[test]
    fn one_byte_over_the_limit_is_an_error() {
        let mut out = Vec::new();
        let error = Bounded::new(&b"123456"[..], 5)
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(
            LimitExceeded::in_error(&error),
            Some(LimitExceeded { limit: 5 })
        );
        assert!(out.len() <= 5);
    }

    #[test]
    fn an_endless_source_is_stopped() {
        let mut out = Vec::new();
        let error = Bounded::new(io::repeat(0), 1 << 16)
            .read_to_end(&mut out)
            .unwrap_err();
        assert!(LimitExceeded::in_error(&error).is_some());
        assert_eq!(out.len(), 1 << 16);
    }
}
