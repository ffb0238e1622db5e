//! Bounded memory for records that must all be seen again at the end, however many there are,
//! through an unnamed temporary file. Until a bound is reached nothing touches the disk.
//!
//! - [`Spill`], an external merge sort with de-duplication, so that counting records once costs
//!   bounded memory: records are held in a run of fixed capacity; a full run is sorted,
//!   de-duplicated and written as fixed-size records; at the end the runs written and the one in
//!   memory are merged in one pass.
//! - [`Log`], records of any size kept in the order they came and read back in that order, as
//!   many times as needed: a batch of them is held, and a full batch is appended to the file.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

/// A record the spill can sort: a total order, a way to fold two records of the same group into
/// one, and a fixed-size encoding.
pub(crate) trait Item: Copy {
    /// Encoded size, in bytes.
    const BYTES: usize;
    type Key: Ord;
    /// The sort order. Records of one group must be adjacent in it, earliest first.
    fn sort_key(&self) -> Self::Key;
    /// Folds `later`, the record right after `self` in sort order, into `self` when they are
    /// of the same group; says whether it did. Must be associative, since a group can be split
    /// across runs that are each folded before the merge folds their results.
    fn absorb(&mut self, later: &Self) -> bool;
    /// Appends exactly [`Item::BYTES`] bytes.
    fn encode(&self, out: &mut Vec<u8>);
    /// `None` when the bytes are not a record this type wrote.
    fn decode(bytes: &[u8]) -> Option<Self>;
}

/// A record a [`Log`] keeps: an encoding of any length.
pub(crate) trait Logged: Clone {
    fn encode(&self, out: &mut Vec<u8>);
    /// `None` when the bytes are not a record this type wrote.
    fn decode(bytes: &[u8]) -> Option<Self>;
}

/// Why the temporary file that holds the findings and hosts being counted failed (a full disk,
/// usually).
#[derive(Debug, thiserror::Error)]
pub enum SpillError {
    #[error("cannot create the temporary file for the findings and hosts being counted: {0}")]
    Create(#[source] io::Error),
    #[error("cannot write the temporary file for the findings and hosts being counted: {0}")]
    Write(#[source] io::Error),
    #[error("cannot read the temporary file for the findings and hosts being counted: {0}")]
    Read(#[source] io::Error),
}

/// Sorts and folds a run in place, so that it costs no memory beyond the run itself.
pub(crate) fn sort_run<T: Item>(run: &mut Vec<T>) {
    run.sort_unstable_by_key(T::sort_key);
    // `dedup_by` hands the later record first and the one kept second.
    run.dedup_by(|later, kept| kept.absorb(later));
}

/// Bytes of read buffer shared by the runs being merged: with many runs each gets less, so
/// the merge's memory stays put however many runs there are.
const MERGE_BUFFER_BYTES: usize = 4 * 1024 * 1024;
/// Per run, between these (one read of 64 KiB amortizes the seek before it).
const MIN_RUN_BUFFER_BYTES: usize = 4 * 1024;
const MAX_RUN_BUFFER_BYTES: usize = 64 * 1024;
const WRITE_BUFFER_BYTES: usize = 64 * 1024;

/// The writer of the temporary file, made by `open` the first time it is needed.
fn writer(
    file: &mut Option<BufWriter<File>>,
    open: fn() -> io::Result<File>,
) -> Result<&mut BufWriter<File>, SpillError> {
    match file {
        Some(writer) => Ok(writer),
        None => {
            let made = open().map_err(SpillError::Create)?;
            Ok(file.insert(BufWriter::with_capacity(WRITE_BUFFER_BYTES, made)))
        }
    }
}

/// The temporary file, if one was made, with everything buffered written out.
fn finished(file: Option<BufWriter<File>>) -> Result<Option<File>, SpillError> {
    file.map(|writer| {
        writer
            .into_inner()
            .map_err(|e| SpillError::Write(e.into_error()))
    })
    .transpose()
}

/// Records pushed in any order, handed back sorted and folded by [`Spill::into_sorted`].
pub(crate) struct Spill<T> {
    capacity: usize,
    run: Vec<T>,
    /// Created when the first run fills; every run goes into this one file.
    file: Option<BufWriter<File>>,
    /// The runs written, as (first byte, bytes) in the file, in the order they were written.
    runs: Vec<(u64, u64)>,
    written: u64,
    scratch: Vec<u8>,
    open: fn() -> io::Result<File>,
}

impl<T: Item> Spill<T> {
    /// Holds at most `capacity` records in memory (at least one).
    pub(crate) fn new(capacity: usize) -> Spill<T> {
        Spill::with_storage(capacity, tempfile::tempfile)
    }

    /// As [`Spill::new`], the temporary file made by `open`, so a test can make it fail.
    pub(crate) fn with_storage(capacity: usize, open: fn() -> io::Result<File>) -> Spill<T> {
        Spill {
            capacity: capacity.max(1),
            run: Vec::new(),
            file: None,
            runs: Vec::new(),
            written: 0,
            scratch: Vec::with_capacity(T::BYTES),
            open,
        }
    }

    /// The runs written to the temporary file so far.
    #[cfg(test)]
    pub(crate) fn runs_written(&self) -> usize {
        self.runs.len()
    }

    pub(crate) fn push(&mut self, item: T) -> Result<(), SpillError> {
        if self.run.len() >= self.capacity {
            self.write_run()?;
        }
        if self.run.len() == self.run.capacity() {
            // Grown by hand so the run never holds more room than its capacity.
            let want = (self.run.len() * 2).max(16).min(self.capacity);
            self.run.reserve_exact(want - self.run.len());
        }
        self.run.push(item);
        Ok(())
    }

    fn write_run(&mut self) -> Result<(), SpillError> {
        sort_run(&mut self.run);
        let writer = writer(&mut self.file, self.open)?;
        let start = self.written;
        for item in &self.run {
            self.scratch.clear();
            item.encode(&mut self.scratch);
            writer.write_all(&self.scratch).map_err(SpillError::Write)?;
            self.written += self.scratch.len() as u64;
        }
        self.runs.push((start, self.written - start));
        // The allocation is kept for the next run.
        self.run.clear();
        Ok(())
    }

    /// Every record pushed, in sort order, each group folded into one.
    pub(crate) fn into_sorted(mut self) -> Result<Sorted<T>, SpillError> {
        sort_run(&mut self.run);
        let Some(file) = finished(self.file)? else {
            return Ok(Sorted::new(
                None,
                vec![Source::Memory(self.run.into_iter())],
            ));
        };
        let share = (MERGE_BUFFER_BYTES / self.runs.len().max(1))
            .clamp(MIN_RUN_BUFFER_BYTES, MAX_RUN_BUFFER_BYTES);
        let buffer_bytes = (share / T::BYTES).max(1) * T::BYTES;
        let mut sources: Vec<Source<T>> = self
            .runs
            .iter()
            .map(|&(start, bytes)| {
                Source::Run(Run {
                    next: start,
                    end: start + bytes,
                    buffer_bytes,
                    buffer: Vec::new(),
                    at: 0,
                })
            })
            .collect();
        // Last: it holds the latest records, and the heap breaks ties by source.
        sources.push(Source::Memory(self.run.into_iter()));
        Ok(Sorted::new(Some(file), sources))
    }
}

/// Where the merge reads records from: a run in the file, or the run still in memory.
enum Source<T> {
    Run(Run),
    Memory(std::vec::IntoIter<T>),
}

/// A run in the file, read through its own buffer (the runs share one file, so each seeks to
/// where it stopped).
struct Run {
    next: u64,
    end: u64,
    buffer_bytes: usize,
    buffer: Vec<u8>,
    at: usize,
}

impl Run {
    fn next<T: Item>(&mut self, file: &mut File) -> io::Result<Option<T>> {
        if self.at >= self.buffer.len() {
            if self.next >= self.end {
                // Done: its buffer goes back before the others finish.
                self.buffer = Vec::new();
                self.at = 0;
                return Ok(None);
            }
            let left = usize::try_from(self.end - self.next).unwrap_or(usize::MAX);
            self.buffer.resize(left.min(self.buffer_bytes), 0);
            file.seek(SeekFrom::Start(self.next))?;
            file.read_exact(&mut self.buffer)?;
            self.next += self.buffer.len() as u64;
            self.at = 0;
        }
        let item = self
            .buffer
            .get(self.at..self.at + T::BYTES)
            .and_then(T::decode)
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, "a record is not as written")
            })?;
        self.at += T::BYTES;
        Ok(Some(item))
    }
}

/// The next record of one source, ordered so that [`BinaryHeap`] pops the smallest first.
struct Head<T: Item> {
    key: T::Key,
    source: usize,
    item: T,
}

impl<T: Item> PartialEq for Head<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T: Item> Eq for Head<T> {}

impl<T: Item> PartialOrd for Head<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Item> Ord for Head<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (&other.key, other.source).cmp(&(&self.key, self.source))
    }
}

/// The merge of every run: records in sort order, each group folded into one. After an error
/// it ends.
pub(crate) struct Sorted<T: Item> {
    file: Option<File>,
    sources: Vec<Source<T>>,
    heap: BinaryHeap<Head<T>>,
    started: bool,
    pending: Option<T>,
}

impl<T: Item> Sorted<T> {
    fn new(file: Option<File>, sources: Vec<Source<T>>) -> Sorted<T> {
        Sorted {
            file,
            heap: BinaryHeap::with_capacity(sources.len()),
            sources,
            started: false,
            pending: None,
        }
    }

    /// Puts the next record of `source` on the heap.
    fn advance(&mut self, source: usize) -> Result<(), SpillError> {
        let item = match self.sources.get_mut(source) {
            Some(Source::Memory(records)) => records.next(),
            Some(Source::Run(run)) => match self.file.as_mut() {
                Some(file) => run.next::<T>(file).map_err(SpillError::Read)?,
                None => None,
            },
            None => None,
        };
        if let Some(item) = item {
            self.heap.push(Head {
                key: item.sort_key(),
                source,
                item,
            });
        }
        Ok(())
    }

    fn step(&mut self) -> Result<Option<T>, SpillError> {
        if !self.started {
            self.started = true;
            for source in 0..self.sources.len() {
                self.advance(source)?;
            }
        }
        while let Some(Head { source, item, .. }) = self.heap.pop() {
            self.advance(source)?;
            match self.pending.as_mut() {
                None => self.pending = Some(item),
                Some(kept) => {
                    if !kept.absorb(&item) {
                        return Ok(Some(std::mem::replace(kept, item)));
                    }
                }
            }
        }
        Ok(self.pending.take())
    }
}

impl<T: Item> Iterator for Sorted<T> {
    type Item = Result<T, SpillError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(item) => item.map(Ok),
            Err(error) => {
                self.heap.clear();
                self.sources.clear();
                self.pending = None;
                Some(Err(error))
            }
        }
    }
}

/// Records kept in the order they came, at most `capacity` of them in memory; the rest are in
/// an unnamed temporary file, each as its length and its encoding.
pub(crate) struct Log<T> {
    capacity: usize,
    held: Vec<T>,
    file: Option<BufWriter<File>>,
    written: u64,
    count: usize,
    scratch: Vec<u8>,
    open: fn() -> io::Result<File>,
}

impl<T: Logged> Log<T> {
    /// Holds at most `capacity` records in memory (at least one).
    pub(crate) fn new(capacity: usize) -> Log<T> {
        Log::with_storage(capacity, tempfile::tempfile)
    }

    /// As [`Log::new`], the temporary file made by `open`, so a test can make it fail.
    pub(crate) fn with_storage(capacity: usize, open: fn() -> io::Result<File>) -> Log<T> {
        Log {
            capacity: capacity.max(1),
            held: Vec::new(),
            file: None,
            written: 0,
            count: 0,
            scratch: Vec::new(),
            open,
        }
    }

    pub(crate) fn push(&mut self, record: T) -> Result<(), SpillError> {
        if self.held.len() >= self.capacity {
            self.write_held()?;
        }
        self.held.push(record);
        self.count += 1;
        Ok(())
    }

    fn write_held(&mut self) -> Result<(), SpillError> {
        let writer = writer(&mut self.file, self.open)?;
        for record in self.held.drain(..) {
            self.scratch.clear();
            record.encode(&mut self.scratch);
            let length = u32::try_from(self.scratch.len()).map_err(|_| {
                SpillError::Write(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a record is too long to keep",
                ))
            })?;
            writer
                .write_all(&length.to_le_bytes())
                .and_then(|()| writer.write_all(&self.scratch))
                .map_err(SpillError::Write)?;
            self.written += 4 + u64::from(length);
        }
        Ok(())
    }

    /// Every record pushed, to be read back (as often as needed) with [`Kept::read`].
    pub(crate) fn into_kept(self) -> Result<Kept<T>, SpillError> {
        Ok(Kept {
            file: finished(self.file)?,
            written: self.written,
            held: self.held,
            count: self.count,
        })
    }
}

/// The records of a [`Log`], done with writing.
pub(crate) struct Kept<T> {
    file: Option<File>,
    written: u64,
    held: Vec<T>,
    count: usize,
}

impl<T: Logged> Kept<T> {
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// The records from the first, in the order they were pushed. After an error the reading
    /// ends.
    pub(crate) fn read(&mut self) -> Result<Reading<'_, T>, SpillError> {
        let file = match self.file.as_mut() {
            Some(file) => {
                file.seek(SeekFrom::Start(0)).map_err(SpillError::Read)?;
                Some(io::BufReader::with_capacity(MAX_RUN_BUFFER_BYTES, file).take(self.written))
            }
            None => None,
        };
        Ok(Reading {
            file,
            held: self.held.iter(),
            scratch: Vec::new(),
        })
    }
}

/// One pass over the records of a [`Kept`] log.
pub(crate) struct Reading<'a, T> {
    file: Option<io::Take<io::BufReader<&'a mut File>>>,
    held: std::slice::Iter<'a, T>,
    scratch: Vec<u8>,
}

impl<T: Logged> Reading<'_, T> {
    fn next_written(&mut self) -> io::Result<Option<T>> {
        let Some(file) = self.file.as_mut() else {
            return Ok(None);
        };
        let mut length = [0; 4];
        match file.read_exact(&mut length) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof && file.limit() == 0 => {
                self.file = None;
                return Ok(None);
            }
            Err(error) => return Err(error),
        }
        let length = usize::try_from(u32::from_le_bytes(length)).unwrap_or(usize::MAX);
        self.scratch.clear();
        let read = file
            .by_ref()
            .take(length as u64)
            .read_to_end(&mut self.scratch)?;
        if read != length {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        T::decode(&self.scratch)
            .map(Some)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "a record is not as written"))
    }
}

impl<T: Logged> Iterator for Reading<'_, T> {
    type Item = Result<T, SpillError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_written() {
            Ok(Some(record)) => Some(Ok(record)),
            Ok(None) => self.held.next().cloned().map(Ok),
            Err(error) => {
                self.file = None;
                self.held = [].iter();
                Some(Err(SpillError::Read(error)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A group number, a file order and a value: a group folds into its first order and the
    /// sum of its values, which is associative as [`Item::absorb`] must be.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Tally {
        group: u32,
        order: u32,
        sum: u64,
    }

    impl Item for Tally {
        const BYTES: usize = 16;
        type Key = (u32, u32);

        fn sort_key(&self) -> (u32, u32) {
            (self.group, self.order)
        }

        fn absorb(&mut self, later: &Tally) -> bool {
            if later.group != self.group {
                return false;
            }
            self.sum += later.sum;
            true
        }

        fn encode(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(&self.group.to_le_bytes());
            out.extend_from_slice(&self.order.to_le_bytes());
            out.extend_from_slice(&self.sum.to_le_bytes());
        }

        fn decode(bytes: &[u8]) -> Option<Tally> {
            let (group, rest) = bytes.split_first_chunk::<4>()?;
            let (order, rest) = rest.split_first_chunk::<4>()?;
            let (sum, _) = rest.split_first_chunk::<8>()?;
            Some(Tally {
                group: u32::from_le_bytes(*group),
                order: u32::from_le_bytes(*order),
                sum: u64::from_le_bytes(*sum),
            })
        }
    }

    /// Groups spread over the input so that most of them meet again in several runs.
    fn input(count: u32) -> Vec<Tally> {
        (0..count)
            .map(|order| Tally {
                group: order.wrapping_mul(2_654_435_761) % 97,
                order,
                sum: u64::from(order) * 3 + 1,
            })
            .collect()
    }

    /// Folded by hand: one record per group, at its first order, with the sum of the group.
    fn expected(records: &[Tally]) -> Vec<Tally> {
        let mut groups: std::collections::BTreeMap<u32, Tally> = Default::default();
        for record in records {
            groups
                .entry(record.group)
                .and_modify(|kept| kept.sum += record.sum)
                .or_insert(*record);
        }
        groups.into_values().collect()
    }

    fn sorted(spill: Spill<Tally>) -> Vec<Tally> {
        spill
            .into_sorted()
            .expect("merge starts")
            .collect::<Result<_, _>>()
            .expect("merge reads every run")
    }

    fn refuse() -> io::Result<File> {
        Err(io::Error::other("no temporary file here"))
    }

    #[test]
    fn many_runs_merge_to_what_one_pass_in_memory_gives() {
        for capacity in [1, 2, 7, 64, 1000] {
            let records = input(1000);
            let mut spill = Spill::new(capacity);
            for record in &records {
                spill.push(*record).expect("push");
            }
            assert_eq!(spill.runs_written(), 999 / capacity, "capacity {capacity}");
            assert_eq!(sorted(spill), expected(&records), "capacity {capacity}");
        }
    }

    #[test]
    fn a_run_that_never_fills_stays_in_memory() {
        // The file cannot be made: the spill must not need one.
        let mut spill = Spill::with_storage(100, refuse);
        let records = input(100);
        for record in &records {
            spill.push(*record).expect("fits in memory");
        }
        assert_eq!(spill.runs_written(), 0);
        assert_eq!(sorted(spill), expected(&records));
    }

    #[test]
    fn a_file_that_cannot_be_made_is_an_error_not_a_panic() {
        let mut spill = Spill::with_storage(2, refuse);
        spill.push(input(1)[0]).expect("first");
        spill.push(input(2)[1]).expect("second");
        let error = spill.push(input(3)[2]).expect_err("third spills");
        assert!(matches!(error, SpillError::Create(_)), "{error:?}");
        assert!(
            error.to_string().starts_with(
                "cannot create the temporary file for the findings and hosts being counted: "
            ),
            "{error}"
        );
    }

    #[test]
    fn a_file_that_cannot_be_written_is_an_error_not_a_panic() {
        // A file opened for reading refuses writes, as a full disk would.
        fn read_only() -> io::Result<File> {
            File::open(std::env::current_exe()?)
        }
        let records = input(40_000);
        let mut spill = Spill::with_storage(10_000, read_only);
        let outcome = records
            .iter()
            .try_for_each(|record| spill.push(*record))
            .and_then(|()| spill.into_sorted().map(drop));
        let error = outcome.expect_err("the writes fail");
        assert!(matches!(error, SpillError::Write(_)), "{error:?}");
    }

    #[test]
    fn a_record_not_as_written_is_an_error_not_a_panic() {
        // Three runs of one record each, then the file is cut short under the merge.
        let mut spill = Spill::new(1);
        for record in input(4) {
            spill.push(record).expect("push");
        }
        let mut merge = spill.into_sorted().expect("merge starts");
        merge
            .file
            .as_mut()
            .expect("runs were written")
            .set_len(20)
            .expect("truncate");
        let outcome: Result<Vec<Tally>, SpillError> = merge.collect();
        assert!(matches!(outcome, Err(SpillError::Read(_))), "{outcome:?}");
    }

    #[test]
    fn the_merge_reads_runs_through_buffers_smaller_than_a_run() {
        // Runs of 100 000 records (1.6 MB) each, read 64 KiB at a time.
        let records = input(300_000);
        let mut spill = Spill::new(100_000);
        for record in &records {
            spill.push(*record).expect("push");
        }
        assert_eq!(spill.runs_written(), 2);
        assert_eq!(sorted(spill), expected(&records));
    }

    impl Logged for String {
        fn encode(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(self.as_bytes());
        }

        fn decode(bytes: &[u8]) -> Option<String> {
            String::from_utf8(bytes.to_vec()).ok()
        }
    }

    fn words(count: usize) -> Vec<String> {
        // Of every length from empty up, so records straddle the reader's buffer.
        (0..count)
            .map(|n| "x".repeat(n % 300) + &n.to_string())
            .collect()
    }

    fn read_all(kept: &mut Kept<String>) -> Vec<String> {
        kept.read()
            .expect("reading starts")
            .collect::<Result<_, _>>()
            .expect("every record reads back")
    }

    #[test]
    fn a_log_reads_back_in_order_as_often_as_asked() {
        for capacity in [1, 3, 1000, 5000] {
            let records = words(2000);
            let mut log = Log::new(capacity);
            for record in &records {
                log.push(record.clone()).expect("push");
            }
            let mut kept = log.into_kept().expect("kept");
            assert_eq!(kept.len(), 2000);
            assert_eq!(read_all(&mut kept), records, "capacity {capacity}");
            assert_eq!(read_all(&mut kept), records, "again, capacity {capacity}");
        }
    }

    #[test]
    fn a_log_that_never_fills_needs_no_file() {
        let mut log = Log::with_storage(10, refuse);
        for record in words(10) {
            log.push(record).expect("fits in memory");
        }
        let mut kept = log.into_kept().expect("kept");
        assert_eq!(read_all(&mut kept), words(10));
        let mut full = Log::with_storage(10, refuse);
        let outcome = words(11).into_iter().try_for_each(|word| full.push(word));
        assert!(matches!(outcome, Err(SpillError::Create(_))), "{outcome:?}");
    }

    #[test]
    fn a_log_cut_short_is_an_error_not_a_panic() {
        let mut log = Log::new(2);
        for record in words(5) {
            log.push(record).expect("push");
        }
        let mut kept = log.into_kept().expect("kept");
        kept.file
            .as_mut()
            .expect("written")
            .set_len(3)
            .expect("truncate");
        let outcome: Result<Vec<String>, SpillError> = kept.read().expect("starts").collect();
        assert!(matches!(outcome, Err(SpillError::Read(_))), "{outcome:?}");
    }
}
