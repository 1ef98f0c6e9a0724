//! deviations: the check both differential suites make of their tables of deliberate
//! differences: each entry names a real step of a real case and is listed in its document.

/// `cases`: (name, number of steps) of every case; `deviations`: (case, step) of every table
/// entry; `doc_path`: the document that must name each such case in backquotes.
pub fn check_documented(doc_path: &str, cases: &[(&str, usize)], deviations: &[(&str, usize)]) {
    let doc = std::fs::read_to_string(doc_path).unwrap_or_else(|e| panic!("cannot read {doc_path}: {e}"));
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
            "{doc_path} does not list the deviation of case `{case}`"
        );
    }
}
