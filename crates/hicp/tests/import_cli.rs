//! `hicp import` end to end on the real scanner exports in `../shared/testdata`, read in place.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};

/// `../shared/testdata` beside the repository, or `None` (the caller prints that it skipped).
fn testdata() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} is absent, so the real samples were not read",
            path.display()
        );
        None
    }
}

fn hicp() -> Command {
    Command::cargo_bin("hicp").expect("the hicp binary is built")
}

fn import_json(args: &[&Path]) -> Value {
    let output = hicp()
        .args(["import", "nessus", "--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

/// Counts an element's opening tags in the raw text: an independent check of the reader.
fn tags(path: &Path, element: &str) -> u64 {
    let text = std::fs::read_to_string(path).expect("a UTF-8 sample");
    text.matches(&format!("<{element} ")).count() as u64
}

#[test]
fn the_summary_counts_every_host_and_finding_of_real_exports() {
    let Some(data) = testdata() else { return };
    for name in [
        "python-libnessus/nessus_report_local_3.nessus",
        "python-libnessus/nessus_report_test_local.nessus",
        "defectdojo/nessus/nessus_with_cvssv3.nessus",
    ] {
        let path = data.join(name);
        let summary = import_json(&[&path]);
        assert_eq!(
            summary["findings"],
            tags(&path, "ReportItem"),
            "{name}: {summary}"
        );
        assert_eq!(
            summary["hosts"],
            tags(&path, "ReportHost"),
            "{name}: {summary}"
        );
        let by_severity = &summary["by_severity"];
        let total: u64 = ["critical", "high", "medium", "low", "info"]
            .iter()
            .map(|level| by_severity[level].as_u64().expect("a count"))
            .sum();
        assert_eq!(Some(total), summary["findings"].as_u64(), "{name}");
        assert!(summary.get("kev_matches").is_none(), "no catalog, no count");
        let file = &summary["files"][0];
        assert_eq!(file["sha256"].as_str().map(str::len), Some(64));
        assert_eq!(
            file["bytes"].as_u64(),
            Some(std::fs::metadata(&path).expect("exists").len())
        );
    }
}

#[test]
fn several_files_sum_into_one_summary_and_kev_matches_are_counted() {
    let Some(data) = testdata() else { return };
    let first = data.join("python-libnessus/nessus_report_local_3.nessus");
    let second = data.join("python-libnessus/nessus_report_local2.nessus");
    let kev = data.join("cisa-kev/known_exploited_vulnerabilities.json");
    let output = hicp()
        .args(["import", "nessus", "--format", "json", "--kev"])
        .arg(&kev)
        .arg(&first)
        .arg(&second)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let both: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let findings = |v: &Value| v["findings"].as_u64().expect("a count");
    assert_eq!(
        findings(&both),
        findings(&import_json(&[&first])) + findings(&import_json(&[&second]))
    );
    assert_eq!(both["files"].as_array().map(Vec::len), Some(2));
    let matches = both["kev_matches"]
        .as_u64()
        .expect("counted with a catalog");
    assert!(matches <= findings(&both));
}

#[test]
fn a_file_that_is_not_a_nessus_export_is_refused_with_its_place() {
    let Some(data) = testdata() else { return };
    for (name, expected) in [
        (
            "parsedmarc/aggregate/invalid_xml.xml",
            "not <NessusClientData_v2>",
        ),
        ("parsedmarc/aggregate/invalid_utf_8.xml", "not UTF-8"),
    ] {
        let path = data.join(name);
        let output = hicp()
            .args(["import", "nessus"])
            .arg(&path)
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{name} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&format!("{}:", path.display())), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            output.stdout.is_empty(),
            "nothing is printed from a refused file"
        );
    }
}

#[test]
fn an_unknown_format_lists_the_known_ones() {
    let output = hicp()
        .args(["import", "nmap", "x.xml"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("nessus") && stderr.contains("kev"),
        "{stderr}"
    );
}

fn kept_command(db: &hicp_store::testing::TestDatabase, args: &[&str]) -> std::process::Output {
    hicp()
        .args(args)
        .env("HICP_DATABASE_URL", db.url())
        .env("HICP_DATA_DIR", db.dir())
        .output()
        .expect("runs")
}

fn kept_json(db: &hicp_store::testing::TestDatabase, args: &[&str]) -> Value {
    let output = kept_command(db, args);
    assert!(
        output.status.success(),
        "hicp {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

hicp_store::backend_tests! {
    async fn scans_and_inventories_are_kept_once_with_their_metrics(db) {
        let Some(data) = testdata() else { return Ok(()) };
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/community-hospital.toml");
        let created = kept_command(db, &["org", "create", "--from-assessment", &example.display().to_string()]);
        assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
        let org = "Riverbend Community Hospital";
        let inventory = data.join("snipe-it/assets-sample.csv").display().to_string();
        let scan = data.join("python-libnessus/nessus_report_local_3.nessus").display().to_string();
        let kev = data.join("cisa-kev/known_exploited_vulnerabilities.json").display().to_string();

        let kept = kept_json(db, &["import", "inventory", &inventory, "--org", org, "--format", "json"]);
        let assets = kept[0]["summary"]["assets"].as_u64().ok_or("assets counted")?;
        assert!(assets > 0);
        let kept = kept_json(db, &["import", "nessus", &scan, "--org", org, "--kev", &kev, "--format", "json"]);
        let nessus = &kept[0];
        assert_eq!(nessus["summary"]["findings"], tags(Path::new(&scan), "ReportItem"));
        assert_eq!(nessus["import"]["format"], "nessus");
        assert_eq!(nessus["import"]["sha256"].as_str().map(str::len), Some(64));
        let metrics = &nessus["metrics"];
        assert_eq!(metrics["hosts_scanned"], nessus["summary"]["hosts"]);
        // The scan was reconciled with the inventory kept before it.
        assert_eq!(metrics["inventory"]["assets"], assets, "{metrics}");
        assert!(metrics["inventory"]["scanned_hosts_not_in_inventory"].as_u64() <= metrics["hosts_scanned"].as_u64());
        assert!(metrics["kev"].is_object(), "a KEV catalog was given: {metrics}");

        // The same file again is recognized and nothing is counted twice.
        let again = kept_command(db, &["import", "nessus", &scan, "--org", org]);
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("already"), "{}", String::from_utf8_lossy(&again.stderr));

        let shown = kept_json(db, &["evidence", "metrics", "--org", org, "--format", "json"]);
        let shown = shown.as_array().ok_or("one entry per format")?;
        assert_eq!(shown.len(), 2, "{shown:?}");
        let scan_entry = shown.iter().find(|s| s["import"]["format"] == "nessus").ok_or("the scan")?;
        assert_eq!(scan_entry["metrics"], *metrics, "the metrics shown are those kept");
        assert_eq!(scan_entry["described"].as_array().map(Vec::len), Some(hicp_evidence::DEFINITIONS.len()));
        let text = kept_command(db, &["evidence", "metrics", "--org", org]);
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("nessus_report_local_3.nessus") && text.contains("practice 7"), "{text}");

        // Reports on the organization carry the metrics, with their sources.
        let out = tempfile::tempdir()?;
        let html = out.path().join("report.html");
        let made = kept_command(db, &["report", "--org", org, "--format", "html", "--out", &html.display().to_string()]);
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
        let html = std::fs::read_to_string(&html)?;
        assert!(html.contains("Evidence from your own tools"));
        assert!(html.contains("nessus_report_local_3.nessus (nessus, imported"));
        let tables = out.path().join("csv");
        let made = kept_command(db, &["report", "--org", org, "--format", "csv", "--out", &tables.display().to_string()]);
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
        let evidence = std::fs::read_to_string(tables.join("evidence.csv"))?;
        assert!(evidence.lines().count() > 2, "{evidence}");
        assert!(evidence.contains("Open vulnerabilities by severity"));
        let ar = kept_json(db, &["report", "--org", org, "--format", "oscal-ar"]);
        let tests = ar["assessment-results"]["results"][0]["observations"].as_array().map(|all| all.iter().filter(|o| o["methods"] == json!(["TEST"])).count());
        assert_eq!(tests, Some(evidence.lines().count() - 1), "one observation per metric");

        // So does `hicp assess` for the kept organization, in text and in JSON.
        let summary = kept_command(db, &["assess", "--org", org]);
        assert!(summary.status.success(), "{}", String::from_utf8_lossy(&summary.stderr));
        let summary = String::from_utf8_lossy(&summary.stdout);
        assert!(summary.contains("Evidence from your own tools"), "{summary}");
        assert!(summary.contains("nessus_report_local_3.nessus"));
        let assessed = kept_json(db, &["assess", "--org", org, "--format", "json"]);
        let metrics_listed = assessed["evidence"].as_array().map(Vec::len);
        assert_eq!(metrics_listed, Some(evidence.lines().count() - 1), "the same metrics as the reports");
        let from_file = kept_json(db, &["assess", &example.display().to_string(), "--format", "json"]);
        assert!(from_file.get("evidence").is_none(), "a file has no kept evidence");

        // A KEV catalog is not organization evidence.
        let refused = kept_command(db, &["import", "kev", &kev, "--org", org]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("--kev"));

        // The suggestions, accepted or overridden from the command line, and both recorded.
        let shown = kept_json(db, &["evidence", "suggestions", "--org", org, "--format", "json"]);
        let first = &shown[0];
        let sub_practice = first["suggestion"]["sub_practice"].as_str().ok_or("a suggestion")?.to_string();
        assert_eq!(first["decision"], Value::Null);
        let accepted = kept_json(db, &["evidence", "suggestions", "--org", org, "--accept", &sub_practice, "--format", "json"]);
        let entry = accepted.as_array().and_then(|all| all.iter().find(|s| s["suggestion"]["sub_practice"] == sub_practice.as_str())).ok_or("still suggested")?;
        assert_eq!(entry["decision"]["decision"], "accept");
        assert_eq!(entry["answer_status"], first["suggestion"]["status"]);
        let overridden = kept_command(db, &["evidence", "suggestions", "--org", org, "--override", &sub_practice, "--status", "planned", "--reason", "new scanner licensed in June"]);
        assert!(overridden.status.success(), "{}", String::from_utf8_lossy(&overridden.stderr));
        let text = String::from_utf8_lossy(&overridden.stdout);
        assert!(text.contains("overridden with planned") && text.contains("new scanner licensed in June"), "{text}");
        let bad = kept_command(db, &["evidence", "suggestions", "--org", org, "--accept", "1.S.A"]);
        assert!(!bad.status.success(), "nothing is suggested for email protection");
        Ok(())
    }

    async fn a_scan_of_more_hosts_than_are_held_in_memory_is_kept_whole(db) {
        // More hosts than the metrics hold in memory (4,096), so their identities go through
        // the temporary file and are read back twice: for the metrics and for the rows kept.
        const HOSTS: u32 = 4_500;
        let ip = |n: u32| format!("10.9.{}.{}", n / 250, n % 250 + 1);
        let dir = tempfile::tempdir()?;
        let mut scan = String::from("<?xml version=\"1.0\" ?>\n<NessusClientData_v2><Report name=\"wide\">\n");
        for n in 0..HOSTS {
            let ip = ip(n);
            scan.push_str(&format!(
                "<ReportHost name=\"{ip}\"><HostProperties><tag name=\"host-ip\">{ip}</tag><tag name=\"host-fqdn\">host{n}.example.org</tag><tag name=\"Credentialed_Scan\">{}</tag></HostProperties>\n",
                n % 3 != 0
            ));
            let severity = if n % 4 == 0 { 3 } else { 1 };
            scan.push_str(&format!("<ReportItem port=\"443\" svc_name=\"www\" protocol=\"tcp\" severity=\"{severity}\" pluginID=\"1001\" pluginName=\"Check\"/>\n"));
            scan.push_str("<ReportItem port=\"0\" svc_name=\"general\" protocol=\"tcp\" severity=\"0\" pluginID=\"19506\" pluginName=\"Scan information\"/>\n</ReportHost>\n");
        }
        scan.push_str("</Report></NessusClientData_v2>\n");
        let scan_path = dir.path().join("wide.nessus");
        std::fs::write(&scan_path, scan)?;
        // Every other host is in the inventory; every tenth host is a medical device.
        let mut inventory = String::from("Asset Tag,Name,IP Address,Medical Device\n");
        for n in (0..HOSTS).step_by(2) {
            inventory.push_str(&format!("A-{n},device {n},{},{}\n", ip(n), if n % 10 == 0 { "yes" } else { "no" }));
        }
        let inventory_path = dir.path().join("assets.csv");
        std::fs::write(&inventory_path, inventory)?;

        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/community-hospital.toml");
        let created = kept_command(db, &["org", "create", "--from-assessment", &example.display().to_string()]);
        assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
        let org = "Riverbend Community Hospital";
        let (scan_arg, inventory_arg) = (scan_path.display().to_string(), inventory_path.display().to_string());
        kept_json(db, &["import", "inventory", &inventory_arg, "--org", org, "--format", "json"]);
        let kept = kept_json(db, &["import", "nessus", &scan_arg, "--org", org, "--format", "json"]);
        let metrics = &kept[0]["metrics"];
        assert_eq!(metrics["hosts_scanned"], HOSTS, "{metrics}");
        assert_eq!(metrics["credentialed"]["hosts_credentialed"], 3_000, "{metrics}");
        assert_eq!(metrics["credentialed"]["hosts_known"], HOSTS, "{metrics}");
        assert_eq!(metrics["inventory"]["assets"], 2_250, "{metrics}");
        assert_eq!(metrics["inventory"]["scanned_hosts_not_in_inventory"], 2_250, "{metrics}");
        assert_eq!(metrics["medical_devices"]["devices"], 450, "{metrics}");
        // High findings on every fourth host: the devices among them are every twentieth.
        assert_eq!(metrics["medical_devices"]["with_high_or_critical"], 225, "{metrics}");

        // Every host was kept, once, as the scan named it.
        let store = db.open().await?;
        let organization = store.find_organization(org).await?;
        let (_, hosts) = store.latest_import_hosts(organization.id, "nessus").await?.ok_or("the scan is kept")?;
        assert_eq!(hosts.len(), HOSTS as usize);
        let mut expected: Vec<String> = (0..HOSTS).map(ip).collect();
        expected.sort();
        assert_eq!(hosts.iter().map(|h| h.host_key.clone()).collect::<Vec<_>>(), expected);
        let host_7 = hosts.iter().find(|h| h.host_key == ip(7)).ok_or("host 7")?;
        assert_eq!((host_7.hostname.as_deref(), host_7.credentialed), (Some("host7.example.org"), Some(true)));
        let host_9 = hosts.iter().find(|h| h.host_key == ip(9)).ok_or("host 9")?;
        assert_eq!(host_9.credentialed, Some(false));

        // A later inventory of every host but one, plus one more, is reconciled with the hosts
        // kept: they were stored as the metrics saw them.
        let mut complete = String::from("Asset Tag,Name,IP Address\n");
        for n in 1..=HOSTS {
            complete.push_str(&format!("B-{n},device {n},{}\n", ip(n)));
        }
        let complete_path = dir.path().join("all-assets.csv");
        std::fs::write(&complete_path, complete)?;
        let kept = kept_json(db, &["import", "inventory", &complete_path.display().to_string(), "--org", org, "--format", "json"]);
        let reconciled = &kept[0]["metrics"]["inventory"];
        assert_eq!(reconciled["assets"], HOSTS, "{reconciled}");
        assert_eq!(reconciled["scanned_hosts_not_in_inventory"], 1, "{reconciled}");
        assert_eq!(reconciled["assets_not_scanned_recently"], 1, "{reconciled}");
        Ok(())
    }
}
