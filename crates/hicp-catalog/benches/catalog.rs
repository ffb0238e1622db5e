//! How long loading and exporting the default catalog takes (`cargo bench -p hicp-catalog`).
//! Every command that reads the catalog pays for loading it once.

use hicp_catalog::{Catalog, Tier, export};

fn main() {
    divan::main();
}

#[divan::bench]
fn load_embedded() -> Catalog {
    Catalog::embedded().expect("embedded catalog")
}

#[divan::bench]
fn load_json_export(bencher: divan::Bencher) {
    let catalog = Catalog::embedded().expect("embedded catalog");
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("hicp-catalog.json");
    std::fs::write(&path, export::json(&catalog, None).expect("export")).expect("write");
    bencher.bench(|| Catalog::load_path(&path).expect("load JSON"));
}

#[divan::bench]
fn export_oscal_catalog(bencher: divan::Bencher) {
    let catalog = Catalog::embedded().expect("embedded catalog");
    bencher.bench(|| export::oscal_catalog(&catalog));
}

#[divan::bench]
fn export_json_and_csv(bencher: divan::Bencher) {
    let catalog = Catalog::embedded().expect("embedded catalog");
    bencher.bench(|| {
        (
            export::json(&catalog, Some(Tier::Large)).expect("export"),
            export::csv(&catalog, None),
        )
    });
}
