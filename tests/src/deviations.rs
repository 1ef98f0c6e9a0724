//! deviations: the checks both differential suites make of their tables: case names are
//! unique and usable as names, and each deliberate difference names a real step of a real
//! case and is listed in its document.

use std::collections::HashSet;

/// Every case name is unique and `[a-z0-9_]` (`why` says where else the name is used);
/// returns the names.
pub fn check_case_names<'a>(names: impl IntoIterator<Item = &'a str>, why: &str) -> HashSet<&'a str> {
    let mut seen = HashSet::new();
    for name in names {
        assert!(seen.insert(name), "two cases are named {name}");
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "case name {name} must be [a-z0-9_]{why}"
        );
    }
    seen
}

/// `cases`: (name, number of steps) of every case; `deviations`: (case, step) of every table
/// entry; `doc_path`: the document that must name each such case in backquotes.
pub fn check_documented(doc_path: &std::path::Path, cases: &[(&str, usize)], deviations: &[(&str, usize)]) {
    let doc = std::fs::read_to_string(doc_path).unwrap_or_else(|e| panic!("cannot read {}: {e}", doc_path.display()));
    for &(case, step) in deviations {
        let &(_, steps) = cases
            .iter()
            .find(|(name, _)| *name == case)
            .unwrap_or_else(|| panic!("deviation for unknown case {case}"));
        assert!(
            step < steps,
            "deviation {case} step {step} but the case has {steps} steps"
        );
        assert!(
            doc.contains(&format!("`{case}`")),
            "{} does not list the deviation of case `{case}`",
            doc_path.display()
        );
    }
}
