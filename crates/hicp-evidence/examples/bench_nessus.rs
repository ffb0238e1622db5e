//! Summary throughput against raw quick-xml tokenizing of the same file, side by side in one
//! run, and the process's peak memory. The two are measured alternately for several rounds and
//! the fastest of each is kept; CPU time (user + system, from /proc/self/stat) is reported
//! beside wall time because on a shared machine wall time mostly measures the neighbours.
//! Run by hand:
//! `cargo run --release -p hicp-evidence --example bench_nessus -- FILE.nessus [ROUNDS]`

use std::io::BufReader;
use std::path::Path;
use std::time::Instant;

use hicp_evidence::{Format, Options, Summary, SummaryBuilder, import_path};
use quick_xml::Reader;
use quick_xml::events::Event;

fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU seconds of `/proc/self` (the process) or `/proc/thread-self` (the calling
/// thread), in clock ticks of 1/100 s on Linux.
fn cpu_seconds(of: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("{of}/stat")).unwrap_or_default();
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15.
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// (wall seconds, process CPU seconds, this thread's CPU seconds) of `work`.
fn timed<T>(work: impl FnOnce() -> T) -> ((f64, f64, f64), T) {
    let wall = Instant::now();
    let (process, thread) = (cpu_seconds("/proc/self"), cpu_seconds("/proc/thread-self"));
    let out = work();
    let times = (
        wall.elapsed().as_secs_f64(),
        cpu_seconds("/proc/self") - process,
        cpu_seconds("/proc/thread-self") - thread,
    );
    (times, out)
}

fn raw_tokenize(path: &Path) -> Result<u64, Box<dyn std::error::Error>> {
    let mut reader = Reader::from_reader(BufReader::with_capacity(
        256 * 1024,
        std::fs::File::open(path)?,
    ));
    let mut buf = Vec::new();
    let mut events = 0u64;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf)? {
            Event::Eof => return Ok(events),
            _ => events += 1,
        }
    }
}

fn summarize(path: &Path) -> Result<(Summary, String), Box<dyn std::error::Error>> {
    let mut builder = SummaryBuilder::new(None);
    let imported = import_path(Format::Nessus, path, Options::default(), &mut |record| {
        builder.add(&record);
        Ok(())
    })?;
    Ok((builder.summary(), imported.sha256))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: bench_nessus FILE.nessus [ROUNDS]")?;
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let path = Path::new(&path);
    let megabytes = std::fs::metadata(path)?.len() as f64 / 1e6;

    let best = |a: (f64, f64, f64), b: (f64, f64, f64)| (a.0.min(b.0), a.1.min(b.1), a.2.min(b.2));
    let far = (f64::MAX, f64::MAX, f64::MAX);
    let (mut raw, mut ours) = (far, far);
    let mut events = 0;
    let mut result = None;
    for _ in 0..rounds {
        let (times, counted) = timed(|| raw_tokenize(path));
        events = counted?;
        raw = best(raw, times);
        let (times, summary) = timed(|| summarize(path));
        result = Some(summary?);
        ours = best(ours, times);
    }
    let (summary, sha256) = result.ok_or("ROUNDS must be at least 1")?;

    println!(
        "file: {} ({megabytes:.0} MB), sha256 {sha256}",
        path.display()
    );
    println!(
        "fastest of {rounds} alternating rounds; wall / CPU of the process / CPU of the parsing thread"
    );
    let line = |what: &str, t: (f64, f64, f64)| {
        println!(
            "{what}: wall {:.2} s = {:.0} MB/s; process CPU {:.2} s = {:.0} MB/s; parsing thread CPU {:.2} s",
            t.0,
            megabytes / t.0,
            t.1,
            megabytes / t.1,
            t.2
        )
    };
    line(&format!("raw quick-xml tokenizing ({events} events)"), raw);
    line(
        &format!(
            "hicp-evidence summary ({} findings on {} hosts)",
            summary.findings, summary.hosts
        ),
        ours,
    );
    println!(
        "summary / raw: {:.2}x wall, {:.2}x process CPU, {:.2}x parsing-thread CPU",
        ours.0 / raw.0,
        ours.1 / raw.1,
        ours.2 / raw.2
    );
    println!(
        "peak memory (VmHWM) of the whole process: {} kB",
        peak_memory_kb().unwrap_or(0)
    );
    Ok(())
}
