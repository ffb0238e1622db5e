//! The Greenbone, Tenable CSV, Qualys CSV and inventory readers against every real sample of
//! their kind, and against hostile input.
//!
//! Expected numbers were counted independently with Python (`re` over the XML, `csv` over the
//! CSV files): for Greenbone, `<result id=` elements, distinct leading `<host>` text and the
//! `<severity>` score of each on the CVSS v3 scale; for the CSV exports, non-blank data rows,
//! with a run of rows identical but for the CVE cell counted once (Tenable's one-row-per-CVE
//! layout), severity words or levels per row, and distinct host keys (address, else FQDN,
//! else name).

mod common;

use common::{refusal, summarize, summarize_bytes, testdata};
use hicp_evidence::{
    BySeverity, Format, ImportError, InventoryMapping, KevCatalog, Options, Record, import_reader,
};

fn by_severity(counts: [u64; 5]) -> BySeverity {
    let [info, low, medium, high, critical] = counts;
    BySeverity {
        critical,
        high,
        medium,
        low,
        info,
    }
}

fn findings_of(records: &[Record]) -> Vec<&hicp_evidence::Finding> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Finding(f) => Some(f),
            _ => None,
        })
        .collect()
}

#[test]
fn greenbone_samples_count_as_the_files_say() {
    let Some(data) = testdata() else { return };
    for (file, hosts, findings, severities) in [
        ("defectdojo/openvas/many_vuln.xml", 1, 44, [0, 0, 25, 11, 8]),
        ("defectdojo/openvas/one_vuln.xml", 1, 1, [0, 0, 0, 0, 1]),
        ("defectdojo/openvas/no_vuln.xml", 0, 0, [0, 0, 0, 0, 0]),
    ] {
        let (summary, imported, _) = summarize(Format::Openvas, &data.join(file), None)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(summary.hosts, hosts, "{file}");
        assert_eq!(summary.findings, findings, "{file}");
        assert_eq!(summary.by_severity, by_severity(severities), "{file}");
        assert_eq!(imported.format, Format::Openvas);
    }
}

#[test]
fn greenbone_results_carry_host_port_cves_and_the_host_block() {
    let Some(data) = testdata() else { return };
    let (_, _, records) = summarize(
        Format::Openvas,
        &data.join("defectdojo/openvas/many_vuln.xml"),
        None,
    )
    .unwrap();
    let findings = findings_of(&records);
    let first = findings[0];
    assert_eq!(first.host.name, "192.168.1.1001");
    assert_eq!(first.host.fqdn.as_deref(), Some("b6b9f466d63"));
    assert_eq!(first.port, Some(512));
    assert_eq!(first.protocol.as_deref(), Some("tcp"));
    assert_eq!(first.check_id, "1.3.6.1.4.1.25623.1.0.100111");
    assert_eq!(first.name, "The rexec service is running");
    assert_eq!(first.cves, ["CVE-1999-0618"]);
    // 55 `type="cve"` references in the file, none repeated within a result.
    let cves: usize = findings.iter().map(|f| f.cves.len()).sum();
    assert_eq!(cves, 55);
    let host = records
        .iter()
        .find_map(|r| match r {
            Record::Host(h) => Some(h),
            _ => None,
        })
        .expect("the report-level <host> block is a host record");
    assert_eq!(host.identity.key(), first.host.key());
    assert_eq!(
        host.scan_start,
        hicp_evidence::parse_timestamp("2023-09-26T10:50:34Z")
    );
}

const OMP: &str = r#"<?xml version="1.0"?>
<get_reports_response status="200" status_text="OK">
<report id="r1" format_id="a994b278-1f62-11e1-96ac-406186ea4fc5" extension="xml" type="scan" content_type="text/xml">
<report id="r1"><omp><version>5.0</version></omp>
<results start="1" max="100">
<result id="a"><subnet>10.0.0.9</subnet><host>10.0.0.9</host><port>microsoft-ds (445/tcp)</port>
<nvt oid="1.3.6.1.4.1.25623.1.0.902269"><name>SMB Remote Code Execution</name><cvss_base>10.0</cvss_base>
<risk_factor>Critical</risk_factor><cve>CVE-2010-2729, cve-2010-2730</cve><bid>NOBID</bid><xref>URL:http://x</xref></nvt>
<threat>High</threat><description>vulnerable</description>
<notes><note id="n"><text>seen</text><result id="a"/></note></notes>
<overrides><override id="o"><result id="a"><host>10.0.0.9</host></result></override></overrides>
</result>
<result id="b"><host>10.0.0.9</host><port>general/tcp</port><nvt oid="1.3.6.1.4.1.25623.1.0.1"><name>OS</name><cvss_base>0.0</cvss_base><cve>NOCVE</cve></nvt><threat>Log</threat></result>
<result id="c"><host>10.0.0.10</host><port>80/tcp</port><nvt oid="1.3.6.1.4.1.25623.1.0.2"><name>Web</name><cvss_base>5.0</cvss_base></nvt><threat>Medium</threat></result>
</results>
<host_start><host>10.0.0.9</host>Mon Jan  6 10:00:00 2014</host_start>
</report></report></get_reports_response>"#;

#[test]
fn the_older_omp_form_reads_too_and_embedded_results_are_not_counted() {
    let summary = summarize_bytes(Format::Openvas, OMP.as_bytes()).unwrap();
    assert_eq!(summary.findings, 3, "notes and overrides embed <result>s");
    assert_eq!(summary.hosts, 2);
    assert_eq!(summary.by_severity, by_severity([1, 0, 1, 1, 0]));
    let mut records = Vec::new();
    import_reader(
        Format::Openvas,
        OMP.as_bytes(),
        "omp.xml",
        None,
        Options::default(),
        &mut |r| {
            records.push(r);
            Ok(())
        },
    )
    .unwrap();
    let first = findings_of(&records)[0];
    assert_eq!(first.cves, ["CVE-2010-2729", "CVE-2010-2730"]);
    assert_eq!(first.port, Some(445));
}

#[test]
fn greenbone_refusals_are_placed() {
    let problem = refusal(summarize_bytes(Format::Openvas, b""));
    assert!(problem.message.contains("empty"), "{problem}");
    let problem = refusal(summarize_bytes(
        Format::Openvas,
        b"<?xml version=\"1.0\"?>\n<NessusClientData_v2/>",
    ));
    assert!(problem.message.contains("root element"), "{problem}");
    assert_eq!(problem.line, Some(2));
    let problem = refusal(summarize_bytes(
        Format::Openvas,
        b"<report id=\"x\"><name>n</name></report>",
    ));
    assert!(problem.message.contains("no <results>"), "{problem}");
    let truncated = &OMP.as_bytes()[..OMP.len() / 2];
    let problem = refusal(summarize_bytes(Format::Openvas, truncated));
    assert!(problem.message.contains("truncated"), "{problem}");
    let mut bad = OMP.as_bytes().to_vec();
    let at = OMP.find("vulnerable").unwrap();
    bad[at] = 0xFF;
    let problem = refusal(summarize_bytes(Format::Openvas, &bad));
    assert!(problem.message.contains("UTF-8"), "{problem}");
    assert_eq!(problem.line, Some(9), "{problem}");
}

#[test]
fn real_non_greenbone_files_are_refused() {
    let Some(data) = testdata() else { return };
    for (file, says) in [
        ("python-libnessus/xxxxxxxx.nessus", "empty"),
        (
            "defectdojo/nessus/nessus_with_cvssv3.nessus",
            "root element",
        ),
        ("defectdojo/qualys/Qualys_Sample_Report.xml", "DOCTYPE"),
        ("parsedmarc/aggregate/invalid_xml.xml", "<feedback>"),
        ("defectdojo/rapid7_nexpose/no_vuln.xml", "root element"),
    ] {
        let problem = match summarize(Format::Openvas, &data.join(file), None) {
            Err(ImportError::Input(p)) => p.problems[0].clone(),
            other => panic!("{file}: expected a refusal, got {:?}", other.map(|r| r.0)),
        };
        assert!(problem.message.contains(says), "{file}: {problem}");
        assert!(
            problem.line.is_some() && problem.column.is_some(),
            "{problem}"
        );
    }
}

#[test]
fn tenable_csv_samples_count_as_the_files_say() {
    let Some(data) = testdata() else { return };
    for (file, hosts, findings, severities) in [
        ("nessus_many_vuln2-default.csv", 1, 30, [29, 0, 1, 0, 0]),
        ("nessus_many_vuln2-all.csv", 1, 30, [29, 0, 1, 0, 0]),
        ("nessus-template.csv", 2, 5, [0, 0, 3, 1, 1]),
        ("nessus_many_vuln_tenablesc.csv", 2, 4, [0, 0, 4, 0, 0]),
        ("nessus_new_semicolon.csv", 99, 99, [0, 99, 0, 0, 0]),
        ("tenable_many_vuln.csv", 2, 9, [0, 0, 6, 3, 0]),
        ("issue_11102.csv", 2, 3, [0, 0, 0, 3, 0]),
    ] {
        let path = data.join("defectdojo/tenable_csv").join(file);
        let (summary, _, _) =
            summarize(Format::TenableCsv, &path, None).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(summary.hosts, hosts, "{file}");
        assert_eq!(summary.findings, findings, "{file}");
        assert_eq!(summary.by_severity, by_severity(severities), "{file}");
    }
}

#[test]
fn tenable_rows_split_by_cve_become_one_finding() {
    let Some(data) = testdata() else { return };
    let path = data.join("defectdojo/tenable_csv/tenable_many_vuln.csv");
    let (_, _, records) = summarize(Format::TenableCsv, &path, None).unwrap();
    let mariadb = findings_of(&records)
        .into_iter()
        .find(|f| f.check_id == "176703")
        .unwrap();
    assert_eq!(mariadb.cves.len(), 10, "{:?}", mariadb.cves);
    assert_eq!(mariadb.cves[0], "CVE-2021-46666");
    assert!(mariadb.first_seen.is_some() && mariadb.last_seen.is_some());
    assert!(!mariadb.fixed);
}

#[test]
fn qualys_samples_count_as_the_files_say() {
    let Some(data) = testdata() else { return };
    for (file, hosts, findings, severities, fixed) in [
        ("Qualys_Sample_Report.csv", 4, 6, [0, 0, 0, 0, 6], 0),
        ("vmdr_many_vulns_qid.csv", 5, 5, [1, 1, 1, 1, 1], 1),
        ("vmdr_many_vulns_cve.csv", 5, 5, [1, 1, 1, 1, 1], 1),
        ("vmdr_no_vuln_qid.csv", 0, 0, [0, 0, 0, 0, 0], 0),
    ] {
        let path = data.join("defectdojo/qualys").join(file);
        let (summary, _, records) =
            summarize(Format::QualysCsv, &path, None).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(summary.hosts, hosts, "{file}");
        assert_eq!(summary.findings, findings, "{file}");
        assert_eq!(summary.by_severity, by_severity(severities), "{file}");
        let fixed_count = findings_of(&records).iter().filter(|f| f.fixed).count();
        assert_eq!(fixed_count, fixed, "{file}");
    }
}

#[test]
fn qualys_cves_dates_and_kev_matches() {
    let Some(data) = testdata() else { return };
    let kev = KevCatalog::load(
        &data.join("cisa-kev/known_exploited_vulnerabilities.json"),
        Options::default(),
    )
    .unwrap();
    let path = data.join("defectdojo/qualys/Qualys_Sample_Report.csv");
    let (summary, _, records) = summarize(Format::QualysCsv, &path, Some(&kev)).unwrap();
    let with_cves = findings_of(&records)
        .into_iter()
        .find(|f| !f.cves.is_empty())
        .unwrap();
    assert_eq!(with_cves.cves.len(), 23);
    assert_eq!(
        findings_of(&records)[0].first_seen,
        hicp_evidence::parse_timestamp("2021-05-13T07:08:28Z")
    );
    // Counted with Python: CVEs of that row present in the KEV JSON.
    let expected = u64::from(with_cves.cves.iter().any(|c| kev.contains(c)));
    assert_eq!(summary.kev_matches, Some(expected));
}

#[test]
fn scanner_csv_refusals_are_placed() {
    let problem = refusal(summarize_bytes(Format::TenableCsv, b""));
    assert!(problem.message.contains("empty"), "{problem}");
    let problem = refusal(summarize_bytes(Format::TenableCsv, b"a,b,c\n1,2,3\n"));
    assert!(problem.message.contains("not a Tenable CSV"), "{problem}");
    let text = "Plugin ID,CVE,Risk,Host,Port\n1,,High,10.0.0.1,80\n2,,Severe,10.0.0.1,80\n";
    let problem = refusal(summarize_bytes(Format::TenableCsv, text.as_bytes()));
    assert_eq!(problem.line, Some(3), "{problem}");
    assert_eq!(problem.key, "Risk");
    assert!(problem.message.contains("Severe"), "{problem}");
    let truncated = "Plugin ID,CVE,Risk,Host,Port\n1,,High,10.0.0.1,80\n2,,Hi";
    let problem = refusal(summarize_bytes(Format::TenableCsv, truncated.as_bytes()));
    assert!(problem.message.contains("truncated"), "{problem}");
    assert_eq!(problem.line, Some(3), "{problem}");
    let mut bad = b"QID,Title,Severity,IP\n1,caf".to_vec();
    bad.extend_from_slice(b"\xE9,5,10.0.0.1\n");
    let problem = refusal(summarize_bytes(Format::QualysCsv, &bad));
    assert!(problem.message.contains("UTF-8"), "{problem}");
    assert_eq!(
        (problem.line, problem.column),
        (Some(2), Some(6)),
        "{problem}"
    );
}

#[test]
fn a_snipe_it_export_reads_with_the_usual_columns() {
    let Some(data) = testdata() else { return };
    let path = data.join("snipe-it/assets-sample.csv");
    let (summary, _, records) = summarize(Format::Inventory, &path, None).unwrap();
    // `python3 -c "csv.reader(open(..., encoding='utf-8-sig'))"`: 22 data rows.
    assert_eq!(summary.assets, 22);
    let Record::Asset(first) = &records[0] else {
        panic!("{:?}", records[0])
    };
    assert_eq!(first.asset_id, "ICC-2065556");
    assert_eq!(first.name.as_deref(), Some("Backhoe"));
    assert_eq!(first.category.as_deref(), Some("Ornamental Railings"));
    assert_eq!(first.model.as_deref(), Some("Macbook Pro 13\""));
    assert!(!first.medical_device);
}

#[test]
fn a_mapping_marks_medical_devices_by_category() {
    let Some(data) = testdata() else { return };
    let path = data.join("snipe-it/assets-sample.csv");
    let mapping = InventoryMapping::from_toml(
        "[columns]\nasset_id = \"Asset Tag\"\nname = \"Name\"\n\n[medical_device]\ncolumn = \"Name\"\nvalues = [\"Backhoe\", \"Dragline\"]\n",
        "mapping.toml",
    )
    .unwrap();
    let mut assets = Vec::new();
    hicp_evidence::import_path(
        Format::Inventory,
        &path,
        Options {
            mapping: Some(&mapping),
            ..Options::default()
        },
        &mut |r| {
            if let Record::Asset(a) = r {
                assets.push(a);
            }
            Ok(())
        },
    )
    .unwrap();
    let medical: Vec<&str> = assets
        .iter()
        .filter(|a| a.medical_device)
        .map(|a| a.name.as_deref().unwrap_or_default())
        .collect();
    let expected = assets
        .iter()
        .filter(|a| matches!(a.name.as_deref(), Some("Backhoe" | "Dragline")))
        .count();
    assert!(expected > 0);
    assert_eq!(medical.len(), expected);
}

#[test]
fn inventory_flags_and_refusals() {
    let text = "Asset Tag,Hostname,IP Address,MAC Address,Medical Device,Last Seen\n\
                A1,pump-1,10.1.0.5,00-1A-2B-3C-4D-5E,yes,2026-11-01\n\
                A2,ws-2,10.1.0.6,,no,\n";
    let mut assets = Vec::new();
    import_reader(
        Format::Inventory,
        text.as_bytes(),
        "inv.csv",
        None,
        Options::default(),
        &mut |r| {
            if let Record::Asset(a) = r {
                assets.push(a);
            }
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(assets.len(), 2);
    assert!(assets[0].medical_device && !assets[1].medical_device);
    assert_eq!(assets[0].mac.as_deref(), Some("00:1a:2b:3c:4d:5e"));
    assert_eq!(
        assets[0].last_seen,
        hicp_evidence::parse_timestamp("2026-11-01")
    );

    let mapping = InventoryMapping::from_toml("[columns]\nip = \"IP Adress\"\n", "m.toml").unwrap();
    let outcome = import_reader(
        Format::Inventory,
        text.as_bytes(),
        "inv.csv",
        None,
        Options {
            mapping: Some(&mapping),
            ..Options::default()
        },
        &mut |_| Ok(()),
    );
    let Err(ImportError::Input(problems)) = outcome else {
        panic!("a mapped column that is not there is refused")
    };
    let problem = &problems.problems[0];
    assert_eq!(problem.key, "columns.ip");
    assert_eq!(problem.hint.as_deref(), Some("did you mean `IP Address`?"));
}

#[test]
fn a_non_utf8_inventory_is_refused_where_the_bad_byte_is() {
    let Some(data) = testdata() else { return };
    let path = data.join("snipe-it/assets-sample-BLANKS.csv");
    let problem = match summarize(Format::Inventory, &path, None) {
        Err(ImportError::Input(p)) => p.problems[0].clone(),
        other => panic!("expected a refusal, got {:?}", other.map(|r| r.0)),
    };
    assert!(problem.message.contains("UTF-8"), "{problem}");
    assert!(
        problem.line.is_some() && problem.column.is_some(),
        "{problem}"
    );
}

#[test]
fn progress_reports_bytes_read_up_to_the_whole_file() {
    let Some(data) = testdata() else { return };
    for (format, file) in [
        (Format::Openvas, "defectdojo/openvas/many_vuln.xml"),
        (
            Format::TenableCsv,
            "defectdojo/tenable_csv/nessus_new_semicolon.csv",
        ),
        (Format::Inventory, "snipe-it/assets-sample.csv"),
    ] {
        let path = data.join(file);
        let size = std::fs::metadata(&path).unwrap().len();
        let mut calls: Vec<(u64, Option<u64>)> = Vec::new();
        let mut progress = |read: u64, total: Option<u64>| calls.push((read, total));
        let imported = hicp_evidence::import_path(
            format,
            &path,
            Options {
                progress: Some(&mut progress),
                ..Options::default()
            },
            &mut |_| Ok(()),
        )
        .unwrap();
        assert_eq!(imported.bytes, size);
        assert_eq!(calls.last(), Some(&(size, Some(size))), "{file}");
        assert!(
            calls.windows(2).all(|w| w[0].0 <= w[1].0),
            "{file}: never backwards"
        );
    }
}

#[test]
fn greenbone_csv_exports_read_under_the_openvas_format() {
    let Some(data) = testdata() else { return };
    // Counted with Python `csv`: data rows, distinct `IP`, and the `CVSS` score of each row.
    for (file, hosts, findings, severities, cves) in [
        ("many_vuln.csv", 1, 4, [0, 1, 2, 0, 1], 2),
        ("report_using_openVAS.csv", 1, 13, [12, 1, 0, 0, 0], 0),
    ] {
        let path = data.join("defectdojo/openvas").join(file);
        let (summary, _, records) =
            summarize(Format::Openvas, &path, None).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(summary.hosts, hosts, "{file}");
        assert_eq!(summary.findings, findings, "{file}");
        assert_eq!(summary.by_severity, by_severity(severities), "{file}");
        let listed: usize = findings_of(&records).iter().map(|f| f.cves.len()).sum();
        assert_eq!(listed, cves, "{file}");
    }
    let problem = refusal(summarize_bytes(Format::Openvas, b"name,value\nx,1\n"));
    assert!(problem.message.contains("Greenbone"), "{problem}");
}
