//! The Nessus reader against every real `.nessus` sample, and against hostile files.
//!
//! Expected numbers were counted independently with Python regular expressions over each file:
//! hosts = number of `<ReportHost` (each has a distinct `host-ip` tag), findings = number of
//! `<ReportItem` start tags, by severity = their `severity="N"` attributes (0 info … 4 critical),
//! KEV matches = items with a `<cve>` listed in the shared KEV JSON.

mod common;

use common::{refusal, summarize, summarize_bytes, testdata};
use hicp_evidence::{BySeverity, Format, KevCatalog, Options, Record};

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

#[test]
fn every_nessus_sample_counts_as_the_file_says() {
    let Some(data) = testdata() else { return };
    let expected: [(&str, u64, u64, [u64; 5]); 9] = [
        ("defectdojo/nessus/issue_6992.nessus", 1, 1, [0, 0, 1, 0, 0]),
        (
            "defectdojo/nessus/nessus_many_vuln.xml",
            1,
            7,
            [7, 0, 0, 0, 0],
        ),
        (
            "defectdojo/nessus/nessus_v_unknown.xml",
            7,
            296,
            [266, 7, 23, 0, 0],
        ),
        (
            "defectdojo/nessus/nessus_with_cvssv3.nessus",
            1,
            49,
            [23, 1, 13, 10, 2],
        ),
        (
            "defectdojo/nessus/nessus_with_cwe-.nessus",
            1,
            1,
            [0, 0, 0, 1, 0],
        ),
        (
            "python-libnessus/nessus_forgedReport_ReportItem.nessus",
            1,
            5,
            [3, 0, 0, 1, 1],
        ),
        (
            "python-libnessus/nessus_report_local2.nessus",
            1,
            62,
            [61, 0, 1, 0, 0],
        ),
        (
            "python-libnessus/nessus_report_local_3.nessus",
            3,
            106,
            [71, 10, 20, 3, 2],
        ),
        (
            "python-libnessus/nessus_report_test_local.nessus",
            2,
            147,
            [119, 8, 19, 0, 1],
        ),
    ];
    for (file, hosts, findings, severities) in expected {
        let (summary, imported, records) = summarize(Format::Nessus, &data.join(file), None)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(summary.hosts, hosts, "{file}");
        assert_eq!(summary.findings, findings, "{file}");
        assert_eq!(summary.by_severity, by_severity(severities), "{file}");
        assert_eq!(
            imported.bytes,
            std::fs::metadata(data.join(file)).unwrap().len()
        );
        let host_records = records
            .iter()
            .filter(|r| matches!(r, Record::Host(_)))
            .count();
        assert_eq!(
            host_records as u64, hosts,
            "{file}: one host record per ReportHost"
        );
    }
}

#[test]
fn kev_matches_and_the_hash_are_reported() {
    let Some(data) = testdata() else { return };
    let kev = KevCatalog::load(
        &data.join("cisa-kev/known_exploited_vulnerabilities.json"),
        Options::default(),
    )
    .unwrap();
    // `python3 -c "len(json.load(...)['vulnerabilities'])"` gives 1404, as does its `count`.
    assert_eq!(kev.len(), 1404);
    let path = data.join("defectdojo/nessus/nessus_with_cvssv3.nessus");
    let (summary, imported, records) = summarize(Format::Nessus, &path, Some(&kev)).unwrap();
    assert_eq!(summary.kev_matches, Some(1));
    // SOURCES.md gives the first 16 hex digits of this file's SHA-256.
    assert!(
        imported.sha256.starts_with("ffe0306a4ec2b33b"),
        "{}",
        imported.sha256
    );
    let json = serde_json::to_value(&summary).unwrap();
    for key in ["hosts", "findings", "by_severity", "kev_matches"] {
        assert!(json.get(key).is_some(), "{key} missing from {json}");
    }
    for key in ["critical", "high", "medium", "low", "info"] {
        assert!(json["by_severity"].get(key).is_some(), "{key} missing");
    }
    let credentialed = records.iter().find_map(|r| match r {
        Record::Host(host) => Some(host.credentialed),
        _ => None,
    });
    assert!(
        credentialed.is_some_and(|c| c.is_some()),
        "the scan says whether it logged in"
    );
}

#[test]
fn bad_real_samples_are_refused_with_a_position() {
    let Some(data) = testdata() else { return };
    for (file, says) in [
        ("python-libnessus/xxxxxxxx.nessus", "empty"),
        ("python-libnessus/hostnessus.xml", "<ReportHost>"),
        ("python-libnessus/reportitems.xml", "<ReportItem>"),
        ("parsedmarc/aggregate/invalid_utf_8.xml", "UTF-8"),
        ("parsedmarc/aggregate/invalid_xml.xml", "<feedback>"),
        ("defectdojo/qualys/Qualys_Sample_Report.xml", "DOCTYPE"),
    ] {
        let problem = match summarize(Format::Nessus, &data.join(file), None) {
            Err(hicp_evidence::ImportError::Input(p)) => p.problems[0].clone(),
            other => panic!("{file}: expected a refusal, got {:?}", other.map(|r| r.0)),
        };
        assert!(problem.message.contains(says), "{file}: {problem}");
        assert!(
            problem.line.is_some() && problem.column.is_some(),
            "{file}: {problem}"
        );
        assert!(problem.file.ends_with(file), "{problem}");
    }
}

const HEAD: &str = "<?xml version=\"1.0\"?>\n<NessusClientData_v2><Report name=\"r\">\n";

#[test]
fn a_doctype_is_refused_before_any_entity_is_read() {
    let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<NessusClientData_v2>&x;</NessusClientData_v2>";
    let problem = refusal(summarize_bytes(Format::Nessus, xxe.as_bytes()));
    assert!(problem.message.contains("DOCTYPE"), "{problem}");
    assert_eq!((problem.line, problem.column), (Some(2), Some(1)));

    let laughs = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">{}]>\n<NessusClientData_v2>&lol9;</NessusClientData_v2>",
        (1..10)
            .map(|i| format!("<!ENTITY lol{i} \"&lol{};&lol{};\">", i - 1, i - 1))
            .collect::<String>()
    );
    let problem = refusal(summarize_bytes(Format::Nessus, laughs.as_bytes()));
    assert!(problem.message.contains("DOCTYPE"), "{problem}");
}

#[test]
fn an_undefined_entity_is_refused_where_it_is() {
    let text = format!(
        "{HEAD}<ReportHost name=\"a\">&secret;</ReportHost></Report></NessusClientData_v2>"
    );
    let problem = refusal(summarize_bytes(Format::Nessus, text.as_bytes()));
    assert!(problem.message.contains("&secret;"), "{problem}");
    assert_eq!(problem.line, Some(3));
}

#[test]
fn a_truncated_file_is_refused_and_nothing_is_counted() {
    let text = format!(
        "{HEAD}<ReportHost name=\"a\"><ReportItem port=\"0\" severity=\"2\" pluginID=\"1\">\n<cve>CVE-2020-0001</cve>\n"
    );
    let problem = refusal(summarize_bytes(Format::Nessus, text.as_bytes()));
    assert!(problem.message.contains("truncated"), "{problem}");
    assert_eq!(problem.line, Some(5), "{problem}");
}

#[test]
fn mismatched_tags_and_bad_bytes_are_placed() {
    let text = format!("{HEAD}<ReportHost name=\"a\">\n  </Report>");
    let problem = refusal(summarize_bytes(Format::Nessus, text.as_bytes()));
    assert!(problem.message.contains("well-formed"), "{problem}");
    assert_eq!(
        (problem.line, problem.column),
        (Some(4), Some(3)),
        "{problem}"
    );

    let mut bytes = HEAD.as_bytes().to_vec();
    bytes.extend_from_slice(b"<ReportHost name=\"caf\xE9\"/>");
    let problem = refusal(summarize_bytes(Format::Nessus, &bytes));
    assert_eq!(
        (problem.line, problem.column),
        (Some(3), Some(22)),
        "{problem}"
    );
}

#[test]
fn a_wrong_severity_or_a_deep_nest_is_refused() {
    let text = format!(
        "{HEAD}<ReportHost name=\"a\"><ReportItem severity=\"9\"/></ReportHost></Report></NessusClientData_v2>"
    );
    let problem = refusal(summarize_bytes(Format::Nessus, text.as_bytes()));
    assert!(problem.message.contains("severity"), "{problem}");

    let deep = format!("{HEAD}{}", "<a>".repeat(100));
    let problem = refusal(summarize_bytes(Format::Nessus, deep.as_bytes()));
    assert!(problem.message.contains("nested"), "{problem}");
}

#[test]
fn a_minimal_report_normalizes_host_and_finding() {
    let text = format!(
        "{HEAD}<ReportHost name=\"srv\"><HostProperties><tag name=\"host-ip\">10.0.0.5</tag>\
         <tag name=\"mac-address\">00-1A-2B-3C-4D-5E\n</tag><tag name=\"Credentialed_Scan\">true</tag>\
         <tag name=\"HOST_START_TIMESTAMP\">1700000000</tag></HostProperties>\
         <ReportItem port=\"443\" protocol=\"tcp\" severity=\"4\" pluginID=\"42\" pluginName=\"X &amp; Y\">\
         <cve>cve-2021-44228</cve><cve>CVE-2021-44228</cve><cve>CVE-2021-45046</cve></ReportItem>\
         </ReportHost></Report></NessusClientData_v2>"
    );
    let mut records = Vec::new();
    hicp_evidence::import_reader(
        Format::Nessus,
        text.as_bytes(),
        "t",
        None,
        Options::default(),
        &mut |r| {
            records.push(r);
            Ok(())
        },
    )
    .unwrap();
    let [Record::Finding(finding), Record::Host(host)] = records.as_slice() else {
        panic!("{records:?}")
    };
    assert_eq!(finding.name, "X & Y");
    assert_eq!(finding.port, Some(443));
    assert_eq!(finding.cves, ["CVE-2021-44228", "CVE-2021-45046"]);
    assert_eq!(finding.host.ip.as_deref(), Some("10.0.0.5"));
    assert_eq!(finding.host.macs, ["00:1a:2b:3c:4d:5e"]);
    assert_eq!(host.credentialed, Some(true));
    assert_eq!(host.scan_start, Some(1_700_000_000));
}
