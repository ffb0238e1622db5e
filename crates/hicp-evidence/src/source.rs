//! The byte stream under every reader: bounded in size, hashed (SHA-256) and checked as UTF-8
//! as it is read, with the line and column of what has been consumed, and progress reports.

use std::io::{self, BufRead, Read};
use std::sync::Arc;

use hicp_input::Position;
use sha2::{Digest, Sha256};

/// Limits on one input file. The defaults suit the largest real exports (multi-GB scans).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The whole file, in bytes.
    pub max_file_bytes: u64,
    /// One text node, attribute, CSV field or JSON string that a reader keeps, in bytes.
    pub max_field_bytes: usize,
    /// Nesting depth of XML elements.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 16 * 1024 * 1024 * 1024,
            max_field_bytes: 1024 * 1024,
            max_depth: 64,
        }
    }
}

/// Called with (bytes read so far, total size when known) as the file is read.
pub type Progress<'a> = &'a mut dyn FnMut(u64, Option<u64>);

/// Why the byte stream itself stopped, carried inside an [`io::Error`] so that the XML and
/// CSV libraries pass it through unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StreamError {
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("not UTF-8 text (an invalid byte here); save the export as UTF-8 and try again")]
    NotUtf8 { at: Position },
}

impl StreamError {
    pub(crate) fn in_io(error: &io::Error) -> Option<&StreamError> {
        error
            .get_ref()
            .and_then(|e| e.downcast_ref::<StreamError>())
    }

    /// An I/O error from the stream as a problem in `file`: located when it is a bad byte.
    pub(crate) fn problem(file: &str, error: &io::Error) -> hicp_input::Problem {
        match StreamError::in_io(error) {
            Some(StreamError::NotUtf8 { at }) => {
                hicp_input::Problem::at(file, Some(*at), "", error.to_string())
            }
            Some(StreamError::TooLarge { .. }) => {
                hicp_input::Problem::whole(file, error.to_string())
            }
            None => hicp_input::Problem::whole(file, format!("cannot read the file: {error}")),
        }
    }
}

const BUFFER_BYTES: usize = 256 * 1024;

/// Files at least this large are hashed on a second thread, which takes SHA-256 (about a fifth
/// of the reading cost) off the parsing thread; smaller or unsized inputs are hashed inline.
const BACKGROUND_HASH_BYTES: u64 = 16 * 1024 * 1024;

/// SHA-256 of everything read, inline or on a second thread.
enum Hashing {
    Inline(Sha256),
    Background {
        chunks: std::sync::mpsc::SyncSender<(Arc<Vec<u8>>, usize)>,
        done: std::thread::JoinHandle<Vec<u8>>,
    },
}

impl Hashing {
    fn for_size(total: Option<u64>) -> Hashing {
        if total.is_none_or(|t| t < BACKGROUND_HASH_BYTES) {
            return Hashing::Inline(Sha256::new());
        }
        let (chunks, received) = std::sync::mpsc::sync_channel::<(Arc<Vec<u8>>, usize)>(8);
        let spawned = std::thread::Builder::new()
            .name("hicp-evidence-sha256".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                for (chunk, length) in received {
                    hasher.update(chunk.get(..length).unwrap_or_default());
                }
                hasher.finalize().to_vec()
            });
        match spawned {
            Ok(done) => Hashing::Background { chunks, done },
            Err(_) => Hashing::Inline(Sha256::new()),
        }
    }

    /// Hashes the first `length` bytes of `buffer`.
    fn update(&mut self, buffer: &Arc<Vec<u8>>, length: usize) -> io::Result<()> {
        match self {
            Hashing::Inline(hasher) => hasher.update(buffer.get(..length).unwrap_or_default()),
            Hashing::Background { chunks, .. } => chunks
                .send((buffer.clone(), length))
                .map_err(|_| io::Error::other("the hashing thread stopped"))?,
        }
        Ok(())
    }

    fn finish(self) -> io::Result<Vec<u8>> {
        match self {
            Hashing::Inline(hasher) => Ok(hasher.finalize().to_vec()),
            Hashing::Background { chunks, done } => {
                drop(chunks);
                done.join()
                    .map_err(|_| io::Error::other("the hashing thread stopped"))
            }
        }
    }
}

/// A buffered reader that hashes, validates and locates everything it passes on.
pub(crate) struct Tracked<'p, R> {
    inner: R,
    /// Shared with the hashing thread, if any, until it has hashed it; refilled in place
    /// once it is free again (copied only if it is not).
    buffer: Arc<Vec<u8>>,
    start: usize,
    end: usize,
    /// Bytes read from `inner` so far.
    read: u64,
    total: Option<u64>,
    limit: u64,
    hashing: Hashing,
    /// Up to three bytes of a character split across two refills.
    pending_utf8: Vec<u8>,
    /// Positions are worked out only when asked for (a problem is being reported), not for
    /// every consumed byte: `origin_at` is the position at `buffer[origin]`, moved once per
    /// refill over the whole buffer, and `mark` is the stream offset of the last event start,
    /// placed before its buffer is replaced.
    origin: usize,
    origin_at: Position,
    /// Stream offset of `buffer[0]`.
    base: u64,
    mark: u64,
    mark_at: Option<Position>,
    bom_checked: bool,
    progress: Option<Progress<'p>>,
    next_progress: u64,
}

impl<'p, R: Read> Tracked<'p, R> {
    pub(crate) fn new(
        inner: R,
        total: Option<u64>,
        limit: u64,
        progress: Option<Progress<'p>>,
    ) -> Tracked<'p, R> {
        Tracked {
            inner,
            buffer: Arc::new(vec![0; BUFFER_BYTES]),
            start: 0,
            end: 0,
            read: 0,
            total,
            limit,
            hashing: Hashing::for_size(total),
            pending_utf8: Vec::new(),
            origin: 0,
            origin_at: Position { line: 1, column: 1 },
            base: 0,
            mark: 0,
            mark_at: None,
            bom_checked: false,
            progress,
            next_progress: 0,
        }
    }

    /// Remembers the current position (cheaply: as an offset) for [`Tracked::marked_position`].
    pub(crate) fn mark(&mut self) {
        self.mark = self.base + self.start as u64;
        self.mark_at = None;
    }

    /// The position at the last [`Tracked::mark`].
    pub(crate) fn marked_position(&self) -> Position {
        match self.mark_at {
            Some(at) => at,
            None => {
                let offset = self.mark.saturating_sub(self.base) as usize;
                self.position_in_buffer(offset.min(self.end))
            }
        }
    }

    fn position_in_buffer(&self, offset: usize) -> Position {
        let ahead = self.buffer.get(self.origin..offset).unwrap_or_default();
        advance(self.origin_at, ahead)
    }

    /// Reads what is left (so the hash covers the whole file) and returns the SHA-256, in
    /// lower-case hex.
    pub(crate) fn finish(mut self) -> io::Result<(String, u64)> {
        loop {
            self.start = self.end;
            if self.fill_buf()?.is_empty() {
                break;
            }
        }
        if let Some(progress) = self.progress.as_mut() {
            progress(self.read, self.total);
        }
        let digest = self.hashing.finish()?;
        let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
        Ok((hex, self.read))
    }

    fn refill(&mut self) -> io::Result<()> {
        // Settle positions over the buffer about to be replaced.
        let old_end = self.base + self.end as u64;
        if self.mark_at.is_none() && self.mark < old_end {
            self.mark_at = Some(self.marked_position());
        }
        self.origin_at = self.position_in_buffer(self.end);
        self.base = old_end;
        self.origin = 0;
        let count = self
            .inner
            .read(Arc::make_mut(&mut self.buffer).as_mut_slice())?;
        self.start = 0;
        self.end = count;
        self.read += count as u64;
        if self.read > self.limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                StreamError::TooLarge { limit: self.limit },
            ));
        }
        self.hashing.update(&self.buffer, count)?;
        self.check_utf8(count == 0)?;
        if !self.bom_checked && count > 0 {
            self.bom_checked = true;
            if self.buffer[..count].starts_with(b"\xEF\xBB\xBF") {
                // A byte-order mark is not content: skip it without moving the column.
                self.start = 3;
                self.origin = 3;
            }
        }
        if self.read >= self.next_progress {
            self.next_progress = self.read + 4 * 1024 * 1024;
            if let Some(progress) = self.progress.as_mut() {
                progress(self.read, self.total);
            }
        }
        Ok(())
    }

    fn check_utf8(&mut self, at_end: bool) -> io::Result<()> {
        let fresh = &self.buffer[..self.end];
        let mut checked_from = 0;
        if !self.pending_utf8.is_empty() {
            // Complete the character split by the previous refill before checking the rest.
            let mut joined = std::mem::take(&mut self.pending_utf8);
            let missing = 4 - joined.len();
            let completed = (1..=missing.min(fresh.len())).find(|&take| {
                let mut candidate = joined.clone();
                candidate.extend_from_slice(&fresh[..take]);
                std::str::from_utf8(&candidate).is_ok()
            });
            match completed {
                Some(take) => checked_from = take,
                None if !at_end && fresh.len() < missing => {
                    joined.extend_from_slice(fresh);
                    self.pending_utf8 = joined;
                    return Ok(());
                }
                None => return Err(self.not_utf8(0)),
            }
        }
        if let Err(error) = std::str::from_utf8(&fresh[checked_from..]) {
            let bad = checked_from + error.valid_up_to();
            if error.error_len().is_none() && !at_end {
                self.pending_utf8 = fresh[bad..].to_vec();
            } else {
                return Err(self.not_utf8(bad));
            }
        }
        Ok(())
    }

    /// The error for an invalid byte at `offset` in the buffer, placed by line and column.
    fn not_utf8(&self, offset: usize) -> io::Error {
        let at = self.position_in_buffer(offset);
        io::Error::new(io::ErrorKind::InvalidData, StreamError::NotUtf8 { at })
    }
}

/// The position after `bytes`, starting from `from`; columns count characters.
fn advance(from: Position, bytes: &[u8]) -> Position {
    let is_char_start = |b: u8| (b & 0b1100_0000) != 0b1000_0000;
    match bytes.iter().rposition(|&b| b == b'\n') {
        Some(last) => Position {
            line: from.line + count(bytes, |b| b == b'\n'),
            column: count(&bytes[last + 1..], is_char_start) + 1,
        },
        None => Position {
            line: from.line,
            column: from.column + count(bytes, is_char_start),
        },
    }
}

/// The bytes for which `hit` holds, counted in runs short enough for a byte-wide counter, which
/// the compiler turns into wide vector compares (a plain `filter().count()` stays narrow, and
/// this runs over every byte of the file).
fn count(bytes: &[u8], hit: impl Fn(u8) -> bool) -> usize {
    bytes
        .chunks(255)
        .map(|run| {
            run.iter()
                .fold(0u8, |n, &b| n.wrapping_add(u8::from(hit(b)))) as usize
        })
        .sum()
}

impl<R: Read> Read for Tracked<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let count = available.len().min(out.len());
        out[..count].copy_from_slice(&available[..count]);
        self.consume(count);
        Ok(count)
    }
}

impl<R: Read> BufRead for Tracked<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.start >= self.end {
            self.refill()?;
        }
        Ok(&self.buffer[self.start..self.end])
    }

    fn consume(&mut self, amount: usize) {
        let amount = amount.min(self.end - self.start);
        self.start += amount;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(bytes: &[u8]) -> io::Result<(String, u64)> {
        let mut tracked = Tracked::new(bytes, None, 1 << 20, None);
        let mut out = Vec::new();
        tracked.read_to_end(&mut out)?;
        tracked.finish()
    }

    #[test]
    fn the_hash_is_the_sha256_of_the_bytes() {
        let (hex, size) = drain(b"abc").unwrap();
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(size, 3);
    }

    #[test]
    fn large_files_hash_the_same_on_a_second_thread() {
        let text: Vec<u8> = (0..BACKGROUND_HASH_BYTES + 12_345)
            .map(|i| b'a' + (i % 26) as u8)
            .collect();
        let hash = |total: Option<u64>| {
            let mut tracked = Tracked::new(&text[..], total, u64::MAX, None);
            assert_eq!(
                matches!(tracked.hashing, Hashing::Background { .. }),
                total.is_some()
            );
            // Consume in uneven steps so buffers are refilled while the thread still holds some.
            let mut out = vec![0; 7_777];
            while tracked.read(&mut out).unwrap() > 0 {}
            tracked.finish().unwrap()
        };
        let inline = hash(None);
        assert_eq!(hash(Some(text.len() as u64)), inline);
        assert_eq!(inline.1, text.len() as u64);
    }

    #[test]
    fn a_bad_byte_is_placed() {
        let error = drain(b"ab\ncaf\xE9!").unwrap_err();
        assert_eq!(
            StreamError::in_io(&error),
            Some(&StreamError::NotUtf8 {
                at: Position { line: 2, column: 4 }
            })
        );
    }

    #[test]
    fn characters_split_across_refills_pass() {
        let text = "é".repeat(BUFFER_BYTES);
        assert!(drain(text.as_bytes()).is_ok());
        let mut cut = text.into_bytes();
        cut.pop();
        assert!(
            drain(&cut).is_err(),
            "a truncated character at the end is refused"
        );
    }

    #[test]
    fn the_size_limit_holds_while_reading() {
        let mut tracked = Tracked::new(io::repeat(b'a'), None, 1000, None);
        let error = tracked.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(
            StreamError::in_io(&error),
            Some(&StreamError::TooLarge { limit: 1000 })
        );
    }

    #[test]
    fn consumed_bytes_move_the_position() {
        let mut tracked = Tracked::new(&b"ab\nc\xC3\xA9d"[..], None, 100, None);
        tracked.fill_buf().unwrap();
        tracked.consume(7);
        tracked.mark();
        assert_eq!(tracked.marked_position(), Position { line: 2, column: 4 });
    }

    #[test]
    fn marks_keep_their_place_across_refills() {
        // Line n holds n-1 padding bytes then a newline, over several buffers.
        let mut text = Vec::new();
        let mut line_starts = Vec::new();
        let mut line = 1;
        while text.len() < 3 * BUFFER_BYTES {
            line_starts.push(text.len());
            text.extend(std::iter::repeat_n(b'x', line % 977));
            text.push(b'\n');
            line += 1;
        }
        let probe = |target_line: usize, column: usize| {
            let offset = line_starts[target_line - 1] + column - 1;
            let mut tracked = Tracked::new(&text[..], None, u64::MAX, None);
            let mut consumed = 0;
            while consumed < offset {
                let available = tracked.fill_buf().unwrap().len();
                let step = available.min(offset - consumed);
                tracked.consume(step);
                consumed += step;
            }
            tracked.mark();
            // Reading on past the mark replaces the buffer it was in.
            let mut rest = Vec::new();
            tracked.read_to_end(&mut rest).unwrap();
            tracked.marked_position()
        };
        for (l, c) in [(1, 1), (300, 5), (line - 2, 1), (700, 3)] {
            assert_eq!(probe(l, c), Position { line: l, column: c }, "line {l}");
        }
    }
}
