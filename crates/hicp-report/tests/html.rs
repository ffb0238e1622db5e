//! The HTML report: pinned by a snapshot, self-contained, complete, and safe with hostile text.

mod common;

use hicp_report::html;

#[test]
fn html_matches_its_snapshot() {
    let fixture = common::hostile();
    insta::assert_snapshot!("hostile-clinic", html::render(&fixture.input()));
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let fixture = common::hostile();
    let page = html::render(&fixture.input());
    // The organization name, a note, a justification and the label all carry markup.
    for raw in [
        "<script>alert('org')</script>",
        "<img src=x onerror=alert(1)>",
        "</td></tr></table>",
        "<b>draft</b>",
    ] {
        assert!(!page.contains(raw), "unescaped: {raw}");
    }
    assert!(page.contains(
        "&lt;script&gt;alert(&#39;org&#39;)&lt;/script&gt; &amp; &quot;Sons&quot; Clinic"
    ));
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt; MFA on every mailbox"));
    assert!(page.contains("2026 self-assessment &lt;b&gt;draft&lt;/b&gt;"));
    assert!(page.contains("Shared front-desk login — São José site"));
    // No script element at all, and nothing fetched from elsewhere.
    assert!(!page.to_ascii_lowercase().contains("<script"));
    for external in [
        "<link", "<img", "<iframe", " src=\"", "href=\"", "url(", "@import",
    ] {
        assert!(!page.contains(external), "external reference: {external}");
    }
}

#[test]
fn every_section_is_present_and_dated() {
    let fixture = common::hostile();
    let page = html::render(&fixture.input());
    for id in [
        "summary",
        "practices",
        "threats",
        "findings",
        "plan",
        "in-place",
        "crosswalk",
        "methodology",
        "catalog",
    ] {
        assert!(
            page.contains(&format!("<section id=\"{id}\"")),
            "missing section {id}"
        );
    }
    assert!(page.contains("2026-11-01"), "as-of date");
    assert!(page.contains("2026-11-28"), "report date");
    assert!(page.contains(&fixture.catalog.edition.id));
    assert!(page.contains("@media print"));
    // Every finding and every plan item appears.
    for scored in &fixture.evaluation.sub_practices {
        assert!(
            page.contains(&format!("<span class=\"id\">{}</span>", scored.id)),
            "{}",
            scored.id
        );
    }
    for item in &fixture.evaluation.plan.items {
        assert!(page.contains(&item.title), "{}", item.title);
    }
    // Three charts, each with its accessible name.
    for chart in ["practice-bars", "practice-radar", "threat-heatmap"] {
        assert!(
            page.contains(&format!("<title id=\"{chart}-title\">")),
            "{chart}"
        );
    }
}

#[test]
fn crosswalk_confidence_is_marked() {
    let fixture = common::hostile();
    let page = html::render(&fixture.input());
    assert!(page.contains("HPH CPG (inferred)"));
    assert!(page.contains("HIPAA (derived)"));
    assert!(page.contains("CSF 2.0 (derived)"));
}
