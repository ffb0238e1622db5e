//! Summary throughput against raw quick-xml tokenizing of the same file, in one run, and the
//! process's peak memory. Run by hand:
//! `cargo run --release -p hicp-evidence --example bench_nessus -- FILE.nessus`

use std::io::BufReader;
use std::time::Instant;

use hicp_evidence::{Format, Options, SummaryBuilder, import_path};
use quick_xml::Reader;
use quick_xml::events::Event;

fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: bench_nessus FILE.nessus")?;
    let path = std::path::Path::new(&path);
    let size = std::fs::metadata(path)?.len() as f64;
    let megabytes = size / 1e6;

    let started = Instant::now();
    let mut reader = Reader::from_reader(BufReader::with_capacity(
        256 * 1024,
        std::fs::File::open(path)?,
    ));
    let mut buf = Vec::new();
    let mut events = 0u64;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf)? {
            Event::Eof => break,
            _ => events += 1,
        }
    }
    let raw = started.elapsed().as_secs_f64();
    let after_raw = peak_memory_kb();

    let started = Instant::now();
    let mut builder = SummaryBuilder::new(None);
    let imported = import_path(Format::Nessus, path, Options::default(), &mut |record| {
        builder.add(&record);
        Ok(())
    })?;
    let summary_seconds = started.elapsed().as_secs_f64();
    let summary = builder.summary();

    println!(
        "file: {} ({megabytes:.0} MB), sha256 {}",
        path.display(),
        imported.sha256
    );
    println!(
        "raw quick-xml tokenizing: {events} events in {raw:.2} s = {:.0} MB/s",
        megabytes / raw
    );
    println!(
        "hicp-evidence summary:    {} findings on {} hosts in {summary_seconds:.2} s = {:.0} MB/s ({:.2}x the raw time)",
        summary.findings,
        summary.hosts,
        megabytes / summary_seconds,
        summary_seconds / raw
    );
    println!(
        "peak memory (VmHWM): {} kB after tokenizing, {} kB at the end",
        after_raw.unwrap_or(0),
        peak_memory_kb().unwrap_or(0)
    );
    Ok(())
}
