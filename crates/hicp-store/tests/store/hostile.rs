//! Portable files built to hurt: zip bombs, floods of entries, oversized and truncated files.
//! Each is refused with a message naming the file and the limit, and nothing is stored.

use std::io::{Read, Write};
use std::path::Path;

use hicp_store::portable::PortableLimits;
use hicp_store::testing::TestDatabase;
use hicp_store::{Store, StoreError};

use crate::support::{ACTOR, Raw, importer, seed};

const MIB: u64 = 1024 * 1024;

/// Copies the ZIP at `from`, replacing the entry named `bomb` by `zeros` bytes of zeros
/// (deflated, so a few kilobytes on disk) and adding `extra` tiny entries.
fn build(
    from: &Path,
    to: &Path,
    bomb: Option<(&str, u64)>,
    extra: usize,
) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    let mut source = zip::ZipArchive::new(std::fs::File::open(from)?)?;
    let mut target = zip::ZipWriter::new(std::fs::File::create(to)?);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for index in 0..source.len() {
        let mut entry = source.by_index(index)?;
        let name = entry.name()?.into_owned();
        target.start_file(name.as_str(), options)?;
        match bomb {
            Some((bomb_name, zeros)) if bomb_name == name => {
                let chunk = vec![0u8; MIB as usize];
                let mut left = zeros;
                while left > 0 {
                    let piece = left.min(MIB);
                    target.write_all(&chunk[..piece as usize])?;
                    left -= piece;
                }
            }
            _ => {
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes)?;
                target.write_all(&bytes)?;
            }
        }
    }
    for n in 0..extra {
        target.start_file(format!("flood/{n}"), options)?;
        target.write_all(b"x")?;
    }
    target.finish()?;
    Ok(std::fs::metadata(to)?.len())
}

async fn store_with(db: &TestDatabase, limits: PortableLimits) -> Result<Store, StoreError> {
    let mut options = db.options();
    options.portable_limits = limits;
    Store::open_with(options).await
}

fn small_limits() -> PortableLimits {
    PortableLimits {
        max_file_bytes: 4 * MIB,
        max_entries: 64,
        max_manifest_bytes: MIB,
        max_part_bytes: MIB,
        max_evidence_bytes: MIB,
        max_total_bytes: 3 * MIB,
    }
}

hicp_store::backend_tests! {
    async fn hostile_files_are_refused_and_store_nothing(db) {
        let source = TestDatabase::create(db.backend()).await.ok_or("source database")?;
        let source_store = source.open().await?;
        let seeded = seed(&source_store, "family-practice").await;
        let good = db.dir().join("good.hicp.zip");
        source_store.export_organization(seeded.organization.id, &good).await?;
        let backup = db.dir().join("backup.hicp.zip");
        source_store.backup(&backup).await?;
        let dir = db.dir();

        // With the default limits: a manifest that inflates to 64 MiB from a small file.
        let manifest_bomb = dir.join("manifest-bomb.zip");
        let size = build(&good, &manifest_bomb, Some(("manifest.json", 64 * MIB)), 0)?;
        assert!(size < 200 * 1024, "the bomb is small on disk: {size} bytes");
        // With small limits, so the test stays cheap: one data part, and all parts together.
        let part_bomb = dir.join("part-bomb.zip");
        build(&good, &part_bomb, Some(("data/answers.json", 8 * MIB)), 0)?;
        let flood = dir.join("flood.zip");
        build(&good, &flood, None, 100)?;
        let oversized = dir.join("oversized.zip");
        build(&good, &oversized, None, 0)?;
        std::fs::OpenOptions::new().append(true).open(&oversized)?.write_all(&vec![0u8; 5 * MIB as usize])?;
        let truncated = dir.join("truncated.zip");
        let bytes = std::fs::read(&good)?;
        std::fs::write(&truncated, bytes.get(..bytes.len() / 2).ok_or("half")?)?;

        let default_store = db.open().await?;
        let mut raw = Raw::connect(db).await;
        let before = raw.counts().await;
        let refused = default_store.import_organization(&ACTOR, &manifest_bomb, &mut |_| {}).await.expect_err("bomb");
        let message = refused.to_string();
        assert!(message.contains("manifest.json") && message.contains("16777216"), "{message}");
        assert!(message.contains(&manifest_bomb.display().to_string()), "names the file: {message}");
        default_store.close().await;

        let store = store_with(db, small_limits()).await?;
        let cases: [(&Path, &str); 5] = [
            (&manifest_bomb, "limit of 1048576 bytes for one part"),
            (&part_bomb, "`data/answers.json` decompresses to more than the limit of 1048576"),
            (&flood, "more than the limit of 64"),
            (&oversized, "more than the limit of 4194304 bytes for a portable file"),
            (&truncated, "damaged or truncated"),
        ];
        for (file, expected) in cases {
            let error = store.import_organization(&ACTOR, file, &mut |_| {}).await.expect_err("refused");
            assert!(matches!(error, StoreError::Portable { .. }), "{}: {error}", file.display());
            assert!(error.to_string().contains(expected), "{}: {error}", file.display());
            let restore = store.restore(&importer(), file, true, &mut |_| {}).await.expect_err("refused");
            assert!(matches!(restore, StoreError::Portable { .. }), "{}: {restore}", file.display());
        }
        // The whole-file budget: each part under its own limit, together over it.
        let total_only = PortableLimits { max_part_bytes: 16 * MIB, max_total_bytes: 2 * MIB, max_file_bytes: 64 * MIB, ..small_limits() };
        let store = store_with(db, total_only).await?;
        let error = store.import_organization(&ACTOR, &part_bomb, &mut |_| {}).await.expect_err("over the total");
        assert!(error.to_string().contains("in total"), "{error}");
        // A backup where an export belongs is named for what it is.
        let wrong = store.import_organization(&ACTOR, &backup, &mut |_| {}).await.expect_err("wrong kind");
        assert!(matches!(wrong, StoreError::WrongPortableKind { .. }), "{wrong}");

        assert_eq!(raw.counts().await, before, "refused files store nothing");
        // The same limits let an honest file through.
        store_with(db, small_limits()).await?.import_organization(&ACTOR, &good, &mut |_| {}).await?;
        Ok(())
    }
}
