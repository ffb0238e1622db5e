//! `diff` finds what an administrator needs to review between two editions.

use hicp_catalog::{Catalog, Change, Retitled, SubPracticeId, diff};

fn id(text: &str) -> SubPracticeId {
    text.parse().expect("valid id")
}

#[test]
fn identical_catalogs_have_no_differences() {
    let catalog = Catalog::embedded().expect("embedded catalog");
    assert!(diff(&catalog, &catalog).is_empty());
}

#[test]
fn added_removed_retitled_and_changed_are_found() {
    let old = Catalog::embedded().expect("embedded catalog");
    let mut new = old.clone();
    // Remove 7.L.C, add a 7.L.D, retitle 7.M.B, and narrow 7.M.A's threats.
    new.sub_practices.retain(|s| s.id != id("7.L.C"));
    let mut added = old.sub_practice(&id("7.L.B")).expect("7.L.B").clone();
    added.id = id("7.L.D");
    new.sub_practices.push(added);
    new.sub_practices.sort_by(|a, b| a.id.cmp(&b.id));
    let retitle = new
        .sub_practices
        .iter_mut()
        .find(|s| s.id == id("7.M.B"))
        .expect("7.M.B");
    retitle.title = "Web Application Security Testing".into();
    let narrowed = new
        .sub_practices
        .iter_mut()
        .find(|s| s.id == id("7.M.A"))
        .expect("7.M.A");
    narrowed.threats = vec![2, 5];

    let d = diff(&old, &new);
    assert_eq!(d.added, [id("7.L.D")]);
    assert_eq!(d.removed, [id("7.L.C")]);
    assert_eq!(
        d.retitled,
        [Retitled {
            id: id("7.M.B"),
            old: "Web Application Scanning".into(),
            new: "Web Application Security Testing".into(),
        }]
    );
    assert_eq!(
        d.changed,
        [Change {
            id: id("7.M.A"),
            field: "threats",
            old: "2, 4, 5".into(),
            new: "2, 5".into(),
        }]
    );
}

#[test]
fn changed_prerequisites_and_prose_are_reported() {
    let old = Catalog::embedded().expect("embedded catalog");
    let mut new = old.clone();
    let s = new
        .sub_practices
        .iter_mut()
        .find(|s| s.id == id("7.M.D"))
        .expect("7.M.D");
    s.prerequisites.clear();
    s.summary.push_str(" Reworded.");
    let d = diff(&old, &new);
    let fields: Vec<&str> = d.changed.iter().map(|c| c.field).collect();
    assert_eq!(fields, ["prerequisites", "summary"]);
    assert!(!d.changed[0].is_prose());
    assert!(d.changed[1].is_prose());
}
