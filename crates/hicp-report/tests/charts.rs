//! The SVG charts: pinned by snapshots, well-formed XML, accessible, self-contained.

mod common;

use hicp_report::charts::{
    practice_bars_svg, practice_radar_svg, practice_trend_svg, threat_heatmap_svg, threat_trend_svg,
};
use quick_xml::Reader;
use quick_xml::events::Event;

type Chart = fn(&hicp_engine::Evaluation) -> String;
const CHARTS: [(&str, Chart); 3] = [
    ("practice-bars", practice_bars_svg),
    ("practice-radar", practice_radar_svg),
    ("threat-heatmap", threat_heatmap_svg),
];

/// Parses the whole document, returning the element names in order.
fn elements(svg: &str) -> Vec<String> {
    let mut reader = Reader::from_str(svg);
    let mut names = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                names.push(e.name().as_ref().to_string());
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!(
                "not well-formed at byte {}: {error}\n{svg}",
                reader.buffer_position()
            ),
        }
    }
    names
}

#[test]
fn charts_match_their_snapshots() {
    let fixture = common::hostile();
    for (name, chart) in CHARTS {
        insta::assert_snapshot!(name, chart(&fixture.evaluation));
    }
}

#[test]
fn charts_are_well_formed_and_accessible() {
    let fixture = common::hostile();
    for (name, chart) in CHARTS {
        let svg = chart(&fixture.evaluation);
        let names = elements(&svg);
        assert_eq!(names.first().map(String::as_str), Some("svg"), "{name}");
        assert_eq!(names.get(1).map(String::as_str), Some("title"), "{name}");
        assert_eq!(names.get(2).map(String::as_str), Some("desc"), "{name}");
        assert!(svg.contains(&format!(r#"aria-labelledby="{name}-title {name}-desc""#)));
        assert!(svg.contains(r#"role="img""#), "{name}");
        for forbidden in ["<script", "<image", "href=", "url(", "<style", "@import"] {
            assert!(!svg.contains(forbidden), "{name} contains {forbidden}");
        }
    }
}

#[test]
fn descriptions_state_the_data_in_words() {
    let fixture = common::hostile();
    let bars = practice_bars_svg(&fixture.evaluation);
    for practice in &fixture.evaluation.practices {
        assert!(bars.contains(&practice.title), "{}", practice.title);
    }
    let heatmap = threat_heatmap_svg(&fixture.evaluation);
    assert_eq!(fixture.evaluation.threats.len(), 5);
    for threat in &fixture.evaluation.threats {
        assert!(heatmap.contains(&threat.name), "{}", threat.name);
    }
    // Five markers on the grid plus five in the key.
    assert_eq!(heatmap.matches("<circle").count(), 10);
}

#[test]
fn charts_are_deterministic() {
    let fixture = common::hostile();
    for (name, chart) in CHARTS {
        assert_eq!(
            chart(&fixture.evaluation),
            chart(&fixture.evaluation),
            "{name}"
        );
    }
}

#[test]
fn radar_marks_each_scored_practice() {
    let fixture = common::hostile();
    let radar = practice_radar_svg(&fixture.evaluation);
    let scored = fixture
        .evaluation
        .practices
        .iter()
        .filter(|p| p.score.is_some())
        .count();
    assert_eq!(radar.matches("<circle").count(), scored);
    // Four grid rings and the score shape.
    assert_eq!(radar.matches("<polygon").count(), 5);
}

#[test]
fn trends_show_one_bar_per_scored_value_and_escape_labels() {
    let hostile = common::hostile();
    let clinic = common::example("family-practice");
    let points = [
        ("<b>2025</b>", &clinic.evaluation),
        ("2026 & after", &hostile.evaluation),
    ];
    for (name, svg) in [
        ("practice-trend", practice_trend_svg(&points)),
        ("threat-trend", threat_trend_svg(&points)),
    ] {
        let names = elements(&svg);
        assert_eq!(names.get(1).map(String::as_str), Some("title"), "{name}");
        assert_eq!(names.get(2).map(String::as_str), Some("desc"), "{name}");
        assert!(svg.contains(&format!(r#"aria-labelledby="{name}-title {name}-desc""#)));
        assert!(svg.contains("&lt;b&gt;2025&lt;/b&gt;"), "{name}");
        assert!(!svg.contains("<b>"), "{name}");
        assert!(svg.contains("2026 &amp; after"), "{name}");
    }
    let scored =
        |e: &hicp_engine::Evaluation| e.practices.iter().filter(|p| p.score.is_some()).count();
    let bars = practice_trend_svg(&points);
    // One bar per scored practice per assessment, plus a key swatch per assessment.
    assert_eq!(
        bars.matches("<rect").count(),
        scored(&clinic.evaluation) + scored(&hostile.evaluation) + 2
    );
    let threats = threat_trend_svg(&points);
    assert_eq!(threats.matches("<rect").count(), 5 + 5 + 2);
    assert_eq!(practice_trend_svg(&points), bars, "deterministic");
}
