//! Writes a synthetic `.nessus` file of about the size asked for, for the benchmark:
//! `cargo run --release -p hicp-evidence --example generate_nessus -- OUT.nessus 1024` (MB).
//! Each host has 40 findings with realistic text sizes (about 1.7 KB each), the shape of a
//! large hospital scan: 1 GB is about 600k findings on 15k hosts.

use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "synthetic.nessus".into());
    let megabytes: u64 = args.next().and_then(|m| m.parse().ok()).unwrap_or(100);
    let target = megabytes * 1024 * 1024;
    let mut file = BufWriter::new(std::fs::File::create(&out)?);
    let mut written: u64 = 0;
    let emit = |file: &mut BufWriter<std::fs::File>, written: &mut u64, text: &str| {
        *written += text.len() as u64;
        file.write_all(text.as_bytes())
    };
    emit(
        &mut file,
        &mut written,
        "<?xml version=\"1.0\" ?>\n<NessusClientData_v2>\n<Policy><policyName>Synthetic</policyName></Policy>\n<Report name=\"synthetic\" xmlns:cm=\"http://www.nessus.org/cm\">\n",
    )?;
    let description = "The remote host is missing one or more security updates. ".repeat(12);
    let mut host = 0u32;
    let mut findings = 0u64;
    while written < target {
        let ip = format!("10.{}.{}.{}", host >> 16 & 255, host >> 8 & 255, host & 255);
        emit(
            &mut file,
            &mut written,
            &format!(
                "<ReportHost name=\"{ip}\"><HostProperties>\n<tag name=\"HOST_END_TIMESTAMP\">1700003600</tag>\n<tag name=\"host-ip\">{ip}</tag>\n<tag name=\"host-fqdn\">host{host}.example.org</tag>\n<tag name=\"Credentialed_Scan\">{}</tag>\n<tag name=\"HOST_START_TIMESTAMP\">1700000000</tag>\n</HostProperties>\n",
                !host.is_multiple_of(3)
            ),
        )?;
        for item in 0..40u32 {
            let severity = [0, 0, 0, 0, 1, 2, 2, 3, 3, 4][(item % 10) as usize];
            emit(
                &mut file,
                &mut written,
                &format!(
                    "<ReportItem port=\"{}\" svc_name=\"www\" protocol=\"tcp\" severity=\"{severity}\" pluginID=\"{}\" pluginName=\"Synthetic check {item}\" pluginFamily=\"General\">\n<description>{description}</description>\n<plugin_output>Installed version : 1.{item}\nFixed version : 1.{}\n</plugin_output>\n<risk_factor>High</risk_factor>\n<solution>Update the affected packages.</solution>\n<cve>CVE-2021-{}</cve>\n<cve>CVE-2023-{}</cve>\n</ReportItem>\n",
                    80 + item,
                    100_000 + item,
                    item + 1,
                    40_000 + item,
                    20_000 + host % 1000
                ),
            )?;
            findings += 1;
        }
        emit(&mut file, &mut written, "</ReportHost>\n")?;
        host += 1;
    }
    emit(
        &mut file,
        &mut written,
        "</Report>\n</NessusClientData_v2>\n",
    )?;
    file.flush()?;
    eprintln!("{out}: {written} bytes, {host} hosts, {findings} findings");
    Ok(())
}
