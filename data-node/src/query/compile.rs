//! compile: InfluxDB 1.6.7's checks of a SELECT before it runs, with its error texts: a port
//! of Go's `query/compile.go` (`compiledStatement.preprocess`, `compile`, `compileFields`,
//! `validateFields`, `validateCondition`, `compileDimensions`, `subquery` and the checks of
//! each function), plus the errors Go finds later without looking at data: when preparing
//! the statement (`*::tag` in a function, a time-string offset) and when building its
//! iterators (a math function inside a transformation).
//!
//! What Go's compiler sees is the statement after `influxql.Reduce`: fields are folded with a
//! `MathValuer` (`1 + 1` is `2`, `abs(-2)` is `-2`, `sqrt('a')` is `nil`), dimensions without
//! one. [`Node`] is that reduced tree: it prints as Go's `String()` so that texts quoting an
//! argument (`found 2.500`, `got *influxql.IntegerLiteral`) read as InfluxDB's.
//!
//! Errors that need the field types (`unsupported mean iterator type: ...`, `type error: ...`)
//! are found when the query runs, not here. Every text was observed on InfluxDB 1.6.7 (see
//! `compile/tests.rs` and `compile/capture.py`).

use std::fmt;

use influxql::duration::format_duration;
use influxql::time::{format_rfc3339_nano, is_time_string, parse_time_string, Location};
use influxql::{
    is_math_function, quote_string, BinaryExpr, BinaryOp, Call, Expr, Fill, Literal, Regex, SelectStatement, Source,
    VarRef, Wildcard,
};

/// InfluxDB's compile-time checks of a SELECT, with its texts: the first failing check in
/// Go's order (condition, dimensions, fields, field mix, then each subquery) gives the error.
pub(super) fn validate(s: &SelectStatement) -> Result<(), String> {
    // now() only matters for whether a time condition is valid (overflows): the clock's will do.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    let deferred =
        compile_statement(s, None, now).map_err(|e| if e == DIVIDE_BY_ZERO { format!("{s} {e}") } else { e })?;
    deferred.map_or(Ok(()), Err)
}

/// Go's compiler divides by zero in two places: reducing a `GROUP BY time(0s, <duration>)`
/// offset modulo the interval, and dividing a duration by a number in (-1, 1) (`1s / 0.5`).
/// It panics, and InfluxDB answers the statement with `<statement> <this>` (statement_id -1).
const DIVIDE_BY_ZERO: &str = "[panic:runtime error: integer divide by zero]";

/// Compiles one statement (a subquery when `parent` is given) and then its subqueries. The
/// `Ok` value is an error Go finds only after compiling, when it prepares the statement or
/// builds its iterators (see [`Compiled::deferred_error`]): it counts only if compiling the
/// whole statement found nothing.
fn compile_statement(s: &SelectStatement, parent: Option<&Compiled>, now: i64) -> Result<Option<String>, String> {
    let mut c = Compiled::preprocess(s, now)?;
    if let Some(parent) = parent {
        c.inherit(parent, s)?;
    }
    let fields = c.compile_fields(s)?;
    c.validate_fields()?;
    let mut deferred = c.deferred_error(&fields);
    for source in &s.sources {
        if let Source::Subquery(q) = source {
            let sub = compile_statement(q, Some(&c), now)?;
            deferred = deferred.or(sub);
        }
    }
    Ok(deferred)
}

/// What compiling a statement found (Go's `compiledStatement`).
#[derive(Debug)]
struct Compiled {
    /// ORDER BY time ASC (the default).
    ascending: bool,
    /// LIMIT (0: none); top()/bottom() may not ask for more.
    limit: u64,
    /// SELECT ... INTO: top()/bottom() then add no columns for their tag arguments.
    has_target: bool,
    /// The GROUP BY time() interval in ns (0: none; a negative one counts as one).
    interval: i64,
    /// The interval came from the outer query: a transformation of a raw field is then fine.
    inherited_interval: bool,
    fill: Fill,
    /// Result columns (fields, and tag arguments of top()/bottom()).
    fields: usize,
    /// Function calls other than math functions (nested distinct() not counted).
    function_calls: usize,
    /// No aggregate so far: only max/min/first/last/percentile/sample/top/bottom.
    only_selectors: bool,
    /// A distinct() that is not inside count() or a transformation.
    has_distinct: bool,
    /// top or bottom, once seen.
    top_bottom: Option<String>,
    /// A raw field, tag or wildcard is selected (a value per point, not per bucket).
    has_aux: bool,
    /// `invalid time dimension offset: ...`, found by Go only when preparing the statement.
    offset_error: Option<String>,
    /// `unsupported call: ...`, found by Go only when building the iterators.
    build_error: Option<String>,
}

impl Compiled {
    /// Go's `preprocess`: the condition is split and checked, then the dimensions.
    fn preprocess(s: &SelectStatement, now: i64) -> Result<Compiled, String> {
        let (location, condition, _) = super::select::time_scope(s, now)?;
        if let Some(condition) = &condition {
            validate_condition(condition)?;
        }
        let mut c = Compiled {
            ascending: s.sort_fields.first().is_none_or(|f| f.ascending),
            limit: s.limit,
            has_target: s.target.is_some(),
            interval: 0,
            inherited_interval: false,
            fill: s.fill,
            fields: 0,
            function_calls: 0,
            only_selectors: true,
            has_distinct: false,
            top_bottom: None,
            has_aux: false,
            offset_error: None,
            build_error: None,
        };
        for d in &s.dimensions {
            c.compile_dimension(d, location.as_ref())?;
        }
        Ok(c)
    }

    /// Go's `subquery`: a subquery runs in its parent's order and, without an interval of its
    /// own, with the parent's; with one, its `fill(null)` becomes `fill(none)`.
    fn inherit(&mut self, parent: &Compiled, s: &SelectStatement) -> Result<(), String> {
        if !s.sort_fields.is_empty() && self.ascending != parent.ascending {
            return Err("subqueries must be ordered in the same direction as the query itself".to_owned());
        }
        self.ascending = parent.ascending;
        if self.interval != 0 && self.fill == Fill::Null {
            self.fill = Fill::None;
        }
        if parent.interval != 0 && self.interval == 0 {
            self.interval = parent.interval;
            self.inherited_interval = true;
        }
        Ok(())
    }

    /// Go's `compileDimensions` for one dimension: tags, regexes, wildcards and at most one
    /// `time(<interval>[, <offset>])`.
    fn compile_dimension(&mut self, d: &Expr, location: Option<&Location>) -> Result<(), String> {
        match reduce_top(d, false)? {
            Node::Var(v) if v.name.to_lowercase() == "time" => {
                Err("time() is a function and expects at least one argument".to_owned())
            }
            Node::Call(name, args) => self.compile_time_dimension(&name, &args, location),
            Node::Var(_) | Node::Wildcard(_) | Node::Lit(Lit::Regex(_)) => Ok(()),
            _ => Err("only time and tag dimensions allowed".to_owned()),
        }
    }

    fn compile_time_dimension(&mut self, name: &str, args: &[Node], location: Option<&Location>) -> Result<(), String> {
        if name != "time" {
            return Err("only time() calls allowed in dimensions".to_owned());
        }
        if args.is_empty() || args.len() > 2 {
            return Err("time dimension expected 1 or 2 arguments".to_owned());
        }
        let Node::Lit(Lit::Dur(interval)) = args[0] else {
            return Err("time dimension must have duration argument".to_owned());
        };
        if self.interval != 0 {
            return Err("multiple time dimensions not allowed".to_owned());
        }
        self.interval = interval;
        match args.get(1) {
            None | Some(Node::Lit(Lit::Time(_))) => Ok(()),
            Some(Node::Lit(Lit::Dur(_))) if interval == 0 => Err(DIVIDE_BY_ZERO.to_owned()),
            Some(Node::Lit(Lit::Dur(_))) => Ok(()),
            Some(Node::Call(f, _)) if f != "now" => Err("time dimension offset function must be now()".to_owned()),
            Some(Node::Call(_, a)) if !a.is_empty() => {
                Err("time dimension offset now() function requires no arguments".to_owned())
            }
            Some(Node::Call(..)) => Ok(()),
            Some(offset @ Node::Lit(Lit::Str(s))) if is_time_string(s) => {
                parse_time_string(s, location).map_err(|e| e.to_string())?;
                self.defer_string_offset(offset);
                Ok(())
            }
            Some(_) => Err("time dimension offset must be duration or now()".to_owned()),
        }
    }

    /// A time string passes the compiler as an offset, but Go's `GroupByOffset` (called when
    /// the statement is prepared, for a positive interval) knows only durations and times.
    fn defer_string_offset(&mut self, offset: &Node) {
        if self.interval > 0 {
            self.offset_error = Some(format!("invalid time dimension offset: {offset}"));
        }
    }

    /// Go's `compileFields`: each field but `time` (which only names the time column) is
    /// reduced and compiled. Returns the reduced fields.
    fn compile_fields(&mut self, s: &SelectStatement) -> Result<Vec<Node>, String> {
        let mut fields = Vec::with_capacity(s.fields.len());
        for f in &s.fields {
            if matches!(&f.expr, Expr::VarRef(v) if v.name == "time") {
                continue;
            }
            self.fields += 1;
            let field = reduce_top(&f.expr, true)?;
            FieldCompiler {
                global: self,
                allow_wildcard: true,
            }
            .compile(&field)?;
            fields.push(field);
        }
        Ok(fields)
    }

    /// The first error Go finds after compiling a statement without data: when preparing it
    /// (a tag wildcard in a function, then a time-string offset), then when building its
    /// iterators (a math function inside a transformation). Go finds them after resolving
    /// the FROM databases and retention policies.
    fn deferred_error(&mut self, fields: &[Node]) -> Option<String> {
        tag_wildcard_error(fields)
            .or_else(|| self.offset_error.take())
            .or_else(|| self.build_error.take())
    }

    /// Go's `validateFields`: what the fields may be mixed with.
    fn validate_fields(&self) -> Result<(), String> {
        if self.fields == 0 {
            return Err("at least 1 non-time field must be queried".to_owned());
        }
        match &self.top_bottom {
            Some(tb) if self.function_calls > 1 => return Err(top_bottom_combined(tb)),
            _ if self.function_calls == 0 => self.validate_raw_query()?,
            _ => {}
        }
        if self.has_distinct && (self.function_calls != 1 || self.has_aux) {
            return Err("aggregate function distinct() cannot be combined with other functions or fields".to_owned());
        }
        if self.has_aux && !self.only_selectors {
            return Err("mixing aggregate and non-aggregate queries is not supported".to_owned());
        }
        if self.has_aux && self.function_calls > 1 {
            return Err("mixing multiple selector functions with tags or fields is not supported".to_owned());
        }
        Ok(())
    }

    /// A query without functions has no buckets to fill or to group by time.
    fn validate_raw_query(&self) -> Result<(), String> {
        match self.fill {
            Fill::None => Err("fill(none) must be used with a function".to_owned()),
            Fill::Linear => Err("fill(linear) must be used with a function".to_owned()),
            _ if self.interval != 0 && !self.inherited_interval => {
                Err("GROUP BY requires at least one aggregate function".to_owned())
            }
            _ => Ok(()),
        }
    }
}

fn top_bottom_combined(name: &str) -> String {
    format!("selector function {name}() cannot be combined with other functions")
}

/// Go's `RewriteFields` refuses `*::tag` as a function's argument when it expands the
/// wildcards: it looks only if some field has a wildcard or regex, only at fields that are
/// calls, and follows first arguments down through nested calls.
fn tag_wildcard_error(fields: &[Node]) -> Option<String> {
    if !fields.iter().any(has_wildcard) {
        return None;
    }
    fields.iter().find_map(|f| {
        let Node::Call(name, args) = f else {
            return None;
        };
        let (mut name, mut args) = (name, args);
        while let Some(Node::Call(n, a)) = args.first() {
            (name, args) = (n, a);
        }
        matches!(args.first(), Some(Node::Wildcard(Wildcard::Tags)))
            .then(|| format!("unable to use tag wildcard in {name}()"))
    })
}

/// Go's `HasFieldWildcard`: a wildcard or regex anywhere in the field.
fn has_wildcard(e: &Node) -> bool {
    match e {
        Node::Wildcard(_) | Node::Lit(Lit::Regex(_)) => true,
        Node::Binary(_, lhs, rhs) => has_wildcard(lhs) || has_wildcard(rhs),
        Node::Paren(inner) => has_wildcard(inner),
        Node::Call(_, args) => args.iter().any(has_wildcard),
        Node::Var(_) | Node::Distinct(_) | Node::Lit(_) => false,
    }
}

/// Go's `validateCondition`: a WHERE condition (after its time part is taken out) may call
/// math functions only. Like Go, it looks through binary expressions but not into
/// parentheses, and counts `log` as a one-argument function here.
fn validate_condition(e: &Expr) -> Result<(), String> {
    match e {
        Expr::Binary(b) => {
            validate_condition(&b.lhs)?;
            validate_condition(&b.rhs)
        }
        Expr::Call(c) => validate_condition_call(c),
        _ => Ok(()),
    }
}

fn validate_condition_call(c: &Call) -> Result<(), String> {
    if !is_math_function(&c.name) {
        return Err(format!(
            "invalid function call in condition: {}",
            reduce_top(&Expr::Call(c.clone()), false)?
        ));
    }
    let expected = if matches!(c.name.as_str(), "atan2" | "pow") {
        2
    } else {
        1
    };
    check_arg_count(&c.name, expected, c.args.len())?;
    c.args.iter().try_for_each(validate_condition)
}

fn check_arg_count(name: &str, expected: usize, got: usize) -> Result<(), String> {
    if got == expected {
        Ok(())
    } else {
        Err(format!(
            "invalid number of arguments for {name}, expected {expected}, got {got}"
        ))
    }
}

fn check_arg_range(name: &str, min: usize, max: usize, got: usize) -> Result<(), String> {
    if (min..=max).contains(&got) {
        Ok(())
    } else {
        Err(format!(
            "invalid number of arguments for {name}, expected at least {min} but no more than {max}, got {got}"
        ))
    }
}

/// An optional positive duration argument (derivative, elapsed, integral); `other` is the
/// text when it is not a duration.
fn check_positive_duration(arg: Option<&Node>, other: impl FnOnce(&Node) -> String) -> Result<(), String> {
    match arg {
        None => Ok(()),
        Some(Node::Lit(Lit::Dur(d))) if *d <= 0 => Err(format!(
            "duration argument must be positive, got {}",
            format_duration(*d)
        )),
        Some(Node::Lit(Lit::Dur(_))) => Ok(()),
        Some(a) => Err(other(a)),
    }
}

/// Compiles one field (Go's `compiledField`).
struct FieldCompiler<'a> {
    global: &'a mut Compiled,
    /// Wildcards and regexes expand to several columns: not inside a binary expression.
    allow_wildcard: bool,
}

impl FieldCompiler<'_> {
    /// Go's `compileExpr`. Binary expressions may be 2000 deep: their recursion goes
    /// through small frames only.
    fn compile(&mut self, e: &Node) -> Result<(), String> {
        match e {
            Node::Binary(_, lhs, rhs) => self.compile_binary(lhs, rhs),
            Node::Paren(inner) => self.compile(inner),
            other => self.compile_operand(other),
        }
    }

    fn compile_operand(&mut self, e: &Node) -> Result<(), String> {
        match e {
            Node::Var(_) => {
                self.global.has_aux = true;
                Ok(())
            }
            Node::Wildcard(_) => {
                self.global.has_aux = true;
                self.wildcard_allowed("unable to use wildcard in a binary expression")
            }
            Node::Lit(Lit::Regex(_)) => {
                self.wildcard_allowed("unable to use regex in a binary expression")?;
                self.global.has_aux = true;
                Ok(())
            }
            Node::Lit(_) => Err("field must contain at least one variable".to_owned()),
            Node::Call(name, args) if is_math_function(name) => self.compile_math(name, args),
            Node::Call(name, args) => {
                self.global.function_calls += 1;
                self.compile_call(name, args)
            }
            Node::Distinct(name) => {
                self.global.function_calls += 1;
                self.compile_distinct_keyword(name, false)
            }
            Node::Binary(..) | Node::Paren(_) => self.compile(e),
        }
    }

    fn wildcard_allowed(&self, text: &str) -> Result<(), String> {
        if self.allow_wildcard {
            Ok(())
        } else {
            Err(text.to_owned())
        }
    }

    /// Only the non-literal side of a binary expression is compiled; wildcards are not
    /// allowed from here down.
    fn compile_binary(&mut self, lhs: &Node, rhs: &Node) -> Result<(), String> {
        self.allow_wildcard = false;
        match (lhs.is_literal(), rhs.is_literal()) {
            (true, true) => Err("cannot perform a binary expression on two literals".to_owned()),
            (true, false) => self.compile(rhs),
            (false, true) => self.compile(lhs),
            (false, false) => {
                self.compile(lhs)?;
                self.compile(rhs)
            }
        }
    }

    fn compile_call(&mut self, name: &str, args: &[Node]) -> Result<(), String> {
        match name {
            "percentile" => self.compile_percentile(args),
            "sample" => self.compile_sample(args),
            "distinct" => self.compile_distinct(args, false),
            "top" | "bottom" => self.compile_top_bottom(name, args),
            "derivative" | "non_negative_derivative" | "elapsed" => self.compile_derivative(name, args),
            "difference" | "non_negative_difference" | "cumulative_sum" => {
                check_arg_count(name, 1, args.len())?;
                self.compile_transformed(name, &args[0], true)
            }
            "moving_average" => self.compile_moving_average(args),
            "exponential_moving_average"
            | "double_exponential_moving_average"
            | "triple_exponential_moving_average"
            | "relative_strength_index"
            | "triple_exponential_derivative" => self.compile_technical(name, args, 4, &["exponential", "simple"]),
            "kaufmans_efficiency_ratio" | "kaufmans_adaptive_moving_average" => {
                self.compile_technical(name, args, 3, &[])
            }
            "chande_momentum_oscillator" => self.compile_technical(name, args, 4, &["none", "exponential", "simple"]),
            "integral" => self.compile_integral(args),
            "holt_winters" | "holt_winters_with_fit" => self.compile_holt_winters(name, args),
            _ => self.compile_function(name, args),
        }
    }

    /// Go's `compileNestedExpr`: a distinct() inside another function is not "the" distinct.
    fn compile_nested(&mut self, e: &Node) -> Result<(), String> {
        match e {
            Node::Call(name, args) if name == "distinct" => self.compile_distinct(args, true),
            Node::Distinct(name) => self.compile_distinct_keyword(name, true),
            _ => self.compile(e),
        }
    }

    /// Go's `compileSymbol`: the argument of an aggregate or selector is a field, a
    /// wildcard or a regex (the last two make the query an aggregate one).
    fn compile_symbol(&mut self, name: &str, arg: &Node) -> Result<(), String> {
        match arg {
            Node::Var(_) => Ok(()),
            Node::Wildcard(_) | Node::Lit(Lit::Regex(_)) if !self.allow_wildcard => {
                let what = if matches!(arg, Node::Wildcard(_)) {
                    "wildcard"
                } else {
                    "regex field"
                };
                Err(format!("unsupported expression with {what}: {name}()"))
            }
            Node::Wildcard(_) | Node::Lit(Lit::Regex(_)) => {
                self.global.only_selectors = false;
                Ok(())
            }
            _ => Err(format!("expected field argument in {name}()")),
        }
    }

    /// Go's `compileFunction`: the plain aggregates and selectors of one field argument
    /// (count also takes a distinct()).
    fn compile_function(&mut self, name: &str, args: &[Node]) -> Result<(), String> {
        match name {
            "max" | "min" | "first" | "last" => {}
            "count" | "sum" | "mean" | "median" | "mode" | "stddev" | "spread" => self.global.only_selectors = false,
            _ => return Err(format!("undefined function {name}()")),
        }
        check_arg_count(name, 1, args.len())?;
        match &args[0] {
            Node::Call(f, a) if name == "count" && f == "distinct" => self.compile_distinct(a, true),
            Node::Distinct(field) if name == "count" => self.compile_distinct_keyword(field, true),
            arg => self.compile_symbol(name, arg),
        }
    }

    fn compile_percentile(&mut self, args: &[Node]) -> Result<(), String> {
        check_arg_count("percentile", 2, args.len())?;
        if !matches!(args[1], Node::Lit(Lit::Int(_) | Lit::Num(_))) {
            return Err("expected float argument in percentile()".to_owned());
        }
        self.compile_symbol("percentile", &args[0])
    }

    fn compile_sample(&mut self, args: &[Node]) -> Result<(), String> {
        check_arg_count("sample", 2, args.len())?;
        match args[1] {
            Node::Lit(Lit::Int(n)) if n <= 0 => return Err(format!("sample window must be greater than 1, got {n}")),
            Node::Lit(Lit::Int(_)) => {}
            _ => return Err("expected integer argument in sample()".to_owned()),
        }
        self.compile_symbol("sample", &args[0])
    }

    /// derivative(), non_negative_derivative() and elapsed(): a field or aggregate and an
    /// optional positive unit.
    fn compile_derivative(&mut self, name: &str, args: &[Node]) -> Result<(), String> {
        check_arg_range(name, 1, 2, args.len())?;
        check_positive_duration(args.get(1), |a| {
            format!("second argument to {name} must be a duration, got {}", a.go_type())
        })?;
        self.compile_transformed(name, &args[0], true)
    }

    fn compile_moving_average(&mut self, args: &[Node]) -> Result<(), String> {
        check_arg_count("moving_average", 2, args.len())?;
        match &args[1] {
            Node::Lit(Lit::Int(n)) if *n <= 1 => Err(format!("moving_average window must be greater than 1, got {n}")),
            Node::Lit(Lit::Int(_)) => self.compile_transformed("moving_average", &args[0], true),
            a => Err(format!(
                "second argument for moving_average must be an integer, got {}",
                a.go_type()
            )),
        }
    }

    /// The technical-analysis functions: `(field or aggregate, period[, hold period[,
    /// warmup type]])`, `max_args` of them at most; `warmups` are the warmup types allowed.
    fn compile_technical(
        &mut self,
        name: &str,
        args: &[Node],
        max_args: usize,
        warmups: &[&str],
    ) -> Result<(), String> {
        check_arg_range(name, 2, max_args, args.len())?;
        match args[1] {
            Node::Lit(Lit::Int(n)) if n < 1 => return Err(format!("{name} period must be greater than or equal to 1")),
            Node::Lit(Lit::Int(_)) => {}
            _ => return Err(format!("{name} period must be an integer")),
        }
        match args.get(2) {
            None => {}
            Some(Node::Lit(Lit::Int(n))) if name == "triple_exponential_derivative" && *n < 1 && *n != -1 => {
                return Err(format!("{name} hold period must be greater than or equal to 1"));
            }
            Some(Node::Lit(Lit::Int(n))) if *n < 0 && *n != -1 => {
                return Err(format!("{name} hold period must be greater than or equal to 0"));
            }
            Some(Node::Lit(Lit::Int(_))) => {}
            Some(_) => return Err(format!("{name} hold period must be an integer")),
        }
        match args.get(3) {
            None => {}
            Some(Node::Lit(Lit::Str(w))) if warmups.contains(&w.as_str()) => {}
            Some(Node::Lit(Lit::Str(_))) => {
                let allowed: Vec<String> = warmups.iter().map(|w| format!("'{w}'")).collect();
                return Err(format!("{name} warmup type must be one of: {}", allowed.join(" ")));
            }
            Some(_) => return Err(format!("{name} warmup type must be a string")),
        }
        self.compile_transformed(name, &args[0], false)
    }

    /// The first argument of a transformation: an aggregate call needs GROUP BY time(); a
    /// raw field must not have one (unless it came from the outer query). `nested`: Go
    /// compiles the call as nested (a distinct() inside is allowed), which the
    /// technical-analysis functions do not.
    fn compile_transformed(&mut self, name: &str, arg: &Node, nested: bool) -> Result<(), String> {
        self.global.only_selectors = false;
        match arg {
            Node::Call(..) if self.global.interval == 0 => {
                Err(format!("{name} aggregate requires a GROUP BY interval"))
            }
            Node::Call(f, _) if is_math_function(f) => {
                // Go compiles it, but has no iterator for a math function's points.
                self.global
                    .build_error
                    .get_or_insert_with(|| format!("unsupported call: {f}"));
                self.compile(arg)
            }
            Node::Call(..) if nested => self.compile_nested(arg),
            Node::Call(..) => self.compile(arg),
            _ if self.global.interval != 0 && !self.global.inherited_interval => {
                Err(format!("aggregate function required inside the call to {name}"))
            }
            _ => self.compile_symbol(name, arg),
        }
    }

    fn compile_integral(&mut self, args: &[Node]) -> Result<(), String> {
        check_arg_range("integral", 1, 2, args.len())?;
        check_positive_duration(args.get(1), |_| "second argument must be a duration".to_owned())?;
        self.global.only_selectors = false;
        self.compile_symbol("integral", &args[0])
    }

    fn compile_holt_winters(&mut self, name: &str, args: &[Node]) -> Result<(), String> {
        check_arg_count(name, 3, args.len())?;
        match args[1] {
            Node::Lit(Lit::Int(n)) if n <= 0 => {
                return Err(format!("second arg to {name} must be greater than 0, got {n}"))
            }
            Node::Lit(Lit::Int(_)) => {}
            _ => return Err(format!("expected integer argument as second arg in {name}")),
        }
        match args[2] {
            Node::Lit(Lit::Int(n)) if n < 0 => return Err(format!("third arg to {name} cannot be negative, got {n}")),
            Node::Lit(Lit::Int(_)) => {}
            _ => return Err(format!("expected integer argument as third arg in {name}")),
        }
        match &args[0] {
            call @ Node::Call(..) => self.compile_transformed(name, call, true),
            _ => Err(format!("must use aggregate function with {name}")),
        }
    }

    /// `DISTINCT x` is `distinct(x)` (Go's `Distinct.NewCall`).
    fn compile_distinct_keyword(&mut self, name: &str, nested: bool) -> Result<(), String> {
        self.compile_distinct(&[Node::Var(VarRef::new(name))], nested)
    }

    fn compile_distinct(&mut self, args: &[Node], nested: bool) -> Result<(), String> {
        match args {
            [] => Err("distinct function requires at least one argument".to_owned()),
            [Node::Var(_)] => {
                self.global.has_distinct |= !nested;
                self.global.only_selectors = false;
                Ok(())
            }
            [_] => Err("expected field argument in distinct()".to_owned()),
            _ => Err("distinct function can only have one argument".to_owned()),
        }
    }

    /// top()/bottom(): `(field[, tag or field ...], n)`, alone among the functions; each
    /// middle argument becomes a column too (unless the result is written INTO somewhere).
    fn compile_top_bottom(&mut self, name: &str, args: &[Node]) -> Result<(), String> {
        if let Some(tb) = &self.global.top_bottom {
            return Err(top_bottom_combined(tb));
        }
        if args.len() < 2 {
            return Err(format!(
                "invalid number of arguments for {name}, expected at least 2, got {}",
                args.len()
            ));
        }
        let last = &args[args.len() - 1];
        match last {
            Node::Lit(Lit::Int(n)) if *n <= 0 => {
                return Err(format!("limit ({n}) in {name} function must be at least 1"))
            }
            Node::Lit(Lit::Int(n)) if self.global.limit > 0 && i128::from(*n) > i128::from(self.global.limit) => {
                return Err(format!(
                    "limit ({n}) in {name} function can not be larger than the LIMIT ({}) in the select statement",
                    self.global.limit
                ));
            }
            Node::Lit(Lit::Int(_)) => {}
            _ => return Err(format!("expected integer as last argument in {name}(), found {last}")),
        }
        if !matches!(args[0], Node::Var(_)) {
            return Err(format!(
                "expected first argument to be a field in {name}(), found {}",
                args[0]
            ));
        }
        for arg in &args[1..args.len() - 1] {
            if !matches!(arg, Node::Var(_)) {
                return Err(format!("only fields or tags are allowed in {name}(), found {arg}"));
            }
            if !self.global.has_target {
                self.global.fields += 1;
                self.global.has_aux = true;
            }
        }
        self.global.top_bottom = Some(name.to_owned());
        Ok(())
    }

    /// Math functions take a fixed number of arguments; the non-literal ones are compiled.
    fn compile_math(&mut self, name: &str, args: &[Node]) -> Result<(), String> {
        let expected = if matches!(name, "atan2" | "pow" | "log") { 2 } else { 1 };
        check_arg_count(name, expected, args.len())?;
        args.iter()
            .filter(|a| !a.is_literal())
            .try_for_each(|a| self.compile(a))
    }
}

// ---------------------------------------------------------------- reduction

/// A literal of Go's reduced tree: the parser's literals, the times folding makes, and
/// `nil` (a math function of non-numbers).
#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Int(i64),
    Uns(u64),
    Num(f64),
    Str(String),
    Bool(bool),
    Dur(i64),
    /// ns since the epoch (wide: folding may leave i64's range, as Go times can).
    Time(i128),
    Regex(Regex),
    Nil,
}

/// An expression as Go's compiler sees it, after `influxql.Reduce` (see the module docs).
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Var(VarRef),
    Wildcard(Wildcard),
    Distinct(String),
    Call(String, Vec<Node>),
    Binary(BinaryOp, Box<Node>, Box<Node>),
    Paren(Box<Node>),
    Lit(Lit),
}

impl Node {
    /// Whether Go sees an `influxql.Literal` (regexes and nil included).
    fn is_literal(&self) -> bool {
        matches!(self, Node::Lit(_))
    }

    /// Go's `%T` of the node.
    fn go_type(&self) -> &'static str {
        match self {
            Node::Var(_) => "*influxql.VarRef",
            Node::Wildcard(_) => "*influxql.Wildcard",
            Node::Distinct(_) => "*influxql.Distinct",
            Node::Call(..) => "*influxql.Call",
            Node::Binary(..) => "*influxql.BinaryExpr",
            Node::Paren(_) => "*influxql.ParenExpr",
            Node::Lit(l) => match l {
                Lit::Int(_) => "*influxql.IntegerLiteral",
                Lit::Uns(_) => "*influxql.UnsignedLiteral",
                Lit::Num(_) => "*influxql.NumberLiteral",
                Lit::Str(_) => "*influxql.StringLiteral",
                Lit::Bool(_) => "*influxql.BooleanLiteral",
                Lit::Dur(_) => "*influxql.DurationLiteral",
                Lit::Time(_) => "*influxql.TimeLiteral",
                Lit::Regex(_) => "*influxql.RegexLiteral",
                Lit::Nil => "*influxql.NilLiteral",
            },
        }
    }

    /// Appends Go's `String()` of the node; the recursion through binary expressions goes
    /// through small frames only (see [`reduce`]).
    fn write_go(&self, out: &mut String) {
        match self {
            Node::Binary(op, lhs, rhs) => {
                lhs.write_go(out);
                out.push(' ');
                out.push_str(op.as_str());
                out.push(' ');
                rhs.write_go(out);
            }
            Node::Paren(e) => {
                out.push('(');
                e.write_go(out);
                out.push(')');
            }
            operand => operand.write_operand(out),
        }
    }

    fn write_operand(&self, out: &mut String) {
        match self {
            Node::Call(name, args) => {
                out.push_str(name);
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    a.write_go(out);
                }
                out.push(')');
            }
            Node::Var(v) => push_display(out, v),
            Node::Wildcard(w) => push_display(out, w),
            Node::Distinct(name) => {
                out.push_str("DISTINCT ");
                out.push_str(name);
            }
            Node::Lit(l) => push_display(out, l),
            Node::Binary(..) | Node::Paren(_) => self.write_go(out),
        }
    }
}

/// Go's `String()`: numbers with three decimals, names bare.
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write_go(&mut out);
        f.write_str(&out)
    }
}

fn push_display(out: &mut String, x: &impl fmt::Display) {
    out.push_str(&x.to_string());
}

impl fmt::Display for Lit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lit::Int(v) => write!(f, "{v}"),
            Lit::Uns(v) => write!(f, "{v}"),
            Lit::Num(v) if v.is_nan() => f.write_str("NaN"),
            Lit::Num(v) if v.is_infinite() => f.write_str(if *v > 0.0 { "+Inf" } else { "-Inf" }),
            Lit::Num(v) => write!(f, "{v:.3}"),
            Lit::Str(s) => f.write_str(&quote_string(s)),
            Lit::Bool(b) => write!(f, "{b}"),
            Lit::Dur(d) => f.write_str(&format_duration(*d)),
            Lit::Time(t) => write!(f, "'{}'", format_rfc3339_nano(*t)),
            Lit::Regex(r) => write!(f, "{r}"),
            Lit::Nil => f.write_str("nil"),
        }
    }
}

/// Go's `influxql.Reduce`: folds, then unwraps parentheses at the top. The error is
/// [`DIVIDE_BY_ZERO`]: Go panics dividing a duration by a number in (-1, 1).
fn reduce_top(e: &Expr, math: bool) -> Result<Node, String> {
    let mut r = Reducer {
        math,
        divide_by_zero: false,
    };
    let node = match r.reduce(e) {
        Node::Paren(inner) => *inner,
        n => n,
    };
    if r.divide_by_zero {
        Err(DIVIDE_BY_ZERO.to_owned())
    } else {
        Ok(node)
    }
}

/// Folds literal arithmetic and, when `math` (Go's `MathValuer`), math functions of
/// literals; parentheses stay only around binary expressions. The recursion goes through
/// small frames only (expressions may be 2000 deep and threads have 2 MiB stacks), hence
/// Go's panic is a flag here rather than an error to propagate.
struct Reducer {
    math: bool,
    divide_by_zero: bool,
}

impl Reducer {
    fn reduce(&mut self, e: &Expr) -> Node {
        match e {
            Expr::Binary(b) => self.reduce_binary(b),
            Expr::Paren(inner) => self.reduce_paren(inner),
            other => self.reduce_operand(other),
        }
    }

    fn reduce_operand(&mut self, e: &Expr) -> Node {
        match e {
            Expr::Call(c) => self.reduce_call(&c.name, &c.args),
            Expr::VarRef(v) => Node::Var(v.clone()),
            Expr::Wildcard(w) => Node::Wildcard(*w),
            Expr::Distinct(name) => Node::Distinct(name.clone()),
            Expr::Literal(l) => Node::Lit(Lit::from(l)),
            Expr::Binary(_) | Expr::Paren(_) => self.reduce(e),
        }
    }

    fn reduce_paren(&mut self, inner: &Expr) -> Node {
        match self.reduce(inner) {
            b @ Node::Binary(..) => Node::Paren(Box::new(b)),
            n => n,
        }
    }

    fn reduce_binary(&mut self, b: &BinaryExpr) -> Node {
        let lhs = Box::new(self.reduce(&b.lhs));
        let rhs = Box::new(self.reduce(&b.rhs));
        self.fold_nodes(b.op, lhs, rhs)
    }

    fn fold_nodes(&mut self, op: BinaryOp, lhs: Box<Node>, rhs: Box<Node>) -> Node {
        let folded = match (&*lhs, &*rhs) {
            (Node::Lit(Lit::Dur(_)), Node::Lit(Lit::Num(n))) if op == BinaryOp::Div && *n != 0.0 && go_int(*n) == 0 => {
                self.divide_by_zero = true;
                None
            }
            (Node::Lit(l), Node::Lit(r)) => fold(op, l, r),
            _ => None,
        };
        folded.map_or(Node::Binary(op, lhs, rhs), Node::Lit)
    }

    fn reduce_call(&mut self, name: &str, args: &[Expr]) -> Node {
        let args: Vec<Node> = args.iter().map(|a| self.reduce(a)).collect();
        let literals: Option<Vec<&Lit>> = args
            .iter()
            .map(|a| match a {
                Node::Lit(l) => Some(l),
                _ => None,
            })
            .collect();
        match literals.filter(|_| self.math).and_then(|l| call_math(name, &l)) {
            Some(v) => Node::Lit(v),
            None => Node::Call(name.to_owned(), args),
        }
    }
}

/// Go's conversion of a float to an integer on amd64: truncation, and the most negative
/// integer for NaN and values out of range.
fn go_int(v: f64) -> i64 {
    let min = i64::MIN as f64;
    if v >= min && v < -min {
        v as i64
    } else {
        i64::MIN
    }
}

impl From<&Literal> for Lit {
    fn from(l: &Literal) -> Lit {
        match l {
            Literal::Integer(v) => Lit::Int(*v),
            Literal::Unsigned(v) => Lit::Uns(*v),
            Literal::Number(v) => Lit::Num(*v),
            Literal::String(s) => Lit::Str(s.clone()),
            Literal::Boolean(b) => Lit::Bool(*b),
            Literal::Duration(d) => Lit::Dur(*d),
            Literal::Regex(r) => Lit::Regex(r.clone()),
            Literal::Time(t) => Lit::Time(i128::from(*t)),
        }
    }
}

/// A time string's time (UTC: Go's math valuer has no zone).
fn string_time(s: &str) -> Option<i128> {
    is_time_string(s).then(|| parse_time_string(s, None).ok()).flatten()
}

/// `lhs op rhs` of two literals as Go's `reduceBinaryExpr` folds it, for the operators a
/// field may hold (arithmetic and bitwise; comparisons are refused in fields by the parser
/// and never yield a valid dimension, so they are left unfolded). `None`: not folded.
fn fold(op: BinaryOp, lhs: &Lit, rhs: &Lit) -> Option<Lit> {
    use BinaryOp::{Add, BitwiseAnd, BitwiseOr, BitwiseXor, Div, Mod, Mul, Sub};
    use Lit::*;
    match (lhs, rhs) {
        (Bool(l), Bool(r)) => match op {
            BitwiseXor => Some(Bool(l != r)),
            BitwiseAnd => Some(Bool(*l && *r)),
            BitwiseOr => Some(Bool(*l || *r)),
            _ => None,
        },
        (Dur(l), Dur(r)) => match op {
            Add => Some(Dur(l.wrapping_add(*r))),
            Sub => Some(Dur(l.wrapping_sub(*r))),
            _ => None,
        },
        (Dur(l), Num(_) | Int(_)) => {
            let (r, zero) = match rhs {
                Num(n) => (go_int(*n), *n == 0.0),
                Int(i) => (*i, *i == 0),
                _ => (0, true),
            };
            match op {
                Mul => Some(Dur(l.wrapping_mul(r))),
                Div if zero => Some(Dur(0)),
                // Go: MIN / -1 is MIN; a number in (-1, 1) panics (fold_nodes answers that).
                Div => Some(Dur(l.checked_div(r).unwrap_or(*l))),
                _ => None,
            }
        }
        (Dur(l), Time(t)) if op == Add => Some(Time(t + i128::from(*l))),
        (Dur(_), Str(s)) => fold(op, lhs, &Time(string_time(s)?)),
        (Int(l), Num(_)) => fold(op, &Num(*l as f64), rhs),
        (Int(l), Int(r)) => match op {
            Add => Some(Int(l.wrapping_add(*r))),
            Sub => Some(Int(l.wrapping_sub(*r))),
            Mul => Some(Int(l.wrapping_mul(*r))),
            Div if *r == 0 => Some(Num(0.0)),
            Div => Some(Num(*l as f64 / *r as f64)),
            Mod if *r == 0 => Some(Int(0)),
            Mod => Some(Int(l.wrapping_rem(*r))),
            BitwiseAnd => Some(Int(l & r)),
            BitwiseOr => Some(Int(l | r)),
            BitwiseXor => Some(Int(l ^ r)),
            _ => None,
        },
        (Int(l), Uns(_)) => fold(op, &Uns(*l as u64), rhs),
        (Int(l), Dur(d)) => match op {
            Add => Some(Time(i128::from(*l) + i128::from(*d))),
            Sub => Some(Time(i128::from(*l) - i128::from(*d))),
            _ => None,
        },
        (Int(l), Time(_)) => fold(op, &Dur(*l), rhs),
        (Int(l), Str(s)) => fold(op, &Dur(*l), &Time(string_time(s)?)),
        (Uns(l), Num(_)) => fold(op, &Num(*l as f64), rhs),
        (Uns(_), Int(r)) => fold(op, lhs, &Uns(*r as u64)),
        (Uns(l), Uns(r)) => match op {
            Add => Some(Uns(l.wrapping_add(*r))),
            Sub => Some(Uns(l.wrapping_sub(*r))),
            Mul => Some(Uns(l.wrapping_mul(*r))),
            Div => Some(Uns(l.checked_div(*r).unwrap_or(0))),
            Mod => Some(Uns(l.checked_rem(*r).unwrap_or(0))),
            _ => None,
        },
        (Num(l), Num(_) | Int(_) | Uns(_)) => {
            let r = match rhs {
                Num(n) => *n,
                Int(i) => *i as f64,
                Uns(u) => *u as f64,
                _ => 0.0,
            };
            match op {
                Add => Some(Num(l + r)),
                Sub => Some(Num(l - r)),
                Mul => Some(Num(l * r)),
                Div if r == 0.0 => Some(Num(0.0)),
                Div => Some(Num(l / r)),
                Mod => Some(Num(l % r)),
                _ => None,
            }
        }
        (Str(l), Str(r)) if op == Add => Some(Str(format!("{l}{r}"))),
        (Str(l), Str(_) | Dur(_) | Time(_) | Int(_)) => fold(op, &Time(string_time(l)?), rhs),
        (Time(l), Dur(d)) => match op {
            Add => Some(Time(l + i128::from(*d))),
            Sub => Some(Time(l - i128::from(*d))),
            _ => None,
        },
        (Time(_), Int(i)) => fold(op, lhs, &Dur(*i)),
        (Time(l), Time(r)) if op == Sub => Some(Dur((l - r).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)),
        (Time(_), Str(s)) => fold(op, lhs, &Time(string_time(s)?)),
        // Go folds any operator with a nil right-hand side to false, except after a string.
        (Bool(_) | Dur(_) | Int(_) | Uns(_) | Num(_) | Time(_), Nil) => Some(Bool(false)),
        _ => None,
    }
}

/// Go's `MathValuer.Call` on literal arguments: `None` when it does not apply (unknown name
/// or argument count), `Nil` for non-numeric arguments. `abs`, `floor`, `ceil` and `round`
/// return integers unchanged (so `abs(-2)` is `-2`, as in 1.6.7).
fn call_math(name: &str, args: &[&Lit]) -> Option<Lit> {
    let float = |l: &Lit| match l {
        Lit::Num(v) => Some(*v),
        Lit::Int(v) => Some(*v as f64),
        Lit::Uns(v) => Some(*v as f64),
        _ => None,
    };
    let unary: Option<fn(f64) -> f64> = match name {
        "abs" => Some(f64::abs),
        "floor" => Some(f64::floor),
        "ceil" => Some(f64::ceil),
        "round" => Some(f64::round),
        "sin" => Some(f64::sin),
        "cos" => Some(f64::cos),
        "tan" => Some(f64::tan),
        "asin" => Some(f64::asin),
        "acos" => Some(f64::acos),
        "atan" => Some(f64::atan),
        "exp" => Some(f64::exp),
        "ln" => Some(f64::ln),
        "log2" => Some(f64::log2),
        "log10" => Some(f64::log10),
        "sqrt" => Some(f64::sqrt),
        _ => None,
    };
    let binary: Option<fn(f64, f64) -> f64> = match name {
        "atan2" => Some(f64::atan2),
        "log" => Some(|x, b| x.ln() / b.ln()),
        "pow" => Some(f64::powf),
        _ => None,
    };
    let keeps_integers = matches!(name, "abs" | "floor" | "ceil" | "round");
    match (args, unary, binary) {
        ([a @ (Lit::Int(_) | Lit::Uns(_))], Some(_), _) if keeps_integers => Some((*a).clone()),
        ([a], Some(f), _) => Some(float(a).map_or(Lit::Nil, |x| Lit::Num(f(x)))),
        ([a, b], _, Some(f)) => Some(match (float(a), float(b)) {
            (Some(x), Some(y)) => Lit::Num(f(x, y)),
            _ => Lit::Nil,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
