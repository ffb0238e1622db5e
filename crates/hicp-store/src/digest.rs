//! SHA-256 in lowercase hex: evidence names, token and session hashes, audit links.

use std::io::{Read, Write};

use sha2::{Digest, Sha256};

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            // Writing to a String cannot fail.
            let _ = write!(out, "{byte:02x}");
            out
        })
}

/// A hasher for data that arrives in pieces (evidence copied from a stream).
#[derive(Default)]
pub(crate) struct StreamingSha256(Sha256);

impl StreamingSha256 {
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    pub(crate) fn finish_hex(self) -> String {
        hex(&self.0.finalize())
    }
}

pub(crate) fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Copies `source` into `sink` in pieces, hashing on the way; yields the byte count.
pub(crate) fn copy_hashing(
    source: &mut dyn Read,
    hasher: &mut StreamingSha256,
    sink: &mut dyn Write,
) -> std::io::Result<u64> {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let read = source.read(&mut buffer)?;
        if read == 0 {
            return Ok(total);
        }
        let piece = buffer.get(..read).unwrap_or_default();
        total += read as u64;
        hasher.update(piece);
        sink.write_all(piece)?;
    }
}
