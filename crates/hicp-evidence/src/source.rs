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

/// Files at least this large are hashed and checked as UTF-8 on a second thread, which takes
/// SHA-256 and the validation of every byte (together about a third of the reading cost) off
/// the parsing thread; smaller or unsized inputs are hashed and checked inline.
const BACKGROUND_HASH_BYTES: u64 = 16 * 1024 * 1024;

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// UTF-8 validation of a stream that arrives in pieces: a character split across two pieces
/// is completed from the next one.
#[derive(Default)]
struct Utf8Check {
    /// Up to three bytes of a character split across two pieces.
    pending: Vec<u8>,
}

impl Utf8Check {
    /// Checks the next piece (`at_end`: there is none after it); on a bad byte, its offset in
    /// `fresh` (0 when the character begun in the previous piece does not complete).
    fn check(&mut self, fresh: &[u8], at_end: bool) -> Result<(), usize> {
        let mut checked_from = 0;
        if !self.pending.is_empty() {
            let mut joined = std::mem::take(&mut self.pending);
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
                    self.pending = joined;
                    return Ok(());
                }
                None => return Err(0),
            }
        }
        if let Err(error) = std::str::from_utf8(&fresh[checked_from..]) {
            let bad = checked_from + error.valid_up_to();
            if error.error_len().is_none() && !at_end {
                self.pending = fresh[bad..].to_vec();
            } else {
                return Err(bad);
            }
        }
        Ok(())
    }
}

/// What the second thread hands back: the SHA-256, and where the first bad byte is, if any.
type Checked = (Vec<u8>, Option<Position>);

/// SHA-256 and UTF-8 validation of everything read, inline or on a second thread.
enum Hashing {
    Inline {
        hasher: Sha256,
        utf8: Utf8Check,
    },
    Background {
        chunks: std::sync::mpsc::SyncSender<(Arc<Vec<u8>>, usize)>,
        /// Set by the thread as soon as it meets a bad byte, so reading stops at the next refill.
        found: Arc<std::sync::OnceLock<Position>>,
        done: std::thread::JoinHandle<Checked>,
    },
}

impl Hashing {
    fn inline() -> Hashing {
        Hashing::Inline {
            hasher: Sha256::new(),
            utf8: Utf8Check::default(),
        }
    }

    fn for_size(total: Option<u64>) -> Hashing {
        if total.is_none_or(|t| t < BACKGROUND_HASH_BYTES) {
            return Hashing::inline();
        }
        let (chunks, received) = std::sync::mpsc::sync_channel::<(Arc<Vec<u8>>, usize)>(8);
        let found = Arc::new(std::sync::OnceLock::new());
        let report = found.clone();
        let spawned = std::thread::Builder::new()
            .name("hicp-evidence-sha256".into())
            .spawn(move || check_in_background(received, &report));
        match spawned {
            Ok(done) => Hashing::Background {
                chunks,
                found,
                done,
            },
            Err(_) => Hashing::inline(),
        }
    }

    /// Hashes and checks the first `length` bytes of `buffer`; inline, a bad byte is given as
    /// its offset in the buffer, on the thread as its position once the thread has met it.
    fn update(&mut self, buffer: &Arc<Vec<u8>>, length: usize) -> io::Result<Option<BadByte>> {
        match self {
            Hashing::Inline { hasher, utf8 } => {
                let fresh = buffer.get(..length).unwrap_or_default();
                hasher.update(fresh);
                Ok(utf8.check(fresh, length == 0).err().map(BadByte::InBuffer))
            }
            Hashing::Background { chunks, found, .. } => {
                chunks
                    .send((buffer.clone(), length))
                    .map_err(|_| io::Error::other("the hashing thread stopped"))?;
                Ok(found.get().copied().map(BadByte::At))
            }
        }
    }

    /// The SHA-256, once every byte read is hashed; the thread's bad byte, if it met one.
    fn finish(self) -> io::Result<Checked> {
        match self {
            Hashing::Inline { hasher, .. } => Ok((hasher.finalize().to_vec(), None)),
            Hashing::Background { chunks, done, .. } => {
                drop(chunks);
                done.join()
                    .map_err(|_| io::Error::other("the hashing thread stopped"))
            }
        }
    }
}

/// A bad byte as the check reports it: inline by offset in the current buffer (the reader
/// places it), from the thread already placed.
enum BadByte {
    InBuffer(usize),
    At(Position),
}

/// The second thread: hashes every piece and checks it as UTF-8, keeping its own count of
/// lines and columns so that a bad byte is placed exactly as the inline check places it (a
/// leading byte-order mark does not move the column).
fn check_in_background(
    received: std::sync::mpsc::Receiver<(Arc<Vec<u8>>, usize)>,
    report: &std::sync::OnceLock<Position>,
) -> Checked {
    let mut hasher = Sha256::new();
    let mut utf8 = Utf8Check::default();
    let mut at = Position { line: 1, column: 1 };
    let mut first_piece = true;
    let mut bad = None;
    let meet = |found: Position| {
        let _ = report.set(found);
        Some(found)
    };
    for (chunk, length) in received {
        let fresh = chunk.get(..length).unwrap_or_default();
        hasher.update(fresh);
        if bad.is_some() {
            continue;
        }
        // An empty piece is the end of the file (a reader stopped early sends none): only
        // there is a character left unfinished an error.
        if fresh.is_empty() {
            if utf8.check(fresh, true).is_err() {
                bad = meet(at);
            }
            continue;
        }
        let skip = if first_piece && fresh.starts_with(BYTE_ORDER_MARK) {
            BYTE_ORDER_MARK.len()
        } else {
            0
        };
        first_piece = false;
        match utf8.check(fresh, false) {
            Ok(()) => at = advance(at, &fresh[skip..]),
            Err(offset) => bad = meet(advance(at, &fresh[skip..offset.max(skip)])),
        }
    }
    (hasher.finalize().to_vec(), bad)
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
        let (digest, bad) = self.hashing.finish()?;
        if let Some(at) = bad {
            return Err(not_utf8_at(at));
        }
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
        let bad = self.hashing.update(&self.buffer, count)?;
        if !self.bom_checked && count > 0 {
            self.bom_checked = true;
            if self.buffer[..count].starts_with(BYTE_ORDER_MARK) {
                // A byte-order mark is not content: skip it without moving the column.
                self.start = 3;
                self.origin = 3;
            }
        }
        if let Some(bad) = bad {
            return Err(self.not_utf8(bad));
        }
        if self.read >= self.next_progress {
            self.next_progress = self.read + 4 * 1024 * 1024;
            if let Some(progress) = self.progress.as_mut() {
                progress(self.read, self.total);
            }
        }
        Ok(())
    }

    /// The error for an invalid byte, placed by line and column.
    fn not_utf8(&self, bad: BadByte) -> io::Error {
        not_utf8_at(match bad {
            BadByte::InBuffer(offset) => self.position_in_buffer(offset),
            BadByte::At(at) => at,
        })
    }

    /// Consumes bytes up to the next `<` or `&` (or the end): text that quick-xml, whose
    /// reader stands between events here, would only have copied, checked and returned as a
    /// `Text` event. The bytes are still hashed and checked as UTF-8 like all others.
    pub(crate) fn skip_text(&mut self) -> io::Result<()> {
        loop {
            let available = self.fill_buf()?;
            if available.is_empty() {
                return Ok(());
            }
            match memchr::memchr2(b'<', b'&', available) {
                Some(markup) => {
                    self.consume(markup);
                    return Ok(());
                }
                None => {
                    let all = available.len();
                    self.consume(all);
                }
            }
        }
    }

    /// Consumes `amount` buffered bytes (no more than [`BufRead::fill_buf`] just offered) and
    /// returns them.
    pub(crate) fn take(&mut self, amount: usize) -> &[u8] {
        let from = self.start;
        self.consume(amount);
        &self.buffer[from..self.start]
    }

    /// The bad byte the second thread met in what has been read so far, if any, as the stream
    /// error that reading would have stopped with had the bytes been checked inline (where
    /// every buffer is checked before the parser sees it): a reader that stopped at a problem
    /// of its own reports this one instead, so where a file is refused does not depend on which
    /// thread got there first.
    pub(crate) fn earlier_bad_byte(self) -> Option<io::Error> {
        if !matches!(self.hashing, Hashing::Background { .. }) {
            return None;
        }
        match self.hashing.finish() {
            Ok((_, bad)) => bad.map(not_utf8_at),
            Err(error) => Some(error),
        }
    }
}

fn not_utf8_at(at: Position) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, StreamError::NotUtf8 { at })
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

    /// Reads all of `bytes` as a file of known size (checked on the second thread from
    /// [`BACKGROUND_HASH_BYTES`] on) or of unknown size (checked inline).
    fn drain_as(bytes: &[u8], sized: bool) -> io::Result<(String, u64)> {
        let total = sized.then_some(bytes.len() as u64);
        let mut tracked = Tracked::new(bytes, total, u64::MAX, None);
        assert_eq!(
            matches!(tracked.hashing, Hashing::Background { .. }),
            sized && bytes.len() as u64 >= BACKGROUND_HASH_BYTES
        );
        let mut out = vec![0; 7_777];
        while tracked.read(&mut out)? > 0 {}
        tracked.finish()
    }

    fn bad_byte_of(result: io::Result<(String, u64)>) -> Option<Position> {
        match StreamError::in_io(&result.err()?) {
            Some(StreamError::NotUtf8 { at }) => Some(*at),
            _ => None,
        }
    }

    /// A large text of short lines with "é" in them, so lines, columns and split characters
    /// all come into play across many buffers.
    fn large_text() -> Vec<u8> {
        let line = "données é\n";
        let mut text = b"\xEF\xBB\xBF".to_vec();
        while (text.len() as u64) < BACKGROUND_HASH_BYTES + 3 * BUFFER_BYTES as u64 {
            text.extend_from_slice(line.as_bytes());
        }
        text
    }

    #[test]
    fn the_second_thread_places_a_bad_byte_as_the_inline_check_does() {
        let clean = large_text();
        assert!(drain_as(&clean, true).is_ok(), "split characters pass");
        assert_eq!(
            drain_as(&clean, true).unwrap(),
            drain_as(&clean, false).unwrap()
        );
        for offset in [
            5,
            BUFFER_BYTES - 1,
            BUFFER_BYTES,
            20 * BUFFER_BYTES + 7,
            clean.len() - 2,
        ] {
            let mut bad = clean.clone();
            bad[offset] = 0xFF;
            let inline = bad_byte_of(drain_as(&bad, false)).expect("refused inline");
            assert_eq!(
                bad_byte_of(drain_as(&bad, true)),
                Some(inline),
                "byte {offset}"
            );
        }
        let mut cut = clean;
        cut.truncate(cut.len() - 2);
        let inline = bad_byte_of(drain_as(&cut, false)).expect("a cut character is refused");
        assert_eq!(bad_byte_of(drain_as(&cut, true)), Some(inline));
    }

    #[test]
    fn a_reader_that_stops_early_learns_of_a_bad_byte_already_read() {
        let mut text = large_text();
        let bad_at = 2 * BUFFER_BYTES + 11;
        text[bad_at] = 0xFF;
        let inline = bad_byte_of(drain_as(&text, false)).expect("refused inline");
        // A parser that stops at a problem of its own somewhere in the third buffer.
        let mut tracked = Tracked::new(&text[..], Some(text.len() as u64), u64::MAX, None);
        let mut consumed = 0;
        while consumed < 2 * BUFFER_BYTES + 100 {
            let available = match tracked.fill_buf() {
                Ok(available) => available.len(),
                Err(error) => return assert_eq!(bad_byte_of(Err(error)), Some(inline)),
            };
            tracked.consume(available.min(2 * BUFFER_BYTES + 100 - consumed));
            consumed += available;
        }
        let error = tracked.earlier_bad_byte().expect("the thread met the byte");
        assert_eq!(bad_byte_of(Err(error)), Some(inline));

        // Stopping where a character is split is not a bad byte.
        let mut split = vec![b'a'; BUFFER_BYTES - 1];
        while (split.len() as u64) < BACKGROUND_HASH_BYTES {
            split.extend_from_slice("é".as_bytes());
        }
        let mut tracked = Tracked::new(&split[..], Some(split.len() as u64), u64::MAX, None);
        assert_eq!(
            tracked.fill_buf().unwrap().len(),
            BUFFER_BYTES,
            "the first buffer ends mid-character"
        );
        assert!(tracked.earlier_bad_byte().is_none());
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
