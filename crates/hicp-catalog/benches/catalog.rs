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

/// A hostile JSON file: one object with 200,000 keys and a duplicate of the first at the end.
/// The duplicate-key check must stay linear for this to be refused quickly.
#[divan::bench]
fn refuse_wide_json_with_a_late_duplicate(bencher: divan::Bencher) {
    let mut text = String::from("{");
    for i in 0..200_000 {
        text.push_str(&format!("\"k{i}\": {i}, "));
    }
    text.push_str("\"k0\": 0}");
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("wide.json");
    std::fs::write(&path, text).expect("write");
    bencher.bench(|| Catalog::load_path(&path).expect_err("duplicate key"));
}
