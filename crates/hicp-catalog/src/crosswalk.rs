//! Deriving a sub-practice's NIST CSF 2.0 ids and HIPAA Security Rule citations from the
//! CSF 1.1 references HICP publishes, through NIST's mapping tables.

use crate::model::{CsfMapping, HipaaStandard};

/// The CSF 2.0 ids NIST maps the given CSF 1.1 ids to, sorted, each once. A category- or
/// function-level reference (`PR.AT`, `RC`) maps through its own row of the table.
pub fn derive_csf2(csf11: &[String], map: &[CsfMapping]) -> Vec<String> {
    let mut out: Vec<String> = csf11
        .iter()
        .filter_map(|id| map.iter().find(|row| &row.csf11 == id))
        .flat_map(|row| row.csf2.iter().cloned())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The HIPAA Security Rule standards that NIST SP 800-66r2 maps to any of the given CSF 2.0 ids,
/// in the table's order. A topical link, never an official HHS mapping.
pub fn derive_hipaa(csf2: &[String], standards: &[HipaaStandard]) -> Vec<String> {
    standards
        .iter()
        .filter(|s| s.csf2.iter().any(|id| csf2.contains(id)))
        .map(|s| s.citation.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn csf2_ids_are_the_sorted_union_of_the_mapped_rows() {
        let map = vec![
            CsfMapping {
                csf11: "PR.AC-7".into(),
                csf2: strings(&["PR.AA-03", "PR.AA-04"]),
            },
            CsfMapping {
                csf11: "PR.AT".into(),
                csf2: strings(&["PR.AT"]),
            },
            CsfMapping {
                csf11: "PR.AC-1".into(),
                csf2: strings(&["PR.AA-01", "PR.AA-03"]),
            },
        ];
        assert_eq!(
            derive_csf2(&strings(&["PR.AC-1", "PR.AT", "PR.AC-7"]), &map),
            strings(&["PR.AA-01", "PR.AA-03", "PR.AA-04", "PR.AT"])
        );
        assert!(derive_csf2(&strings(&["DE.CM-1"]), &map).is_empty());
    }

    #[test]
    fn hipaa_citations_follow_any_shared_csf2_id() {
        let standards = vec![
            HipaaStandard {
                citation: "164.308(a)(1)".into(),
                name: "a".into(),
                csf2: strings(&["ID.RA-01"]),
            },
            HipaaStandard {
                citation: "164.312(d)".into(),
                name: "b".into(),
                csf2: strings(&["PR.AA-03", "PR.AA-05"]),
            },
        ];
        assert_eq!(
            derive_hipaa(&strings(&["PR.AA-03"]), &standards),
            strings(&["164.312(d)"])
        );
        assert!(derive_hipaa(&strings(&["GV.OC-01"]), &standards).is_empty());
    }
}
