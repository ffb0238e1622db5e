//! Where results go: standard output, or a file that is either complete or absent.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

/// Writes to `out`, or to standard output when there is no path.
pub fn emit(out: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match out {
        Some(path) => write_whole(path, bytes),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            Ok(stdout.flush()?)
        }
    }
}

/// Writes a file so that it is either complete or absent: a failed write never leaves half a
/// report where a reader (or an upload) would pick it up.
pub fn write_whole(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let file_name = path
        .file_name()
        .with_context(|| format!("{} is not a file path", path.display()))?;
    let mut partial = file_name.to_owned();
    partial.push(".partial");
    let temporary = path.with_file_name(partial);
    std::fs::write(&temporary, bytes)
        .with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("writing {}", path.display()))
}

/// Whether an error is standard output closing early (`hicp org list | head -1`): the reader
/// has what it wanted, so the program ends quietly.
pub fn is_closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
